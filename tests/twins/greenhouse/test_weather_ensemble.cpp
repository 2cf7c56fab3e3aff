// The greenhouse's weather ensemble (gl_ensemble.hpp): member 0 is the weather itself; the
// others' temperature paths have the declared spread and correlation time, their radiation
// factors a mean of 1; the same seed and replication give the same member; in a run,
// replication r reads member r, and a forecast replaces the file's weather over its span.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "engine/base/calendar.hpp"
#include "tests/twins/greenhouse/greenhouse_helpers.hpp"
#include "twins/greenhouse/gl_ensemble.hpp"
#include "twins/greenhouse/greenlight_twin.hpp"

using namespace dtwin;
using namespace dtwin::greenhouse;

namespace {

GlEnsembleSpec spec_for(double days, bool forecast) {
  const nlohmann::json j = nlohmann::json::object();
  return parse_gl_ensemble(Node(j), days * 86400, forecast);
}

double sd(const std::vector<double>& x) {
  double m = 0, s = 0;
  for (double v : x) m += v;
  m /= static_cast<double>(x.size());
  for (double v : x) s += (v - m) * (v - m);
  return std::sqrt(s / static_cast<double>(x.size() - 1));
}

// lag-k autocorrelation of x
double autocorr(const std::vector<double>& x, std::size_t k) {
  double m = 0;
  for (double v : x) m += v;
  m /= static_cast<double>(x.size());
  double num = 0, den = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    den += (x[i] - m) * (x[i] - m);
    if (i + k < x.size()) num += (x[i] - m) * (x[i + k] - m);
  }
  return num / den;
}

