// Where the parts of a line are drawn, read from its state at the world's time: parts waiting in
// a buffer fill its rack slot by slot from the exit (then stack), parts on a conveyor move along
// it and queue at its end, a machine shows the part it holds on its worktop, a source shows its
// arrival queue (a saturated source a stack of raw parts), and a sink a pile of what it received.
#pragma once

#include <cstdint>
#include <vector>

#include "twins/line/spec.hpp"
#include "twins/line/state.hpp"
#include "viewer/box.hpp"
#include "viewer/layout.hpp"

namespace dtwin::viewer {

constexpr float kPartLength_m = 0.30f, kPartWidth_m = 0.30f, kPartHeight_m = 0.22f;
constexpr int kMaxLayers = 6;  // a rack or a pile shows at most this many layers of parts

// Appends the parts of line `line` to `out`.
void place_parts(const Layout& layout, std::uint32_t line, const line::LineSpec& spec,
                 const line::LineState& state, double now, std::vector<Box>& out);

// Where a part on a conveyor is drawn: metres from the belt's entry to the part's centre, for
// the i-th part from the front (i = 0 reaches the end first), given the previous part's answer
// (nothing overtakes and parts keep `pitch_m` apart when they queue at the end).
double conveyor_offset_m(double ready_s, double now_s, double transit_s, double travel_m,
                         double pitch_m, double previous_m, bool first);

}  // namespace dtwin::viewer
