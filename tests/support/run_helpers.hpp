// Test helpers for the twins' tests: compile an inline scenario with every twin kind registered,
// and run its replications in-process (tests/support/replications.hpp).
#pragma once

#include <optional>
#include <string>

#include "engine/base/error.hpp"
#include "engine/scenario/scenario.hpp"
#include "tests/support/replications.hpp"
#include "twins/register.hpp"

namespace dtwin::test {

inline Registry registry() {
  Registry r;
  twins::register_all(r);
  return r;
}

inline CompiledVariant compile_text(const std::string& json,
                                    const std::string& variant = "baseline") {
  const Scenario sc = Scenario::parse(json, "inline.json");
  return sc.compile(sc.find_variant(variant), registry());
}

// The label `key` of a run (such as the bottleneck finding), "" when there is none.
inline std::string label_of(const Metrics& m, const std::string& key) {
  for (const auto& l : m.labels)
    if (l.first == key) return l.second;
  return "";
}

// A scenario text that must not compile: the pointer its error names, and a part of its message.
struct BadInput {
  std::string text, pointer, says;
};

// The error a scenario text raises when compiled, if any.
inline std::optional<ScenarioError> compile_failure(const std::string& json) {
  try {
    compile_text(json);
  } catch (const ScenarioError& e) {
    return e;
  }
  return std::nullopt;
}

}  // namespace dtwin::test
