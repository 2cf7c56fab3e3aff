// Benchmark: the work-cell twin's physics, one thread.
//
//  1. The flagship cell (scenarios/cell/flagship.json: a SCARA arm, a belt feeding a part every
//     2 s, a nest, a pillar; 4 ms physics step, one Bullet sub-step per step) runs for
//     --hours of simulated operation in a World built the way the CLI builds it (Scenario::load,
//     compile with twins::register_all). Reported: physics steps, wall and CPU time, steps per
//     wall second, the real-time factor, cycles and parts delivered.
//  2. --cells copies of the flagship cell in one World (cell1 ... cellN, each its own Bullet
//     world), run for --many-seconds simulated seconds: aggregate steps per second.
//
//   bench_cell [--hours H] [--cells N] [--many-seconds S] [--repeat K] [--json]
// Defaults: 1 h, 50 cells, 120 s, 3 repeats (best and median of the flagship hour).
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
#include "engine/scenario/json_doc.hpp"
#include "engine/scenario/scenario.hpp"
#include "engine/sim/world.hpp"
#include "twins/machine/state.hpp"
#include "twins/register.hpp"

namespace {

struct Options {
  double hours = 1;
  unsigned cells = 50;
  double many_seconds = 120;
  unsigned repeat = 3;
  bool json = false;
};

double cpu_now() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct Run {
  unsigned cells = 0;
  double sim_s = 0, wall_s = 0, cpu_s = 0;
  std::uint64_t steps = 0, cycles = 0, delivered = 0;
  double steps_per_s() const { return static_cast<double>(steps) / wall_s; }
  nlohmann::json to_json() const {
    return {{"cells", cells},
            {"sim_s", sim_s},
            {"wall_s", wall_s},
            {"cpu_s", cpu_s},
            {"steps", steps},
            {"steps_per_s", steps_per_s()},
            {"realtime_factor", sim_s / wall_s},
            {"cycles", cycles},
            {"delivered_parts", delivered}};
  }
};

Run run(const dtwin::CompiledVariant& v, double seconds) {
  dtwin::World w(v.models);
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = cpu_now();
  w.start({v.settings.seed, 0});
  w.run_until(seconds);
  Run r;
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.cpu_s = cpu_now() - c0;
  r.sim_s = seconds;
  r.cells = static_cast<unsigned>(v.models.size());
  for (std::uint32_t m = 0; m < v.models.size(); ++m) {
    const auto& s = w.state<dtwin::machine::CellState>(m);
    r.steps += s.step;
    r.cycles += s.cycles_total;
    r.delivered += s.delivered_total;
  }
  return r;
}

void print(const char* label, const Run& r) {
  std::printf(
      "%-16s cells %3u  sim %7.0f s  steps %9llu  wall %7.3f s  cpu %7.3f s  "
      "steps/s %9.0f  x real time %7.0f  cycles %6llu  parts %6llu\n",
      label, r.cells, r.sim_s, static_cast<unsigned long long>(r.steps), r.wall_s, r.cpu_s,
      r.steps_per_s(), r.sim_s / r.wall_s, static_cast<unsigned long long>(r.cycles),
      static_cast<unsigned long long>(r.delivered));
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--hours")
      o.hours = std::atof(next());
    else if (a == "--cells")
      o.cells = static_cast<unsigned>(std::atoi(next()));
    else if (a == "--many-seconds")
      o.many_seconds = std::atof(next());
    else if (a == "--repeat")
      o.repeat = static_cast<unsigned>(std::atoi(next()));
    else if (a == "--json")
      o.json = true;
    else {
      std::fprintf(stderr,
                   "usage: bench_cell [--hours H] [--cells N] [--many-seconds S] [--repeat K] "
                   "[--json]\n");
      return 2;
    }
  }
  try {
    dtwin::Registry reg;
    dtwin::twins::register_all(reg);
    const std::string path = std::string(DTWIN_SOURCE_DIR) + "/scenarios/cell/flagship.json";
    const dtwin::Scenario one = dtwin::Scenario::load(path);
    const dtwin::CompiledVariant flagship = one.compile(0, reg);

    // N copies of the cell in one scenario
    dtwin::JsonDoc doc = dtwin::load_json_file(path);
    nlohmann::json many = doc.value;
    const nlohmann::json cell = many["twins"]["cell1"];
    many["twins"] = nlohmann::json::object();
    many.erase("variants");
    for (unsigned k = 1; k <= o.cells; ++k) many["twins"]["cell" + std::to_string(k)] = cell;
    const dtwin::Scenario sc_many = dtwin::Scenario::parse(many.dump(), "many_cells.json");
    const dtwin::CompiledVariant v_many = sc_many.compile(0, reg);

    std::vector<Run> hours;
    for (unsigned r = 0; r < o.repeat; ++r) {
      hours.push_back(run(flagship, o.hours * 3600));
      if (!o.json) print("flagship", hours.back());
    }
    const Run m = run(v_many, o.many_seconds);
    if (!o.json) print("many cells", m);
    std::vector<Run> sorted = hours;
    std::sort(sorted.begin(), sorted.end(),
              [](const Run& a, const Run& b) { return a.wall_s < b.wall_s; });
    const Run& best = sorted.front();
    const Run& median = sorted[sorted.size() / 2];
    if (o.json) {
      nlohmann::json j;
      j["flagship_runs"] = nlohmann::json::array();
      for (const auto& h : hours) j["flagship_runs"].push_back(h.to_json());
      j["flagship_best"] = best.to_json();
      j["flagship_median"] = median.to_json();
      j["many_cells"] = m.to_json();
      std::printf("%s\n", j.dump(2).c_str());
    } else {
      std::printf("flagship, %.3g h: best %.3f s wall, median %.3f s (target < 10 s per hour)\n",
                  o.hours, best.wall_s, median.wall_s);
    }
  } catch (const dtwin::ScenarioError& e) {
    std::fprintf(stderr, "error: %s\n", e.describe().c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
