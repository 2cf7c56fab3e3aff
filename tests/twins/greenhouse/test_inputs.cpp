// Prescribed inputs from CSV files and the errors a user sees: every error names the JSON
// pointer of the member at fault and, for a file, the file and line and what was wrong.
#include <catch2/catch.hpp>

#include <cmath>

#include "tests/twins/greenhouse/greenhouse_helpers.hpp"
#include "twins/greenhouse/lettuce_crop.hpp"
#include "twins/greenhouse/time_format.hpp"

using namespace dtwin;
using namespace dtwin::greenhouse;
using dtwin::test::Run;

namespace {

// A lettuce_crop scenario reading `csv` (relative to the scenario file, both in `dir`).
std::string crop_scenario(const std::string& climate_extra, const std::string& duration = "1h") {
  return R"({"duration": ")" + duration + R"(", "sample_interval": "5min", "replications": 1,
    "twins": {"c": {"kind": "lettuce_crop", "climate": {
      "file": "climate.csv", "time_column": "t", "time_format": "min",
      "columns": {"par_umol_m2_s": "par", "air_temp_c": "Tair", "co2_ppm": "co2"})" +
         climate_extra + "}}}}";
}

// Writes climate.csv and scenario.json into a fresh directory and compiles the scenario from
// its file (so relative paths start at the scenario's directory).
CompiledVariant compile_with_csv(const std::string& name, const std::string& csv,
                                 const std::string& scenario) {
  const std::string dir = test::temp_dir(name);
  test::write_text(dir + "/climate.csv", csv);
  test::write_text(dir + "/scenario.json", scenario);
  return test::compile_file(dir + "/scenario.json");
}

ScenarioError error_with_csv(const std::string& name, const std::string& csv,
                             const std::string& scenario) {
  try {
    compile_with_csv(name, csv, scenario);
  } catch (const ScenarioError& e) {
    return e;
  }
  FAIL("no error raised");
  throw;
}

const char* kGood =
    "t,par,Tair,co2\n"
    "0,100,20,400\n"
    "30,200,22,500\n"
    "60,300,24,600\n"
    "90,300,24,600\n";

}  // namespace

TEST_CASE("a climate file is read relative to the scenario and interpolated linearly",
          "[greenhouse][inputs]") {
  const auto v = compile_with_csv("good", kGood, crop_scenario(""));
  const auto& spec = static_cast<const LettuceCropModel&>(*v.models.at(0)).spec();
  double c[3];
  spec.climate.at(15 * 60, c);  // halfway between the first two rows
  CHECK(c[kLcTemp] == Approx(21));
  spec.climate.at(45 * 60, c);
  CHECK(c[kLcTemp] == Approx(23));
  CHECK(c[kLcRad] == Approx(250 / (4.6 * 0.5 * 0.85)));  // indoor PAR as outside radiation
  CHECK(spec.climate.filled_values == 0);
}

TEST_CASE("interpolation previous holds each row until the next", "[greenhouse][inputs]") {
  const auto v = compile_with_csv("hold", kGood, crop_scenario(R"(, "interpolation": "previous")"));
  const auto& spec = static_cast<const LettuceCropModel&>(*v.models.at(0)).spec();
  double c[3];
  spec.climate.at(29 * 60, c);
  CHECK(c[kLcTemp] == 20);
  spec.climate.at(30 * 60, c);
  CHECK(c[kLcTemp] == 22);
}

TEST_CASE("a missing column names the column map entry and the file", "[greenhouse][inputs]") {
  const auto e =
      error_with_csv("missing", "t,par,Tairx,co2\n0,1,2,3\n60,1,2,3\n", crop_scenario(""));
  INFO(e.describe());
  CHECK(e.pointer() == "/twins/c/climate/columns/air_temp_c");
  CHECK_THAT(e.message(), Catch::Contains("climate.csv:1: no column \"Tair\""));
  CHECK_THAT(e.message(), Catch::Contains("did you mean \"Tairx\"?"));
  CHECK(e.location().line > 0);  // located in the scenario file too
}

TEST_CASE("times that do not increase are an error at the line", "[greenhouse][inputs]") {
  const auto e = error_with_csv("nonmono", "t,par,Tair,co2\n0,1,20,400\n30,1,20,400\n20,1,20,400\n",
                                crop_scenario(""));
  INFO(e.describe());
  CHECK(e.pointer() == "/twins/c/climate/time_column");
  CHECK_THAT(e.message(),
             Catch::Contains("climate.csv:4: time \"20\" is not after the time of line 3"));
}

TEST_CASE("a non-numeric cell is an error at the line and column", "[greenhouse][inputs]") {
  const auto e = error_with_csv(
      "nonnum", "t,par,Tair,co2\n0,1,20,400\n30,1,warm,400\n60,1,20,400\n", crop_scenario(""));
  INFO(e.describe());
  CHECK(e.pointer() == "/twins/c/climate/columns/air_temp_c");
  CHECK_THAT(e.message(),
             Catch::Contains("climate.csv:3: column \"Tair\": expected a number, got \"warm\""));
}

TEST_CASE("short gaps are filled and counted, longer ones are errors", "[greenhouse][inputs]") {
  const std::string csv =
      "t,par,Tair,co2\n0,100,20,400\n10,100,,400\n20,100,,400\n30,100,26,400\n"
      "40,100,26,400\n50,100,26,400\n60,100,26,400\n";
  {
    const auto v = compile_with_csv("gap_ok", csv, crop_scenario(R"(, "max_gap": "30min")"));
    const auto& spec = static_cast<const LettuceCropModel&>(*v.models.at(0)).spec();
    CHECK(spec.climate.filled_values == 2);
    CHECK(spec.climate.longest_gap_s == 1800);
    double c[3];
    spec.climate.at(10 * 60, c);
    CHECK(c[kLcTemp] == Approx(22));  // on the line from 20 (t = 0) to 26 (t = 30 min)
    Run r(v);
    r.w.run_until(3600);
    const Metrics m = r.metrics();
    CHECK(m.find("c.climate.filled_values")->value == 2);
    CHECK(m.find("c.climate.longest_gap_s")->value == 1800);
  }
  const auto e = error_with_csv("gap_long", csv, crop_scenario(R"(, "max_gap": "20min")"));
  INFO(e.describe());
  CHECK(e.pointer() == "/twins/c/climate/columns/air_temp_c");
  CHECK_THAT(e.message(),
             Catch::Contains("climate.csv:3: column \"Tair\": no value on lines 3 to 4"));
  CHECK_THAT(e.message(), Catch::Contains("longer than max_gap (20min)"));
}

TEST_CASE("rows further apart than max_gap are an error", "[greenhouse][inputs]") {
  const auto e = error_with_csv("rows_apart", "t,par,Tair,co2\n0,1,20,400\n90,1,20,400\n",
                                crop_scenario(R"(, "max_gap": "1h")"));
  INFO(e.describe());
  CHECK(e.pointer() == "/twins/c/climate/max_gap");
  CHECK_THAT(e.message(), Catch::Contains("climate.csv:3: 1.5h after the previous row (line 2)"));
}

TEST_CASE("the file must cover the run", "[greenhouse][inputs]") {
  const auto e = error_with_csv("short", kGood, crop_scenario("", "2h"));
  INFO(e.describe());
  CHECK(e.pointer() == "/twins/c/climate/file");
  CHECK_THAT(e.message(), Catch::Contains("before the end of the run (2h)"));
}

TEST_CASE("a file that does not exist names the path", "[greenhouse][inputs]") {
  const auto e = test::compile_error(R"({"duration": "1h", "twins": {"c": {"kind": "lettuce_crop",
    "climate": {"file": "/nonexistent/dir/x.csv", "time_column": "t",
                "columns": {"air_temp_c": "T"}}}}})");
  CHECK(e.pointer() == "/twins/c/climate/file");
  CHECK_THAT(e.message(),
             Catch::Contains("cannot read /nonexistent/dir/x.csv: no such file "
                             "(resolved to /nonexistent/dir/x.csv, an absolute path)"));
}

