// One box of the scene. Every solid in the viewer is the same unit cube placed, turned, sized
// and coloured per instance (instances.hpp draws them all in one call). Plain data.
#pragma once

#include "viewer/palette.hpp"

namespace dtwin::viewer {

struct Box {
  float x = 0, y = 0, z = 0;  // centre of its base, metres
  float yaw = 0;              // radians about the vertical, counter-clockwise
  float pitch = 0;            // radians about its own y axis, applied before the yaw (x tilts down)
  float length = 1, width = 1, height = 1;  // along its own x, y and z
  Rgba color;
};

}  // namespace dtwin::viewer
