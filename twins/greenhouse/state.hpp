// The greenhouse twins' State: the ODE vector and where it is in time, and the parameters the
// right-hand side reads that a run may change (a controller's setpoints), as plain values. The
// solver keeps nothing between steps (integrator.hpp), so this is the whole state.
#pragma once

#include <cstdint>
#include <vector>

#include "twins/greenhouse/integrator.hpp"

namespace dtwin::greenhouse {

struct OdeState {
  std::vector<double> y;       // the model's states, then its KPI accumulators
  std::vector<double> params;  // the run's own parameters (setpoints in force); kind-defined
  double t = 0;                // the time y is at (seconds since the start)
  double stats_since = 0;      // when the accumulators were last zeroed
  std::uint64_t steps = 0;     // step events handled
  OdeStats solver;             // solver effort so far

  // Where the time series last looked between two steps (StepTwin::values_sampled): the state
  // (t, y, params) it started from and the values it reached at `t`. A cache, not part of the
  // state's value: operator== ignores it, and it is used only while its start still matches.
  struct Probe {
    bool valid = false;
    double from_t = 0;
    std::vector<double> from_y, from_params;
    double t = 0;
    std::vector<double> y;
  };
  mutable Probe probe;

  bool operator==(const OdeState& o) const {
    return y == o.y && params == o.params && t == o.t && stats_since == o.stats_since &&
           steps == o.steps && solver.steps == o.solver.steps &&
           solver.rhs_evals == o.solver.rhs_evals;
  }
};

}  // namespace dtwin::greenhouse
