// What-if on a parameter from the viewer's panel (no window): parsing, the merge patch, a run
// forked at t = 2 h of the five-station line, and the errors.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "engine/base/error.hpp"
#include "engine/scenario/scenario.hpp"
#include "engine/sim/world.hpp"
#include "engine/transport/mqtt_link.hpp"
#include "twins/register.hpp"
#include "viewer/live_source.hpp"
#include "viewer/whatif_panel.hpp"

using namespace dtwin;
using namespace dtwin::viewer;

namespace {

const std::string kFive = std::string(DTWIN_SOURCE_DIR) + "/scenarios/line/five_station.json";

struct Session {
  Scenario sc = Scenario::load(kFive);
  Registry reg;
  std::unique_ptr<World> w;
  Session() {
    twins::register_all(reg);
    const CompiledVariant cv = sc.compile(0, reg);
    w = std::make_unique<World>(cv.models);
    w->start(RunContext{7, 0});
    w->run_until(2 * 3600);
  }
};

// Runs a what-if to its end; the report's paired delta of `kpi`.
nlohmann::json run(Session& s, WhatIfPanel& p, const std::string& text, const std::string& twin,
                   const std::string& kpi) {
  WhatIfAsk a;
  std::string why;
  REQUIRE(parse_whatif(text, twin, a, &why));
  p.start_sim(s.sc, "baseline", 7, *s.w, a, 2);
  const auto end = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (!p.poll() && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE_FALSE(p.running());
  INFO(p.error());
  REQUIRE(p.error().empty());
  REQUIRE(p.report().is_object());
  std::string var;
  for (const auto& [name, unused] : p.report()["variants"].items())
    if (name != "baseline") var = name;
  return p.report()["variants"][var]["delta_vs_baseline"]["kpis"][kpi];
}

}  // namespace

TEST_CASE("what-if on a parameter: parsing and the merge patch") {
  std::string why;
  WhatIfAsk a;
  REQUIRE(parse_whatif("process.mean = 50", "m2", a, &why));
  CHECK(a.twin == "process");  // no twin "process": start_sim reads it as m2's path
  CHECK(a.prop == "mean");
  CHECK(a.selected == "m2");
  CHECK(a.value == 50);
  REQUIRE(parse_whatif("m2.process.mean=40 for 2h x 4", "", a, &why));
  CHECK(a.twin == "m2");
  CHECK(a.prop == "process.mean");
  CHECK(a.horizon_s == 2 * 3600);
  CHECK(a.replications == 4);
  REQUIRE(parse_whatif("mttr = 5min", "m1", a, &why));
  CHECK(a.value == "5min");
  REQUIRE(parse_whatif("m2.process = {\"dist\": \"exponential\", \"mean\": 40}", "b1", a, &why));
  CHECK(a.twin == "m2");
  CHECK(a.prop == "process");
  CHECK(a.value == nlohmann::json({{"dist", "exponential"}, {"mean", 40}}));
  CHECK(a.label() == "m2.process={\"dist\":\"exponential\",\"mean\":40}");
  CHECK_FALSE(parse_whatif("m2.process..mean = 4", "", a, &why));
  CHECK(why.find("empty name") != std::string::npos);

  CHECK(parameter_patch("m2", "process.mean", 50) ==
        nlohmann::json::parse(R"({"twins": {"m2": {"process": {"mean": 50}}}})"));
  CHECK(parameter_patch("b1", "capacity", 8) ==
        nlohmann::json::parse(R"({"twins": {"b1": {"capacity": 8}}})"));

  // the scenario's own variant and the same patch given as a what-if compile to one document
  Registry reg;
  twins::register_all(reg);
  const Scenario sc = Scenario::load(kFive);
  const auto own = sc.compile(sc.find_variant("faster_m2"), reg);
  const auto extra = sc.compile(0, reg, parameter_patch("m2", "process.mean", 50), "x");
  CHECK(extra.name == "x");
  CHECK(extra.doc == own.doc);
  CHECK(extra.models.size() == own.models.size());
}

TEST_CASE("what-if on a parameter: the bottleneck faster, from t = 2 h, the world unchanged") {
  Session s;
  const World before(*s.w);
  WhatIfPanel p;
  // m1 (mean 60 s, available 100/110) limits the line; m2 (60 s) does not fail
  const auto d = run(s, p, "process.mean = 30 for 8h x 10", "m1", "throughput_per_h");
  INFO(d.dump());
  CHECK(d["mean"].get<double>() > 0);
  CHECK(d["ci95"][0].get<double>() > 0);  // the interval excludes 0
  CHECK(p.forked_at() == 2 * 3600);
  CHECK(p.text().find("m1.process.mean=30") != std::string::npos);
  CHECK(s.w->now() == 2 * 3600);
  CHECK(s.w->same_state(before));
}

TEST_CASE("what-if on a parameter: a bigger buffer, a duration, and bad input") {
  Session s;
  WhatIfPanel p;
  const auto wip = run(s, p, "capacity = 20 x 10", "b1", "wip");
  INFO(wip.dump());
  CHECK(wip["mean"].get<double>() >= 0);
  // shorter repairs of m1: more parts (a duration string where the scenario takes one)
  const auto th = run(s, p, "m1.mttr = 1min x 10", "", "throughput_per_h");
  INFO(th.dump());
  CHECK(th["mean"].get<double>() > 0);

  auto refused = [&](const std::string& text, const std::string& twin) {
    WhatIfAsk a;
    std::string why;
    REQUIRE(parse_whatif(text, twin, a, &why));
    std::string msg;
    try {
      p.start_sim(s.sc, "baseline", 7, *s.w, a);
    } catch (const UsageError& e) {
      msg = e.what();
    }
    CHECK_FALSE(p.running());
    return msg;
  };
  std::string m = refused("process.meen = 50", "m1");
  CHECK(m.find("/twins/m1/process/meen") != std::string::npos);
  CHECK(m.find("in the what-if patch") != std::string::npos);
  m = refused("m9.capacity = 8", "");
  CHECK(m.find("no twin \"m9\"") != std::string::npos);
  m = refused("m9.capacity = 8", "b1");  // read as b1's path "m9.capacity"
  CHECK(m.find("no twin \"m9\"") != std::string::npos);
  CHECK(m.find("/twins/b1/m9") != std::string::npos);
  m = refused("capacity = -3", "b1");
  CHECK(m.find("/twins/b1/capacity") != std::string::npos);
  m = refused("mttr = soon", "m1");
  CHECK(m.find("/twins/m1/mttr") != std::string::npos);
  CHECK(s.w->now() == 2 * 3600);
}

TEST_CASE("what-if on a parameter: live mode asks the engine with a patch") {
  MqttOptions mo;
  mo.url = "mqtt://127.0.0.1:1";  // nothing listens there: no answer (tests/twins/line has one)
  LiveSource src([&] { return std::unique_ptr<Link>(new MqttLink(mo)); },
                 LiveSource::Options{"line1", 0.1, 300});
  WhatIfPanel p;
  WhatIfAsk a;
  std::string why;
  REQUIRE(parse_whatif("m2.process.mean = 40", "", a, &why));
  p.start_live(src, a);
  CHECK(p.running());
  CHECK(p.text().find("m2.process.mean=40") != std::string::npos);
}
