#include "engine/run/runner.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <exception>
#include <mutex>
#include <ostream>
#include <thread>

#include "engine/base/calendar.hpp"
#include "engine/base/error.hpp"
#include "engine/base/format.hpp"
#include "engine/sim/world.hpp"

namespace dtwin {

Shard parse_shard(const std::string& text) {
  unsigned k = 0, n = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%u/%u%c", &k, &n, &extra) != 2 || n == 0 || k == 0 || k > n)
    throw UsageError("--shard expects K/N with 1 <= K <= N (shard K of N), got \"" + text + "\"");
  return Shard{k, n};
}

std::vector<RunTask> plan_runs(const std::vector<CompiledVariant>& variants, Shard shard) {
  std::vector<RunTask> out;
  std::uint64_t index = 0;
  for (std::uint32_t v = 0; v < variants.size(); ++v)
    for (std::uint32_t r = 0; r < variants[v].settings.replications; ++r, ++index)
      if (index % shard.n == shard.k - 1) out.push_back(RunTask{v, r, index});
  return out;
}

namespace {
// origin: the calendar time of t = 0, NaN without a calendar
void write_row(std::ostream& os, double t, double origin, World& w,
               std::vector<std::string>& cells) {
  cells.clear();
  w.sample(cells);
  os << fmt_num(t, 12);
  if (!std::isnan(origin)) os << ',' << iso_local(origin + t);
  for (const auto& c : cells) os << ',' << c;
  os << '\n';
}
}  // namespace

RunResult run_one(const CompiledVariant& v, const RunTask& task, std::ostream* ts,
                  const WorldInit& init, const RunLimits& limits, const SeriesWindow& window) {
  const Settings& s = v.settings;
  World w(v.models);
  w.set_budget(limits.max_events, limits.deadline, limits.cancel, limits.stop);
  if (init)
    w.start(RunContext{s.seed, task.replication}, [&](World& ww) { init(ww, task); });
  else
    w.start(RunContext{s.seed, task.replication});
  Progress::Slot* const slot = limits.progress;
  if (slot) {
    slot->now.store(0, std::memory_order_relaxed);
    slot->end.store(s.duration_s, std::memory_order_relaxed);
  }
  // to `until`, telling the progress bar on the way (in 200ths of the run: stopping between
  // events changes nothing a model sees)
  auto run_to = [&](double until) {
    if (!slot) {
      w.run_until(until);
      return;
    }
    const double chunk = s.duration_s / 200;
    double t = w.now();
    do {
      t = std::min(until, t + chunk);
      w.run_until(t);
      slot->now.store(t, std::memory_order_relaxed);
    } while (t < until);
  };
  if (!ts) {
    if (s.warmup_s > 0) {
      run_to(s.warmup_s);
      w.reset_stats();
    }
    run_to(s.duration_s);
  } else {
    std::vector<std::string> cells;
    w.columns(cells);
    const double origin = w.calendar_origin().value_or(std::nan(""));
    auto inside = [&](double t) { return t >= window.from_s && t <= window.to_s; };
    *ts << "time_s";
    if (!std::isnan(origin)) *ts << ",time";
    for (const auto& c : cells) *ts << ',' << c;
    *ts << '\n';
    if (inside(0)) write_row(*ts, 0, origin, w, cells);
    bool warm = s.warmup_s > 0;
    std::uint64_t k = 1;
    for (;;) {
      const double next_sample =
          std::min(static_cast<double>(k) * s.sample_interval_s, s.duration_s);
      const double t = warm ? std::min(next_sample, s.warmup_s) : next_sample;
      w.run_until(t);
      if (warm && t == s.warmup_s) {
        w.reset_stats();
        warm = false;
      }
      if (slot) slot->now.store(t, std::memory_order_relaxed);
      if (t == next_sample) {
        if (inside(t)) write_row(*ts, t, origin, w, cells);
        ++k;
        if (t >= s.duration_s) break;
      }
    }
  }
  RunResult r;
  r.task = task;
  r.seed = s.seed;
  r.metrics = w.collect();
  r.events = w.events_handled();
  return r;
}

std::vector<RunResult> run_all(const std::vector<CompiledVariant>& variants,
                               const std::vector<RunTask>& tasks, unsigned jobs,
                               const std::function<std::ostream*(const RunTask&)>& timeseries_for,
                               Progress* progress, const WorldInit& init, const Budget& budget,
                               const std::vector<SeriesWindow>& windows) {
  std::vector<RunResult> results(tasks.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};  // a run failed: the others stop too
  const RunLimits limits{budget.max_events,
                         budget.max_wall_s > 0 ? steady_seconds() + budget.max_wall_s : 0,
                         budget.cancel, &stop};
  std::exception_ptr error;
  std::mutex error_mu;
  jobs = std::max(1u, std::min<unsigned>(jobs, static_cast<unsigned>(tasks.size())));
  if (progress) progress->use_slots(jobs);
  auto worker = [&](unsigned j) {
    RunLimits mine = limits;
    mine.progress = progress ? progress->slot(j) : nullptr;
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= tasks.size()) return;
      try {
        std::ostream* ts = timeseries_for ? timeseries_for(tasks[i]) : nullptr;
        const std::uint32_t v = tasks[i].variant;
        results[i] = run_one(variants[v], tasks[i], ts, init, mine,
                             v < windows.size() ? windows[v] : SeriesWindow{});
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mu);
        if (!error) error = std::current_exception();
        next = tasks.size();
        stop = true;
      }
      if (mine.progress) mine.progress->end.store(0, std::memory_order_relaxed);
      if (progress) progress->tick();
    }
  };
  if (jobs == 1) {
    worker(0);
  } else {
    std::vector<std::thread> pool;
    for (unsigned j = 0; j < jobs; ++j) pool.emplace_back(worker, j);
    for (auto& t : pool) t.join();
  }
  if (error) std::rethrow_exception(error);
  return results;
}

}  // namespace dtwin
