// Durations in scenario JSON. A number is seconds; a string is a number followed by a unit:
// "250ms", "90s", "5min", "8h", "2d", "1w" (also "1.5h", "90 s"). Negative durations are
// rejected where a duration is read (a duration is a length of time, not a point).
#pragma once

#include <string>
#include <string_view>

#include "engine/scenario/json_node.hpp"

namespace dtwin {

// Seconds in `n`: a non-negative number, or a string as above. Errors name the pointer and
// list the accepted units.
double parse_duration(const Node& n);

// The same, but the duration must be > 0 (a mean, a period, a rate's time unit).
double parse_duration_positive(const Node& n);

// Parses "90s" etc. Returns false (and leaves *seconds alone) on anything else, including
// negative and non-finite durations. Units: ms, s, min, h, d, w; spaces are allowed around the
// number and between the number and the unit.
bool parse_duration_text(std::string_view text, double* seconds);

// A short human rendering: 59 -> "59s", 5400 -> "1.5h", 172800 -> "2d".
std::string format_duration(double seconds);

}  // namespace dtwin
