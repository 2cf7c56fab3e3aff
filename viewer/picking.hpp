// Which twin is under a pixel, and where a point lands on the screen. Picking casts the ray
// through the pixel against each twin's box (footprint and height from the layout) and takes
// the nearest hit; it needs no rendering and no OpenGL, so it works the same on- and
// off-screen. Pixels count from the bottom-left corner of the viewport, as OpenGL's do.
#pragma once

#include <osg/Matrixd>
#include <osg/Vec2d>
#include <osg/Vec3d>

#include "viewer/layout.hpp"

namespace dtwin::viewer {

struct Ray {
  osg::Vec3d origin, dir;  // dir is normalised
};

Ray pixel_ray(const osg::Matrixd& view, const osg::Matrixd& proj, double width_px, double height_px,
              double x_px, double y_px);
// the nearest item the ray hits; -1 for none
int pick(const Layout& layout, const Ray& ray);
osg::Vec2d project(const osg::Matrixd& view, const osg::Matrixd& proj, double width_px,
                   double height_px, const osg::Vec3d& p);

}  // namespace dtwin::viewer
