// A greenhouse run's calendar: a weather "start" given as a full date, or a CSV with a calendar
// time_format, gives the time series a date-time column; the weather is the same as for the
// month and day alone.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "tests/twins/greenhouse/greenhouse_helpers.hpp"

using namespace dtwin;
using Catch::Matchers::Contains;

namespace {

const std::string kEpw = test::source_path("assets/weather/pvgis_tmy_45.000N_8.000E_2005_2023.epw");

std::string season(const std::string& start, const std::string& duration) {
  return R"({"duration": ")" + duration + R"(", "sample_interval": "1d", "replications": 1,
    "twins": {"gh": {"kind": "greenlight_tomato", "solver": "cvode", "step": "1d", "lamp": "hps",
      "weather": {"epw": ")" +
         kEpw + R"(", "start": ")" + start + R"("}}}})";
}

std::string series(const std::string& text) {
  std::ostringstream ts;
  run_one(test::compile_text(text), RunTask{0, 0, 0}, &ts);
  return ts.str();
}

// the second field of every line
std::vector<std::string> second_column(const std::string& csv) {
  std::vector<std::string> out;
  std::istringstream in(csv);
  for (std::string line; std::getline(in, line);) {
    const std::size_t a = line.find(','), b = line.find(',', a + 1);
    out.push_back(line.substr(a + 1, b - a - 1));
  }
  return out;
}

std::string without_second_column(const std::string& csv) {
  std::string out;
  std::istringstream in(csv);
  for (std::string line; std::getline(in, line);) {
    const std::size_t a = line.find(','), b = line.find(',', a + 1);
    out += line.substr(0, a) + line.substr(b) + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("a full start date: the same weather, and a date column that crosses Feb 29",
          "[greenhouse][calendar]") {
  const std::string dated = series(season("2024-02-27", "4d"));
  const std::string plain = series(season("02-27", "4d"));
  CHECK(plain.rfind("time_s,gh.", 0) == 0);  // no calendar: no column
  CHECK(second_column(dated) ==
        std::vector<std::string>{"time", "2024-02-27T00:00:00", "2024-02-28T00:00:00",
                                 "2024-02-29T00:00:00", "2024-03-01T00:00:00",
                                 "2024-03-02T00:00:00"});
  CHECK(without_second_column(dated) == plain);  // the weather (and so the run) is the same
}

TEST_CASE("a full start date across the end of a year", "[greenhouse][calendar]") {
  const std::string dated = series(season("2022-12-30", "3d"));
  CHECK(second_column(dated) ==
        std::vector<std::string>{"time", "2022-12-30T00:00:00", "2022-12-31T00:00:00",
                                 "2023-01-01T00:00:00", "2023-01-02T00:00:00"});
  CHECK(without_second_column(dated) == series(season("12-30", "3d")));
}

TEST_CASE("a start date that is not one is an error at the member", "[greenhouse][calendar]") {
  const auto e = test::compile_error(season("2023-02-29", "1d"));
  CHECK(e.pointer() == "/twins/gh/weather/start");
  CHECK_THAT(e.message(), Contains("YYYY-MM-DD"));
  const auto leap = test::compile_error(season("2024-02-29", "1d"));
  CHECK_THAT(leap.message(), Contains("February 29"));
  CHECK_THAT(test::compile_error(season("2023-9-27", "1d")).message(), Contains("MM-DD"));
}

TEST_CASE("a CSV with a calendar time_format gives its start as the calendar",
          "[greenhouse][calendar]") {
  std::ostringstream ts;
  const auto v =
      test::compile_file(test::source_path("scenarios/greenhouse/agc2022_reference.json"));
  run_one(v, RunTask{0, 0, 0}, &ts);
  const auto col = second_column(ts.str());
  REQUIRE(col.size() == 40 * 24 + 2);
  CHECK(col[0] == "time");
  CHECK(col[1] == "2022-02-03T00:00:00");            // "start": "2/3/2022 0:00"
  CHECK(col[2] == "2022-02-03T01:00:00");            // hourly samples
  CHECK(col[25] == "2022-02-04T00:00:00");           // a day later, the next day
  CHECK(col[26 * 24 + 1] == "2022-03-01T00:00:00");  // February 2022 has 28 days
  CHECK(col.back() == "2022-03-15T00:00:00");
}

TEST_CASE("a CSV with times in seconds has no calendar", "[greenhouse][calendar]") {
  std::ostringstream ts;
  const auto v =
      test::compile_file(test::source_path("scenarios/greenhouse/tomato_crop_constant.json"));
  run_one(v, RunTask{0, 0, 0}, &ts);
  CHECK(ts.str().rfind("time_s,tom.", 0) == 0);
}
