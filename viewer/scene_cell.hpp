// The work-cell scene: the robot's links at the poses of the current joint positions (forward
// kinematics), coloured by the cell's status, with its joints and gripper; the static bodies
// (fixtures, obstacles, structures) and the conveyors with the geometry the scenario gives;
// the parts as the rigid bodies the state holds, at their poses; a yellow safety line around
// the cell on the floor. Cylinders and spheres are drawn as boxes of the same extents; a part's
// roll about its own x axis is not shown. Read-only.
#pragma once

#include <vector>

#include "twins/machine/spec.hpp"
#include "twins/machine/state.hpp"
#include "viewer/box.hpp"
#include "viewer/shapes.hpp"

namespace dtwin::viewer {

// Where the cell's own frame (z up, metres) stands in the scene, and its extent in that frame.
struct CellGeom {
  double ox = 0, oy = 0;                           // the cell's origin on the floor
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0, top = 1;  // bounds in the cell's frame
};

// The cell's extent (bodies, conveyors, the robot's reach at every joint position), its origin
// at (0, 0).
CellGeom cell_bounds(const machine::CellSpec& c);

// colours by status: moving green, waiting grey-blue, idle dark grey, fault red, mirroring blue
Rgba cell_status_color(machine::CellStatus s);

void cell_static_boxes(const machine::CellSpec& c, const CellGeom& g, std::vector<Box>& out);
void cell_boxes(const machine::CellSpec& c, const machine::CellState& s, const CellGeom& g,
                std::vector<Box>& out);
// the tool point in the scene
P3 cell_tool_point(const machine::CellSpec& c, const machine::CellState& s, const CellGeom& g);

}  // namespace dtwin::viewer
