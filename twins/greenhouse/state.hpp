// The greenhouse twins' State: the ODE vector and where it is in time, and the parameters the
// right-hand side reads that a run may change (a controller's setpoints), as plain values. The
// solver keeps nothing between steps (integrator.hpp), so this is the whole state.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "twins/greenhouse/integrator.hpp"

namespace dtwin::greenhouse {

struct OdeState;

// A cache beside a state, for what only looks at it between two steps (a time-series row, a
// mirrored property; StepTwin::state_sampled): the state (t, y, params) it started from and the
// state it reached. Not part of the state's value: operator== ignores it, it is used only while
// its start still matches, and a copy of a state starts without one (no cache is shared between
// the copies a what-if runs on other threads).
struct OdeProbe {
  OdeProbe() = default;
  OdeProbe(const OdeProbe&) {}
  OdeProbe& operator=(const OdeProbe&) { return *this; }
  ~OdeProbe();
  double from_t = 0;
  std::vector<double> from_y, from_params;
  std::unique_ptr<OdeState> at;
};

struct OdeState {
  std::vector<double> y;       // the model's states, then its KPI accumulators
  std::vector<double> params;  // the run's own parameters (setpoints in force); kind-defined
  double t = 0;                // the time y is at (seconds since the start)
  double stats_since = 0;      // when the accumulators were last zeroed
  std::uint64_t steps = 0;     // step events handled
  OdeStats solver;             // solver effort so far
  // a kind's auxiliary integrals (StepTwin::set_aux), each since the start: their values when
  // the statistics were last zeroed, at the start of the current run day, and over the last
  // whole run day
  std::vector<double> aux, aux_at_reset, aux_day_start, aux_prev_day;

  // where the time series last looked between two steps (StepTwin::state_sampled)
  mutable OdeProbe probe;

  bool operator==(const OdeState& o) const {
    return y == o.y && params == o.params && t == o.t && stats_since == o.stats_since &&
           steps == o.steps && solver.steps == o.solver.steps &&
           solver.rhs_evals == o.solver.rhs_evals && aux == o.aux &&
           aux_at_reset == o.aux_at_reset && aux_day_start == o.aux_day_start &&
           aux_prev_day == o.aux_prev_day;
  }
};

inline OdeProbe::~OdeProbe() = default;

}  // namespace dtwin::greenhouse
