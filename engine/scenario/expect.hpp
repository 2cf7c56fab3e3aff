// What must hold of a scenario's results: the "expect" member, judged by `dtwin run`, `sweep` and
// `compare` (engine/run/verdict.hpp), so a pipeline can fail on a KPI.
//
//   "expect": {"throughput_per_h": {">=": 38}, "lathe.oee": {">": 0.6, "<": 0.95}}
//
// Keys are metrics as runs.csv names them (a "twins." prefix is allowed: "twins.lathe.oee" is
// "lathe.oee"); each takes one or more of ">=", ">", "<=", "<" with a finite bound. A variant's
// merge patch may change them like any other member ("expect": {"throughput_per_h": {">=": 45}},
// or null to drop one).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/scenario/json_node.hpp"

namespace dtwin {

struct Expectation {
  std::string key;  // the metric, as written
  std::string op;   // ">=", ">", "<=" or "<"
  double bound = 0;
  std::string pointer;  // where it is written: /expect/<key>/<op>

  std::string text() const;  // "throughput_per_h >= 38"
  bool operator==(const Expectation& o) const {
    return key == o.key && op == o.op && bound == o.bound && pointer == o.pointer;
  }
};

// The expectations of the scenario object `root` (none when it has no "expect"); ScenarioError
// at the member that is not an expectation.
std::vector<Expectation> parse_expectations(const Node& root);

nlohmann::ordered_json expectations_json(const std::vector<Expectation>& e);
// The inverse of expectations_json; throws nlohmann::json::exception on a malformed list.
std::vector<Expectation> expectations_from_json(const nlohmann::json& j);

}  // namespace dtwin
