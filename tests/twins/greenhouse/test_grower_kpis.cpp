// Grower KPIs of the greenhouse twins: heat as natural gas and kWh, the lamps' electricity in
// kWh and their hours, the daily light integral at the canopy (a KPI and a per-day column),
// against hand computations; the light integral moves no other result and does not depend on
// how often the run is sampled.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "tests/twins/greenhouse/greenhouse_helpers.hpp"
#include "twins/greenhouse/greenlight_twin.hpp"

using namespace dtwin;
using namespace dtwin::greenhouse;

namespace {

const std::string kEpw = test::source_path("assets/weather/pvgis_tmy_45.000N_8.000E_2005_2023.epw");

double kpi(const Metrics& m, const std::string& key) {
  const auto* v = m.find(key);
  INFO(key);
  REQUIRE(v != nullptr);
  return v->value;
}

// the column `name` of a time series, as numbers
std::vector<double> column(const std::string& csv, const std::string& name) {
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  std::size_t index = 0, i = 0;
  bool found = false;
  std::istringstream h(line);
  for (std::string cell; std::getline(h, cell, ','); ++i)
    if (cell == name) index = i, found = true;
  REQUIRE(found);
  std::vector<double> out;
  while (std::getline(in, line)) {
    std::istringstream r(line);
    std::string cell;
    for (std::size_t k = 0; k <= index; ++k) std::getline(r, cell, ',');
    out.push_back(std::stod(cell));
  }
  return out;
}

}  // namespace

TEST_CASE("DLI at the canopy under constant sun: the hand computation", "[greenhouse][grower]") {
  // 300 W/m2 of sun day and night, 20 degC outside (the thermal screen stays open), no lamps:
  // PAR above the canopy = sun PAR through the roof, constant; DLI = that x 86400 s
  const auto v = test::compile_text(R"({"duration": "3d", "sample_interval": "6h",
    "replications": 1, "twins": {"gh": {"kind": "greenlight_tomato", "solver": "cvode",
      "step": "1h", "lamp": "none",
      "weather": {"constant": {"rad_w_m2": 300, "temp_c": 20, "rh_pct": 70, "wind_m_s": 2,
                               "sky_temp_c": 10}}}}})");
  const GlParams& p = static_cast<const GreenLightModel&>(*v.models.at(0)).spec().p;
  // W m-2 of global radiation -> PAR inside (VT2011: the share absorbed by the glass, the PAR
  // fraction, the roof's PAR transmission) -> umol m-2 s-1
  const double par = p.parJtoUmolSun * (1 - p.etaGlobAir) * p.etaGlobPar * p.tauRfPar * 300;
  const double dli = par * 86400 * 1e-6;  // mol m-2 d-1
  std::ostringstream ts;
  const Metrics m = run_one(v, RunTask{0, 0, 0}, &ts).metrics;
  CHECK(kpi(m, "gh.dli_mol_m2_d") == Approx(dli).epsilon(1e-3));
  CHECK(kpi(m, "gh.lamp_hours_h") == 0);
  CHECK(kpi(m, "gh.lamp_electricity_kwh_m2") == 0);
  // the model's own PAR column, constant, integrates to the same
  for (double x : column(ts.str(), "gh.crop.par_above_umol_m2_s"))
    CHECK(x * 86400 * 1e-6 == Approx(kpi(m, "gh.dli_mol_m2_d")).epsilon(1e-6));
  // the per-day column: 0 on the first day, then the day before's integral
  const auto day = column(ts.str(), "gh.crop.dli_prev_day_mol_m2");
  REQUIRE(day.size() == 13);  // every 6 h over 3 days
  for (std::size_t i = 0; i < 4; ++i) CHECK(day[i] == 0);
  for (std::size_t i = 4; i < day.size(); ++i) CHECK(day[i] == Approx(dli).epsilon(1e-3));
}

