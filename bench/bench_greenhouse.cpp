// Benchmark: a 350-day season of the full GreenLight greenhouse climate + tomato crop
// (greenlight_tomato) on one World, one thread, as the CLI builds it.
//
// The scenario is scenarios/greenhouse/tomato_season_hps.json (or --scenario FILE), its
// baseline (or --variant NAME), without sampling (no time series: the world runs from start to
// the end in one run_until, then collects the KPIs). Reported per run: wall time
// (steady_clock, from world.start() to the KPIs collected, so the weather file is read before
// the clock starts, as compile does it) and the thread's CPU time over the same span (what a
// shared, loaded machine distorts least), the solver's accepted steps and right-hand-side
// evaluations, and the season's KPIs. --repeat K runs print the best and the median.
//
//   bench_greenhouse [--scenario FILE] [--variant NAME] [--repeat K] [--json]
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/error.hpp"
#include "engine/scenario/registry.hpp"
#include "engine/scenario/scenario.hpp"
#include "engine/sim/world.hpp"
#include "twins/register.hpp"

namespace {

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct Result {
  double wall_s = 0, cpu_s = 0;
  nlohmann::json solver;
  dtwin::Metrics metrics;
};

Result run_once(const dtwin::CompiledVariant& v) {
  Result r;
  dtwin::World w(v.models);
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = thread_cpu_s();
  w.start(dtwin::RunContext{1, 0});
  w.run_until(v.settings.duration_s);
  r.metrics = w.collect();
  const auto t1 = std::chrono::steady_clock::now();
  r.cpu_s = thread_cpu_s() - c0;
  r.wall_s = std::chrono::duration<double>(t1 - t0).count();
  r.solver = v.models.at(0)->state_json(w, 0).at("solver");
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::string file = std::string(DTWIN_SOURCE_DIR) + "/scenarios/greenhouse/tomato_season_hps.json";
  std::string variant = "baseline";
  int repeat = 3;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--scenario" && i + 1 < argc)
      file = argv[++i];
    else if (a == "--variant" && i + 1 < argc)
      variant = argv[++i];
    else if (a == "--repeat" && i + 1 < argc)
      repeat = std::max(1, std::atoi(argv[++i]));
    else if (a == "--json")
      json = true;
    else {
      std::fprintf(stderr,
                   "usage: bench_greenhouse [--scenario FILE] [--variant NAME] [--repeat K] "
                   "[--json]\n");
      return 2;
    }
  }
  try {
    dtwin::Registry reg;
    dtwin::twins::register_all(reg);
    const dtwin::Scenario sc = dtwin::Scenario::load(file);
    const dtwin::CompiledVariant v = sc.compile(sc.find_variant(variant), reg);
    std::vector<double> walls, cpus;
    Result last;
    for (int k = 0; k < repeat; ++k) {
      last = run_once(v);
      walls.push_back(last.wall_s);
      cpus.push_back(last.cpu_s);
    }
    std::sort(walls.begin(), walls.end());
    std::sort(cpus.begin(), cpus.end());
    const double best = walls.front(), median = walls[walls.size() / 2];
    nlohmann::json out;
    out["scenario"] = file;
    out["variant"] = variant;
    out["days"] = v.settings.duration_s / 86400;
    out["repeat"] = repeat;
    out["wall_s_best"] = best;
    out["wall_s_median"] = median;
    out["cpu_s_best"] = cpus.front();
    out["cpu_s_median"] = cpus[cpus.size() / 2];
    out["solver"] = last.solver;
    for (const auto& m : last.metrics.values) out["kpi"][m.key] = m.value;
    if (json) {
      std::printf("%s\n", out.dump(2).c_str());
    } else {
      std::printf(
          "%s (%s): %.0f days; wall best %.3f s, median %.3f s; thread CPU best %.3f s, median "
          "%.3f s; %d runs\n",
          file.c_str(), variant.c_str(), v.settings.duration_s / 86400, best, median, cpus.front(),
          cpus[cpus.size() / 2], repeat);
      std::printf("solver: %s\n", last.solver.dump().c_str());
      for (const auto& m : last.metrics.values)
        std::printf("  %-36s %12.4f %s\n", m.key.c_str(), m.value, m.unit.c_str());
    }
  } catch (const dtwin::ScenarioError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
