// Many boxes in one draw call. Every box shares one unit-cube geometry, drawn instanced; each
// box's position, yaw, size and colour are per-instance vertex attributes (advanced once per
// instance with glVertexAttribDivisor; a box may also be tilted about its own y axis) read by a
// small shader that also shades the faces. The scene graph stays one node however many boxes there
// are: set() rewrites the attribute arrays (grown by doubling, never shrunk) and the instance
// count.
#pragma once

#include <vector>

#include <osg/Array>
#include <osg/BoundingBox>
#include <osg/Geode>
#include <osg/Geometry>
#include <osg/PrimitiveSet>

#include "viewer/box.hpp"

namespace dtwin::viewer {

class InstancedBoxes {
 public:
  InstancedBoxes();
  osg::Node* node() const { return geode_.get(); }

  // Draws exactly these boxes (none: the node is hidden).
  void set(const std::vector<Box>& boxes);
  // Changes the colour of box i of the last set().
  void set_color(std::size_t i, Rgba c);
  std::size_t size() const { return count_; }
  // Culling sees the whole batch as this box (the unit cube's own bound is meaningless here).
  void set_bound(const osg::BoundingBox& b);
  // Whole boxes, or only their tops: five times fewer triangles for boxes a few pixels wide.
  void set_detail(bool whole);

 private:
  void reserve(std::size_t n);

  osg::ref_ptr<osg::Geode> geode_;
  osg::ref_ptr<osg::DrawElementsUShort> draw_;  // declared before geom_: built into it
  osg::ref_ptr<osg::DrawElementsUShort> tops_;  // the first face only
  bool whole_ = true;
  osg::ref_ptr<osg::Geometry> geom_;
  osg::ref_ptr<osg::Vec4Array> pose_, size_, color_;
  osg::ref_ptr<osg::Vec2Array> tilt_;
  std::size_t count_ = 0;
};

}  // namespace dtwin::viewer
