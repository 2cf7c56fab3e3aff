// Joint-space moves with trapezoidal velocity profiles, synchronised so every joint starts and
// stops together on a straight line in joint space (Biagiotti & Melchiorri, "Trajectory
// Planning for Automatic Machines and Robots", Springer 2008, sec. 3.2.2 and 3.6).
//
// All joints follow q(t) = q0 + (q1 - q0) s(t), s from 0 to 1 with speed and acceleration
// limits v_s = min_k f vmax_k / |d_k| and a_s = min_k f^2 amax_k / |d_k|, where f is the move's
// speed fraction times the cell's override. Scaling speed by f and acceleration by f^2 scales the
// move's duration by exactly 1/f. With f <= 1 no joint exceeds its limits; with f > 1 the plan
// says which joint would, and when (the safety check reports it).
#pragma once

#include <vector>

#include "twins/machine/spec.hpp"

namespace dtwin::machine {

struct Profile {
  double T = 0;   // duration, s
  double ta = 0;  // acceleration (and deceleration) time, s
  double a = 0;   // ds/dt^2 during acceleration, 1/s^2
  double vp = 0;  // peak ds/dt, 1/s
  bool operator==(const Profile& o) const {
    return T == o.T && ta == o.ta && a == o.a && vp == o.vp;
  }

  double s(double t) const;   // 0 at t <= 0, 1 at t >= T
  double ds(double t) const;  // ds/dt
};

Profile plan_profile(const std::vector<JointSpec>& joints, const std::vector<double>& q0,
                     const std::vector<double>& q1, double f);

// The first limit the move breaks, if any: a speed or acceleration above the joint's limit, or
// a position outside [min, max].
struct LimitBreak {
  bool broken = false;
  std::size_t joint = 0;
  double t = 0;  // from the start of the move
  std::string what;
};
LimitBreak check_move(const std::vector<JointSpec>& joints, const std::vector<double>& q0,
                      const std::vector<double>& q1, const Profile& p);

}  // namespace dtwin::machine
