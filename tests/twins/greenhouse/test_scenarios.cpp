// The shipped greenhouse scenarios load and run; outputs have the promised shape; a run is
// deterministic, forks exactly, and does not depend on how often it is sampled; the built-in
// parameters are the asset files.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "tests/twins/greenhouse/greenhouse_helpers.hpp"
#include "twins/greenhouse/params.hpp"

using namespace dtwin;
using dtwin::test::Run;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

RunResult run_file(const std::string& rel, std::ostream* ts = nullptr) {
  const auto v = test::compile_file(test::source_path(rel));
  return run_one(v, RunTask{0, 0, 0}, ts);
}

}  // namespace

TEST_CASE("the built-in parameters are the asset files", "[greenhouse][params]") {
  for (const char* name : {"vanhenten1994", "vanthoor2011_tomato"}) {
    const std::string file = read_file(test::source_path("assets/greenhouse/") + name + ".json");
    CHECK(greenhouse::ParamSet::builtin_text(name) == file);
  }
}

TEST_CASE("scenario lettuce_constant runs 40 days", "[greenhouse][scenario]") {
  std::ostringstream ts;
  const RunResult r = run_file("scenarios/greenhouse/lettuce_constant.json", &ts);
  for (const char* k : {"gh.yield_fresh_kg_m2", "gh.dry_weight_kg_m2", "gh.heating_mj_m2",
                        "gh.co2_used_kg_m2", "gh.transpiration_l_m2"})
    CHECK(r.metrics.find(k) != nullptr);
  std::istringstream lines(ts.str());
  std::string header;
  std::getline(lines, header);
  CHECK(header.rfind("time_s,gh.crop.dry_weight_kg_m2,", 0) == 0);
  for (const char* col :
       {"gh.air.temp_c", "gh.air.co2_kg_m3", "gh.air.humidity_kg_m3", "gh.control.vent_m_s",
        "gh.control.heat_w_m2", "gh.control.co2_supply_kg_m2_s", "gh.weather.rad_w_m2"})
    CHECK_THAT(header, Catch::Contains(col));
  std::size_t rows = 0;
  for (std::string l; std::getline(lines, l);) ++rows;
  CHECK(rows == 40 * 24 + 1);  // hourly samples from 0 to 40 days
}

TEST_CASE("scenario tomato_crop_constant runs 120 days", "[greenhouse][scenario]") {
  std::ostringstream ts;
  const RunResult r = run_file("scenarios/greenhouse/tomato_crop_constant.json", &ts);
  CHECK(r.metrics.find("tom.yield_fresh_kg_m2")->value > 10);
  CHECK(r.metrics.find("tom.yield_fresh_kg_m2")->unit == "kg/m2");
  for (const char* col : {"tom.crop.c_fruit_mg_m2", "tom.crop.lai", "tom.crop.dry_weight_kg_m2",
                          "tom.climate.par_umol_m2_s"})
    CHECK_THAT(ts.str().substr(0, 1000), Catch::Contains(col));
}

TEST_CASE("scenario agc2022_reference: the crop on the measured Reference climate",
          "[greenhouse][scenario]") {
  const RunResult r = run_file("scenarios/greenhouse/agc2022_reference.json");
  const Metrics& m = r.metrics;
  INFO("dry weight " << m.find("agc.dry_weight_kg_m2")->value);
  CHECK(m.find("agc.dry_weight_kg_m2")->value > 0.0027);  // it grew
  CHECK(m.find("agc.transpiration_l_m2")->value > 0);
  CHECK(m.find("agc.climate.filled_values")->value > 0);  // the sensor gaps were filled
  CHECK(m.find("agc.climate.longest_gap_s")->value <= 7200);
}

TEST_CASE("greenhouse runs are deterministic and fork exactly", "[greenhouse][scenario]") {
  const auto v =
      test::compile_file(test::source_path("scenarios/greenhouse/agc2022_reference.json"));
  World a(v.models);
  a.start(RunContext{1, 0});
  a.run_until(10 * 86400.0 + 17);  // between two steps
  World b = a.fork();
  a.run_until(20 * 86400.0);
  b.run_until(20 * 86400.0);
  CHECK(a.same_state(b));
  World c(v.models);
  c.start(RunContext{7, 3});  // another seed and replication: the twin is deterministic
  c.run_until(20 * 86400.0);
  CHECK(a.same_state(c));
}

TEST_CASE("KPIs do not depend on the sampling interval", "[greenhouse][scenario]") {
  const char* text = R"({"duration": "3d", "sample_interval": "%", "replications": 1,
    "twins": {"tom": {"kind": "tomato_crop",
      "climate": {"constant": {"par_umol_m2_s": 300, "canopy_temp_c": 20, "co2_ppm": 800}}}}})";
  auto with = [&](const char* interval) {
    std::string s = text;
    s.replace(s.find('%'), 1, interval);
    std::ostringstream ts;
    return run_one(test::compile_text(s), RunTask{0, 0, 0}, &ts).metrics;
  };
  const Metrics a = with("7min"), b = with("1d");
  REQUIRE(a.values.size() == b.values.size());
  for (std::size_t i = 0; i < a.values.size(); ++i) CHECK(a.values[i].value == b.values[i].value);
}
