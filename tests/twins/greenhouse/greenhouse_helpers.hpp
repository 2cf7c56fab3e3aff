// Helpers for the greenhouse tests: compile a scenario (inline or from a file), run one world
// to a time, read a twin's ODE values, write temporary input files.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/run/runner.hpp"
#include "engine/scenario/scenario.hpp"
#include "engine/sim/world.hpp"
#include "tests/support/run_helpers.hpp"
#include "twins/greenhouse/step_twin.hpp"

namespace dtwin::test {

inline std::string source_path(const std::string& rel) {
  return std::string(DTWIN_SOURCE_DIR) + "/" + rel;
}

inline CompiledVariant compile_file(const std::string& path) {
  const Scenario sc = Scenario::load(path);
  return sc.compile(0, registry());
}

inline const greenhouse::StepTwin& twin_of(const CompiledVariant& v, std::size_t i = 0) {
  return static_cast<const greenhouse::StepTwin&>(*v.models.at(i));
}

// One world of the compiled scenario, started.
struct Run {
  CompiledVariant v;
  World w;
  explicit Run(CompiledVariant cv) : v(std::move(cv)), w(v.models) { w.start(RunContext{1, 0}); }
  // the ODE values of twin i at time t (runs the world there)
  std::vector<double> at(double t, std::size_t i = 0) {
    w.run_until(t);
    return twin_of(v, i).values_now(w, static_cast<std::uint32_t>(i));
  }
  Metrics metrics() { return w.collect(); }
};

// The error a scenario raises when compiled.
inline ScenarioError compile_error(const std::string& text) {
  try {
    const Scenario sc = Scenario::parse(text, "bad.json");
    sc.compile(0, registry());
  } catch (const ScenarioError& e) {
    return e;
  }
  throw std::runtime_error("no error raised");
}

// A fresh directory for this test's files.
inline std::string temp_dir(const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path p = fs::temp_directory_path() / ("dtwin_greenhouse_test_" + name);
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream os(path, std::ios::binary);
  os << text;
}

}  // namespace dtwin::test
