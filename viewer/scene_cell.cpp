#include "viewer/scene_cell.hpp"

#include <algorithm>
#include <cmath>

#include "twins/machine/kinematics.hpp"
#include "viewer/palette.hpp"

namespace dtwin::viewer {

namespace {

using machine::Vec3;

constexpr Rgba kJoint{0.18f, 0.19f, 0.21f, 1};
constexpr Rgba kFence{0.95f, 0.78f, 0.10f, 1};
constexpr Rgba kCellFloor{0.70f, 0.72f, 0.75f, 1};

P3 at(const CellGeom& g, const Vec3& v) {
  return {g.ox + v.x, g.oy + v.y, v.z};
}

// a shape with its centre at pose p: a box turned as the pose's x axis points, a cylinder along
// the pose's z axis, a sphere as a cube
Box shape_box(const machine::Geometry& geom, const machine::Pose& p, const CellGeom& g, Rgba c) {
  using machine::Shape;
  if (geom.shape == Shape::Cylinder) {
    const Vec3 d = p.R.col(2) * (geom.size.z / 2);
    return beam(at(g, p.p - d), at(g, p.p + d), 2 * geom.size.x, 2 * geom.size.x, c);
  }
  if (geom.shape == Shape::Sphere)
    return centred(at(g, p.p), 2 * geom.size.x, 2 * geom.size.x, 2 * geom.size.x, 0, c);
  const Vec3 d = p.R.col(0) * (geom.size.x / 2);
  return beam(at(g, p.p - d), at(g, p.p + d), geom.size.y, geom.size.z, c);
}

const machine::Geometry* part_geometry(const machine::CellSpec& c, std::uint32_t shape) {
  if (shape < c.conveyors.size()) return &c.conveyors[shape].part.geom;
  const std::size_t k = shape - c.conveyors.size();
  return k < c.parts.size() ? &c.parts[k].part.geom : nullptr;
}

void grow(CellGeom& g, const Vec3& v, double r) {
  g.x0 = std::min(g.x0, v.x - r), g.x1 = std::max(g.x1, v.x + r);
  g.y0 = std::min(g.y0, v.y - r), g.y1 = std::max(g.y1, v.y + r);
  g.top = std::max(g.top, v.z + r);
}

}  // namespace

Rgba cell_status_color(machine::CellStatus s) {
  using machine::CellStatus;
  switch (s) {
    case CellStatus::Moving:
      return status_color(line::Status::Working);
    case CellStatus::Waiting:
    case CellStatus::WaitingPart:
      return status_color(line::Status::Starved);
    case CellStatus::Idle:
      return status_color(line::Status::Off);
    case CellStatus::Fault:
      return status_color(line::Status::Down);
    case CellStatus::Mirroring:
      return {0.30f, 0.55f, 0.95f, 1};
  }
  return {1, 0, 1, 1};
}

CellGeom cell_bounds(const machine::CellSpec& c) {
  CellGeom g;
  g.x0 = g.y0 = 1e300, g.x1 = g.y1 = -1e300, g.top = 0.5;
  for (const auto& b : c.bodies) {
    const Vec3 s = b.geom.size;
    const double r = b.geom.shape == machine::Shape::Box ? std::hypot(s.x, s.y) / 2 : s.x;
    grow(g, b.pose.p, r);
    g.top = std::max(g.top, b.pose.p.z + (b.geom.shape == machine::Shape::Sphere ? s.x : s.z / 2));
  }
  for (const auto& cv : c.conveyors) {
    grow(g, cv.start, cv.width / 2);
    grow(g, cv.start + cv.dir * cv.length, cv.width / 2);
  }
  if (c.robot.present && !c.robot.joints.empty()) {
    // the reach: every frame of the chain over a grid of joint positions within the limits
    const std::size_t n = c.robot.joints.size();
    const int k = n <= 3 ? 9 : n <= 5 ? 5 : 3;
    std::vector<double> q(n);
    std::vector<machine::Pose> f;
    std::vector<int> idx(n, 0);
    for (;;) {
      for (std::size_t j = 0; j < n; ++j) {
        const machine::JointSpec& js = c.robot.joints[j];
        q[j] = js.min + (js.max - js.min) * idx[j] / (k - 1);
      }
      machine::forward(c.robot, q, f);
      for (std::size_t j = 0; j < f.size(); ++j)
        grow(g, f[j].p, j < n ? c.robot.joints[j].radius * 1.3 : 0.05);
      std::size_t j = 0;
      while (j < n && ++idx[j] == k) idx[j++] = 0;
      if (j == n) break;
    }
  }
  if (g.x0 > g.x1) g.x0 = g.y0 = -0.5, g.x1 = g.y1 = 0.5;
  return g;
}

void cell_static_boxes(const machine::CellSpec& c, const CellGeom& g, std::vector<Box>& out) {
  // the cell's floor and a safety line round it
  const P3 lo{g.ox + g.x0 - 0.15, g.oy + g.y0 - 0.15, 0},
      hi{g.ox + g.x1 + 0.15, g.oy + g.y1 + 0.15, 0};
  const double ym = (lo.y + hi.y) / 2;
  out.push_back(beam({lo.x, ym, 0.004}, {hi.x, ym, 0.004}, hi.y - lo.y, 0.008, kCellFloor));
  out.push_back(beam({lo.x, lo.y, 0.01}, {hi.x, lo.y, 0.01}, 0.06, 0.02, kFence));
  out.push_back(beam({lo.x, hi.y, 0.01}, {hi.x, hi.y, 0.01}, 0.06, 0.02, kFence));
  out.push_back(beam({lo.x, lo.y, 0.01}, {lo.x, hi.y, 0.01}, 0.06, 0.02, kFence));
  out.push_back(beam({hi.x, lo.y, 0.01}, {hi.x, hi.y, 0.01}, 0.06, 0.02, kFence));
  for (const auto& b : c.bodies)
    out.push_back(shape_box(b.geom, b.pose, g, hex_color(b.geom.color)));
  for (const auto& cv : c.conveyors) {
    const Vec3 down{0, 0, cv.thickness / 2};
    const Vec3 end = cv.start + cv.dir * cv.length;
    out.push_back(beam(at(g, cv.start - down), at(g, end - down), cv.width, cv.thickness,
                       hex_color(cv.color)));
    const double under = cv.start.z - cv.thickness;
    if (under > 0.01) {  // the stand
      out.push_back(beam(at(g, {cv.start.x, cv.start.y, under / 2}),
                         at(g, {end.x, end.y, under / 2}), cv.width * 0.6, under, kPlinth));
    }
  }
  if (c.robot.present)  // the robot's base plate
    out.push_back(centred(at(g, c.robot.base.p + Vec3{0, 0, 0.02}), 0.22, 0.22, 0.04, 0, kJoint));
}

void cell_boxes(const machine::CellSpec& c, const machine::CellState& s, const CellGeom& g,
                std::vector<Box>& out) {
  if (c.robot.present && s.q.size() == c.robot.joints.size()) {
    std::vector<machine::Pose> f;
    machine::forward(c.robot, s.q, f);
    const Rgba col = cell_status_color(s.status);
    for (std::size_t k = 0; k < c.robot.joints.size(); ++k) {
      const machine::JointSpec& j = c.robot.joints[k];
      const machine::Pose lp = machine::link_geometry_pose(j, f[k]);
      const Vec3 d = lp.R.col(2) * (j.length / 2);
      out.push_back(beam(at(g, lp.p - d), at(g, lp.p + d), 2 * j.radius, 2 * j.radius, col));
      const double hub = 2.6 * j.radius;
      out.push_back(centred(at(g, f[k].p), hub, hub, hub, 0, kJoint));
    }
    // the gripper: two fingers at the tool point, closed or open
    const machine::Pose& tool = f.back();
    const double gap = s.gripper_closed ? 0.012 : 0.035;
    const Rgba finger{col.r * 0.6f, col.g * 0.6f, col.b * 0.6f, 1};
    for (double side : {-1.0, 1.0}) {
      const Vec3 p = tool.p + tool.R.col(1) * (side * gap);
      out.push_back(centred(at(g, p), 0.02, 0.012, 0.05, 0, finger));
    }
    out.push_back(centred(at(g, tool.p + Vec3{0, 0, 0.03}), 0.05, 0.09, 0.02, 0, finger));
  }
  for (const auto& p : s.parts) {
    const machine::Geometry* geom = part_geometry(c, p.shape);
    if (!geom) continue;
    out.push_back(shape_box(*geom, p.pose, g, hex_color(geom->color)));
  }
}

P3 cell_tool_point(const machine::CellSpec& c, const machine::CellState& s, const CellGeom& g) {
  if (!c.robot.present) return at(g, {});
  return at(g, machine::tool_pose(c.robot, s.q).p);
}

}  // namespace dtwin::viewer
