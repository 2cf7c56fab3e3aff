// The GreenLight greenhouse as a mirrored twin (Mirrorable): its properties, their values (the
// same as the offline time series at the same instant), and its controller settings as
// setpoints that live in the run's state and steer the simulated climate.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <sstream>

#include "engine/base/format.hpp"
#include "engine/mirror/binding.hpp"
#include "tests/twins/greenhouse/greenhouse_helpers.hpp"
#include "twins/greenhouse/greenlight_twin.hpp"
#include "twins/greenhouse/params.hpp"

using namespace dtwin;
using dtwin::test::Run;

namespace {

// two days from 27 September under the typical year of the season scenarios
std::string gl_scenario(const std::string& duration, const std::string& sample) {
  return R"({"name": "gl mirror", "duration": ")" + duration + R"(", "sample_interval": ")" +
         sample + R"(", "replications": 1,
    "twins": {"gh": {"kind": "greenlight_tomato", "step": "1h", "rtol": 0.001, "lamp": "led",
      "crop": {"initial": {"c_leaf_mg_m2": 4368, "c_stem_mg_m2": 1560, "c_fruit_mg_m2": 312}},
      "weather": {"epw": ")" +
         test::source_path("assets/weather/pvgis_tmy_45.000N_8.000E_2005_2023.epw") +
         R"(", "start": "09-27"}}}})";
}

const Mirrorable& mirror_of(const CompiledVariant& v) {
  const Mirrorable* m = mirrorable(*v.models.at(0));
  REQUIRE(m != nullptr);
  return *m;
}

TwinSpec twin_spec(const CompiledVariant& v) {
  std::vector<TwinSpec> specs;
  mirror_of(v).properties(specs);
  REQUIRE(specs.size() == 1);
  return specs[0];
}

std::size_t prop_index(const TwinSpec& t, const std::string& name) {
  for (std::size_t p = 0; p < t.properties.size(); ++p)
    if (t.properties[p].name == name) return p;
  FAIL("no property " << name);
  return 0;
}

double read(const CompiledVariant& v, const World& w, const TwinSpec& t, const std::string& name) {
  Value out;
  REQUIRE(mirror_of(v).read_property(w, 0, 0, prop_index(t, name), out));
  return out.num;
}

}  // namespace

TEST_CASE("greenlight mirror: the properties, their units, ranges and the setpoints",
          "[greenhouse][mirror]") {
  const auto v = test::compile_text(gl_scenario("1d", "1h"));
  const TwinSpec t = twin_spec(v);
  CHECK(t.id == "gh");
  const std::map<std::string, std::string> reported = {
      {"air_temp", "degC"},     {"rh", "%"},
      {"co2", "ppm"},           {"par", "umol/m2/s"},
      {"pipe_temp", "degC"},    {"outdoor_temp", "degC"},
      {"radiation", "W/m2"},    {"wind", "m/s"},
      {"roof_vents", "1"},      {"thermal_screen", "1"},
      {"blackout_screen", "1"}, {"lamps", "1"},
      {"co2_dosing", "1"},      {"heating", "W/m2"},
      {"lai", "m2/m2"},         {"dry_weight", "kg/m2"},
      {"canopy_temp", "degC"},  {"cover_temp", "degC"}};
  for (const auto& [name, unit] : reported) {
    INFO(name);
    const PropertySpec& p = t.properties[prop_index(t, name)];
    CHECK(p.kind == PropertySpec::Kind::Number);
    CHECK(p.unit == unit);
    CHECK_FALSE(p.writable);
    CHECK_FALSE(p.derived);
  }
  for (const char* a : {"roof_vents", "thermal_screen", "blackout_screen", "lamps", "co2_dosing"}) {
    const PropertySpec& p = t.properties[prop_index(t, a)];
    CHECK(p.min == 0);
    CHECK(p.max == 1);
  }
  CHECK(t.properties[prop_index(t, "rh")].max == 100);

  // every controller setting, under its own name, with the parameter file's unit and range
  const auto control = greenhouse::ParamSet::builtin("greenlight_control");
  // and what the live engine's monitor derives (GlMonitor), for a grower's alerts
  const std::map<std::string, std::string> derived = {{"dew_point", "degC"},
                                                      {"condensation_margin", "K"},
                                                      {"canopy_temp_24h", "degC"},
                                                      {"lamp_par_ratio", "1"}};
  for (const auto& [name, unit] : derived) {
    INFO(name);
    const PropertySpec& p = t.properties[prop_index(t, name)];
    CHECK(p.derived);
    CHECK(p.unit == unit);
    CHECK_FALSE(p.writable);
  }
  CHECK(t.properties.size() == reported.size() + control.params().size() + derived.size());
  for (const auto& e : control.params()) {
    INFO(e.name);
    const PropertySpec& p = t.properties[prop_index(t, e.name)];
    CHECK(p.writable);
    CHECK(p.unit == e.unit);
    CHECK(p.min == e.min);
    CHECK(p.max == e.max);
    CHECK(p.tolerance > 0);
  }
  const PropertySpec& night = t.properties[prop_index(t, "tSpNight")];
  CHECK(night.unit == "degC");
  CHECK(night.min == -20);
  CHECK(night.max == 40);

  // the scenario's settings are what a fresh run reports
  Run r(v);
  CHECK(read(v, r.w, t, "tSpNight") == 18.5);
  CHECK(read(v, r.w, t, "co2SpDay") == 1000);
}

