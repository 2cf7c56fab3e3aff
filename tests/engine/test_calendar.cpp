// Calendar times of a naive local clock (engine/base/calendar.hpp): dates across month, year and
// leap-day boundaries, both ways.
#include <catch2/catch.hpp>

#include <string>

#include "engine/base/calendar.hpp"

using namespace dtwin;

namespace {
double at(const std::string& text) {
  double s = -1;
  INFO("text: " << text);
  REQUIRE(parse_iso_local(text, &s));
  return s;
}
}  // namespace

TEST_CASE("calendar: ISO local times both ways", "[calendar]") {
  CHECK(iso_local(0) == "1970-01-01T00:00:00");
  CHECK(at("1970-01-01") == 0);
  CHECK(at("2022-09-27") == 1664236800);  // date -u -d 2022-09-27 +%s
  CHECK(iso_local(1664236800 + 6 * 3600 + 30 * 60 + 5) == "2022-09-27T06:30:05");
  CHECK(at("2022-09-27T06:30") == 1664236800 + 6 * 3600 + 30 * 60);
  CHECK(at("2022-09-27T06:30:05") == at("2022-09-27 06:30:05"));
  CHECK(iso_local(-1) == "1969-12-31T23:59:59");
  CHECK(iso_local(at("2023-11-01T06:00") + 0.4) == "2023-11-01T06:00:00");  // to the second
}

TEST_CASE("calendar: a day later across month, year and leap-day boundaries", "[calendar]") {
  const double day = 86400;
  CHECK(iso_local(at("2022-09-30") + day) == "2022-10-01T00:00:00");
  CHECK(iso_local(at("2022-12-31T12:00") + day) == "2023-01-01T12:00:00");
  CHECK(iso_local(at("2023-02-28") + day) == "2023-03-01T00:00:00");  // not a leap year
  CHECK(iso_local(at("2024-02-28") + day) == "2024-02-29T00:00:00");  // a leap year
  CHECK(iso_local(at("2024-02-29") + day) == "2024-03-01T00:00:00");
  CHECK(iso_local(at("2000-02-28") + day) == "2000-02-29T00:00:00");  // divisible by 400
  CHECK(iso_local(at("2100-02-28") + day) == "2100-03-01T00:00:00");  // by 100, not 400
  CHECK(at("2025-01-01") - at("2024-01-01") == 366 * day);
  CHECK(at("2024-01-01") - at("2023-01-01") == 365 * day);
  for (long long d = -800; d < 800; d += 7) {  // civil_from_days inverts days_from_civil
    long long y = 0;
    unsigned m = 0, dd = 0;
    civil_from_days(d, &y, &m, &dd);
    CHECK(days_from_civil(y, m, dd) == d);
  }
}

TEST_CASE("calendar: what is not a date is refused", "[calendar]") {
  double s = 0;
  for (const char* bad : {"", "2023", "2023-02-29", "2023-13-01", "2023-04-31", "2023-4-1",
                          "23-04-01", "2023-04-01T", "2023-04-01T24:00", "2023-04-01T06:60",
                          "2023-04-01T06:00:00Z", "2023-04-01x", "30d", "09-27"})
    CHECK_FALSE(parse_iso_local(bad, &s));
}
