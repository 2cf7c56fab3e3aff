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

// The error a scenario text raises when compiled, if any.
inline std::optional<ScenarioError> compile_error(const std::string& json) {
  try {
    compile_text(json);
  } catch (const ScenarioError& e) {
    return e;
  }
  return std::nullopt;
}

}  // namespace dtwin::test