std::string scenario(const std::string& weather_extra, const std::string& start = "10-05") {
  return R"({"name": "gl ensemble", "duration": "3d", "replications": 1,
    "twins": {"gh": {"kind": "greenlight_tomato", "step": "1h", "rtol": 0.001, "lamp": "led",
      "crop": {"initial": {"c_leaf_mg_m2": 4368, "c_stem_mg_m2": 1560, "c_fruit_mg_m2": 312}},
      "weather": {"epw": ")" +
         test::source_path("assets/weather/pvgis_tmy_45.000N_8.000E_2005_2023.epw") +
         R"(", "start": ")" + start + "\"" + weather_extra + "}}}}";
}

double kpi(const CompiledVariant& v, std::uint32_t replication, const std::string& key) {
  World w(v.models);
  w.start(RunContext{v.settings.seed, replication});
  w.run_until(v.settings.duration_s);
  const Metrics m = w.collect();
  const auto* x = m.find(key);
  REQUIRE(x != nullptr);
  return x->value;
}

}  // namespace

TEST_CASE("weather ensemble: member 0 is the weather, members are reproducible and differ",
          "[greenhouse][ensemble]") {
  const GlEnsembleSpec e = spec_for(7, false);
  CHECK(e.hours == 169);
  CHECK(e.days == 8);
  const auto m0 = gl_ensemble_member(e, 1, 0, "gh");
  REQUIRE(m0.size() == e.size());
  for (std::size_t i = 0; i < e.hours; ++i) CHECK(m0[i] == 0);
  for (std::size_t i = e.hours; i < m0.size(); ++i) CHECK(m0[i] == 1);
  CHECK(gl_ensemble_member(e, 1, 3, "gh") == gl_ensemble_member(e, 1, 3, "gh"));
  CHECK(gl_ensemble_member(e, 1, 3, "gh") != gl_ensemble_member(e, 1, 4, "gh"));
  CHECK(gl_ensemble_member(e, 1, 3, "gh") != gl_ensemble_member(e, 2, 3, "gh"));
  // the perturbation of a weather: interpolated offsets, the day's factor, vapour capped
  std::vector<double> m(e.size(), 0.0);
  for (std::size_t i = e.hours; i < m.size(); ++i) m[i] = 1;
  m[1] = 2;
  m[2] = 4;
  m[e.hours + 0] = 0.5;
  GlWeather w{};
  w.tOut = 10;
  w.tSky = -5;
  w.vpOut = gl_sat_vp(10);
  w.iGlob = 300;
  w.dayRadSum = 8;
  gl_perturb(e, m.data(), 1.5 * 3600, w);
  CHECK(w.tOut == Approx(13));
  CHECK(w.tSky == Approx(-2));
  CHECK(w.iGlob == Approx(150));
  CHECK(w.dayRadSum == Approx(4));
  m[1] = m[2] = -4;
  GlWeather c{};
  c.tOut = 10;
  c.vpOut = gl_sat_vp(10);
  gl_perturb(e, m.data(), 1.5 * 3600, c);
  CHECK(c.vpOut == Approx(gl_sat_vp(6)));  // no air above saturation
}

TEST_CASE("weather ensemble: spreads and correlation time as declared", "[greenhouse][ensemble]") {
  // one long member: its hourly offsets are a stationary AR(1) of sd 2 K and 48 h
  const GlEnsembleSpec e = spec_for(2000, false);
  const auto m = gl_ensemble_member(e, 7, 1, "gh");
  const std::vector<double> t(m.begin(), m.begin() + static_cast<std::ptrdiff_t>(e.hours));
  const std::vector<double> r(m.begin() + static_cast<std::ptrdiff_t>(e.hours), m.end());
  CHECK(sd(t) == Approx(2).epsilon(0.1));
  CHECK(autocorr(t, 1) == Approx(std::exp(-1.0 / 48)).margin(0.01));
  CHECK(autocorr(t, 48) == Approx(std::exp(-1.0)).margin(0.1));
  double mean = 0;
  std::vector<double> logs;
  for (double x : r) mean += x, logs.push_back(std::log(x));
  CHECK(mean / static_cast<double>(r.size()) == Approx(1).margin(0.03));
  CHECK(sd(logs) == Approx(0.3).margin(0.03));
  // around a forecast the spread grows with lead time: 0.5 K now, 0.5 + 7 x 0.4 K in a week
  const GlEnsembleSpec f = spec_for(7, true);
  std::vector<double> now, week;
  for (std::uint32_t k = 1; k <= 800; ++k) {
    const auto x = gl_ensemble_member(f, 3, k, "gh");
    now.push_back(x[0]);
    week.push_back(x[168]);
  }
  CHECK(sd(now) == Approx(0.5).epsilon(0.1));
  CHECK(sd(week) == Approx(3.3).epsilon(0.1));
}

TEST_CASE("weather ensemble: replication r runs member r, a forecast replaces the weather",
          "[greenhouse][ensemble]") {
  const auto plain = test::compile_text(scenario(""));
  const auto ens = test::compile_text(scenario(R"(, "ensemble": {})"));
  const std::string heat = "gh.heating_mj_m2";
  // member 0 is the weather itself: the same heat to the last bit
  CHECK(kpi(ens, 0, heat) == kpi(plain, 0, heat));
  const double h1 = kpi(ens, 1, heat), h2 = kpi(ens, 2, heat);
  CHECK(h1 != h2);
  CHECK(kpi(ens, 1, heat) == h1);  // the same seed, the same member
  CHECK(kpi(plain, 1, heat) == kpi(plain, 0, heat));
  // with an ensemble and no prices, the header's prices: a profit
  World w(ens.models);
  w.start(RunContext{1, 0});
  w.run_until(3600);
  CHECK(w.collect().find("gh.profit_eur_m2") != nullptr);
  // a cold forecast over the three days costs heat
  const auto cold = test::compile_text(scenario(
      R"(, "forecast": {"time_h": [0, 72], "temp_c": [-5, -5], "rh_pct": [80, 80],
           "rad_w_m2": [0, 0], "wind_m_s": [3, 3]})"));
  CHECK(kpi(cold, 0, heat) > 1.3 * kpi(plain, 0, heat));
}

TEST_CASE("weather ensemble: bad members and forecasts are located", "[greenhouse][ensemble]") {
  auto err = test::compile_failure(scenario(R"(, "ensemble": {"temp_sd": 2})"));
  REQUIRE(err);
  CHECK(err->pointer() == "/twins/gh/weather/ensemble/temp_sd");
  err = test::compile_failure(scenario(
      R"(, "forecast": {"time_h": [0, 1], "temp_c": [5, 5], "rh_pct": [80, 180],
           "rad_w_m2": [0, 0], "wind_m_s": [3, 3]})"));
  REQUIRE(err);
  CHECK(err->pointer() == "/twins/gh/weather/forecast/rh_pct/1");
  err = test::compile_failure(scenario(
      R"(, "forecast": {"time_h": [0, 1, 1], "temp_c": [5, 5, 5], "rh_pct": [80, 80, 80],
           "rad_w_m2": [0, 0, 0], "wind_m_s": [3, 3, 3]})"));
  REQUIRE(err);
  CHECK(err->pointer() == "/twins/gh/weather/forecast/time_h/2");
  err = test::compile_failure(scenario(
      R"(, "forecast": {"time_h": [0, 1], "temp_c": [5], "rh_pct": [80, 80],
           "rad_w_m2": [0, 0], "wind_m_s": [3, 3]})"));
  REQUIRE(err);
  CHECK(err->pointer() == "/twins/gh/weather/forecast/temp_c");
}

TEST_CASE("weather: a start with an hour, local or UTC, as a what-if forks at that minute",
          "[greenhouse][ensemble]") {
  const auto weather = [](const std::string& start) {
    const auto v = test::compile_text(scenario("", start));
    return dynamic_cast<const GreenLightModel&>(*v.models.at(0)).spec().weather;
  };
  const GlWeatherSeries day = weather("10-05"), noon = weather("10-05T12:00");
  const GlWeatherSeries utc = weather("10-05T11:00Z");  // the file's zone is UTC+1
  for (double t : {0.0, 5400.0, 86400.0}) {
    const GlWeather a = day.at(t + 12 * 3600), b = noon.at(t), c = utc.at(t);
    CHECK(b.tOut == Approx(a.tOut));
    CHECK(b.iGlob == Approx(a.iGlob).margin(1e-9));
    CHECK(b.timeOfDay == Approx(a.timeOfDay));
    CHECK(b.dayRadSum == Approx(a.dayRadSum));
    CHECK(b.tSoOut == Approx(a.tSoOut));
    CHECK(c.tOut == Approx(b.tOut));
    CHECK(c.timeOfDay == Approx(b.timeOfDay));
  }
  // crossing midnight backwards: 00:30 UTC on Jan 1 is 01:30 local, and 23:30 UTC on Dec 31
  // is 00:30 local on Jan 1
  CHECK(weather("01-01T00:30Z").at(0).timeOfDay == Approx(1.5));
  CHECK(weather("12-31T23:30Z").at(0).tOut == Approx(weather("01-01T00:30").at(0).tOut));
  auto err = test::compile_failure(scenario("", "10-05T25:00"));
  REQUIRE(err);
  CHECK(err->pointer() == "/twins/gh/weather/start");
  err = test::compile_failure(scenario("", "2022-10-05T10:0x"));
  REQUIRE(err);
  CHECK(err->pointer() == "/twins/gh/weather/start");
  // a full date with an hour: the same weather, and the calendar from that hour (UTC: the
  // file's local standard time, an hour later)
  const GlWeatherSeries dated = weather("2022-10-05T12:00"),
                        dated_utc = weather("2022-10-05T11:00Z");
  const double noon_s = static_cast<double>(days_from_civil(2022, 10, 5)) * 86400 + 12 * 3600;
  REQUIRE(dated.calendar_origin_s.has_value());
  CHECK(*dated.calendar_origin_s == noon_s);
  CHECK(*dated_utc.calendar_origin_s == noon_s);
  CHECK(dated.at(5400).tOut == Approx(noon.at(5400).tOut));
}
