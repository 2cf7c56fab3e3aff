// Test helpers that know no twin kind: replications of a compiled variant run in-process and
// summarised per KPI, and the scale of long statistical tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "engine/run/runner.hpp"
#include "engine/sim/stats.hpp"

namespace dtwin::test {

// Long statistical tests shrink under sanitizers (DTWIN_TEST_SCALE=0.25 in make test-asan).
inline double test_scale() {
  const char* s = std::getenv("DTWIN_TEST_SCALE");
  return s ? std::atof(s) : 1.0;
}

// `n` replications scaled by test_scale(), never fewer than `at_least`.
inline unsigned scaled(unsigned n, unsigned at_least = 4) {
  const double k = std::ceil(static_cast<double>(n) * test_scale());
  return std::max(at_least, static_cast<unsigned>(k));
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
