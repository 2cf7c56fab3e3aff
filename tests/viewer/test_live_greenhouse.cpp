// A live greenhouse in the viewer: the world rebuilt from the mirror takes the measured climate
// (assimilate), and the figures shown are what the greenhouse reported, not what the fresh
// world's weather and controller would make of the scenario's start.
#include <catch2/catch.hpp>

#include <iterator>
#include <map>
#include <string>
#include <utility>

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

  // what the greenhouse reports and where the viewer shows it
  const std::pair<const char*, double GreenhouseNow::*> shown[] = {
      {"air_temp", &GreenhouseNow::air_c},        {"rh", &GreenhouseNow::rh_pct},
      {"co2", &GreenhouseNow::co2_ppm},           {"pipe_temp", &GreenhouseNow::pipe_c},
      {"outdoor_temp", &GreenhouseNow::out_c},    {"radiation", &GreenhouseNow::rad_w_m2},
      {"lamps", &GreenhouseNow::lamps},           {"roof_vents", &GreenhouseNow::vents},
      {"thermal_screen", &GreenhouseNow::screen}, {"heating", &GreenhouseNow::boiler_w_m2}};
  const double values[] = {24.5, 66, 850, 41, 12, 300, 1, 0.25, 0, 20};
  nlohmann::json reported = {{"tSpNight", {{"value", 16}, {"quality", "good"}}}};
  for (std::size_t i = 0; i < std::size(values); ++i)
    reported[shown[i].first] = {{"value", values[i]}, {"quality", "good"}};
  std::map<std::string, LiveSource::Twin> twins;
  twins["gh"].j = {{"id", "gh"}, {"reported", reported}};
  s.playback().restart(live_init(twins));
  s.set_live_reported({{"gh", reported}});
  const GreenhouseNow& n = s.greenhouse_now(0);
  for (std::size_t i = 0; i < std::size(values); ++i) {
    INFO(shown[i].first);
    CHECK(n.*shown[i].second == values[i]);
  }
  CHECK(n.lamp_w_m2 > 0);  // from the lamps' share and their power
  CHECK(n.boiler > 0);     // from the heating power and the boiler's
  // the world itself took the measured climate and the setting in force
  const auto j = s.world().models().at(0)->state_json(s.world(), 0);
  CHECK(j["values"]["air.temp_c"] == 24.5);
  CHECK(j["params"]["tSpNight"] == 16);
}