TEST_CASE("a relative path that does not open says where it was looked for",
          "[greenhouse][inputs][files]") {
  namespace fs = std::filesystem;
  const std::string text = R"({"duration": "1h", "twins": {"c": {"kind": "lettuce_crop",
    "climate": {"file": "no/such.csv", "time_column": "t", "columns": {"air_temp_c": "T"}}}}})";
  // an inline scenario has no folder: the working directory
  const auto e = test::compile_error(text);
  const std::string cwd = fs::current_path().string();
  CHECK_THAT(e.message(), Catch::Contains("cannot read no/such.csv: no such file (resolved to " +
                                          fs::weakly_canonical(cwd + "/no/such.csv").string() +
                                          ", relative to the working directory " + cwd + ")"));
  // a scenario file's folder, and the directories an engine restricted by --data-dir reads
  const std::string dir = test::temp_dir("where");
  Scenario sc = Scenario::parse(text, dir + "/s.json");
  sc.files().restrict_to({dir});
  try {
    sc.compile(0, test::registry());
    FAIL("no error");
  } catch (const ScenarioError& err) {
    const std::string real = fs::canonical(dir).string();
    CHECK_THAT(err.message(),
               Catch::Contains("no such file (resolved to " + real + "/no/such.csv") &&
                   Catch::Contains("relative to the scenario's folder " + dir) &&
                   Catch::Contains("this engine reads files below " + real + " (--data-dir)"));
  }
}

