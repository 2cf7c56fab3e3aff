// Where the camera looks from. The home view looks at the whole plant from the front (from -y)
// and above, far enough back for the plant to fill the picture; focusing on a twin keeps the
// direction of view and moves in close. The screenshot mode and the tests use these poses
// directly, so a test can tell where on the screen a twin will be drawn.
#pragma once

#include <osg/Matrixd>
#include <osg/Vec3d>

#include "viewer/layout.hpp"

namespace dtwin::viewer {

struct CameraPose {
  osg::Vec3d eye, center, up{0, 0, 1};
  double fov_y_deg = 35;
};

CameraPose home_pose(const Layout& layout, double aspect);
// close to item `item`, looking from the direction of `from`
CameraPose focus_pose(const Item& item, const CameraPose& from);

osg::Matrixd view_matrix(const CameraPose& p);
// near and far do not change where a point lands on the screen, only its depth
osg::Matrixd projection_matrix(const CameraPose& p, double aspect);

}  // namespace dtwin::viewer
