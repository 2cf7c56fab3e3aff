// EPW weather that is not one typical year: a part of a year, or several years in a row, read
// as the dates they are (gl_weather.hpp). The same hours give the run the same weather as the
// typical year they were cut from; a run outside the file's dates, a file without a start date
// and a missing hour are errors that say so.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "engine/base/calendar.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/twins/greenhouse/greenhouse_helpers.hpp"
#include "twins/greenhouse/greenlight_twin.hpp"

using namespace dtwin;
using namespace dtwin::greenhouse;
using Catch::Matchers::Contains;

namespace {

const std::string kTmy = test::source_path("assets/weather/pvgis_tmy_45.000N_8.000E_2005_2023.epw");

struct Epw {
  std::vector<std::string> header, rows;
};

Epw load_tmy() {
  Epw e;
  std::ifstream in(kTmy, std::ios::binary);
  for (std::string l; std::getline(in, l);) (e.header.size() < 8 ? e.header : e.rows).push_back(l);
  return e;
}

int field_of(const std::string& row, int k) {
  std::istringstream s(row);
  std::string f;
  for (int i = 0; i <= k; ++i) std::getline(s, f, ',');
  return std::stoi(f);
}

// the row with its year (and optionally its day) replaced
std::string dated(const std::string& row, int year, int day = -1) {
  std::istringstream s(row);
  std::vector<std::string> f;
  for (std::string x; std::getline(s, x, ',');) f.push_back(x);
  f[0] = std::to_string(year);
  if (day >= 0) f[2] = std::to_string(day);
  std::string out;
  for (std::size_t i = 0; i < f.size(); ++i) out += (i ? "," : "") + f[i];
  return out;
}

// a file of the header and these rows, and a 2-day season scenario over it from `start`
std::string scenario_over(const std::string& name, const std::vector<std::string>& rows,
                          const std::string& start, const std::string& duration = "30d") {
  // a directory of this process's own (ctest runs the cases side by side), removed at exit
  static const dtwin::test::TempDir dir("dtwin-dated");
  const std::string path = dir.file(name);
  std::ofstream os(path, std::ios::binary);
  for (const auto& l : load_tmy().header) os << l << "\n";
  for (const auto& l : rows) os << l << "\n";
  os.close();
  return R"({"duration": ")" + duration +
         R"(", "replications": 1, "twins": {"gh": {"kind": "greenlight_tomato",
    "solver": "cvode", "step": "1d", "lamp": "led",
    "weather": {"epw": ")" +
         path + R"(", "start": ")" + start + R"("}}}})";
}

const GlWeatherSeries& weather_of(const CompiledVariant& v) {
  return static_cast<const GreenLightModel&>(*v.models.at(0)).spec().weather;
}

// the two runs' weather agree hour by hour over `days`
void same_weather(const CompiledVariant& a, const CompiledVariant& b, double days) {
  for (double t = 0; t <= days * 86400; t += 3600) {
    const GlWeather x = weather_of(a).at(t), y = weather_of(b).at(t);
    INFO("t = " << t / 3600 << " h");
    REQUIRE(x.iGlob == Approx(y.iGlob).margin(1e-9));
    REQUIRE(x.tOut == Approx(y.tOut).margin(1e-9));
    REQUIRE(x.vpOut == Approx(y.vpOut).margin(1e-9));
    REQUIRE(x.wind == Approx(y.wind).margin(1e-9));
    REQUIRE(x.tSky == Approx(y.tSky).margin(1e-9));
    REQUIRE(x.dayRadSum == Approx(y.dayRadSum).margin(1e-9));
    REQUIRE(x.timeOfDay == Approx(y.timeOfDay).margin(1e-9));
  }
}

// the error a scenario raises, as "pointer | message"
std::string error_of(const std::string& text) {
  const ScenarioError e = test::compile_error(text);
  return e.pointer() + " | " + e.message();
}

}  // namespace

TEST_CASE("weather: a part of a year is read as its dates, the same hours as the typical year",
          "[greenhouse][weather][dated]") {
  const Epw tmy = load_tmy();
  std::vector<std::string> autumn;
  for (const auto& r : tmy.rows)
    if (field_of(r, 1) >= 9) autumn.push_back(dated(r, 2022));
  const auto part = test::compile_text(scenario_over("autumn.epw", autumn, "2022-09-27"));
  const auto whole = test::compile_text(scenario_over("tmy.epw", tmy.rows, "09-27"));
  same_weather(part, whole, 30);
  CHECK(weather_of(part).calendar_origin_s.has_value());
  // the soil's yearly wave from four months is fitted, not read off a whole year: near it
  const GlWeather a = weather_of(part).at(10 * 86400), b = weather_of(whole).at(10 * 86400);
  CHECK(a.tSoOut == Approx(b.tSoOut).margin(3));

  // outside the file's dates, or without a date to start on: errors that say what it covers
  CHECK_THAT(error_of(scenario_over("autumn.epw", autumn, "2022-08-01")),
             Contains("/twins/gh/weather/start") && Contains("covers 2022-09-01T00:00") &&
                 Contains("2023-01-01T00:00"));
  CHECK_THAT(error_of(scenario_over("autumn.epw", autumn, "2022-12-20")),
             Contains("needs weather from 2022-12-20T00:00 to 2023-01-19T00:00"));
  CHECK_THAT(error_of(scenario_over("autumn.epw", autumn, "09-27")),
             Contains("not one typical year") && Contains("YYYY-MM-DD"));
  // an hour missing in a dated file
  auto holed = autumn;
  holed.erase(holed.begin() + 500);
  CHECK_THAT(error_of(scenario_over("holed.epw", holed, "2022-09-27")),
             Contains("holed.epw:509:") && Contains("rows missing"));
}

