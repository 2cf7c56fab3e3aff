// The live plant of scenarios/live/monitoring.json run under a maintenance policy, on a virtual
// clock: `dtwin serve`'s engine and `dtwin emulate`'s plant in one process on an in-process bus
// (the same JSON messages and topics as over MQTT), weeks of the plant in seconds. The emulated
// plant knows the truth (failures, maintenance jobs, downtime, output); the engine knows what the
// assets report and what its condition monitors and alerts make of it. Used by
// tests/twins/line/test_live_monitor.cpp and bench/bench_monitor.cpp.
#pragma once

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/live/emulator.hpp"
#include "engine/live/engine.hpp"
#include "engine/live/settings.hpp"
#include "engine/transport/inproc_link.hpp"
#include "twins/line/model.hpp"
#include "twins/line/model_detail.hpp"
#include "twins/line/state.hpp"
#include "twins/register.hpp"

namespace dtwin::test {

enum class Policy {
  RunToFailure,     // repairs only
  TimeBased,        // the scenario's "time_based" variant: preventive every T operating hours
  OracleCondition,  // its "condition" variant: preventive at a true health threshold
  Alerts,           // the live alerts order preventive maintenance ("act": pm_orders)
};
inline const char* policy_name(Policy p) {
  switch (p) {
    case Policy::RunToFailure:
      return "run to failure";
    case Policy::TimeBased:
      return "time-based (every T operating h)";
    case Policy::OracleCondition:
      return "condition, true health (oracle)";
    case Policy::Alerts:
      return "condition, live alerts (monitor)";
  }
  return "";
}

// What one run of the plant came to, per machine (press, grinder) and together.
struct PolicyRun {
  struct Machine {
    std::string id;
    int failures = 0, preventive = 0;
    double down_h = 0;
    // the alerts of its rule (press_failing, grinder_worn): each failure warned or not, the
    // lead time of the first alert of the failing life, alerts followed by a failure within 48 h
    int warned = 0, alerts = 0, alerts_right = 0;
    std::vector<double> lead_h;
  };
  std::vector<Machine> machines;
  double output = 0;  // parts out of the line
  double cost = 0;    // maintenance: corrective and preventive jobs at the scenario's costs
};

inline std::string read_text(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// One run of `days` plant days under the policy, the emulator seeded with `seed`.
inline PolicyRun run_policy(const std::string& scenario_path, Policy policy, std::uint64_t seed,
                            double days) {
  nlohmann::json doc = nlohmann::json::parse(read_text(scenario_path));
  if (policy != Policy::Alerts)
    for (auto& a : doc["alerts"]) a.erase("act");  // the alerts only warn
  const Scenario sc = Scenario::parse(doc.dump(), scenario_path);
  Registry reg;
  twins::register_all(reg);
  const std::size_t variant = policy == Policy::TimeBased         ? sc.find_variant("time_based")
                              : policy == Policy::OracleCondition ? sc.find_variant("condition")
                                                                  : 0;
  const CompiledVariant plant = sc.compile(variant, reg);
  const LiveSettings live = parse_live(sc);
  Bus bus;
  double now = 1.8e9;
  auto clock = [&now] { return now; };
  InProcessLink elink(bus, "engine");
  LiveEngine engine(sc, reg, elink, LiveOptions{}, clock);
  engine.start();
  LiveEmulator emu(
      plant, live, seed,
      [&bus](const std::string& twin) {
        return std::unique_ptr<Link>(new InProcessLink(bus, "asset-" + twin));
      },
      clock);
  emu.start();
  const auto* model = dynamic_cast<const line::LineModel*>(emu.world().models().at(0).get());
  const line::LineSpec& spec = model->spec();
  const double t0 = now, dt = 0.05;
  auto plant_h = [&](double t) { return (t - t0) * live.speed / 3600; };
  PolicyRun out;
  std::vector<double> renewed(spec.machines.size(), 0.0);  // plant h of the life's start
  std::vector<std::vector<double>> failures(spec.machines.size());
  // jobs as they start (the world's counters restart at its warm-up; these do not)
  std::vector<std::uint8_t> job(spec.machines.size(), 0);
  std::vector<int> n_fail(spec.machines.size(), 0), n_pm(spec.machines.size(), 0);
  std::vector<std::vector<std::pair<double, double>>> lives(spec.machines.size());  // start, fail
  const auto steps = static_cast<std::size_t>(days * 86400 / live.speed / dt);
  for (std::size_t i = 0; i < steps; ++i) {
    now += dt;
    emu.poll(0);
    engine.poll(0);
    const auto& ls = emu.world().state<line::LineState>(0);
    for (std::size_t m = 0; m < spec.machines.size(); ++m) {
      const std::uint8_t j = ls.machines[m].job;
      if (j != job[m] && j == line::kCorrective) {  // a failure: the life ends
        ++n_fail[m];
        lives[m].emplace_back(renewed[m], plant_h(now));
        renewed[m] = plant_h(now);
      }
      if (j != job[m] && j == line::kPreventiveJob) {  // maintained: a life cut short
        ++n_pm[m];
        renewed[m] = plant_h(now);
      }
      job[m] = j;
    }
  }
  const auto& ls = emu.world().state<line::LineState>(0);
  out.output = static_cast<double>(ls.out_total);
  for (std::size_t m = 0; m < spec.machines.size(); ++m) {
    const auto& ms = ls.machines[m];
    const auto& mspec = spec.machines[m];
    PolicyRun::Machine r;
    r.id = mspec.id;
    r.failures = n_fail[m];
    r.preventive = n_pm[m];
    r.down_h = ms.down_total / 3600;
    out.cost +=
        r.failures * mspec.maint.corrective_cost + r.preventive * mspec.maint.preventive_cost;
    std::vector<double> raised;
    for (const Alert& a : engine.alerts()->alerts())
      if (a.twin == mspec.id && (a.rule == "press_failing" || a.rule == "grinder_worn"))
        raised.push_back(plant_h(a.raised_at));
    r.alerts = static_cast<int>(raised.size());
    for (const auto& [from, to] : lives[m])
      for (double t : raised)
        if (t > from && t <= to) {
          ++r.warned;
          r.lead_h.push_back(to - t);
          break;
        }
    for (double t : raised)
      for (const auto& life : lives[m])
        if (life.second >= t && life.second - t <= 48) {
          ++r.alerts_right;
          break;
        }
    out.machines.push_back(std::move(r));
  }
  return out;
}

}  // namespace dtwin::test
