// Small inline scenarios for the viewer's tests, and a session made from one.
#pragma once

#include <memory>
#include <string>

#include "engine/scenario/scenario.hpp"
#include "viewer/session.hpp"

namespace dtwin::test {

// src -> m1 -> b1 -> m2 -> conv -> m3 -> sink. m2 fails after 1 s of work and takes 100 h to
// repair: from the first minutes on it is down, b1 fills and m1 blocks.
const std::string kDownLine = R"({
  "name": "down line", "seed": 5, "duration": "10h",
  "twins": {
    "src":  {"kind": "source", "saturated": true},
    "m1":   {"kind": "machine", "process": 30},
    "b1":   {"kind": "buffer", "capacity": 6},
    "m2":   {"kind": "machine", "process": 20, "failures": {"ttf": 1, "ttr": "100h"}},
    "conv": {"kind": "conveyor", "length": 10, "speed": 0.1, "max_parts": 10},
    "m3":   {"kind": "machine", "process": 20},
    "sink": {"kind": "sink"}
  },
  "flow": [["src", "m1"], ["m1", "b1"], ["b1", "m2"], ["m2", "conv"], ["conv", "m3"],
           ["m3", "sink"]]
})";

// A fast machine feeding a long, slow conveyor: parts are always moving along it.
const std::string kConveyorLine = R"({
  "name": "conveyor line", "seed": 1, "duration": "10h",
  "twins": {
    "src":  {"kind": "source", "saturated": true},
    "m1":   {"kind": "machine", "process": 25},
    "conv": {"kind": "conveyor", "length": 12, "speed": 0.05, "max_parts": 12},
    "m2":   {"kind": "machine", "process": 20},
    "sink": {"kind": "sink"}
  },
  "flow": [["src", "m1"], ["m1", "conv"], ["conv", "m2"], ["m2", "sink"]]
})";

inline std::unique_ptr<viewer::Session> session(const std::string& json,
                                                const std::string& variant = "baseline") {
  const Scenario sc = Scenario::parse(json, "inline.json");
  return std::make_unique<viewer::Session>(sc, viewer::Session::Options{variant, -1});
}

}  // namespace dtwin::test
