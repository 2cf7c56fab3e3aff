// Benchmark: the five-machine serial line on one World, one thread.
//
//   src (saturated) -> m1 -> b1 -> m2 -> b2 -> m3 -> b3 -> m4 -> b4 -> m5 -> sink
//   every machine: exponential processing, mean 1 s; failures with MTBF 100 s (operating time),
//   MTTR 10 s (both exponential); every buffer: capacity 5.
//
// The model is built the way the CLI builds it: scenario JSON -> Scenario::parse -> compile with
// the registry from twins::register_all. The world then runs, in chunks of run_until, until the
// target number of parts has left the line (LineState::out_total). Reported per run: parts,
// events handled, simulated time, wall time (steady_clock, world.start() to the last event),
// parts and events per wall second, parts per simulated second (the model's throughput, to
// compare with the SimPy model in simpy_line.py), and memory (current RSS from /proc and the
// process's peak RSS from getrusage).
//
// First a memory scan runs the line for growing part counts (default 1e5, 1e6, 4e6) and prints
// RSS and the event-queue length after each: they must not grow with the part count. Then
// --repeat timed runs of --parts parts report the best and the median.
//
// --scenario FILE runs the baseline of a line scenario file instead (its duration, warm-up and
// sampling replaced by the benchmark's), such as scenarios/line/product_mix_agv.json, the
// product-mix model of simpy_mix.py.
//
//   bench_line [--parts N] [--repeat K] [--scan N1,N2,...|--no-scan] [--seed S] [--json]
//              [--scenario FILE]
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/error.hpp"
#include "engine/scenario/registry.hpp"
#include "engine/scenario/scenario.hpp"
#include "engine/sim/world.hpp"
#include "twins/line/state.hpp"
#include "twins/register.hpp"

namespace {

constexpr const char* kScenario = R"({
  "name": "bench: five-machine line",
  "seed": 1,
  "duration": 1e10,
  "sample_interval": "1h",
  "replications": 1,
  "twins": {
    "src":  {"kind": "source", "saturated": true},
    "m1":   {"kind": "machine", "process": {"dist": "exponential", "mean": 1}, "mtbf": 100, "mttr": 10},
    "b1":   {"kind": "buffer", "capacity": 5},
    "m2":   {"kind": "machine", "process": {"dist": "exponential", "mean": 1}, "mtbf": 100, "mttr": 10},
    "b2":   {"kind": "buffer", "capacity": 5},
    "m3":   {"kind": "machine", "process": {"dist": "exponential", "mean": 1}, "mtbf": 100, "mttr": 10},
    "b3":   {"kind": "buffer", "capacity": 5},
    "m4":   {"kind": "machine", "process": {"dist": "exponential", "mean": 1}, "mtbf": 100, "mttr": 10},
    "b4":   {"kind": "buffer", "capacity": 5},
    "m5":   {"kind": "machine", "process": {"dist": "exponential", "mean": 1}, "mtbf": 100, "mttr": 10},
    "sink": {"kind": "sink"}
  },
  "flow": [["src", "m1"], ["m1", "b1"], ["b1", "m2"], ["m2", "b2"], ["b2", "m3"],
           ["m3", "b3"], ["b3", "m4"], ["m4", "b4"], ["b4", "m5"], ["m5", "sink"]]
})";

struct Options {
  std::uint64_t parts = 1000000;
  unsigned repeat = 3;
  std::vector<std::uint64_t> scan = {100000, 1000000, 4000000};
  std::uint64_t seed = 1;
  bool json = false;
  std::string scenario;  // a scenario file instead of the five-machine line
};

