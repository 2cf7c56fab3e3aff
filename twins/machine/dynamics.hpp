// Joint torques (inverse dynamics) of the cell's serial chain and the electrical power they
// draw.
//
// Inverse dynamics: our own recursive Newton-Euler algorithm (Luh, Walker & Paul 1980;
// Siciliano et al., "Robotics: Modelling, Planning and Control", Springer 2009, sec. 7.5) on
// the chain of kinematics.hpp, in world coordinates. Why not Bullet's btMultiBody inverse
// dynamics: the robot is driven kinematically (physics/world.hpp), so the cell has no
// btMultiBody to ask; building and keeping one in step only for its torques would duplicate
// the chain's frames (joint origins, link directions, tool offset) in a second convention,
// and Bullet's inverse-dynamics library is an optional extra of the Debian package. Newton-
// Euler on the frames the cell already computes is O(n) per step, needs no allocation beyond
// a few vectors, and is deterministic to the bit.
//
// Bodies: each link is a uniform solid cylinder (its `radius`, `length`, `mass`) centred on
// the link; the part in the gripper is a point mass at its centre, fixed to the last link.
// Gravity enters as an upward acceleration of the base (the usual trick), so a robot held
// still needs the torques that hold it against gravity.
//
// Electrical power per joint (W): p = max(tau * qd, 0) + k tau^2, or tau * qd + k tau^2 when
// the drives are regenerative (braking energy returned to the supply); k the copper-loss
// coefficient (W per (N m)^2 for a revolute joint, W per N^2 for a prismatic one: R/(Kt N)^2
// of a motor with winding resistance R, torque constant Kt and gear ratio N). The cell's power
// is the base power of its state plus the sum over the joints.
#pragma once

#include <vector>

#include "twins/machine/geom.hpp"
#include "twins/machine/spec.hpp"

namespace dtwin::machine {

// A point mass fixed to the last link (the part in the gripper): its mass and its position in
// the tool frame.
struct PointLoad {
  double mass = 0;
  Vec3 at_tool;
};

// tau[k]: the torque (N m, revolute) or force (N, prismatic) joint k must apply for the chain
// to follow q, qd, qdd (rad or m, per s, per s^2) under `gravity` (m/s^2), with `load`.
void joint_torques(const RobotSpec& r, const Vec3& gravity, const std::vector<double>& q,
                   const std::vector<double>& qd, const std::vector<double>& qdd,
                   const PointLoad& load, std::vector<double>& tau);

// Electrical power drawn by the joints (W) for torques tau at speeds qd; mech_w gets the
// mechanical power sum tau * qd (W, signed).
double joints_power_w(const CellPowerSpec& p, const std::vector<double>& tau,
                      const std::vector<double>& qd, double* mech_w = nullptr);

}  // namespace dtwin::machine
