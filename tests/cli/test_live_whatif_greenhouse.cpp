// dtwin whatif --from live on the greenhouse, as a user runs it through a real Mosquitto broker:
// dtwin serve and dtwin emulate of scenarios/live/greenhouse.json, then a 7-day what-if over a
// weather ensemble (replications are members): KPIs with units and confidence intervals that
// are not zero-wide, the same answer to the same question, a forecast file (and its errors
// located), --apply of the winner's set point.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/live_cli_env.hpp"

namespace fs = std::filesystem;

namespace {

// the shipped live greenhouse with its weather file beside it and four variants
std::string scenario_text() {
  std::ifstream in(std::string(DTWIN_SOURCE_DIR) + "/scenarios/live/greenhouse.json");
  nlohmann::json s = nlohmann::json::parse(in);
  s["twins"]["gh"]["weather"]["epw"] = "tmy.epw";
  s["live"]["plant"] = "ghwi";
  s["variants"]["warm_days"] = {{"twins", {{"gh", {{"control", {{"tSpDay", 21}}}}}}}};
  s["variants"]["long_lamps"] = {{"twins", {{"gh", {{"control", {{"lampsOff", 20}}}}}}}};
  return s.dump();
}

struct Env : dtwin::test::LiveCliEnv {
  Env() : LiveCliEnv(scenario_text(), "ghwi", "live-whatif-gh") {
    fs::copy_file(
        std::string(DTWIN_SOURCE_DIR) + "/assets/weather/pvgis_tmy_45.000N_8.000E_2005_2023.epw",
        dir / "tmy.epw");
  }
};

const nlohmann::json& kpi(const nlohmann::json& res, const std::string& variant,
                          const std::string& name, bool delta = false) {
  const auto& v = res["report"]["variants"][variant];
  return (delta ? v["delta_vs_baseline"] : v)["twins"]["gh"][name];
}

double width(const nlohmann::json& k) {
  return k["ci95"][1].get<double>() - k["ci95"][0].get<double>();
}

}  // namespace

