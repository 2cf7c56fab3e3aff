// An EnergyPlus weather file (EPW) read into its columns, and checked: the format, the checks
// and how the weather uses it are described in gl_weather.hpp. Errors are EpwError, "file:line:
// what", which the weather reader reports at the scenario's "epw" member.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace dtwin::greenhouse {

// the weather's 365-day year: days before each month, days in each month
inline constexpr int kDaysBefore[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
inline constexpr int kDaysIn[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

struct EpwError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The EPW reader alone: text of the file, name for messages.
struct EpwData {
  double latitude = 0, longitude = 0, time_zone = 0;
  std::vector<int> line;                                     // per row
  std::vector<double> hour_of_year;                          // mid-hour, hours since Jan 1 00:00
  std::vector<double> temp, dew, rh, ir, ghi, wind, opaque;  // NaN where missing
  int skipped_feb29 = 0;  // rows of February 29 (a leap year's file), left out
  // A file that is not one year of 8760 hours (a part of a year, or several years in a row)
  // is dated: its rows are the hours of the dates they name, February 29 included, and
  // hour_since_epoch (mid-hour, local standard time, hours since 1970-01-01 00:00) places them.
  bool dated = false;
  std::vector<double> hour_since_epoch;
};
EpwData parse_epw(const std::string& text, const std::string& shown);

// The values' physical ranges and the radiation's unit against the top of the atmosphere, then
// the missing values filled across gaps up to max_gap_h (counted in filled and longest_s); the
// humidity from the dew point, or from RH where the dew point is missing everywhere: true when
// the dew point is the one.
bool check_and_fill_epw(EpwData& d, double max_gap_h, const std::string& shown,
                        std::uint64_t& filled, double& longest_s);

// clear-sky check helpers, exposed for tests (a cheap approximation, without the equation of time,
// for the unit check's 150,000 evaluations per file; solar.hpp has the sun for the model)
double gl_extraterrestrial_horizontal(double latitude_deg, double longitude_deg, double tz_h,
                                      double hour_of_year);
// sky temperature (degC) from dew point, air temperature and opaque sky cover (tenths)
double gl_sky_temp_clark_allen(double temp_c, double dew_c, double opaque_tenths);

}  // namespace dtwin::greenhouse
