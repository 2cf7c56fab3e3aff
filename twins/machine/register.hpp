// Registers the work-cell twin kind ("cell") and resolves a line station's
// "process": {"from_cell": "<id>"} to the cell's measured cycle time.
#pragma once

#include "engine/scenario/json_node.hpp"
#include "engine/scenario/registry.hpp"
#include "engine/sim/distribution.hpp"

namespace dtwin::machine {

void register_kinds(Registry& r);

// `ref` is the {"from_cell": "cell1", "cycles": 5} object; `root` the whole scenario. The
// process time is a constant: the mean cycle time of the cell's program, measured by
// simulating it (scenario seed, replication 0) for `cycles` cycles after the first (default 5).
// When the cell gives "power", the station's power too: working = the cell's energy per cycle
// over its cycle time (the mean power over a cycle, so a part costs the station one cycle's
// energy), idle and down = the cell's base powers, off = 0.
struct StationFromCell {
  Distribution process;
  bool has_power = false;
  double working_kw = 0, idle_kw = 0, down_kw = 0;
};
StationFromCell process_from_cell(const Node& root, const Node& ref);

}  // namespace dtwin::machine
