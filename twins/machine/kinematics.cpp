#include "twins/machine/kinematics.hpp"

#include <algorithm>

namespace dtwin::machine {

namespace {
Pose joint_motion(const JointSpec& j, double q) {
  Pose m;
  if (j.type == JointType::Revolute)
    m.R = Mat3::axis_angle(j.axis, q);
  else
    m.p = j.axis * q;
  return m;
}
}  // namespace

void forward(const RobotSpec& r, const std::vector<double>& q, std::vector<Pose>& frames) {
  const std::size_t n = r.joints.size();
  frames.resize(n + 1);
  Pose end = r.base;  // the end of the previous link
  for (std::size_t k = 0; k < n; ++k) {
    const JointSpec& j = r.joints[k];
    const Pose f = end * Pose{Mat3{}, j.origin} * joint_motion(j, q[k]);
    frames[k] = f;
    end = f * Pose{Mat3{}, j.direction * j.length};
  }
  frames[n] = end * Pose{Mat3{}, r.tool_offset};
}

Pose tool_pose(const RobotSpec& r, const std::vector<double>& q) {
  std::vector<Pose> f;
  forward(r, q, f);
  return f.back();
}

Pose link_geometry_pose(const JointSpec& j, const Pose& joint_frame) {
  return joint_frame * Pose{Mat3::z_onto(j.direction), j.direction * (j.length / 2)};
}

namespace {
IkResult dls(const RobotSpec& r, const Vec3& target, const std::vector<double>& start, double tol_m,
             int max_iter) {
  const std::size_t n = r.joints.size();
  IkResult res;
  res.q = start;
  std::vector<Pose> f;
  const double lambda = 1e-2;  // damping (m)
  for (int it = 0; it <= max_iter; ++it) {
    forward(r, res.q, f);
    const Vec3 e = target - f[n].p;
    res.error_m = e.norm();
    if (res.error_m <= tol_m) {
      res.ok = true;
      return res;
    }
    if (it == max_iter) break;
    // position Jacobian: revolute a x (p_tool - p_joint), prismatic a (world axes)
    std::vector<Vec3> J(n);
    for (std::size_t k = 0; k < n; ++k) {
      const Vec3 a = f[k].R * r.joints[k].axis;
      J[k] = r.joints[k].type == JointType::Revolute ? a.cross(f[n].p - f[k].p) : a;
    }
    // dq = J^T (J J^T + lambda^2 I)^-1 e, the inverse by cofactors over the determinant (not
    // Eigen's inverse(), which multiplies by 1/det: other last bits, other trajectories)
    double A[3][3];
    for (int i = 0; i < 3; ++i)
      for (int c = 0; c < 3; ++c) {
        double s = 0;
        for (std::size_t k = 0; k < n; ++k) s += J[k][i] * J[k][c];
        A[i][c] = s + (i == c ? lambda * lambda : 0);
      }
    const double det = A[0][0] * (A[1][1] * A[2][2] - A[1][2] * A[2][1]) -
                       A[0][1] * (A[1][0] * A[2][2] - A[1][2] * A[2][0]) +
                       A[0][2] * (A[1][0] * A[2][1] - A[1][1] * A[2][0]);
    if (!(std::fabs(det) > 0)) break;
    double inv[3][3];
    inv[0][0] = (A[1][1] * A[2][2] - A[1][2] * A[2][1]) / det;
    inv[0][1] = (A[0][2] * A[2][1] - A[0][1] * A[2][2]) / det;
    inv[0][2] = (A[0][1] * A[1][2] - A[0][2] * A[1][1]) / det;
    inv[1][0] = (A[1][2] * A[2][0] - A[1][0] * A[2][2]) / det;
    inv[1][1] = (A[0][0] * A[2][2] - A[0][2] * A[2][0]) / det;
    inv[1][2] = (A[0][2] * A[1][0] - A[0][0] * A[1][2]) / det;
    inv[2][0] = (A[1][0] * A[2][1] - A[1][1] * A[2][0]) / det;
    inv[2][1] = (A[0][1] * A[2][0] - A[0][0] * A[2][1]) / det;
    inv[2][2] = (A[0][0] * A[1][1] - A[0][1] * A[1][0]) / det;
    double y[3];
    for (int i = 0; i < 3; ++i) y[i] = inv[i][0] * e.x + inv[i][1] * e.y + inv[i][2] * e.z;
    for (std::size_t k = 0; k < n; ++k) {
      const double dq = J[k].x * y[0] + J[k].y * y[1] + J[k].z * y[2];
      const JointSpec& j = r.joints[k];
      res.q[k] = std::clamp(res.q[k] + dq, j.min, j.max);
    }
  }
  return res;
}
}  // namespace

IkResult inverse_position(const RobotSpec& r, const Vec3& target, const std::vector<double>& start,
                          double tol_m, int max_iter) {
  IkResult best = dls(r, target, start, tol_m, max_iter);
  if (best.ok) return best;
  // a local method can stall against a joint limit: restart from a grid of joint vectors
  // (each joint at 1/6, 1/2 and 5/6 of its range) and keep the solution nearest `start`
  const std::size_t n = r.joints.size();
  std::size_t combos = 1;
  for (std::size_t k = 0; k < n && combos <= 729; ++k) combos *= 3;
  if (combos > 729) return best;
  double best_d = 1e300;
  for (std::size_t c = 0; c < combos; ++c) {
    std::vector<double> q0(n);
    std::size_t rest = c;
    for (std::size_t k = 0; k < n; ++k) {
      const JointSpec& j = r.joints[k];
      const double f = (1.0 + 2.0 * static_cast<double>(rest % 3)) / 6.0;
      rest /= 3;
      q0[k] = j.min + f * (j.max - j.min);
    }
    IkResult x = dls(r, target, q0, tol_m, max_iter);
    if (!x.ok) {
      if (!best.ok && x.error_m < best.error_m) best = x;
      continue;
    }
    double d = 0;
    for (std::size_t k = 0; k < n; ++k) d += (x.q[k] - start[k]) * (x.q[k] - start[k]);
    if (!best.ok || d < best_d) best = x, best_d = d;
  }
  return best;
}

}  // namespace dtwin::machine
