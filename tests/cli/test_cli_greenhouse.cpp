// The greenhouse season through the dtwin binary: the HPS/LED pair prints yield, heating, lamp
// electricity and profit with their deltas; a bad weather file exits 2 naming it.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"

namespace fs = std::filesystem;

namespace {

using dtwin::test::Result;

Result run_dtwin(const std::string& args) {
  return dtwin::test::sh_cmd(std::string(DTWIN_BIN) + " " + args);
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// the HPS season scenario, shortened, with the weather path made absolute
fs::path short_season(const fs::path& dir, const std::string& epw) {
  auto doc = nlohmann::json::parse(
      read_all(fs::path(DTWIN_SOURCE_DIR) / "scenarios/greenhouse/tomato_season_hps.json"));
  doc["duration"] = "20d";
  doc["twins"]["gh"]["weather"]["epw"] = epw;
  const fs::path f = dir / "season.json";
  std::ofstream(f, std::ios::binary) << doc.dump(2);
  return f;
}

}  // namespace

TEST_CASE("greenhouse season: the lamp pair's table shows yield, energy and profit deltas",
          "[cli][greenhouse]") {
  const fs::path d = fs::temp_directory_path() / ("dtwin-test-gh-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  const std::string epw =
      (fs::path(DTWIN_SOURCE_DIR) / "assets/weather/pvgis_tmy_45.000N_8.000E_2005_2023.epw")
          .string();
  const auto f = short_season(d, epw);
  const auto r = run_dtwin("run " + f.string() + " --out " + (d / "o").string());
  REQUIRE(r.status == 0);
  for (const char* col :
       {"gh.yield_fresh_kg_m2 [kg/m2]", "gh.heating_mj_m2 [MJ/m2]",
        "gh.lamp_electricity_mj_m2 [MJ/m2]", "gh.profit_eur_m2 [EUR/m2]", "Δ vs baseline"})
    CHECK_THAT(r.out, Catch::Contains(col));
  CHECK_THAT(r.out, Catch::Contains("\nled "));
  const auto rep = nlohmann::json::parse(read_all(d / "o" / "report.json"));
  const auto& hps = rep["variants"]["baseline"]["twins"]["gh"];
  const auto& led = rep["variants"]["led"]["twins"]["gh"];
  // LED: 60% of HPS's electricity for the same light, more boiler heat
  CHECK(led["lamp_electricity_mj_m2"]["mean"].get<double>() /
            hps["lamp_electricity_mj_m2"]["mean"].get<double>() ==
        Approx(0.6).epsilon(0.03));
  CHECK(led["heating_mj_m2"]["mean"].get<double>() > hps["heating_mj_m2"]["mean"].get<double>());
  CHECK(hps.contains("profit_eur_m2"));
  const std::string ts = read_all(d / "o" / "timeseries.csv");
  // the season starts on a full date: the series has its calendar column
  CHECK(ts.rfind("time_s,time,gh.canopy.temp_c,gh.air.temp_c,", 0) == 0);
  CHECK_THAT(ts, Catch::Contains("\n0,2022-09-27T00:00:00,") &&
                     Catch::Contains("\n86400,2022-09-28T00:00:00,"));

  // a weather file that is not there: exit status 2, the member named
  const auto bad = short_season(d, (d / "missing.epw").string());
  const auto e = run_dtwin("run " + bad.string() + " --out " + (d / "bad").string());
  CHECK(e.status == 2);
  CHECK_THAT(e.out, Catch::Contains("/twins/gh/weather/epw") && Catch::Contains("missing.epw"));
  fs::remove_all(d);
}
