// Builds a LineSpec from the scenario document: the line twins under "/twins" and the edges in
// "/flow". Every error names the JSON pointer and what was expected.
#pragma once

#include <string>
#include <vector>

#include "engine/json_node.hpp"
#include "twins/line/spec.hpp"

namespace dtwin::line {

// Kinds of twin that belong to a line.
const std::vector<std::string>& line_kinds();

// root: the whole (variant-merged) scenario. ids: the line twins, in document order.
LineSpec parse_line(const Node& root, const std::vector<std::string>& ids, double window_s);

}  // namespace dtwin::line