struct RunStats {
  std::uint64_t parts = 0;
  std::uint64_t events = 0;
  double sim_s = 0;
  double wall_s = 0;
  double cpu_s = 0;       // CPU time of this thread over the same span
  double lead_s = 0;      // mean time a part spends in the line (release at m1 to the sink)
  std::size_t queue = 0;  // events pending at the end
  long rss_kb = 0;        // current RSS after the run
  long peak_kb = 0;       // peak RSS of the process so far
  double parts_per_s() const { return wall_s > 0 ? static_cast<double>(parts) / wall_s : 0; }
  double events_per_s() const { return wall_s > 0 ? static_cast<double>(events) / wall_s : 0; }
  double parts_per_cpu_s() const { return cpu_s > 0 ? static_cast<double>(parts) / cpu_s : 0; }
  double throughput() const { return sim_s > 0 ? static_cast<double>(parts) / sim_s : 0; }
};

long current_rss_kb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

long peak_rss_kb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;  // kilobytes on Linux
}

std::uint64_t parse_count(const char* flag, const char* text) {
  char* end = nullptr;
  const double v = std::strtod(text, &end);  // accepts 1e6
  if (end == text || *end != '\0' || !(v >= 1) || v > 1e15)
    throw dtwin::UsageError(std::string(flag) + " expects a positive count, got \"" + text + "\"");
  return static_cast<std::uint64_t>(v);
}

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) throw dtwin::UsageError(a + " needs a value");
      return argv[++i];
    };
    if (a == "--parts") {
      o.parts = parse_count("--parts", value());
    } else if (a == "--repeat") {
      o.repeat = static_cast<unsigned>(parse_count("--repeat", value()));
    } else if (a == "--seed") {
      o.seed = parse_count("--seed", value());
    } else if (a == "--scan") {
      o.scan.clear();
      std::string list = value();
      std::size_t pos = 0;
      while (pos <= list.size()) {
        const std::size_t comma = std::min(list.find(',', pos), list.size());
        o.scan.push_back(parse_count("--scan", list.substr(pos, comma - pos).c_str()));
        pos = comma + 1;
      }
    } else if (a == "--no-scan") {
      o.scan.clear();
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "--scenario") {
      o.scenario = value();
    } else if (a == "-h" || a == "--help") {
      std::printf(
          "usage: bench_line [--parts N] [--repeat K] [--scan N1,N2,...|--no-scan] [--seed S] "
          "[--json]\n"
          "  --parts N    parts per timed run (default 1e6)\n"
          "  --repeat K   timed runs; best and median are reported (default 3)\n"
          "  --scan LIST  part counts of the memory scan (default 1e5,1e6,4e6)\n"
          "  --no-scan    skip the memory scan\n"
          "  --seed S     scenario seed (default 1); timed run r uses replication r\n"
          "  --json       machine-readable output on stdout\n"
          "  --scenario F the baseline of line scenario file F instead of the five-machine line\n");
      std::exit(0);
    } else {
      throw dtwin::UsageError("unknown option \"" + a + "\" (try --help)");
    }
  }
  return o;
}

// The mean over runs of f and its 95 % half-width (normal; 0 for one run).
template <class F>
std::pair<double, double> mean_ci95(const std::vector<RunStats>& runs, F f) {
  double sum = 0, sq = 0;
  for (const auto& r : runs) sum += f(r);
  const double n = static_cast<double>(runs.size());
  const double mean = sum / n;
  for (const auto& r : runs) sq += (f(r) - mean) * (f(r) - mean);
  return {mean, runs.size() > 1 ? 1.96 * std::sqrt(sq / (n - 1) / n) : 0.0};
}

// The scenario file's text with the benchmark's run length: no end, no warm-up, hourly samples,
// one replication.
std::string open_ended(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw dtwin::UsageError("cannot read " + path);
  nlohmann::json j = nlohmann::json::parse(in);
  j["duration"] = 1e10;
  j["sample_interval"] = "1h";
  j["replications"] = 1;
  j.erase("warmup");
  return j.dump();
}

