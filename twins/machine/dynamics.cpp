#include "twins/machine/dynamics.hpp"

#include <algorithm>

#include "twins/machine/kinematics.hpp"

namespace dtwin::machine {

void joint_torques(const RobotSpec& r, const Vec3& gravity, const std::vector<double>& q,
                   const std::vector<double>& qd, const std::vector<double>& qdd,
                   const PointLoad& load, std::vector<double>& tau) {
  const std::size_t n = r.joints.size();
  tau.assign(n, 0.0);
  if (n == 0) return;
  std::vector<Pose> frames;
  forward(r, q, frames);
  // forward pass: angular velocity w and acceleration al of link k, linear acceleration a of
  // its joint origin o, then the force F and the moment N (about the centre of mass) on it
  std::vector<Vec3> o(n), z(n), c(n), F(n), N(n);
  Vec3 w, al, a = -gravity, prev = r.base.p;
  for (std::size_t k = 0; k < n; ++k) {
    const JointSpec& j = r.joints[k];
    o[k] = frames[k].p;
    z[k] = frames[k].R * j.axis;
    const Vec3 d = o[k] - prev;
    Vec3 ak = a + al.cross(d) + w.cross(w.cross(d));  // the point o_k of link k-1
    if (j.type == JointType::Revolute) {
      const Vec3 wn = w + z[k] * qd[k];
      al = al + z[k] * qdd[k] + w.cross(z[k] * qd[k]);
      w = wn;
    } else {
      ak = ak + w.cross(z[k] * qd[k]) * 2 + z[k] * qdd[k];
    }
    a = ak;
    prev = o[k];
    // the link: a uniform cylinder along its direction
    const Pose lp = link_geometry_pose(j, frames[k]);
    c[k] = lp.p;
    const Vec3 rc = c[k] - o[k];
    const Vec3 ac = a + al.cross(rc) + w.cross(w.cross(rc));
    F[k] = ac * j.mass;
    const double Ia = j.mass * j.radius * j.radius / 2;
    const double Ip = j.mass * (3 * j.radius * j.radius + j.length * j.length) / 12;
    // I (world) v = R diag(Ip, Ip, Ia) R^T v
    auto inertia = [&](const Vec3& v) {
      const Vec3 l = lp.R.transposed() * v;
      return lp.R * Vec3{Ip * l.x, Ip * l.y, Ia * l.z};
    };
    N[k] = inertia(al) + w.cross(inertia(w));
    if (k + 1 == n && load.mass > 0) {
      // the point load rides on the last link: add its force and its moment about the centre
      const Vec3 rp = frames[n].apply(load.at_tool) - o[k];
      const Vec3 Fp = (a + al.cross(rp) + w.cross(w.cross(rp))) * load.mass;
      N[k] = N[k] + (o[k] + rp - c[k]).cross(Fp);
      F[k] = F[k] + Fp;
    }
  }
  // backward pass: force f and moment m (about o_k) that link k-1 exerts on link k
  Vec3 f, m, onext;
  for (std::size_t i = n; i-- > 0;) {
    const Vec3 mk = N[i] + (c[i] - o[i]).cross(F[i]) + m + (onext - o[i]).cross(f);
    const Vec3 fk = F[i] + f;
    tau[i] = r.joints[i].type == JointType::Revolute ? mk.dot(z[i]) : fk.dot(z[i]);
    f = fk;
    m = mk;
    onext = o[i];
  }
}

double joints_power_w(const CellPowerSpec& p, const std::vector<double>& tau,
                      const std::vector<double>& qd, double* mech_w) {
  double total = 0, mech = 0;
  for (std::size_t k = 0; k < tau.size(); ++k) {
    const double pm = tau[k] * qd[k];
    const double kc = p.copper.empty() ? 0.0 : p.copper[std::min(k, p.copper.size() - 1)];
    mech += pm;
    total += (p.regenerative ? pm : std::max(pm, 0.0)) + kc * tau[k] * tau[k];
  }
  if (mech_w) *mech_w = mech;
  return total;
}

}  // namespace dtwin::machine
