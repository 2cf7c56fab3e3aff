// Condition monitoring on the live plant of scenarios/live/monitoring.json: how well the alerts
// on the monitors' estimates warn before failures, and what maintenance driven by them is worth
// against run-to-failure, every T operating hours, and a threshold on the true health (an
// oracle). Each policy runs R replications of D plant days (the engine and the emulated plant on
// a virtual clock, tests/support/monitor_plant.hpp); means with 95 % t intervals.
//   bench_monitor [REPLICATIONS=10] [DAYS=60]
#include <cstdio>
#include <cstdlib>
#include <map>

#include "engine/sim/stats.hpp"
#include "tests/support/monitor_plant.hpp"

using namespace dtwin;
using namespace dtwin::test;

namespace {
std::string ci(const std::vector<double>& xs, int digits) {
  const Summary s = summarize(xs);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.*f ± %.*f", digits, s.mean, digits, s.half_width());
  return buf;
}
double quantile(std::vector<double> v, double q) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5)];
}
}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::atoi(argv[1]) : 10;
  const double days = argc > 2 ? std::atof(argv[2]) : 60;
  const std::string path = std::string(DTWIN_SOURCE_DIR) + "/scenarios/live/monitoring.json";
  std::printf("%d replications of %.0f plant days per policy\n\n", reps, days);
  std::printf(
      "| policy | failures | preventive jobs | downtime [h] | maintenance cost | output [parts] "
      "|\n");
  std::printf("|---|---|---|---|---|---|\n");
  std::map<std::string, std::vector<double>> lead;
  std::map<std::string, std::pair<int, int>> recall, precision;
  for (Policy p :
       {Policy::RunToFailure, Policy::TimeBased, Policy::OracleCondition, Policy::Alerts}) {
    std::vector<double> fail, pm, down, cost, out;
    for (int r = 0; r < reps; ++r) {
      const PolicyRun run = run_policy(path, p, 1000 + static_cast<std::uint64_t>(r), days);
      double f = 0, n = 0, d = 0;
      for (const auto& m : run.machines) {
        f += m.failures, n += m.preventive, d += m.down_h;
        if (p == Policy::RunToFailure) {
          lead[m.id].insert(lead[m.id].end(), m.lead_h.begin(), m.lead_h.end());
          recall[m.id].first += m.warned, recall[m.id].second += m.failures;
          precision[m.id].first += m.alerts_right, precision[m.id].second += m.alerts;
        }
      }
      fail.push_back(f), pm.push_back(n), down.push_back(d), cost.push_back(run.cost);
      out.push_back(run.output);
    }
    std::printf("| %s | %s | %s | %s | %s | %s |\n", policy_name(p), ci(fail, 1).c_str(),
                ci(pm, 1).c_str(), ci(down, 0).c_str(), ci(cost, 0).c_str(), ci(out, 0).c_str());
    std::fflush(stdout);
  }
  std::printf("\nAlerts under run to failure (the plant left alone):\n\n");
  std::printf(
      "| machine | rule | failures warned (recall) | alerts followed by a failure within 48 h "
      "(precision) | lead time 10 / 50 / 90 %% [h] |\n");
  std::printf("|---|---|---|---|---|\n");
  for (const auto& [id, l] : lead)
    std::printf("| %s | %s | %d of %d (%.0f %%) | %d of %d (%.0f %%) | %.1f / %.1f / %.1f |\n",
                id.c_str(), id == "press" ? "p_fail > 0.5" : "rul_est < 8 h", recall[id].first,
                recall[id].second, 100.0 * recall[id].first / recall[id].second,
                precision[id].first, precision[id].second,
                100.0 * precision[id].first / precision[id].second, quantile(l, 0.1),
                quantile(l, 0.5), quantile(l, 0.9));
  return 0;
}
