#include "twins/machine/trajectory.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/scenario/json_node.hpp"

namespace dtwin::machine {

double Profile::s(double t) const {
  if (t <= 0 || T <= 0) return T <= 0 ? 1 : 0;
  if (t >= T) return 1;
  if (t < ta) return 0.5 * a * t * t;
  if (t <= T - ta) return 0.5 * a * ta * ta + vp * (t - ta);
  const double r = T - t;
  return 1 - 0.5 * a * r * r;
}

double Profile::ds(double t) const {
  if (t <= 0 || t >= T) return 0;
  if (t < ta) return a * t;
  if (t <= T - ta) return vp;
  return a * (T - t);
}

Profile plan_profile(const std::vector<JointSpec>& joints, const std::vector<double>& q0,
                     const std::vector<double>& q1, double f) {
  double vs = std::numeric_limits<double>::infinity(), as = vs;
  for (std::size_t k = 0; k < joints.size(); ++k) {
    const double d = std::fabs(q1[k] - q0[k]);
    if (d == 0) continue;
    vs = std::min(vs, f * joints[k].vmax / d);
    as = std::min(as, f * f * joints[k].amax / d);
  }
  Profile p;
  if (std::isinf(vs)) return p;  // no motion
  p.a = as;
  if (vs * vs / as >= 1) {  // triangular: the peak speed is never reached
    p.ta = std::sqrt(1 / as);
    p.T = 2 * p.ta;
    p.vp = as * p.ta;
  } else {
    p.ta = vs / as;
    p.vp = vs;
    p.T = 2 * p.ta + (1 - vs * vs / as) / vs;
  }
  return p;
}

LimitBreak check_move(const std::vector<JointSpec>& joints, const std::vector<double>& q0,
                      const std::vector<double>& q1, const Profile& p) {
  LimitBreak best;
  best.t = std::numeric_limits<double>::infinity();
  const double rel = 1e-9;
  for (std::size_t k = 0; k < joints.size(); ++k) {
    const JointSpec& j = joints[k];
    const double d = q1[k] - q0[k];
    const double ad = std::fabs(d);
    const bool rev = j.type == JointType::Revolute;
    const double u = rev ? 180 / M_PI : 1;
    const std::string vu = rev ? " deg/s" : " m/s";
    auto take = [&](double t, std::string what) {
      if (t < best.t) best = LimitBreak{true, k, t, std::move(what)};
    };
    if (ad > 0 && p.a * ad > j.amax * (1 + rel))
      take(0, "joint " + quote(j.name) + " acceleration " + format_number(p.a * ad * u) + vu +
                  "^2 exceeds its limit " + format_number(j.amax * u) + vu + "^2");
    if (ad > 0 && p.vp * ad > j.vmax * (1 + rel))
      take(j.vmax / (p.a * ad), "joint " + quote(j.name) + " speed " +
                                    format_number(p.vp * ad * u) + vu + " exceeds its limit " +
                                    format_number(j.vmax * u) + vu);
    // positions: q moves monotonically from q0 to q1
    const double lim = d > 0 ? j.max : j.min;
    const bool out = d > 0 ? q1[k] > j.max : q1[k] < j.min;
    if (out) {
      double t = 0;
      if (d > 0 ? q0[k] <= j.max : q0[k] >= j.min) {
        const double target = (lim - q0[k]) / d;  // s at which it crosses
        double lo = 0, hi = p.T;
        for (int i = 0; i < 100; ++i) {
          const double mid = 0.5 * (lo + hi);
          (p.s(mid) < target ? lo : hi) = mid;
        }
        t = hi;
      }
      take(t, "joint " + quote(j.name) + " goes to " + format_number(q1[k] * u) +
                  (rev ? " deg" : " m") + ", beyond its limit " + format_number(lim * u) +
                  (rev ? " deg" : " m"));
    }
  }
  if (!best.broken) best.t = 0;
  return best;
}

}  // namespace dtwin::machine
