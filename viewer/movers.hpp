// What moves about a line besides its parts, read from its state at the world's time: a
// fleet's vehicles drive between the places they serve (a part on the deck in its product's
// colour while loaded) and stand beside a place while they load, unload or wait; the operators
// a station holds stand at its side, one figure per operator.
#pragma once

#include <cstdint>
#include <vector>

#include "twins/line/spec.hpp"
#include "twins/line/state.hpp"
#include "viewer/box.hpp"
#include "viewer/layout.hpp"

namespace dtwin::viewer {

// Appends the vehicles and operators of line `line` to `out`.
void place_movers(const Layout& layout, std::uint32_t line, const line::LineSpec& spec,
                  const line::LineState& state, double now, std::vector<Box>& out);

// Where a vehicle is on the floor: its spot at the node it left and the one it goes to, and
// how far along the leg it is at `now` (0 to 1; standing still when the two are one).
struct Spot {
  double x = 0, y = 0;
};
Spot vehicle_position(Spot from, Spot to, double leg_start, double leg_end, double now);

}  // namespace dtwin::viewer