TEST_CASE("cli live greenhouse: a 7-day what-if over a weather ensemble, a forecast, --apply",
          "[cli][live][mqtt][greenhouse]") {
  Env e;
  auto serve = e.serve("serve.log");
  auto emu = e.emulate("emulate.log");
  const auto got = e.json_until(
      "get gh --timeout 2s",
      [](const nlohmann::json& x) { return x["reported"].contains("dry_weight"); }, 30);
  INFO(e.log("serve.log") + e.log("emulate.log"));
  REQUIRE(got["reported"].contains("dry_weight"));
  emu->stop();  // the plant holds still: the same fork for every question below

  const std::string q = "whatif --from live --horizon 7d --members 6 --weather-start 10-05 --json";
  auto r = e.dtwin(q);
  INFO(r.out);
  REQUIRE(r.status == 0);
  const auto a = nlohmann::json::parse(r.out);
  CHECK(a["weather_ensemble"] == true);
  CHECK(a["replications"] == 6);
  CHECK(a["horizon_s"] == 7 * 86400.0);
  // the fork took the crop
  int crop = 0;
  for (const auto& o : a["assimilated"])
    if ((o["prop"] == "lai" || o["prop"] == "dry_weight") && o["taken"] == true) ++crop;
  CHECK(crop == 2);
  // KPIs with units, over the members: not zero-wide, and the members differ
  for (const char* k : {"dry_weight_kg_m2", "heating_mj_m2", "heating_gas_m3_m2",
                        "lamp_electricity_kwh_m2", "co2_used_kg_m2", "profit_eur_m2"}) {
    INFO(k);
    REQUIRE(kpi(a, "baseline", k).contains("ci95"));
    CHECK(kpi(a, "baseline", k)["n"] == 6);
    CHECK(width(kpi(a, "baseline", k)) > 0);
  }
  CHECK(width(kpi(a, "cool_nights", "heating_mj_m2", true)) > 0);
  CHECK(kpi(a, "cool_nights", "heating_mj_m2", true)["ci95"][1].get<double>() < 0);
  const std::string table = a["table"];
  for (const char* col : {"gh.yield_fresh_kg_m2 [kg/m2]", "gh.heating_gas_m3_m2 [m3/m2]",
                          "gh.lamp_electricity_kwh_m2 [kWh/m2]", "gh.co2_used_kg_m2 [kg/m2]",
                          "gh.profit_eur_m2 [EUR/m2]", "warm_days", "long_lamps", "less_co2"})
    CHECK(table.find(col) != std::string::npos);
  CHECK(a["objective"]["kpi"] == "profit_eur_m2");

  // the same question, the same answer
  r = e.dtwin(q);
  REQUIRE(r.status == 0);
  const auto b = nlohmann::json::parse(r.out);
  CHECK(b["report"]["variants"] == a["report"]["variants"]);
  CHECK(b["table"] == a["table"]);

  // a forecast: a cold week ahead costs heat; members spread around it
  {
    std::ofstream f(e.dir / "forecast.csv");
    f << "# a cold week\ntime_h,temp_c,rh_pct,rad_w_m2,wind_m_s\n";
    for (int h = 0; h <= 168; ++h)
      f << h << "," << -5 << ",80," << ((h % 24 >= 8 && h % 24 <= 16) ? 150 : 0) << ",3\n";
  }
  r = e.dtwin(
      "whatif --from live --horizon 7d --members 4 --variant cool_nights --json "
      "--weather-start 10-05 --forecast " +
      (e.dir / "forecast.csv").string());
  INFO(r.out);
  REQUIRE(r.status == 0);
  const auto c = nlohmann::json::parse(r.out);
  CHECK(kpi(c, "baseline", "heating_mj_m2")["mean"].get<double>() >
        1.3 * kpi(a, "baseline", "heating_mj_m2")["mean"].get<double>());
  CHECK(width(kpi(c, "baseline", "heating_mj_m2")) > 0);

  // a bad forecast: its place, exit 2
  std::ofstream(e.dir / "bad.csv") << "time_h,temp_c,rh_pct,rad_w_m2,wind_m_s\n0,5,80,0,2\n"
                                      "1,5,180,0,2\n";
  r = e.dtwin("whatif --from live --horizon 7d --forecast " + (e.dir / "bad.csv").string());
  CHECK(r.status == 2);
  CHECK(r.out.find("bad.csv:3:5: rh_pct: expected a number from 0 to 100, got \"180\"") !=
        std::string::npos);
  std::ofstream(e.dir / "nocol.csv") << "time_h,temp_c,rh_pct,wind_m_s\n0,5,80,2\n";
  r = e.dtwin("whatif --from live --horizon 7d --forecast " + (e.dir / "nocol.csv").string());
  CHECK(r.status == 2);
  CHECK(r.out.find("nocol.csv:1:1: no column \"rad_w_m2\"") != std::string::npos);

  // a bad date: the twin's own check, located in the what-if's patch
  r = e.dtwin("whatif --from live --horizon 1d --weather-start 13-45");
  CHECK(r.status == 2);
  CHECK(r.out.find("/twins/gh/weather/start: in the what-if patch: expected a date") !=
        std::string::npos);
  CHECK(r.out.find("(bad_whatif)") != std::string::npos);

  // --apply: the winner's set point becomes a desired value (the plant is away: pending)
  r = e.dtwin(
      "whatif --from live --horizon 7d --members 4 --variant cool_nights "
      "--weather-start 10-05 --objective heating_mj_m2 --minimize --apply");
  INFO(r.out);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("best on heating_mj_m2 (lower is better): cool_nights") != std::string::npos);
  CHECK(r.out.find("gh.tSpNight := 16") != std::string::npos);
  const auto d = e.json_until(
      "get gh.tSpNight --timeout 2s", [](const nlohmann::json& x) { return x.contains("desired"); },
      10);
  INFO(d.dump());
  CHECK(d["desired"]["value"] == 16);
  CHECK(serve->stop() == 0);
}
