// Builds a CellSpec from a "cell" twin in scenario JSON. Every error is a ScenarioError naming
// the JSON pointer (and file:line:col through Node) and what was expected:
//   "/twins/cell1/robot/joints/1/limits: min_deg (120) is greater than max_deg (-120)"
//
//   "cell1": {"kind": "cell", "step": "4ms", "speed_override": 1,
//     "robot": {"base": {"position": [0, 0, 0.6]}, "mount": "pedestal",
//               "joints": [{"name": "j1", "type": "revolute", "axis": "z",
//                           "limits": {"min_deg": -160, "max_deg": 160, "speed_deg_s": 200,
//                                      "accel_deg_s2": 800},
//                           "link": {"length": 0.35, "direction": "x", "radius": 0.04,
//                                    "mass": 6}}, ...],
//               "tool": {"offset": [0, 0, 0], "grip_distance": 0.04, "payload_kg": 2}},
//     "bodies": {"pillar": {"role": "obstacle", "shape": "box", "size": [0.1, 0.1, 1.2],
//                           "position": [0.3, -0.3, 0.6]}},
//     "conveyors": {"belt": {"start": [0.1, 0.45, 0.55], "direction_deg": 0, "length": 1.0,
//                            "width": 0.2, "speed_m_s": 0.25,
//                            "feed": {"interval": "3s"}, "part": {"size": [0.05, 0.05, 0.05]}}},
//     "program": {"waypoints": {"home": {"joints": [0, 90, 0]},
//                               "pick": {"above": "belt", "height": 0.05}},
//                 "steps": [{"move": "home"}, {"wait_part": "belt"}, {"move": "pick"},
//                           {"pick": "belt"}, ...]}}
// Joint values in waypoints are degrees for revolute joints and metres for prismatic ones.
#pragma once

#include <string>
#include <vector>

#include "engine/scenario/json_node.hpp"
#include "twins/machine/spec.hpp"

namespace dtwin::machine {

// t: the twin's node (pointer "/twins/<id>").
CellSpec parse_cell(const Node& t, const std::string& id);

// A program (the "program" member's shape) for a parsed cell. strict: a joint target beyond a
// limit is an error here; otherwise it is kept, for the safety check to report when the move
// would cross the limit.
std::vector<Op> parse_program(const Node& program, const CellSpec& cell, bool strict);

}  // namespace dtwin::machine
