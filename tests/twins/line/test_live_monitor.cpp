// The live condition monitor (twins/line/live_monitor.cpp) and the alerts it drives, on the
// emulated plant of scenarios/live/monitoring.json, whose true health the emulator knows. The
// engine and the emulator share an in-process bus and a virtual clock, so weeks of the plant run
// in seconds with every report the real set-up would send (the same JSON, the same topics).
//  - The monitor's remaining life matches the simulation's own condition monitor, which runs the
//    same filter on the same samples with the exact operating time (the engine knows only the
//    reported states, every 6 plant minutes).
//  - Its interval and failure probability are coherent (rul_lo <= rul_est <= rul_hi, 0 <= p_fail
//    <= 1).
//  - The alert rules on them warn before failures (recall, precision, lead time), and the
//    maintenance they order (pm_orders) prevents most failures (tests/support/monitor_plant.hpp).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

#include "engine/live/emulator.hpp"
#include "engine/live/engine.hpp"
#include "engine/live/settings.hpp"
#include "engine/store/mirror_store.hpp"
#include "engine/transport/inproc_link.hpp"
#include "tests/support/monitor_plant.hpp"
#include "tests/support/temp_dir.hpp"
#include "twins/register.hpp"

using namespace dtwin;

namespace {

const std::string kScenario = std::string(DTWIN_SOURCE_DIR) + "/scenarios/live/monitoring.json";

struct Virtual {
  double now = 1.8e9;  // seconds since the epoch, virtual
};

struct Plant {
  Registry reg;
  Scenario sc = Scenario::load(kScenario);
  CompiledVariant v;
  Bus bus;
  Virtual clock;
  InProcessLink elink{bus, "engine"};
  std::unique_ptr<LiveEngine> engine;
  std::unique_ptr<LiveEmulator> emu;
  double speed = 0;
  explicit Plant(std::uint64_t seed) {
    twins::register_all(reg);
    v = sc.compile(0, reg);
    const LiveSettings live = parse_live(sc);
    speed = live.speed;
    auto vclock = [this] { return clock.now; };
    engine = std::make_unique<LiveEngine>(sc, reg, elink, LiveOptions{}, vclock);
    engine->start();
    emu = std::make_unique<LiveEmulator>(
        v, live, seed,
        [this](const std::string& twin) {
          return std::unique_ptr<Link>(new InProcessLink(bus, "asset-" + twin));
        },
        vclock);
    emu->start();
  }
  void step(double dt) {
    clock.now += dt;
    emu->poll(0);
    engine->poll(0);
  }
  const Reported& reported(const std::string& twin, const std::string& prop) {
    const Mirror& m = engine->mirror();
    const auto t = m.find_twin(twin);
    return m.state(t).props[m.find_property(t, prop)].reported;
  }
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? NAN : v[v.size() / 2];
}

}  // namespace

TEST_CASE("live monitor: the engine's remaining life follows the plant's own monitor, coherent",
          "[live][monitor]") {
  Plant P(5);
  std::map<std::string, std::vector<double>> rel_err;
  std::map<std::string, double> last_vib;
  int incoherent = 0;
  for (int i = 0; i < 6000; ++i) {  // 300 virtual seconds: 300 plant hours
    P.step(0.05);
    for (const std::string m : {"press", "grinder"}) {
      const Reported& vib = P.reported(m, "vibration");
      const Reported& est = P.reported(m, "rul_est");
      const Reported& own = P.reported(m, "rul");
      if (!vib.present || !est.present || !own.present || vib.value.num == last_vib[m]) continue;
      last_vib[m] = vib.value.num;
      // a fresh sample, taken by both monitors: compare once both carry it
      if (est.seq != vib.seq || own.seq != vib.seq || !(own.value.num > 1)) continue;
      rel_err[m].push_back(std::abs(est.value.num - own.value.num) / own.value.num);
      const double lo = P.reported(m, "rul_lo").value.num, hi = P.reported(m, "rul_hi").value.num;
      const double p = P.reported(m, "p_fail").value.num;
      if (!(lo <= est.value.num && est.value.num <= hi && p >= 0 && p <= 1)) ++incoherent;
    }
  }
  for (const std::string m : {"press", "grinder"}) {
    INFO(m << ": " << rel_err[m].size() << " samples compared, median relative difference "
           << median(rel_err[m]));
    CHECK(rel_err[m].size() >= 200);
    // the engine's operating time is read from states reported every 6 plant minutes, the
    // simulation's is exact: a few per cent apart
    CHECK(median(rel_err[m]) < 0.05);
  }
  CHECK(incoherent == 0);
  // derived values are marked so and are the engine's, not the asset's
  const auto j = P.engine->mirror().twin_json(P.engine->mirror().find_twin("press"), P.clock.now);
  CHECK(j["reported"]["rul_est"]["derived"] == true);
  CHECK(j["reported"]["rul_est"]["unit"] == "h");
}

