// Runs replications: one world per (variant, replication), warm-up then measurement, on as many
// threads as asked. Results come back in plan order whatever order the threads finish in, so
// the output does not depend on --jobs.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <limits>
#include <vector>

#include "engine/run/progress.hpp"
#include "engine/scenario/scenario.hpp"
#include "engine/sim/budget.hpp"
#include "engine/sim/model.hpp"
#include "engine/sim/world.hpp"

namespace dtwin {

struct RunTask {
  std::uint32_t variant = 0;      // index into the compiled variants
  std::uint32_t replication = 0;  // 0-based
  std::uint64_t index = 0;        // position in the whole plan (all variants x replications)
};

struct RunResult {
  RunTask task;
  std::uint64_t seed = 0;
  Metrics metrics;
  std::uint64_t events = 0;
};

// Shard k of n (1-based k): the tasks whose plan index i has i % n == k - 1. Shards are
// disjoint and together they are the whole plan.
struct Shard {
  std::uint32_t k = 1, n = 1;
};
Shard parse_shard(const std::string& text);  // "2/4"; UsageError otherwise

std::vector<RunTask> plan_runs(const std::vector<CompiledVariant>& variants, Shard shard = {});

// Which rows of a time series are written: those at run times from_s <= t <= to_s. The run is
// the same whatever the window (its KPIs too); only the file is cut.
struct SeriesWindow {
  double from_s = 0;
  double to_s = std::numeric_limits<double>::infinity();
};

// One replication. When `timeseries` is given, writes the CSV (header, then one row per sample
// interval from 0 to the duration, those inside `window`). When the run has a calendar
// (World::calendar_origin), a column `time` follows `time_s`: the calendar time of the row,
// ISO 8601 without an offset ("2023-09-27T06:00:00"), in the local time of the inputs (the
// weather file's clock).
// `init`, when set, runs between the fresh states and the first events (World::start), with
// the task the world is made for.
using WorldInit = std::function<void(World&, const RunTask&)>;
// What one run may spend (engine/sim/budget.hpp), resolved: its events, the deadline of the
// whole call on steady_seconds() (0: none), the flags that stop it.
struct RunLimits {
  std::uint64_t max_events = 0;
  double deadline = 0;
  const std::atomic<bool>* cancel = nullptr;
  const std::atomic<bool>* stop = nullptr;
  // where the run publishes the simulated time it has reached, for a progress bar (may be null)
  Progress::Slot* progress = nullptr;
};
// Throws BudgetExceeded when the run goes over its limits.
RunResult run_one(const CompiledVariant& v, const RunTask& task, std::ostream* timeseries,
                  const WorldInit& init = nullptr, const RunLimits& limits = {},
                  const SeriesWindow& window = {});

// Runs the tasks on `jobs` threads. timeseries_for may return nullptr. `budget`: events per run,
// wall-clock time for the whole call, a flag that cancels it; the first run that fails (over
// budget or otherwise) stops the others and its exception is rethrown. `windows`: per variant,
// the rows of its time series to write (empty: all).
std::vector<RunResult> run_all(const std::vector<CompiledVariant>& variants,
                               const std::vector<RunTask>& tasks, unsigned jobs,
                               const std::function<std::ostream*(const RunTask&)>& timeseries_for,
                               Progress* progress, const WorldInit& init = nullptr,
                               const Budget& budget = {},
                               const std::vector<SeriesWindow>& windows = {});

}  // namespace dtwin