// Runs a fresh world until `target` parts have left the line.
RunStats run_line(const dtwin::CompiledVariant& v, std::uint64_t seed, std::uint32_t replication,
                  std::uint64_t target) {
  dtwin::World w(v.models);
  const double cpu0 = thread_cpu_s();
  const auto t0 = std::chrono::steady_clock::now();
  w.start(dtwin::RunContext{seed, replication});
  const dtwin::line::LineState& s = w.state<dtwin::line::LineState>(0);
  // Chunks of simulated time sized to cover about half the parts still to come at the
  // throughput so far, and at most the time simulated so far (early estimates are noisy): a few
  // dozen checks per run, then single steps for the last parts, so the run stops at the target.
  double chunk = 64;
  while (s.out_total < target) {
    const std::uint64_t left = target - s.out_total;
    if (w.now() > 0 && s.out_total > 0) {
      const double rate = static_cast<double>(s.out_total) / w.now();
      chunk = std::max(1.0, std::min(0.5 * static_cast<double>(left) / rate, w.now()));
    }
    if (left < 64) {
      while (s.out_total < target && w.step()) {
      }
      break;
    }
    w.run_until(w.now() + chunk);
  }
  const auto t1 = std::chrono::steady_clock::now();
  const double cpu1 = thread_cpu_s();
  RunStats r;
  r.parts = s.out_total;
  r.events = w.events_handled();
  r.sim_s = w.now();
  r.wall_s = std::chrono::duration<double>(t1 - t0).count();
  r.cpu_s = cpu1 - cpu0;
  r.lead_s = s.out > 0 ? s.lead_sum / static_cast<double>(s.out) : 0;
  r.queue = w.kernel().size();
  r.rss_kb = current_rss_kb();
  r.peak_kb = peak_rss_kb();
  return r;
}

nlohmann::json to_json(const RunStats& r) {
  return {{"parts", r.parts},
          {"events", r.events},
          {"sim_time_s", r.sim_s},
          {"wall_s", r.wall_s},
          {"cpu_s", r.cpu_s},
          {"parts_per_s", r.parts_per_s()},
          {"parts_per_cpu_s", r.parts_per_cpu_s()},
          {"events_per_s", r.events_per_s()},
          {"events_per_part", static_cast<double>(r.events) / static_cast<double>(r.parts)},
          {"throughput_parts_per_sim_s", r.throughput()},
          {"lead_time_s", r.lead_s},
          {"queue_len", r.queue},
          {"rss_kb", r.rss_kb},
          {"peak_rss_kb", r.peak_kb}};
}

void print_header() {
  std::printf("%-7s %9s %10s %10s %7s %7s %10s %11s %9s %7s %5s %7s %7s\n", "run", "parts",
              "events", "sim_s", "wall_s", "cpu_s", "parts/s", "events/s", "parts/sim", "lead_s",
              "queue", "rss_kB", "peak_kB");
}

void print_row(const std::string& label, const RunStats& r) {
  std::printf("%-7s %9llu %10llu %10.0f %7.3f %7.3f %10.0f %11.0f %9.5f %7.2f %5zu %7ld %7ld\n",
              label.c_str(), static_cast<unsigned long long>(r.parts),
              static_cast<unsigned long long>(r.events), r.sim_s, r.wall_s, r.cpu_s,
              r.parts_per_s(), r.events_per_s(), r.throughput(), r.lead_s, r.queue, r.rss_kb,
              r.peak_kb);
}