TEST_CASE("live monitor: the alerts warn before failures, and maintenance on them pays",
          "[live][monitor][alerts]") {
  // the plant left alone (run to failure): the alerts only warn
  std::vector<double> leads_grinder, leads_press;
  for (std::uint64_t seed : {11, 12, 13}) {
    const auto rtf = test::run_policy(kScenario, test::Policy::RunToFailure, seed, 30);
    const auto cbm = test::run_policy(kScenario, test::Policy::Alerts, seed, 30);
    double f0 = 0, f1 = 0, d0 = 0, d1 = 0;
    for (const auto& m : rtf.machines) {
      INFO(m.id << " seed " << seed << ": " << m.failures << " failures, " << m.warned
                << " warned, " << m.alerts << " alerts, " << m.alerts_right << " right");
      CHECK(m.failures >= 5);
      // the grinder's wear is a straight line the Kalman filter finds: every failure warned;
      // the press can fail from a healthy state (1 % an hour of its transitions go straight to
      // failure): most, not all
      CHECK(m.warned >= (m.id == "grinder" ? m.failures - 1 : m.failures / 2));
      CHECK(m.alerts_right >= m.alerts / 2);
      auto& leads = m.id == "grinder" ? leads_grinder : leads_press;
      leads.insert(leads.end(), m.lead_h.begin(), m.lead_h.end());
      f0 += m.failures, d0 += m.down_h;
    }
    for (const auto& m : cbm.machines) f1 += m.failures, d1 += m.down_h;
    // maintenance ordered by the alerts: the same plant fails far less and is down less
    CHECK(f1 < f0 / 3);
    CHECK(d1 < d0);
  }
  // a warning comes hours ahead: long enough to plan a 40-minute wheel change or a 1-hour press
  // overhaul in the next break
  INFO("lead times: grinder median " << median(leads_grinder) << " h, press median "
                                     << median(leads_press) << " h");
  CHECK(median(leads_grinder) >= 4);
  CHECK(median(leads_press) >= 4);
}

TEST_CASE("live monitor: an engine restarted on its store goes on with the same estimates",
          "[live][monitor][mirror_store]") {
  dtwin::test::TempDir dir;
  nlohmann::json doc = nlohmann::json::parse(test::read_text(kScenario));
  for (auto& a : doc["alerts"]) a.erase("act");  // two engines: neither gives orders
  const Scenario sc = Scenario::parse(doc.dump(), kScenario);
  Registry reg;
  twins::register_all(reg);
  const CompiledVariant v = sc.compile(0, reg);
  Bus bus;
  double now = 1.8e9;
  auto clock = [&now] { return now; };
  // the reference never stops; the other is stopped and started again on its store
  InProcessLink ref_link(bus, "reference"), link1(bus, "engine-1"), link2(bus, "engine-2");
  LiveEngine ref(sc, reg, ref_link, LiveOptions{}, clock);
  ref.start();
  LiveOptions with_store;
  with_store.store = dir.file("mirror.db");
  auto engine = std::make_unique<LiveEngine>(sc, reg, link1, with_store, clock);
  engine->start();
  LiveEmulator emu(
      v, parse_live(sc), 3,
      [&bus](const std::string& twin) {
        return std::unique_ptr<Link>(new InProcessLink(bus, "asset-" + twin));
      },
      clock);
  emu.start();
  auto run = [&](int steps) {
    for (int i = 0; i < steps; ++i) {
      now += 0.05;
      emu.poll(0);
      ref.poll(0);
      engine->poll(0);
    }
  };
  auto rul = [](LiveEngine& e, const char* twin) {
    const Mirror& m = e.mirror();
    const auto t = m.find_twin(twin);
    return m.state(t).props[m.find_property(t, "rul_est")].reported;
  };
  run(800);  // 40 plant hours
  REQUIRE(rul(*engine, "grinder").present);
  // the store holds the derived values' history
  {
    MirrorStore ro(with_store.store, StoreOptions{true});
    CHECK(ro.history("grinder", "rul_est").size() >= 50);
  }
  engine->stop();
  engine = std::make_unique<LiveEngine>(sc, reg, link2, with_store, clock);
  engine->start();
  int compared = 0, same = 0;
  for (int i = 0; i < 400; ++i) {  // 20 plant hours more
    run(1);
    for (const char* m : {"press", "grinder"}) {
      const Reported a = rul(ref, m), b = rul(*engine, m);
      if (!a.present || !b.present || a.seq != b.seq || a.session != b.session) continue;
      ++compared;
      same += std::abs(a.value.num - b.value.num) <= 1e-6 * std::max(1.0, a.value.num);
    }
  }
  INFO(same << " of " << compared << " estimates the same as the engine that never stopped");
  CHECK(compared > 500);
  CHECK(same >= compared * 0.99);
}

TEST_CASE("live monitor: an asset cannot report what the engine derives", "[live][monitor]") {
  Plant P(9);
  for (int i = 0; i < 200; ++i) P.step(0.05);
  const Reported before = P.reported("press", "p_fail");
  REQUIRE(before.present);
  const auto refused = P.engine->service().counters().unknown_property;
  InProcessLink intruder(P.bus, "intruder");
  intruder.connect();
  const TwinMirrorState& st = P.engine->mirror().state(P.engine->mirror().find_twin("press"));
  intruder.publish({"dtwin/cm1/press/reported",
                    nlohmann::json{{"session", st.session},
                                   {"seq", st.msg_seq + 1},
                                   {"ts", P.clock.now},
                                   {"values", {{"p_fail", 0.99}}}}
                        .dump(),
                    1, false, "", ""});
  P.engine->poll(0);
  CHECK(P.engine->service().counters().unknown_property == refused + 1);
  CHECK(P.reported("press", "p_fail").value == before.value);
  CHECK(P.engine->alerts()->active_count() == 0);
}