TEST_CASE("gas, kWh and lamp hours are the energy KPIs converted", "[greenhouse][grower]") {
  const auto v = test::compile_text(R"({"duration": "5d", "sample_interval": "1d",
    "replications": 1, "twins": {"gh": {"kind": "greenlight_tomato", "solver": "cvode",
      "step": "1d", "lamp": "hps", "weather": {"epw": ")" +
                                    kEpw + R"(", "start": "2022-12-01"}}}})");
  const double theta = static_cast<const GreenLightModel&>(*v.models.at(0)).spec().p.thetaLampMax;
  const Metrics m = run_one(v, RunTask{0, 0, 0}, nullptr).metrics;
  const double heat = kpi(m, "gh.heating_mj_m2"), lamp = kpi(m, "gh.lamp_electricity_mj_m2");
  REQUIRE(heat > 0);
  REQUIRE(lamp > 0);
  CHECK(kpi(m, "gh.heating_gas_m3_m2") == Approx(heat / 31.65));  // Groningen gas, LHV
  CHECK(kpi(m, "gh.heating_kwh_m2") == Approx(heat / 3.6));
  CHECK(kpi(m, "gh.lamp_electricity_kwh_m2") == Approx(lamp / 3.6));
  // hours at full power: the electricity over the lamps' power
  CHECK(kpi(m, "gh.lamp_hours_h") == Approx(lamp * 1e6 / theta / 3600));
  CHECK(kpi(m, "gh.lamp_hours_h") > 5 * 10);  // December: the lamps burn most of 18 h a day
  CHECK(kpi(m, "gh.lamp_hours_h") <= 5 * 18 + 1e-9);
  CHECK(kpi(m, "gh.dli_mol_m2_d") > 5);
}

TEST_CASE("lettuce_greenhouse: its heating as gas and kWh", "[greenhouse][grower]") {
  const auto v =
      test::compile_file(test::source_path("scenarios/greenhouse/lettuce_constant.json"));
  const Metrics m = run_one(v, RunTask{0, 0, 0}, nullptr).metrics;
  const double heat = kpi(m, "gh.heating_mj_m2");
  REQUIRE(heat > 0);
  CHECK(kpi(m, "gh.heating_gas_m3_m2") == Approx(heat / 31.65));
  CHECK(kpi(m, "gh.heating_kwh_m2") == Approx(heat / 3.6));
}

TEST_CASE("the light integral does not depend on sampling, and forks exactly",
          "[greenhouse][grower]") {
  auto text = [](const std::string& interval) {
    return R"({"duration": "4d", "sample_interval": ")" + interval +
           R"(", "replications": 1, "twins": {"gh": {"kind": "greenlight_tomato",
             "solver": "cvode", "step": "1d", "lamp": "led",
             "weather": {"epw": ")" +
           kEpw + R"(", "start": "03-01"}}}})";
  };
  std::ostringstream hourly, daily;
  const Metrics a = run_one(test::compile_text(text("1h")), RunTask{0, 0, 0}, &hourly).metrics;
  const Metrics b = run_one(test::compile_text(text("1d")), RunTask{0, 0, 0}, &daily).metrics;
  CHECK(kpi(a, "gh.dli_mol_m2_d") == kpi(b, "gh.dli_mol_m2_d"));
  const auto h = column(hourly.str(), "gh.crop.dli_prev_day_mol_m2");
  const auto d = column(daily.str(), "gh.crop.dli_prev_day_mol_m2");
  REQUIRE(d.size() == 5);
  for (std::size_t k = 0; k < d.size(); ++k) CHECK(h[k * 24] == d[k]);
  CHECK(d[2] > 0);
  // a fork between two steps goes on as the original
  const auto v = test::compile_text(text("1d"));
  World w(v.models);
  w.start(RunContext{1, 0});
  w.run_until(1.5 * 86400);
  World f = w.fork();
  w.run_until(3 * 86400);
  f.run_until(3 * 86400);
  CHECK(w.same_state(f));
  CHECK(kpi(w.collect(), "gh.dli_mol_m2_d") == kpi(f.collect(), "gh.dli_mol_m2_d"));
}
