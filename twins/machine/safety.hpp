// What-if checks on a work cell: a new motion program or speed override is simulated on a copy
// of the cell before it is accepted. A program is rejected at the first of:
//   - a collision: a link, or the part in the gripper, penetrating a static body (obstacle,
//     fixture, structure, conveyor, ground) or a non-adjacent link deeper than the cell's
//     contact tolerance;
//   - a joint limit broken: a move whose target lies beyond a joint's position limits, or whose
//     speed or acceleration (move speed x override) exceeds a joint's limit;
//   - a pick that finds no part, or a part heavier than the robot's payload;
//   - no complete cycle within the time allowed (a program that never finishes is not checked).
// The verdict names the time, the bodies involved and the program step (waypoint).
//
// Also here: the cycle time of a cell's program, measured by simulation, which a line station
// can take as its process time ("process": {"from_cell": "cell1"}).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "twins/machine/spec.hpp"
#include "twins/machine/state.hpp"

namespace dtwin::machine {

struct Verdict {
  bool safe = true;
  std::string kind;   // "ok", "collision", "joint_limit", "missed_pick", "payload", "incomplete"
  double time_s = 0;  // when (cell time)
  std::string body_a, body_b;
  std::int64_t step_index = -1;  // the program step
  std::string waypoint;          // its name (a move's waypoint)
  std::string reason;
  double checked_s = 0;      // simulated time
  std::uint64_t cycles = 0;  // cycles completed
  double cycle_s = 0;        // mean cycle time of those
  nlohmann::json to_json() const;
  std::string describe() const;
};

struct CheckOptions {
  std::uint64_t cycles = 2;  // complete this many cycles
  double max_time_s = 600;   // give up after this much simulated time
};

// Simulates `spec` with `program` (if given; from its first step) and `speed_override` (if
// given) from `from` (if given: the live state; otherwise a fresh start with seed 0).
Verdict check_cell(const CellSpec& spec, const std::vector<Op>* program,
                   std::optional<double> speed_override, const CellState* from,
                   const CheckOptions& opt = {});

// Mean time between cycle ends, over `cycles` cycles after the first (which starts from home
// with an empty conveyor). nullopt, with `why`, when the cell does not complete them in
// max_time_s or its program stops.
std::optional<double> measure_cycle_time(const CellSpec& spec, std::uint64_t seed,
                                         std::uint64_t cycles, double max_time_s, std::string* why);
// The same, with the electrical energy per cycle (J) over those cycles.
struct CycleMeasure {
  double cycle_s = 0;
  double energy_per_cycle_j = 0;
};
std::optional<CycleMeasure> measure_cycle(const CellSpec& spec, std::uint64_t seed,
                                          std::uint64_t cycles, double max_time_s,
                                          std::string* why);

}  // namespace dtwin::machine