int run(int argc, char** argv) {
  const Options o = parse_args(argc, argv);

  const auto c0 = std::chrono::steady_clock::now();
  dtwin::Registry reg;
  dtwin::twins::register_all(reg);
  const dtwin::Scenario sc = o.scenario.empty()
                                 ? dtwin::Scenario::parse(kScenario, "bench_line")
                                 : dtwin::Scenario::parse(open_ended(o.scenario), o.scenario);
  const dtwin::CompiledVariant v = sc.compile(0, reg);
  const double compile_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - c0).count();
  const long rss_start = current_rss_kb();

  if (!o.json && !o.scenario.empty()) {
    std::printf("bench_line: %s (baseline); one World, one thread\n", o.scenario.c_str());
  } else if (!o.json) {
    std::printf(
        "bench_line: five-machine line, exponential process mean 1 s, MTBF 100 s, "
        "MTTR 10 s, buffers of 5, saturated source; one World, one thread\n");
    std::printf("parse+compile %.3f ms, RSS before the runs %ld kB\n", compile_s * 1e3, rss_start);
  }

  std::vector<RunStats> scan;
  if (!o.scan.empty()) {
    if (!o.json) {
      std::printf("\nmemory scan (one process, growing part counts; RSS must stay flat)\n");
      print_header();
    }
    for (std::uint64_t n : o.scan) {
      scan.push_back(run_line(v, o.seed, 0, n));
      if (!o.json) print_row("scan", scan.back());
    }
  }

  std::vector<RunStats> runs;
  if (!o.json) {
    std::printf("\ntimed runs: %llu parts x %u\n", static_cast<unsigned long long>(o.parts),
                o.repeat);
    print_header();
  }
  for (unsigned r = 0; r < o.repeat; ++r) {
    runs.push_back(run_line(v, o.seed, r, o.parts));
    if (!o.json) print_row("#" + std::to_string(r + 1), runs.back());
  }

  std::vector<RunStats> by_wall = runs;
  std::sort(by_wall.begin(), by_wall.end(),
            [](const RunStats& a, const RunStats& b) { return a.parts_per_s() > b.parts_per_s(); });
  const RunStats& best = by_wall.front();
  const RunStats& median = by_wall[by_wall.size() / 2];  // upper median for even K
  double thr = 0;
  for (const auto& r : runs) thr += r.throughput();
  thr /= static_cast<double>(runs.size());

  if (o.json) {
    nlohmann::json j;
    j["benchmark"] = "bench_line";
    j["model"] = o.scenario.empty()
                     ? "5 machines, exponential process mean 1 s, MTBF 100 s, MTTR 10 s, "
                       "buffers 5, saturated source"
                     : o.scenario;
    j["parts"] = o.parts;
    j["repeat"] = o.repeat;
    j["seed"] = o.seed;
    j["compile_s"] = compile_s;
    j["rss_start_kb"] = rss_start;
    j["scan"] = nlohmann::json::array();
    for (const auto& r : scan) j["scan"].push_back(to_json(r));
    j["runs"] = nlohmann::json::array();
    for (const auto& r : runs) j["runs"].push_back(to_json(r));
    j["best"] = to_json(best);
    j["median"] = to_json(median);
    j["mean_throughput_parts_per_sim_s"] = thr;
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("\n");
    print_row("best", best);
    print_row("median", median);
    std::printf(
        "\nbest %.3g parts/s, %.3g events/s; median %.3g parts/s, %.3g events/s; "
        "%.3f events/part; throughput %.5f parts per simulated second (mean of runs)\n",
        best.parts_per_s(), best.events_per_s(), median.parts_per_s(), median.events_per_s(),
        static_cast<double>(median.events) / static_cast<double>(median.parts), thr);
    double best_cpu = 0;
    for (const auto& r : runs) best_cpu = std::max(best_cpu, r.parts_per_cpu_s());
    const auto [thr_h, thr_hw] = mean_ci95(runs, [](const RunStats& r) { return r.throughput(); });
    const auto [lead, lead_hw] = mean_ci95(runs, [](const RunStats& r) { return r.lead_s; });
    std::printf(
        "best %.3g parts per CPU second; throughput %.3f ± %.3f parts/h, lead time %.1f ± %.1f s "
        "(mean ± 95 %% half-width over runs)\n",
        best_cpu, thr_h * 3600, thr_hw * 3600, lead, lead_hw);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const dtwin::ScenarioError& e) {
    std::fprintf(stderr, "bench_line: %s\n", e.describe().c_str());
  } catch (const dtwin::UsageError& e) {
    std::fprintf(stderr, "bench_line: %s\n", e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_line: %s\n", e.what());
  }
  return 2;
}
