// A live greenhouse in the viewer: the world rebuilt from the mirror takes the measured climate
// (assimilate), and the figures shown are what the greenhouse reported, not what the fresh
// world's weather and controller would make of the scenario's start.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "viewer/live_source.hpp"
#include "viewer/session.hpp"

using namespace dtwin;
using namespace dtwin::viewer;

TEST_CASE("live view: a greenhouse shows what it reported") {
  const Scenario sc =
      Scenario::load(std::string(DTWIN_SOURCE_DIR) + "/scenarios/live/greenhouse.json");
  Session s(sc, Session::Options{"baseline", 1});
  REQUIRE(s.greenhouses().size() == 1);
  const GreenhouseNow before = s.greenhouse_now(0);
  CHECK(before.air_c == 18.5);  // the scenario's start

  auto value = [](double v) { return nlohmann::json{{"value", v}, {"quality", "good"}}; };
  std::map<std::string, LiveSource::Twin> twins;
  twins["gh"].j = {{"id", "gh"},
                   {"reported",
                    {{"air_temp", value(24.5)},
                     {"rh", value(66)},
                     {"co2", value(850)},
                     {"pipe_temp", value(41)},
                     {"outdoor_temp", value(12)},
                     {"radiation", value(300)},
                     {"lamps", value(1)},
                     {"roof_vents", value(0.25)},
                     {"thermal_screen", value(0)},
                     {"heating", value(20)},
                     {"tSpNight", value(16)}}}};
  s.playback().restart(live_init(twins));
  std::map<std::string, nlohmann::json> reported;
  reported["gh"] = twins["gh"].j["reported"];
  s.set_live_reported(reported);
  const GreenhouseNow& n = s.greenhouse_now(0);
  CHECK(n.air_c == 24.5);
  CHECK(n.rh_pct == 66);
  CHECK(n.co2_ppm == 850);
  CHECK(n.pipe_c == 41);
  CHECK(n.out_c == 12);
  CHECK(n.rad_w_m2 == 300);
  CHECK(n.lamps == 1);
  CHECK(n.lamp_w_m2 > 0);
  CHECK(n.vents == 0.25);
  CHECK(n.screen == 0);
  CHECK(n.boiler_w_m2 == 20);
  CHECK(n.boiler > 0);
  // the world itself took the measured climate and the setting in force
  const auto j = s.world().models().at(0)->state_json(s.world(), 0);
  CHECK(j["values"]["air.temp_c"] == 24.5);
  CHECK(j["params"]["tSpNight"] == 16);
}
