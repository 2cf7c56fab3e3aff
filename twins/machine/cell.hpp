// Running a work cell: the program, the conveyors and the physics, one fixed step at a time,
// on plain (Spec, State) values. The model (model.hpp), the cycle-time measurement for a line
// station (cycle.hpp) and the safety check (safety.hpp) all step cells through this.
//
// One step, from time t = step * dt to t + dt:
//   1. control: conveyors make parts and set the speeds of the parts they carry; fixtures take
//      away parts placed long enough ago; the program runs its instantaneous ops (pick, place,
//      finished moves and waits) and gives the joint positions at t + dt (mirror mode: the
//      reported positions, extrapolated with the rates derived from successive reports);
//   2. physics: one Bullet step (physics/world.hpp);
//   3. derived: contacts and collisions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "twins/machine/spec.hpp"
#include "twins/machine/state.hpp"

namespace dtwin::machine {

// What one step noticed that a safety check stops at. Normal runs carry on (and count).
struct StepEvents {
  bool limit_broken = false;  // a move planned at this step breaks a joint limit
  double limit_time = 0;      // when (absolute, s)
  std::string limit_what;
  std::uint32_t limit_op = 0;
  bool missed_pick = false;  // a pick found no part
  bool overload = false;     // a picked part is heavier than the payload
  std::uint32_t op = 0;
  std::string what;
};

// A fresh state at time 0: joints at home, initial parts, first feeds drawn.
CellState initial_state(const CellSpec& spec, std::uint64_t seed, std::uint32_t replication);

double cell_time(const CellSpec& spec, const CellState& s);
void step_cell(const CellSpec& spec, CellState& s, StepEvents* ev = nullptr);

// Mirror mode: the machine reports its joint positions (and gripper) at time t.
void report_joints(const CellSpec& spec, CellState& s, double t, const std::vector<double>& q,
                   int gripper /* -1 unknown, 0 open, 1 closed */);
// One joint's position (rad or m) in a report at time t; the joints a report at a new time
// leaves out are taken not to have moved (a controller that reports changes only). Rates are
// derived between successive report times.
void report_joint(const CellSpec& spec, CellState& s, double t, std::size_t k, double q);
// The gripper in a report: closing picks the nearest part within reach of the tool; opening
// over a fixture places the part on it.
void report_gripper(const CellSpec& spec, CellState& s, double t, bool closed);

// The tool pose at the state's joint positions.
Pose cell_tool(const CellSpec& spec, const CellState& s);
// The part waiting at the end of conveyor c (index into s.parts), or -1.
std::int64_t part_at_end(const CellSpec& spec, const CellState& s, std::uint32_t c);
// Mean cycle time of the cycles completed since the statistics were reset (NaN: none).
double mean_cycle_s(const CellState& s);

}  // namespace dtwin::machine