TEST_CASE("parameters: negative or unknown overrides name the member", "[greenhouse][params]") {
  auto gh = [](const std::string& params) {
    return R"({"duration": "1h", "twins": {"gh": {"kind": "lettuce_greenhouse",
      "params": )" +
           params + R"(,
      "weather": {"constant": {"rad_w_m2": 0, "temp_c": 10, "rh_pct": 80, "co2_ppm": 400}},
      "controls": {"constant": {"co2_supply_kg_m2_s": 0, "vent_m_s": 0, "heat_w_m2": 0}}}}})";
  };
  const auto neg = test::compile_error(gh(R"({"c_leak": -1e-4})"));
  CHECK(neg.pointer() == "/twins/gh/params/c_leak");
  CHECK_THAT(neg.message(), Catch::Contains("expected a number > 0 (m s-1), got -0.0001"));
  const auto typo = test::compile_error(gh(R"({"c_leek": 1e-4})"));
  CHECK(typo.pointer() == "/twins/gh/params/c_leek");
  CHECK_THAT(typo.message(), Catch::Contains("did you mean \"c_leak\"?"));
  const auto frac = test::compile_error(
      R"({"duration": "1h", "twins": {"t": {"kind": "tomato_crop",
        "params": {"dry_matter_fraction": 1.5},
        "climate": {"constant": {"par_umol_m2_s": 1, "canopy_temp_c": 20, "co2_ppm": 400}}}}})");
  CHECK(frac.pointer() == "/twins/t/params/dry_matter_fraction");
  CHECK_THAT(frac.message(), Catch::Contains("<= 1"));
}

TEST_CASE("inputs: unknown keys, missing quantities, values out of range", "[greenhouse][inputs]") {
  auto tom = [](const std::string& constant) {
    return R"({"duration": "1h", "twins": {"t": {"kind": "tomato_crop",
      "climate": {"constant": )" +
           constant + "}}}}";
  };
  const auto unknown =
      test::compile_error(tom(R"({"par_umol_m2_s": 1, "canopy_temp": 20, "co2_ppm": 400})"));
  CHECK(unknown.pointer() == "/twins/t/climate/constant/canopy_temp");
  CHECK_THAT(unknown.message(), Catch::Contains("did you mean \"canopy_temp_c\"?"));
  const auto missing = test::compile_error(tom(R"({"par_umol_m2_s": 1, "canopy_temp_c": 20})"));
  CHECK(missing.pointer() == "/twins/t/climate");
  CHECK_THAT(missing.message(), Catch::Contains("missing input \"co2_ppm\""));
  const auto neg =
      test::compile_error(tom(R"({"par_umol_m2_s": -5, "canopy_temp_c": 20, "co2_ppm": 400})"));
  CHECK(neg.pointer() == "/twins/t/climate/constant/par_umol_m2_s");
  const auto twice = test::compile_error(R"({"duration": "1h", "twins": {"c": {
      "kind": "lettuce_crop", "climate": {"constant": {"rad_w_m2": 1, "par_umol_m2_s": 2,
      "air_temp_c": 20, "co2_ppm": 400}}}}})");
  CHECK(twice.pointer() == "/twins/c/climate/constant/par_umol_m2_s");
  CHECK_THAT(twice.message(), Catch::Contains("the same input as \"rad_w_m2\""));
}

TEST_CASE("calendar times", "[greenhouse][inputs]") {
  CHECK(days_from_civil(1970, 1, 1) == 0);
  CHECK(days_from_civil(2000, 3, 1) == 11017);
  CHECK(days_from_civil(1969, 12, 31) == -1);
  const auto f = TimeFormat::parse("%m/%d/%Y %H:%M");
  REQUIRE(f);
  double a = 0, b = 0;
  REQUIRE(f->read("2/1/2022 0:00", &a));
  REQUIRE(f->read("3/1/2022 23:55", &b));
  CHECK(b - a == (28 * 86400.0 + 23 * 3600 + 55 * 60));
  CHECK_FALSE(f->read("2/1/2022", &a));
  CHECK_FALSE(f->read("13/1/2022 0:00", &a));
  const auto iso = TimeFormat::parse("%Y-%m-%dT%H:%M:%S");
  REQUIRE(iso);
  REQUIRE(iso->read("2022-02-01T00:00:01.5", &b));
  REQUIRE(f->read("2/1/2022 0:00", &a));
  CHECK(b - a == 1.5);
  CHECK_FALSE(TimeFormat::parse("weeks"));
}
