// Benchmark: scrubbing the viewer's time bar. The flagship line (scenarios/line/flagship.json,
// 30 days, warm-up 1 day) is played forward to its end once, which leaves the playback's
// keyframes; then --jumps jumps to uniformly random times (seeded), each timed from the call to
// the world standing at the target: restore the last keyframe at or before it, run on. For
// comparison, a few jumps without keyframes: from the start again, as the viewer did before.
//
// --large instead plays a generated plant of 40 serial lines of 25 machines (1,000 stations,
// exponential processing, failures) with buffers of 12 between them, for 7 days: about 12,000
// parts in flight, to see what the keyframes cost in memory on a large plant.
//
//   bench_scrub [--jumps N] [--seed S] [--file scenario.json | --large] [--variant NAME]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <random>
#include <string>
#include <vector>

#include "engine/base/error.hpp"
#include "engine/scenario/registry.hpp"
#include "engine/scenario/scenario.hpp"
#include "twins/register.hpp"
#include "viewer/playback.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// 40 lines x (a source, 25 machines, 24 buffers, a sink)
std::string large_plant() {
  std::string twins, flow;
  auto add_flow = [&](const std::string& a, const std::string& b) {
    flow += (flow.empty() ? "" : ",") + std::string("[\"") + a + "\",\"" + b + "\"]";
  };
  for (int l = 0; l < 40; ++l) {
    const std::string L = std::to_string(l);
    std::string prev = "src" + L;
    twins += "\"" + prev + "\": {\"kind\": \"source\", \"saturated\": true},";
    for (int m = 0; m < 25; ++m) {
      const std::string id = "m" + L + "_" + std::to_string(m);
      twins += "\"" + id +
               "\": {\"kind\": \"machine\", \"process\": {\"dist\": \"exponential\", "
               "\"mean\": " +
               std::to_string(30 + m) + "}, \"mtbf\": \"4h\", \"mttr\": \"20min\"},";
      add_flow(prev, id);
      if (m < 24) {
        prev = "b" + L + "_" + std::to_string(m);
        twins += "\"" + prev + "\": {\"kind\": \"buffer\", \"capacity\": 12},";
        add_flow(id, prev);
      } else {
        twins += "\"sink" + L + "\": {\"kind\": \"sink\"}" + (l < 39 ? "," : "");
        add_flow(id, "sink" + L);
      }
    }
  }
  return "{\"name\": \"large\", \"seed\": 1, \"duration\": \"7d\", \"twins\": {" + twins +
         "}, \"flow\": [" + flow + "]}";
}

double pct(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5)];
}

}  // namespace

int main(int argc, char** argv) {
  std::string file = std::string(DTWIN_SOURCE_DIR) + "/scenarios/line/flagship.json";
  std::string variant = "baseline";
  int jumps = 200;
  unsigned seed = 1;
  bool large = false;
  for (int i = 1; i < argc; ++i) {
    auto arg = [&](const char* name) { return std::strcmp(argv[i], name) == 0 && i + 1 < argc; };
    if (std::strcmp(argv[i], "--large") == 0)
      large = true;
    else if (arg("--jumps"))
      jumps = std::max(1, std::atoi(argv[++i]));
    else if (arg("--seed"))
      seed = static_cast<unsigned>(std::atoi(argv[++i]));
    else if (arg("--file"))
      file = argv[++i];
    else if (arg("--variant"))
      variant = argv[++i];
    else {
      std::fprintf(
          stderr,
          "usage: bench_scrub [--jumps N] [--seed S] [--file F | --large] [--variant NAME]\n");
      return 2;
    }
  }
  try {
    dtwin::Registry reg;
    dtwin::twins::register_all(reg);
    if (large) file = "large plant (generated)";
    const dtwin::Scenario sc =
        large ? dtwin::Scenario::parse(large_plant(), file) : dtwin::Scenario::load(file);
    const dtwin::CompiledVariant v = sc.compile(sc.find_variant(variant), reg);
    const double D = v.settings.duration_s;
    const dtwin::RunContext ctx{v.settings.seed, 0};

    dtwin::viewer::Playback p(v.models, ctx, v.settings.warmup_s, D);
    auto t0 = Clock::now();
    p.jump_to(D);
    const double forward_s = since(t0);
    std::printf(
        "%s (%s): %.0f d simulated, %llu events; played forward in %.3f s, %zu keyframes "
        "every %.2f h\n",
        file.c_str(), variant.c_str(), D / 86400, static_cast<unsigned long long>(p.events()),
        forward_s, p.keyframes(), p.keyframe_interval() / 3600);

    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> at(0, D);
    std::vector<double> ms;
    for (int k = 0; k < jumps; ++k) {
      const double t = at(rng);
      t0 = Clock::now();
      p.jump_to(t);
      ms.push_back(since(t0) * 1e3);
    }
    double sum = 0;
    for (double x : ms) sum += x;
    std::printf(
        "%d random jumps with keyframes: mean %.2f ms, median %.2f ms, p95 %.2f ms, "
        "max %.2f ms\n",
        jumps, sum / jumps, pct(ms, 0.5), pct(ms, 0.95), pct(ms, 1.0));

    std::vector<double> cold;
    for (int k = 0; k < 5; ++k) {
      dtwin::viewer::Playback fresh(v.models, ctx, v.settings.warmup_s, D);
      const double t = at(rng);
      t0 = Clock::now();
      fresh.jump_to(t);
      cold.push_back(since(t0) * 1e3);
    }
    double csum = 0;
    for (double x : cold) csum += x;
    std::printf("5 random jumps from the start (no keyframes): mean %.1f ms\n", csum / 5);
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("peak RSS %.1f MB (the keyframes and the model)\n",
                static_cast<double>(ru.ru_maxrss) / 1024);
    return 0;
  } catch (const dtwin::ScenarioError& e) {
    std::fprintf(stderr, "error: %s\n", e.describe().c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
