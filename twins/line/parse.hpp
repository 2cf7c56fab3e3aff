// Builds a LineSpec from the scenario document: the line twins under "/twins" and the edges in
// "/flow". Every error names the JSON pointer and what was expected.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/scenario/file_access.hpp"
#include "engine/scenario/json_node.hpp"
#include "twins/line/spec.hpp"

namespace dtwin::line {

// Kinds of twin that belong to a line.
const std::vector<std::string>& line_kinds();

// A machine's "process" given as {"from_cell": "<id>", ...}: turned into a distribution by
// whoever knows that twin kind (twins/register.cpp wires in the work cell's cycle time), with
// the power the twin draws (power.on false: none given), which the machine takes unless it has
// its own "power".
struct ProcessFromTwinResult {
  Distribution process;
  PowerSpec power;
};
using ProcessFromTwin = std::function<ProcessFromTwinResult(const Node& ref)>;

// root: the whole (variant-merged) scenario. ids: the line twins, in document order. files:
// where a source's order list ("orders") is read from (none: a line with one is refused).
LineSpec parse_line(const Node& root, const std::vector<std::string>& ids, double window_s,
                    const ProcessFromTwin& from_twin = {}, const FileAccess* files = nullptr);

}  // namespace dtwin::line