TEST_CASE("weather: several years in a row run across New Year as the typical year wraps",
          "[greenhouse][weather][dated]") {
  const Epw tmy = load_tmy();
  std::vector<std::string> two;
  for (int y : {2021, 2022})
    for (const auto& r : tmy.rows) two.push_back(dated(r, y));
  const auto years = test::compile_text(scenario_over("two.epw", two, "2021-12-20"));
  const auto wrap = test::compile_text(scenario_over("tmy.epw", tmy.rows, "12-20"));
  same_weather(years, wrap, 30);
  // a typical year read as one keeps its 8760 rows
  CHECK(weather_of(wrap).calendar_origin_s.has_value() == false);
}

TEST_CASE("weather: a dated leap year keeps its February 29", "[greenhouse][weather][dated]") {
  const Epw tmy = load_tmy();
  std::vector<std::string> spring;
  for (const auto& r : tmy.rows) {
    const int m = field_of(r, 1), d = field_of(r, 2);
    if (m < 2 || m > 3) continue;
    spring.push_back(dated(r, 2024));
    if (m == 2 && d == 28) spring.push_back(dated(r, 2024, 29));  // a copy of the 28th
  }
  std::sort(spring.begin(), spring.end(), [](const std::string& a, const std::string& b) {
    const auto key = [](const std::string& r) {
      return field_of(r, 1) * 10000 + field_of(r, 2) * 100 + field_of(r, 3);
    };
    return key(a) < key(b);
  });
  const auto leap = test::compile_text(scenario_over("leap.epw", spring, "2024-02-28", "3d"));
  // the 29th is the 28th again, hour by hour; March 1 follows it
  for (double h = 0.5; h < 24; h += 1) {
    INFO("hour " << h);
    CHECK(weather_of(leap).at(h * 3600).tOut == weather_of(leap).at((h + 24) * 3600).tOut);
  }
  CHECK(weather_of(leap).at(48.5 * 3600).tOut != weather_of(leap).at(24.5 * 3600).tOut);
  CHECK_NOTHROW(test::compile_text(scenario_over("leap.epw", spring, "2024-02-29", "2d")));
  // a typical year has no February 29 to start on
  CHECK_THAT(error_of(scenario_over("tmy.epw", tmy.rows, "2024-02-29", "2d")),
             Contains("February 29"));
}

TEST_CASE("weather: a what-if from the live greenhouse starts its weather at the fork's date",
          "[greenhouse][weather][dated][whatif]") {
  // Mirrorable::fork_whatif: the engine asks the twin what its scenario member becomes at the
  // fork; a dated file needs the full date (a typical year's "MM-DD" is refused by it)
  const Epw tmy = load_tmy();
  std::vector<std::string> autumn;
  for (const auto& r : tmy.rows)
    if (field_of(r, 1) >= 9) autumn.push_back(dated(r, 2022));
  const std::string text = scenario_over("autumn.epw", autumn, "2022-09-27", "12d");
  const auto base = test::compile_text(text);
  const auto& gh = static_cast<const GreenLightModel&>(*base.models.at(0));
  const double fork =
      static_cast<double>(days_from_civil(2022, 10, 5)) * 86400 + 12 * 3600 + 34 * 60;  // 12:34 UTC
  WhatIfFork f;
  REQUIRE(gh.fork_whatif(nlohmann::json::object(), fork, f));
  CHECK(f.patch["twins"]["gh"]["weather"]["start"] == "2022-10-05T12:34Z");
  CHECK(f.objective == "profit_eur_m2");
  // the patched scenario compiles, its run starting at 13:34 of the file's time (UTC+1)
  nlohmann::json doc = nlohmann::json::parse(text);
  doc.merge_patch(f.patch);
  const auto forked = test::compile_text(doc.dump());
  const GlWeatherSeries& w = weather_of(forked);
  CHECK(w.local_origin_s ==
        Approx(static_cast<double>(days_from_civil(2022, 10, 5)) * 86400 + 13 * 3600 + 34 * 60));
  for (double h = 0.5; h < 24; h += 1) {
    INFO("hour " << h);
    CHECK(w.at(h * 3600).tOut ==
          Approx(weather_of(base).at((h + 8 * 24 + 13 + 34 / 60.0) * 3600).tOut));
  }

  // a typical year: "MM-DD", February 29 as the 28th; a bad request member is refused
  const auto typical = test::compile_text(scenario_over("tmy.epw", tmy.rows, "09-27", "2d"));
  const auto& tg = static_cast<const GreenLightModel&>(*typical.models.at(0));
  WhatIfFork g;
  REQUIRE(tg.fork_whatif(nlohmann::json::object(),
                         static_cast<double>(days_from_civil(2024, 2, 29)) * 86400 + 3600, g));
  CHECK(g.patch["twins"]["gh"]["weather"]["start"] == "02-28T01:00Z");
  CHECK_THROWS_WITH(tg.fork_whatif({{"horizon", 3}}, fork, g), Contains("unknown member"));
  CHECK_THROWS_WITH(tg.fork_whatif(nlohmann::json::array(), fork, g), Contains("an object"));
}
