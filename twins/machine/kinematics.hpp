// Forward and inverse kinematics of the cell's serial chain (see spec.hpp for the frames).
//
// IK is position-only damped least squares (Wampler 1986; Buss, "Introduction to inverse
// kinematics with Jacobian transpose, pseudoinverse and damped least squares methods", 2004),
// started from a given joint vector, with joint limits enforced by clamping each iterate. It is
// deterministic: the same target and start give the same answer bit for bit.
#pragma once

#include <vector>

#include "twins/machine/geom.hpp"
#include "twins/machine/spec.hpp"

namespace dtwin::machine {

// frames[k] = joint k's frame after its motion (link k is drawn from it); frames[n] = the tool.
void forward(const RobotSpec& r, const std::vector<double>& q, std::vector<Pose>& frames);
Pose tool_pose(const RobotSpec& r, const std::vector<double>& q);
// The pose of link k's cylinder: centred on the link, its local z along the link.
Pose link_geometry_pose(const JointSpec& j, const Pose& joint_frame);

struct IkResult {
  bool ok = false;
  std::vector<double> q;
  double error_m = 0;  // distance left from the target
};
IkResult inverse_position(const RobotSpec& r, const Vec3& target, const std::vector<double>& start,
                          double tol_m = 1e-6, int max_iter = 500);

}  // namespace dtwin::machine
