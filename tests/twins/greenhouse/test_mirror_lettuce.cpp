// The Van Henten lettuce greenhouse as a mirrored twin: its properties, their values (the
// offline time series' at the same instant), and its controls as setpoints that hold in that
// run from the instant they are applied.
#include <catch2/catch.hpp>

#include <map>
#include <sstream>

#include "engine/base/format.hpp"
#include "engine/mirror/binding.hpp"
#include "tests/twins/greenhouse/greenhouse_helpers.hpp"

using namespace dtwin;
using dtwin::test::Run;

namespace {

// lettuce_constant.json's greenhouse over two days
CompiledVariant lettuce(const std::string& sample) {
  return test::compile_text(
      R"({"name": "lettuce mirror", "duration": "2d", "sample_interval": ")" + sample +
      R"(", "replications": 1, "twins": {"gh": {"kind": "lettuce_greenhouse", "step": "5min",
        "initial": {"dry_weight_kg_m2": 2.7e-3, "co2_kg_m3": 7.2e-4, "air_temp_c": 15,
                    "humidity_kg_m3": 9.5e-3},
        "weather": {"constant": {"rad_w_m2": 100, "temp_c": 10, "humidity_kg_m3": 6e-3,
                                 "co2_kg_m3": 7.2e-4}},
        "controls": {"constant": {"co2_supply_kg_m2_s": 0, "vent_m_s": 5e-5, "heat_w_m2": 50}}}}})");
}

struct Props {
  const Mirrorable& m;
  std::vector<TwinSpec> specs;
  explicit Props(const CompiledVariant& v) : m(*mirrorable(*v.models.at(0))) {
    m.properties(specs);
  }
  std::size_t index(const std::string& name) const {
    for (std::size_t p = 0; p < specs.at(0).properties.size(); ++p)
      if (specs[0].properties[p].name == name) return p;
    FAIL("no property " << name);
    return 0;
  }
  double read(const World& w, const std::string& name) const {
    Value out;
    REQUIRE(m.read_property(w, 0, 0, index(name), out));
    return out.num;
  }
};

}  // namespace

TEST_CASE("lettuce mirror: properties, values from the time series, controls as setpoints",
          "[greenhouse][mirror]") {
  const auto v = lettuce("30min");
  const Props P(v);
  REQUIRE(P.specs.size() == 1);
  const auto& props = P.specs[0].properties;
  CHECK(props.size() == 9);
  const std::map<std::string, std::string> units = {{"air_temp", "degC"},
                                                    {"rh", "%"},
                                                    {"co2", "ppm"},
                                                    {"dry_weight", "kg/m2"},
                                                    {"radiation", "W/m2"},
                                                    {"outdoor_temp", "degC"},
                                                    {"co2_supply", "kg/m2/s"},
                                                    {"ventilation", "m/s"},
                                                    {"heating", "W/m2"}};
  for (const auto& [name, unit] : units) {
    INFO(name);
    const PropertySpec& p = props[P.index(name)];
    CHECK(p.unit == unit);
    const bool control = name == "co2_supply" || name == "ventilation" || name == "heating";
    CHECK(p.writable == control);
  }
  CHECK(props[P.index("heating")].max == 150);

  // the values are the time series' (samples between the 5-minute steps)
  std::ostringstream ts;
  run_one(v, RunTask{0, 0, 0}, &ts);
  std::istringstream lines(ts.str());
  std::string line;
  std::getline(lines, line);
  CHECK_THAT(line, Catch::StartsWith("time_s,gh.crop.dry_weight_kg_m2,gh.air.co2_kg_m3,"
                                     "gh.air.co2_ppm,gh.air.temp_c,gh.air.humidity_kg_m3,"
                                     "gh.air.rh_pct,gh.weather.rad_w_m2,gh.weather.temp_c"));
  // columns 1, 3, 4, 6, 7, 8 and the controls 11-13 (time_s is column 0)
  const std::pair<const char*, std::size_t> column[] = {
      {"dry_weight", 1},  {"co2", 3},          {"air_temp", 4},
      {"rh", 6},          {"radiation", 7},    {"outdoor_temp", 8},
      {"co2_supply", 11}, {"ventilation", 12}, {"heating", 13}};
  Run r(v);
  std::size_t rows = 0;
  while (std::getline(lines, line)) {
    std::vector<std::string> cells;
    std::istringstream c(line);
    for (std::string x; std::getline(c, x, ',');) cells.push_back(x);
    r.w.run_until(std::stod(cells.at(0)));
    for (const auto& [name, col] : column) {
      INFO(name << " at " << cells[0]);
      CHECK(fmt_num(P.read(r.w, name), 10) == cells.at(col));
    }
    ++rows;
  }
  CHECK(rows == 2 * 48 + 1);

  // more heat warms the air of that run only; out of range and not a setpoint are refused
  Run base(v), warm(v);
  base.w.run_until(6 * 3600.0);
  warm.w.run_until(6 * 3600.0);
  std::string why;
  CHECK(P.read(warm.w, "heating") == 50);  // the scenario's constant input
  REQUIRE(P.m.apply_setpoint(warm.w, 0, 0, P.index("heating"), Value{120, ""}, &why));
  CHECK(P.read(warm.w, "heating") == 120);
  CHECK(P.read(base.w, "heating") == 50);
  CHECK_FALSE(P.m.apply_setpoint(warm.w, 0, 0, P.index("heating"), Value{200, ""}, &why));
  CHECK_THAT(why, Catch::Contains("heating") && Catch::Contains("150") && Catch::Contains("200"));
  CHECK_FALSE(P.m.apply_setpoint(warm.w, 0, 0, P.index("air_temp"), Value{20, ""}, &why));
  CHECK_THAT(why, Catch::Contains("not a setpoint"));
  base.w.run_until(12 * 3600.0);
  warm.w.run_until(12 * 3600.0);
  CHECK(P.read(warm.w, "air_temp") > P.read(base.w, "air_temp") + 2);
  CHECK(warm.metrics().find("gh.heating_mj_m2")->value >
        base.metrics().find("gh.heating_mj_m2")->value);
}