TEST_CASE("greenlight mirror: read_property is the offline time series at the same instant",
          "[greenhouse][mirror]") {
  // samples every 20 minutes, steps hourly: most samples fall between steps
  const auto v = test::compile_text(gl_scenario("2d", "20min"));
  std::ostringstream ts;
  run_one(v, RunTask{0, 0, 0}, &ts);
  std::istringstream lines(ts.str());
  std::string line;
  std::getline(lines, line);
  std::vector<std::string> header;
  {
    std::istringstream h(line);
    for (std::string c; std::getline(h, c, ',');) header.push_back(c);
  }
  const std::map<std::string, std::string> column = {
      {"air_temp", "gh.air.temp_c"},
      {"rh", "gh.air.rh_pct"},
      {"co2", "gh.air.co2_ppm"},
      {"par", "gh.crop.par_above_umol_m2_s"},
      {"pipe_temp", "gh.pipe.temp_c"},
      {"outdoor_temp", "gh.weather.temp_c"},
      {"radiation", "gh.weather.rad_w_m2"},
      {"wind", "gh.weather.wind_m_s"},
      {"roof_vents", "gh.control.roof_vents"},
      {"thermal_screen", "gh.control.thermal_screen"},
      {"blackout_screen", "gh.control.blackout_screen"},
      {"lamps", "gh.control.lamps"},
      {"co2_dosing", "gh.control.co2_injection"},
      {"heating", "gh.control.boiler_w_m2"},
      {"lai", "gh.crop.lai"},
      {"dry_weight", "gh.crop.dry_weight_kg_m2"}};
  auto col = [&](const std::string& name) {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return i;
    FAIL("no column " << name);
    return std::size_t{0};
  };

  const TwinSpec t = twin_spec(v);
  Run r(v);
  std::size_t rows = 0, screen = 0, vents = 0, heating = 0;
  while (std::getline(lines, line)) {
    std::vector<std::string> cells;
    std::istringstream c(line);
    for (std::string x; std::getline(c, x, ',');) cells.push_back(x);
    const double time = std::stod(cells.at(0));
    r.w.run_until(time);
    for (const auto& [prop, name] : column) {
      INFO(prop << " at t = " << time);
      CHECK(fmt_num(read(v, r.w, t, prop), 10) == cells.at(col(name)));
    }
    screen += read(v, r.w, t, "thermal_screen") > 0.5;
    vents += read(v, r.w, t, "roof_vents") > 0.1;
    heating += read(v, r.w, t, "heating") > 1;
    ++rows;
  }
  CHECK(rows == 2 * 72 + 1);
  CHECK(screen > 10);  // the comparison saw the actuators at work (no lamps: sunny days)
  CHECK(vents > 10);
  CHECK(heating > 10);
}

