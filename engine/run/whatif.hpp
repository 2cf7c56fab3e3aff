// The what-if: variants of a scenario run forward from one observed moment of a plant, beside
// the baseline, with common random numbers, and the winner on an objective. One implementation
// for every caller: the live engine forks from what its mirror holds (`dtwin whatif`, the
// viewer's live mode), the viewer from the world it shows.
//
// The fork is a set of observations (twin, property, value): what the plant reports now.
// Fresh worlds, one per variant and replication, take them through Mirrorable::assimilate
// between their fresh state and their first events, so replication r of every variant starts
// from the same observed plant and draws the same random numbers. An exact copy of a world would
// carry its random streams and make every replication the same run.
//
// A variant's own setpoints win over the observed ones: a variant that sets m3's speed asks
// about m3 at that speed, whatever it runs at now. Its own setpoints are the writable
// properties whose value at its start differs from the baseline's at its start
// (setpoint_changes). Observations put in "after" a variant's (WhatIf::extra) win over both: a
// setpoint an operator asks about before sending it.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/mirror/binding.hpp"
#include "engine/run/results.hpp"
#include "engine/run/runner.hpp"
#include "engine/scenario/scenario.hpp"

namespace dtwin {

// A value observed on a plant (what a mirror holds, or what a viewer reads off its world).
struct Observation {
  std::string twin, prop;
  Value value;
};

// Every property of every twin of `w` that the world has a value for, as an asset would report
// it.
std::vector<Observation> observe(const World& w);

// A variant made ready for a what-if: `horizon_s` of simulated time from the fork, no warm-up,
// no time series; `replications` when not 0.
void settle_for_whatif(CompiledVariant& v, double horizon_s, std::uint32_t replications);

// A setpoint a variant sets at its start where the baseline sets another value (or none).
struct SetpointChange {
  std::string twin, prop;
  Value value;
  PropertySpec spec;
};
// The writable properties of `v`'s twins whose value in a fresh world of `v` differs from the
// baseline's in a fresh world of the baseline (twins the baseline lacks count as differing).
// What a variant changes that a plant can be told; in twin and property order.
std::vector<SetpointChange> setpoint_changes(const CompiledVariant& base, const CompiledVariant& v);

// The WorldInit (runner.hpp) that puts obs[i] into each fresh world of variants[i] through
// Mirrorable::assimilate: observations of twins or properties a variant does not have are
// skipped, and so are those its model refuses (a counter). Resolved once per variant.
WorldInit assimilate_init(const std::vector<CompiledVariant>& variants,
                          std::vector<std::vector<Observation>> obs);

struct WhatIf {
  std::vector<CompiledVariant> variants;  // the baseline first, each settled for the what-if
  std::vector<Observation> observed;      // the plant at the fork
  // per variant (may be shorter): observations put in after the observed ones and the
  // variant's own setpoints
  std::vector<std::vector<Observation>> extra;
  std::string objective = "throughput_per_h";
  bool minimize = false;
  unsigned jobs = 1;
  Budget budget;  // events per run, wall-clock time for the whole what-if, a cancel flag
};

struct WhatIfResult {
  std::vector<RunResult> runs;
  ResultTable table;
  nlohmann::ordered_json report;  // make_report
  // per variant: the setpoints it sets itself, which the fork does not take from the plant
  std::vector<std::vector<SetpointChange>> own_setpoints;
  // the baseline's fork: per observation of a twin and property it has, {"twin", "prop",
  // "value", "taken"} and, when its model refused it, "reason"
  nlohmann::json assimilated = nlohmann::json::array();
  // the variant with the best mean of the objective over its replications ("baseline" when no
  // variant has the KPI); has_objective is false when no run reported it
  std::string winner = "baseline";
  double best = 0;
  bool has_objective = false;
};

// Runs the what-if on q.jobs threads (the calling thread waits). Throws what the runs throw
// (BudgetExceeded when it goes over q.budget).
WhatIfResult run_whatif(const Scenario& sc, const WhatIf& q);

// The variant whose mean of `kpi` over its replications is the best; ("baseline", false) when
// no run has the KPI. Ties keep the first in plan order. A KPI that is no key names a twin's
// ("profit_eur_m2": the first key "<twin>.profit_eur_m2").
struct Best {
  std::string variant = "baseline";
  double mean = 0;
  bool found = false;
};
Best best_variant(const ResultTable& t, const std::string& kpi, bool minimize);

}  // namespace dtwin
