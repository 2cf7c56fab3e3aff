// Test helpers: compile an inline scenario and run its replications in-process.
#pragma once

#include <cmath>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "engine/run/runner.hpp"
#include "engine/scenario/scenario.hpp"
#include "engine/sim/stats.hpp"
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

// Long statistical tests shrink under sanitizers (DTWIN_TEST_SCALE=0.25 in make test-asan).
inline double test_scale() {
  const char* s = std::getenv("DTWIN_TEST_SCALE");
  return s ? std::atof(s) : 1.0;
}

struct RepStats {
  std::map<std::string, Welford> values;
  std::vector<Metrics> runs;
  Summary summary(const std::string& key) const { return summarize(values.at(key)); }
  double mean(const std::string& key) const { return values.at(key).mean(); }
  // standard error of the mean across replications
  double se(const std::string& key) const {
    const auto& w = values.at(key);
    return w.sd() / std::sqrt(static_cast<double>(w.n()));
  }
};

inline RepStats run_reps(const CompiledVariant& v, unsigned reps) {
  RepStats out;
  std::vector<RunTask> tasks;
  for (unsigned r = 0; r < reps; ++r) tasks.push_back(RunTask{0, r, r});
  const auto results = run_all({v}, tasks, 2, nullptr, nullptr);
  for (const auto& res : results) {
    for (const auto& m : res.metrics.values) out.values[m.key].add(m.value);
    out.runs.push_back(res.metrics);
  }
  return out;
}

}  // namespace dtwin::test