TEST_CASE("greenlight mirror: a lower night set point cools the nights of that run only",
          "[greenhouse][mirror]") {
  const auto v = test::compile_text(gl_scenario("4d", "1h"));
  const TwinSpec t = twin_spec(v);
  const std::size_t night = prop_index(t, "tSpNight");
  Run base(v), cool(v);
  std::string why;
  CHECK(mirror_of(v).apply_setpoint(cool.w, 0, 0, night, Value{15, ""}, &why));
  CHECK(why.empty());
  CHECK(read(v, cool.w, t, "tSpNight") == 15);
  CHECK(read(v, base.w, t, "tSpNight") == 18.5);  // the spec is shared, the setting is not

  // out of the declared range, not a setpoint, not a number: refused with the reason
  CHECK_FALSE(mirror_of(v).apply_setpoint(cool.w, 0, 0, night, Value{45, ""}, &why));
  CHECK_THAT(why, Catch::Contains("tSpNight") && Catch::Contains("-20") && Catch::Contains("40") &&
                      Catch::Contains("45"));
  CHECK_FALSE(
      mirror_of(v).apply_setpoint(cool.w, 0, 0, prop_index(t, "air_temp"), Value{20, ""}, &why));
  CHECK_THAT(why, Catch::Contains("air_temp") && Catch::Contains("not a setpoint"));
  CHECK(read(v, cool.w, t, "tSpNight") == 15);

  // the mean air temperature from 20:00 to midnight (the lamps go on at 00:00 and the
  // controller's day begins: tSpDay), over the first three nights
  double sum_base = 0, sum_cool = 0;
  int n = 0;
  for (double h = 20; h < 3 * 24; h += 0.25) {
    if (std::fmod(h, 24) < 20) continue;
    base.w.run_until(h * 3600);
    cool.w.run_until(h * 3600);
    CHECK(read(v, base.w, t, "radiation") == 0);
    sum_base += read(v, base.w, t, "air_temp");
    sum_cool += read(v, cool.w, t, "air_temp");
    ++n;
  }
  const double mean_base = sum_base / n, mean_cool = sum_cool / n;
  INFO("night air: default " << mean_base << " degC, tSpNight 15: " << mean_cool << " degC");
  CHECK(mean_base > 18);  // heated to about 18.5
  CHECK(mean_cool < mean_base - 1);
  CHECK(mean_cool > 14);
  // and costs less heat
  CHECK(base.metrics().find("gh.heating_mj_m2")->value >
        cool.metrics().find("gh.heating_mj_m2")->value);
}

TEST_CASE("greenlight mirror: a setpoint takes effect from the instant it is applied",
          "[greenhouse][mirror]") {
  // applied mid-step, the part of the step before it ran under the old setting: the state at
  // that instant is the same as a run without the setpoint
  const auto v = test::compile_text(gl_scenario("1d", "1h"));
  const TwinSpec t = twin_spec(v);
  Run a(v), b(v);
  a.w.run_until(21.5 * 3600);
  b.w.run_until(21.5 * 3600);
  std::string why;
  REQUIRE(mirror_of(v).apply_setpoint(b.w, 0, 0, prop_index(t, "tSpNight"), Value{12, ""}, &why));
  CHECK(read(v, a.w, t, "air_temp") == Approx(read(v, b.w, t, "air_temp")).epsilon(1e-6));
  a.w.run_until(23.5 * 3600);
  b.w.run_until(23.5 * 3600);
  CHECK(read(v, b.w, t, "air_temp") < read(v, a.w, t, "air_temp") - 0.5);
  // the snapshot of the state carries the setting
  const auto j = v.models[0]->state_json(b.w, 0);
  CHECK(j["params"]["tSpNight"] == 12);
}

TEST_CASE(
    "greenlight mirror: a fork takes the measured climate, the crop's LAI and dry weight and the "
    "settings in force",
    "[greenhouse][mirror]") {
  const auto v = test::compile_text(gl_scenario("1d", "1h"));
  const TwinSpec t = twin_spec(v);
  const Mirrorable& m = mirror_of(v);
  std::vector<std::string> refused;
  World w(v.models);
  w.start(RunContext{1, 0}, [&](World& fw) {
    auto take = [&](const char* prop, double x) {
      std::string why;
      if (!m.assimilate(fw, 0, 0, prop_index(t, prop), Value{x, ""}, &why))
        refused.push_back(std::string(prop) + ": " + why);
    };
    take("air_temp", 24);
    take("rh", 80);
    take("co2", 900);
    take("pipe_temp", 45);
    take("tSpNight", 16);
    take("outdoor_temp", 3);
    take("lamps", 1);
    take("lai", 2);
    take("dry_weight", 0.5);
    take("dry_weight", 0.001);  // less than the leaves of LAI 2 weigh
  });
  CHECK(read(v, w, t, "air_temp") == 24);
  CHECK(read(v, w, t, "rh") == Approx(80).epsilon(1e-9));
  CHECK(read(v, w, t, "co2") == Approx(900).epsilon(1e-9));
  CHECK(read(v, w, t, "pipe_temp") == 45);
  CHECK(read(v, w, t, "tSpNight") == 16);
  CHECK(read(v, w, t, "lai") == Approx(2).epsilon(1e-9));
  CHECK(read(v, w, t, "dry_weight") == Approx(0.5).epsilon(1e-9));
  REQUIRE(refused.size() == 3);  // the weather and an actuator stay the scenario's
  CHECK_THAT(refused[0], Catch::StartsWith("outdoor_temp: the weather"));
  CHECK_THAT(refused[1], Catch::StartsWith("lamps: an actuator"));
  CHECK_THAT(refused[2], Catch::StartsWith("dry_weight: a dry weight below the leaves'"));
}

