// Registers the work-cell twin kind ("cell") and resolves a line station's
// "process": {"from_cell": "<id>"} to the cell's measured cycle time.
#pragma once

#include "engine/distribution.hpp"
#include "engine/json_node.hpp"
#include "engine/registry.hpp"

namespace dtwin::machine {

void register_kinds(Registry& r);

// `ref` is the {"from_cell": "cell1", "cycles": 5} object; `root` the whole scenario. A
// constant distribution: the mean cycle time of the cell's program, measured by simulating it
// (scenario seed, replication 0) for `cycles` cycles after the first (default 5).
Distribution process_from_cell(const Node& root, const Node& ref);

}  // namespace dtwin::machine
