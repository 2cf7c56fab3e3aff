#include "twins/machine/cell.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/scenario/json_node.hpp"
#include "twins/machine/dynamics.hpp"
#include "twins/machine/kinematics.hpp"
#include "twins/machine/physics/world.hpp"

namespace dtwin::machine {

const char* cell_status_name(CellStatus s) {
  switch (s) {
    case CellStatus::Idle:
      return "idle";
    case CellStatus::Moving:
      return "moving";
    case CellStatus::Waiting:
      return "waiting";
    case CellStatus::WaitingPart:
      return "waiting_part";
    case CellStatus::Fault:
      return "fault";
    case CellStatus::Mirroring:
      return "mirroring";
  }
  return "?";
}

bool CellState::operator==(const CellState& o) const {
  return step == o.step && q == o.q && qd == o.qd && pc == o.pc && op_start == o.op_start &&
         op_begun == o.op_begun && move_from == o.move_from && profile == o.profile &&
         status == o.status && override_ == o.override_ && fault == o.fault && parts == o.parts &&
         next_serial == o.next_serial && next_feed == o.next_feed && feed_rng == o.feed_rng &&
         carried == o.carried && grasp == o.grasp && gripper_closed == o.gripper_closed &&
         reported_q == o.reported_q && reported_qd == o.reported_qd && reported_t == o.reported_t &&
         prev_reported_q == o.prev_reported_q && prev_reported_t == o.prev_reported_t &&
         contacts == o.contacts && stats_since == o.stats_since && cycles == o.cycles &&
         cycles_total == o.cycles_total && picks == o.picks && places == o.places &&
         delivered == o.delivered && delivered_total == o.delivered_total &&
         missed_picks == o.missed_picks && collision_steps == o.collision_steps &&
         last_cycle_end == o.last_cycle_end && last_cycle_s == o.last_cycle_s &&
         cycle_sum == o.cycle_sum && first_cycle_end == o.first_cycle_end &&
         moving_s == o.moving_s && power_w == o.power_w && mech_w == o.mech_w &&
         energy_j == o.energy_j && mech_j == o.mech_j && energy_total_j == o.energy_total_j;
}

namespace {

const PartTemplate& part_template(const CellSpec& spec, std::uint32_t shape) {
  if (shape < spec.conveyors.size()) return spec.conveyors[shape].part;
  return spec.parts[shape - spec.conveyors.size()].part;
}

double half_height(const Geometry& g) {
  return g.shape == Shape::Box        ? g.size.z / 2
         : g.shape == Shape::Cylinder ? g.size.z / 2
                                      : g.size.x;
}
double length_along(const Geometry& g) {
  return g.shape == Shape::Box ? g.size.x : 2 * g.size.x;
}

// where a free part is on conveyor c: progress along it, or NaN when it is not on it
double on_belt(const ConveyorSpec& c, const PartState& p, const Geometry& g) {
  if (p.where != PartWhere::Free && p.where != PartWhere::Conveyed)
    return std::numeric_limits<double>::quiet_NaN();
  const Vec3 r = p.pose.p - c.start;
  const Vec3 side = Vec3{0, 0, 1}.cross(c.dir);
  const double x = r.dot(c.dir), y = r.dot(side), gap = r.z - half_height(g);
  if (x < 0 || x > c.length || std::fabs(y) > c.width / 2 || gap < -0.01 || gap > 0.01)
    return std::numeric_limits<double>::quiet_NaN();
  return x;
}

void complete_cycle(CellState& s, double t) {
  ++s.cycles;
  ++s.cycles_total;
  s.last_cycle_s = t - s.last_cycle_end;
  s.cycle_sum += s.last_cycle_s;
  s.last_cycle_end = t;
  if (s.first_cycle_end < 0) s.first_cycle_end = t;
}

bool pick(const CellSpec& spec, CellState& s) {
  const Pose tool = tool_pose(spec.robot, s.q);
  std::int64_t best = -1;
  double bd = spec.robot.grip_distance;
  for (std::size_t i = 0; i < s.parts.size(); ++i) {
    if (s.parts[i].where == PartWhere::Carried) continue;
    const double d = (s.parts[i].pose.p - tool.p).norm();
    if (d <= bd) bd = d, best = static_cast<std::int64_t>(i);
  }
  if (best < 0) return false;
  PartState& p = s.parts[static_cast<std::size_t>(best)];
  p.where = PartWhere::Carried;
  p.v = p.w = Vec3{};
  s.grasp = tool.inverse() * p.pose;
  s.carried = static_cast<std::int64_t>(p.serial);
  s.gripper_closed = true;
  ++s.picks;
  return true;
}

void release(CellState& s, double t, std::uint32_t fixture) {
  s.gripper_closed = false;
  for (auto& p : s.parts) {
    if (static_cast<std::int64_t>(p.serial) != s.carried) continue;
    p.where = fixture == kNoIndex ? PartWhere::Free : PartWhere::Placed;
    p.activation = 1;  // awake, as a new dynamic body
    p.at_rest_s = 0;
    p.fixture = fixture;
    p.placed_at = t;
    p.v = p.w = Vec3{};
    ++s.places;
  }
  s.carried = -1;
}

// The joint positions at the end of this step, running the program's instantaneous ops.
std::vector<double> control(const CellSpec& spec, CellState& s, double t, StepEvents* ev) {
  if (!spec.robot.present) return s.q;
  if (spec.mirror) {
    s.status = CellStatus::Mirroring;
    std::vector<double> qn = s.q;
    if (s.reported_t < 0) return qn;
    // the last report, extrapolated with the rate derived from the last two reports, for at
    // most half a second (then the machine is taken to have stopped)
    const double te = static_cast<double>(s.step + 1) * spec.dt;
    const double h = std::clamp(te - s.reported_t, 0.0, 0.5);
    for (std::size_t k = 0; k < qn.size(); ++k) qn[k] = s.reported_q[k] + s.reported_qd[k] * h;
    return qn;
  }
  if (spec.program.empty() || s.status == CellStatus::Fault) return s.q;
  const std::size_t n = spec.program.size();
  for (std::size_t guard = 0; guard <= n; ++guard) {
    const Op& op = spec.program[s.pc];
    auto advance = [&] {
      s.op_begun = false;
      if (++s.pc == n) {
        s.pc = 0;
        complete_cycle(s, t);
      }
    };
    if (!s.op_begun) {
      s.op_begun = true;
      s.op_start = s.step;
      if (op.kind == OpKind::Move) {
        s.move_from = s.q;
        s.profile = plan_profile(spec.robot.joints, s.q, op.target, op.speed * s.override_);
        if (ev && !ev->limit_broken) {
          const LimitBreak lb = check_move(spec.robot.joints, s.q, op.target, s.profile);
          if (lb.broken) {
            ev->limit_broken = true;
            ev->limit_time = t + lb.t;
            ev->limit_what = lb.what;
            ev->limit_op = s.pc;
          }
        }
      }
    }
    const double el = static_cast<double>(s.step - s.op_start) * spec.dt;
    switch (op.kind) {
      case OpKind::Move: {
        if (el >= s.profile.T) {
          s.q = op.target;
          advance();
          continue;
        }
        s.status = CellStatus::Moving;
        const double te = static_cast<double>(s.step + 1 - s.op_start) * spec.dt;
        if (te >= s.profile.T) return op.target;
        const double u = s.profile.s(te);
        std::vector<double> qn(s.q.size());
        for (std::size_t k = 0; k < qn.size(); ++k)
          qn[k] = s.move_from[k] + (op.target[k] - s.move_from[k]) * u;
        return qn;
      }
      case OpKind::Wait:
        if (el >= op.duration_s) {
          advance();
          continue;
        }
        s.status = CellStatus::Waiting;
        return s.q;
      case OpKind::WaitPart:
        if (part_at_end(spec, s, op.conveyor) >= 0) {
          advance();
          continue;
        }
        s.status = CellStatus::WaitingPart;
        return s.q;
      case OpKind::Pick: {
        if (!pick(spec, s)) {
          ++s.missed_picks;
          s.status = CellStatus::Fault;
          s.fault = "pick at " + op.name + " (t = " + format_number(t) +
                    " s) found no part within " + format_number(spec.robot.grip_distance) +
                    " m of the tool";
          if (ev) ev->missed_pick = true, ev->op = s.pc, ev->what = s.fault;
          return s.q;
        }
        const PartState* p = nullptr;
        for (const auto& x : s.parts)
          if (static_cast<std::int64_t>(x.serial) == s.carried) p = &x;
        const double m = part_template(spec, p->shape).mass;
        if (m > spec.robot.payload_kg && ev && !ev->overload) {
          ev->overload = true;
          ev->op = s.pc;
          ev->what = "part of " + format_number(m) + " kg exceeds the payload " +
                     format_number(spec.robot.payload_kg) + " kg";
        }
        advance();
        continue;
      }
      case OpKind::Place:
        release(s, t, op.body);
        advance();
        continue;
    }
  }
  return s.q;  // a program of instantaneous ops only: one pass per step
}

// The power drawn over the step just taken (at its end: positions, rates and accelerations by
// finite differences of the steps' positions), added to the energy.
void account_power(const CellSpec& spec, CellState& s, const std::vector<double>& qdd) {
  const std::size_t n = s.q.size();
  // mirror mode: the rates derived from the reports (the steps' differences jump where a
  // report lands between two steps); no accelerations (a controller reports positions, and
  // differentiating them twice would turn their quantisation into power)
  std::vector<double> rate = s.qd, acc = qdd;
  if (spec.mirror) {
    const bool fresh = s.reported_t >= 0 && cell_time(spec, s) - s.reported_t <= 0.5;
    for (std::size_t k = 0; k < n; ++k) rate[k] = fresh ? s.reported_qd[k] : 0.0;
    std::fill(acc.begin(), acc.end(), 0.0);
  }
  PointLoad load;
  for (const auto& p : s.parts)
    if (p.where == PartWhere::Carried && static_cast<std::int64_t>(p.serial) == s.carried) {
      load.mass = part_template(spec, p.shape).mass;
      load.at_tool = s.grasp.p;
    }
  std::vector<double> tau;
  joint_torques(spec.robot, spec.gravity, s.q, rate, acc, load, tau);
  double base = spec.power.working_w;
  switch (s.status) {
    case CellStatus::Fault:
      base = spec.power.down_w;
      break;
    case CellStatus::Idle:
    case CellStatus::WaitingPart:
      base = spec.power.idle_w;
      break;
    case CellStatus::Mirroring: {
      bool moving = s.gripper_closed;
      for (double v : rate) moving = moving || v != 0;
      base = moving ? spec.power.working_w : spec.power.idle_w;
      break;
    }
    default:
      break;
  }
  s.power_w = base + joints_power_w(spec.power, tau, rate, &s.mech_w);
  s.energy_j += s.power_w * spec.dt;
  s.energy_total_j += s.power_w * spec.dt;
  s.mech_j += s.mech_w * spec.dt;
}

}  // namespace

CellState initial_state(const CellSpec& spec, std::uint64_t seed, std::uint32_t replication) {
  CellState s;
  for (const auto& j : spec.robot.joints) s.q.push_back(j.home);
  s.qd.assign(s.q.size(), 0);
  s.reported_q = s.prev_reported_q = s.q;
  s.reported_qd.assign(s.q.size(), 0);
  s.override_ = spec.speed_override;
  for (std::size_t i = 0; i < spec.parts.size(); ++i) {
    PartState p;
    p.serial = s.next_serial++;
    p.shape = static_cast<std::uint32_t>(spec.conveyors.size() + i);
    p.pose = spec.parts[i].pose;
    p.v = spec.parts[i].v;
    p.w = spec.parts[i].w;
    s.parts.push_back(p);
  }
  for (const auto& c : spec.conveyors) {
    s.feed_rng.push_back(make_stream(seed, replication, spec.id, "feed:" + c.id));
    s.next_feed.push_back(c.first_s);
  }
  s.status = spec.mirror ? CellStatus::Mirroring : CellStatus::Idle;
  return s;
}

double cell_time(const CellSpec& spec, const CellState& s) {
  return static_cast<double>(s.step) * spec.dt;
}

std::int64_t part_at_end(const CellSpec& spec, const CellState& s, std::uint32_t c) {
  const ConveyorSpec& cv = spec.conveyors[c];
  for (std::size_t i = 0; i < s.parts.size(); ++i) {
    const Geometry& g = part_template(spec, s.parts[i].shape).geom;
    const double x = on_belt(cv, s.parts[i], g);
    if (x >= cv.length - length_along(g) / 2 - 5e-4) return static_cast<std::int64_t>(i);
  }
  return -1;
}

void step_cell(const CellSpec& spec, CellState& s, StepEvents* ev) {
  const double t = cell_time(spec, s);
  const double dt = spec.dt;
  // fixtures take away parts placed on them
  for (std::size_t i = 0; i < s.parts.size();) {
    const PartState& p = s.parts[i];
    if (p.where == PartWhere::Placed && p.fixture != kNoIndex &&
        t >= p.placed_at + spec.bodies[p.fixture].removes_after_s) {
      ++s.delivered;
      ++s.delivered_total;
      s.parts.erase(s.parts.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    ++i;
  }
  // conveyors: new parts at the start, speeds of the parts on the belt (accumulating at the end)
  for (std::uint32_t c = 0; c < spec.conveyors.size(); ++c) {
    const ConveyorSpec& cv = spec.conveyors[c];
    const Geometry& g = cv.part.geom;
    struct OnBelt {
      double x;
      std::size_t i;
      bool drive;  // a part on the belt; otherwise the carried part, low over it: parts wait
    };
    std::vector<OnBelt> on;
    const Vec3 side = Vec3{0, 0, 1}.cross(cv.dir);
    for (std::size_t i = 0; i < s.parts.size(); ++i) {
      const PartState& p = s.parts[i];
      const Geometry& pg = part_template(spec, p.shape).geom;
      if (p.where == PartWhere::Carried) {
        const Vec3 r = p.pose.p - cv.start;
        const double x = r.dot(cv.dir), len = length_along(pg);
        if (x > -len && x < cv.length + len && std::fabs(r.dot(side)) < cv.width / 2 + len &&
            r.z - half_height(pg) < 2 * half_height(g) + cv.gap)
          on.push_back({x, i, false});
        continue;
      }
      const double x = on_belt(cv, p, pg);
      if (std::isnan(x)) continue;
      on.push_back({x, i, true});
      // a free part that has come to rest on the belt is conveyed from now on
      PartState& f = s.parts[i];
      if (f.where == PartWhere::Free && std::fabs(f.v.z) < 0.05 && f.w.norm() < 0.5) {
        f.where = PartWhere::Conveyed;
        f.pose.p.z = cv.start.z + half_height(pg);
      }
    }
    if (cv.feeds && t >= s.next_feed[c]) {
      const double len = length_along(g);
      bool room = true;
      for (const auto& o : on)
        if (o.x - length_along(part_template(spec, s.parts[o.i].shape).geom) / 2 < len + cv.gap)
          room = false;
      if (room) {
        PartState p;
        p.serial = s.next_serial++;
        p.shape = c;
        p.conveyor = c;
        p.where = PartWhere::Conveyed;
        const Vec3 z{0, 0, 1};
        const Vec3 y = z.cross(cv.dir);
        p.pose.R.m = {cv.dir.x, y.x, 0, cv.dir.y, y.y, 0, cv.dir.z, y.z, 1};
        p.pose.p = cv.start + cv.dir * (len / 2) + z * half_height(g);
        s.parts.push_back(p);
        on.push_back({len / 2, s.parts.size() - 1, true});
        s.next_feed[c] += cv.interval.sample(s.feed_rng[c]);
      }
    }
    std::sort(on.begin(), on.end(), [](const OnBelt& a, const OnBelt& b) {
      return a.x > b.x || (a.x == b.x && a.i < b.i);
    });
    double stop = cv.length;  // front limit for the next part
    for (const auto& o : on) {
      PartState& p = s.parts[o.i];
      const double half = length_along(part_template(spec, p.shape).geom) / 2;
      if (!o.drive) {
        stop = std::min(stop, o.x - half - cv.gap);
        continue;
      }
      const double v = std::clamp((stop - half - o.x) / dt, 0.0, cv.speed);
      const double vz = p.where == PartWhere::Conveyed ? 0.0 : p.v.z;
      p.v = cv.dir * v;
      p.v.z = vz;
      p.w = Vec3{};
      stop = o.x - half - cv.gap;
    }
  }
  // the program
  const std::vector<double> qn = control(spec, s, t, ev);
  if (s.status == CellStatus::Moving) s.moving_s += dt;
  // physics
  PhysicsWorld& w = physics_of(spec, s);
  w.step(spec, s, qn);
  std::vector<double> qdd(qn.size(), 0.0);
  for (std::size_t k = 0; k < qn.size(); ++k) {
    const double v = (qn[k] - s.q[k]) / dt;
    qdd[k] = (v - s.qd[k]) / dt;
    s.qd[k] = v;
  }
  s.q = qn;
  ++s.step;
  if (spec.robot.present) account_power(spec, s, qdd);
  w.contacts(spec, s, s.contacts);
  for (const auto& c : s.contacts)
    if (c.unsafe) {
      ++s.collision_steps;
      break;
    }
}

void report_joint(const CellSpec& spec, CellState& s, double t, std::size_t k, double q) {
  (void)spec;
  if (t > s.reported_t) {
    // a new report: the joints it leaves out have not moved since the last one
    s.prev_reported_q = s.reported_q;
    s.prev_reported_t = s.reported_t;
    s.reported_t = t;
    std::fill(s.reported_qd.begin(), s.reported_qd.end(), 0.0);
    s.q = s.reported_q;  // not where the old rates would have taken them
  }
  s.reported_q[k] = q;
  s.reported_qd[k] = s.prev_reported_t >= 0 && t > s.prev_reported_t
                         ? (q - s.prev_reported_q[k]) / (t - s.prev_reported_t)
                         : 0.0;
  s.q[k] = q;
}

void report_gripper(const CellSpec& spec, CellState& s, double t, bool closed) {
  if (closed && !s.gripper_closed) {
    if (!pick(spec, s)) ++s.missed_picks;
    s.gripper_closed = true;
  } else if (!closed && s.gripper_closed) {
    // a part let go over a fixture counts as placed on it
    std::uint32_t fixture = kNoIndex;
    const Vec3 tp = cell_tool(spec, s).p;
    for (std::uint32_t b = 0; b < spec.bodies.size(); ++b) {
      const BodySpec& bs = spec.bodies[b];
      if (bs.role != BodyRole::Fixture) continue;
      const Vec3 r = bs.pose.R.transposed() * (tp - bs.pose.p);
      const bool over =
          bs.geom.shape == Shape::Box
              ? std::fabs(r.x) <= bs.geom.size.x / 2 && std::fabs(r.y) <= bs.geom.size.y / 2
              : r.x * r.x + r.y * r.y <= bs.geom.size.x * bs.geom.size.x;
      if (over && r.z >= 0) fixture = b;
    }
    release(s, t, fixture);
  }
}

void report_joints(const CellSpec& spec, CellState& s, double t, const std::vector<double>& q,
                   int gripper) {
  if (t <= s.reported_t) {  // the same instant again (or an older one): no rate from it
    s.reported_q = s.prev_reported_q = q;
    s.q = q;
    std::fill(s.reported_qd.begin(), s.reported_qd.end(), 0.0);
  } else {
    for (std::size_t k = 0; k < q.size(); ++k) report_joint(spec, s, t, k, q[k]);
  }
  if (gripper >= 0) report_gripper(spec, s, t, gripper == 1);
}

Pose cell_tool(const CellSpec& spec, const CellState& s) {
  return tool_pose(spec.robot, s.q);
}

double mean_cycle_s(const CellState& s) {
  return s.cycles > 0 ? s.cycle_sum / static_cast<double>(s.cycles)
                      : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace dtwin::machine