TEST_CASE(
    "greenlight monitor: dew point, condensation margin, 24 h canopy temperature and the "
    "lamps' PAR, from what the greenhouse reports",
    "[greenhouse][mirror][monitor]") {
  const auto v = test::compile_text(gl_scenario("1d", "1h"));
  const TwinSpec t = twin_spec(v);
  const auto mon = mirror_of(v).make_monitor(0);
  REQUIRE(mon != nullptr);
  const auto& gl = dynamic_cast<const greenhouse::GreenLightModel&>(*v.models.at(0));
  const auto feed = [&](double t_s, std::initializer_list<std::pair<const char*, double>> vals) {
    for (const auto& [name, x] : vals) {
      Value val;
      val.num = x;
      mon->observe(prop_index(t, name), val, t_s);
    }
    mon->commit();
  };
  const auto derived = [&](const char* name, double& out) {
    Value val;
    const bool ok = mon->read(prop_index(t, name), val);
    out = val.num;
    return ok;
  };
  double x = 0;
  CHECK_FALSE(derived("dew_point", x));  // nothing reported yet
  // 20 degC at 80 %: 16.44 degC (Magnus over water); a cover at 15 degC is below it
  feed(0, {{"air_temp", 20},
           {"rh", 80},
           {"cover_temp", 15},
           {"canopy_temp", 19},
           {"lamps", 0},
           {"par", 0}});
  REQUIRE(derived("dew_point", x));
  CHECK(x == Approx(16.44).margin(0.01));
  REQUIRE(derived("condensation_margin", x));
  CHECK(x == Approx(15 - 16.44).margin(0.01));
  // the 24 h mean exists once 24 h have been seen: 19 degC for 12 h, then 25 degC
  CHECK_FALSE(derived("canopy_temp_24h", x));
  feed(12 * 3600, {{"canopy_temp", 25}});
  feed(24 * 3600, {{"canopy_temp", 25}});
  REQUIRE(derived("canopy_temp_24h", x));
  CHECK(x == Approx(22));
  feed(30 * 3600, {{"canopy_temp", 25}});  // the window moved: 6 h at 19, 18 h at 25
  REQUIRE(derived("canopy_temp_24h", x));
  CHECK(x == Approx((6 * 19 + 18 * 25) / 24.0));
  // the lamps come on at night: PAR rises by what they give, then by half of it (a group out)
  const greenhouse::GlParams& p = gl.spec().p;
  const double full = p.zetaLampPar * p.etaLampPar * p.thetaLampMax;
  REQUIRE(full > 100);
  CHECK_FALSE(derived("lamp_par_ratio", x));
  feed(31 * 3600, {{"lamps", 1}, {"par", full}});
  CHECK_FALSE(derived("lamp_par_ratio", x));  // 5 min after the switch-on
  feed(31 * 3600 + 600, {{"lamps", 1}, {"par", full}});
  REQUIRE(derived("lamp_par_ratio", x));
  CHECK(x == Approx(1));
  feed(40 * 3600, {{"lamps", 0}, {"par", 0}});
  feed(55 * 3600, {{"lamps", 1}, {"par", 0.5 * full}});
  feed(55 * 3600 + 600, {{"lamps", 1}, {"par", 0.5 * full}});
  REQUIRE(derived("lamp_par_ratio", x));
  CHECK(x == Approx(0.5));
}
