#include "twins/greenhouse/epw.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>

#include "engine/base/calendar.hpp"

namespace dtwin::greenhouse {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kSigma = 5.67e-8;

[[noreturn]] void fail_at(const std::string& shown, int line, const std::string& what) {
  throw EpwError(shown + ":" + std::to_string(line) + ": " + what);
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

bool to_number(const std::string& s, double* v) {
  const char* b = s.c_str();
  while (*b == ' ') ++b;
  if (*b == 0) return false;
  char* e = nullptr;
  *v = std::strtod(b, &e);
  while (*e == ' ') ++e;
  return *e == 0 && std::isfinite(*v);
}

std::string fmt(double v) {
  std::ostringstream os;
  os.precision(4);
  os << v;
  return os.str();
}

// Fills NaN runs in v (rows at hour positions h) linearly when the valid values around them are
// at most max_gap_h apart (wrapping round the year); fails naming the first missing row.
void fill_gaps(std::vector<double>& v, const EpwData& d, double max_gap_h, const char* name,
               const std::string& shown, std::uint64_t& filled, double& longest_s) {
  const std::size_t n = v.size();
  std::size_t valid = 0;
  for (double x : v)
    if (!std::isnan(x)) ++valid;
  if (valid == 0)
    fail_at(shown, d.line.front(), std::string("column \"") + name + "\" has no values");
  if (valid == n) return;
  if (d.dated) {  // no wrap round a year: a gap at either end holds the nearest value
    for (std::size_t i = 0; i < n;) {
      if (!std::isnan(v[i])) {
        ++i;
        continue;
      }
      std::size_t len = 0;
      while (i + len < n && std::isnan(v[i + len])) ++len;
      const double span_h = static_cast<double>(len + 1);
      if (span_h > max_gap_h)
        fail_at(shown, d.line[i],
                std::string("column \"") + name + "\": no value on lines " +
                    std::to_string(d.line[i]) + " to " + std::to_string(d.line[i + len - 1]) +
                    ", a gap of " + fmt(span_h) + " h, longer than max_gap (" + fmt(max_gap_h) +
                    " h)");
      for (std::size_t j = 0; j < len; ++j)
        v[i + j] = i == 0 ? v[len]
                   : i + len == n
                       ? v[i - 1]
                       : v[i - 1] + (v[i + len] - v[i - 1]) * static_cast<double>(j + 1) / span_h;
      filled += len;
      longest_s = std::max(longest_s, span_h * 3600);
      i += len;
    }
    return;
  }
  std::size_t start = 0;  // a valid row to start from
  while (std::isnan(v[start])) ++start;
  for (std::size_t k = 1; k <= n; ++k) {
    const std::size_t i = (start + k) % n;
    if (!std::isnan(v[i])) continue;
    std::size_t len = 0;
    while (std::isnan(v[(i + len) % n])) ++len;
    const std::size_t before = (i + n - 1) % n, after = (i + len) % n;
    const double span_h = static_cast<double>(len + 1);
    if (span_h > max_gap_h)
      fail_at(shown, d.line[i],
              std::string("column \"") + name + "\": no value on lines " +
                  std::to_string(d.line[i]) + " to " + std::to_string(d.line[(i + len - 1) % n]) +
                  ", a gap of " + fmt(span_h) + " h, longer than max_gap (" + fmt(max_gap_h) +
                  " h)");
    for (std::size_t j = 0; j < len; ++j)
      v[(i + j) % n] = v[before] + (v[after] - v[before]) * static_cast<double>(j + 1) / span_h;
    filled += len;
    longest_s = std::max(longest_s, span_h * 3600);
    k += len;
  }
}

void check_range(const std::vector<double>& v, const EpwData& d, double lo, double hi,
                 const char* what, const std::string& shown) {
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!std::isnan(v[i]) && (v[i] < lo || v[i] > hi))
      fail_at(shown, d.line[i],
              std::string(what) + " " + fmt(v[i]) + " is outside " + fmt(lo) + " to " + fmt(hi));
}

}  // namespace

double gl_extraterrestrial_horizontal(double lat, double lon, double tz, double hour_of_year) {
  const double doy = std::floor(hour_of_year / 24) + 1;
  const double local_h = std::fmod(hour_of_year, 24.0);
  const double decl = 23.45 * kPi / 180 * std::sin(2 * kPi * (284 + doy) / 365);
  const double solar_h = local_h + (lon - 15 * tz) / 15;
  const double hour_angle = (solar_h - 12) * 15 * kPi / 180;
  const double phi = lat * kPi / 180;
  const double sin_el =
      std::sin(phi) * std::sin(decl) + std::cos(phi) * std::cos(decl) * std::cos(hour_angle);
  return 1367 * (1 + 0.033 * std::cos(2 * kPi * doy / 365)) * std::max(0.0, sin_el);
}

double gl_sky_temp_clark_allen(double temp_c, double dew_c, double n) {
  const double eps = (0.787 + 0.764 * std::log((dew_c + 273.15) / 273.15)) *
                     (1 + 0.0224 * n - 0.0035 * n * n + 0.00028 * n * n * n);
  const double tk = temp_c + 273.15;
  const double ir = std::clamp(eps, 0.0, 1.0) * kSigma * tk * tk * tk * tk;
  return std::pow(ir / kSigma, 0.25) - 273.15;
}

namespace {

// a data row's weather values (NaN where missing)
void push_values(EpwData& d, const std::vector<std::string>& f, const std::string& shown, int no) {
  auto field = [&](std::size_t i, const char* name, double missing_at_or_above) {
    if (i >= f.size()) return kNaN;
    double x = 0;
    if (!to_number(f[i], &x))
      fail_at(
          shown, no,
          "field " + std::to_string(i + 1) + " (" + name + ") is not a number: \"" + f[i] + "\"");
    return x >= missing_at_or_above ? kNaN : x;
  };
  d.temp.push_back(field(6, "dry bulb temperature", 99.9));
  d.dew.push_back(field(7, "dew point temperature", 99.9));
  d.rh.push_back(field(8, "relative humidity", 999));
  d.ir.push_back(field(12, "horizontal infrared radiation", 9999));
  d.ghi.push_back(field(13, "global horizontal radiation", 9999));
  d.wind.push_back(field(21, "wind speed", 999));
  d.opaque.push_back(f.size() > 23 ? field(23, "opaque sky cover", 99) : kNaN);
}

// the rows flagged out of every per-row column
void drop_rows(EpwData& d, const std::vector<char>& out) {
  auto keep = [&](auto& v) {
    std::size_t k = 0;
    for (std::size_t i = 0; i < v.size(); ++i)
      if (!out[i]) v[k++] = v[i];
    v.resize(k);
  };
  keep(d.line);
  keep(d.hour_of_year);
  keep(d.temp);
  keep(d.dew);
  keep(d.rh);
  keep(d.ir);
  keep(d.ghi);
  keep(d.wind);
  keep(d.opaque);
}

}  // namespace

EpwData parse_epw(const std::string& text, const std::string& shown) {
  EpwData d;
  std::istringstream in(text);
  std::string line;
  int no = 0;
  for (int h = 0; h < 8; ++h) {
    if (!std::getline(in, line))
      fail_at(shown, no,
              "an EPW file has 8 header lines; the file ends after " + std::to_string(no));
    ++no;
    if (h == 0) {
      const auto f = split(line);
      if (f.empty() || f[0] != "LOCATION" || f.size() < 10)
        fail_at(shown, no,
                "expected the EPW header \"LOCATION,city,state,country,source,WMO,"
                "latitude,longitude,time zone,elevation\"");
      if (!to_number(f[6], &d.latitude) || !to_number(f[7], &d.longitude) ||
          !to_number(f[8], &d.time_zone) || std::fabs(d.latitude) > 90 ||
          std::fabs(d.longitude) > 180 || std::fabs(d.time_zone) > 14)
        fail_at(shown, no, "LOCATION: latitude, longitude or time zone is not a valid number");
    } else if (h == 7 && line.rfind("DATA PERIODS", 0) != 0) {
      fail_at(shown, no, "expected the 8th header line \"DATA PERIODS,...\"; is this an EPW file?");
    }
  }
  double prev_h = -1;
  int prev_line = 0;
  long long prev_year = 0;
  int years = 1;            // calendar years the rows run through, one after the other
  std::vector<char> feb29;  // per row: a February 29 (kept only in a dated file)
  while (std::getline(in, line)) {
    ++no;
    if (line.empty() || line == "\r") continue;
    const auto f = split(line);
    if (f.size() < 22)
      fail_at(shown, no,
              "an EPW data row has at least 22 fields (up to wind speed); found " +
                  std::to_string(f.size()));
    double v[4];
    for (int i = 0; i < 4; ++i)
      if (!to_number(f[static_cast<std::size_t>(i) + 1], &v[i]))
        fail_at(shown, no,
                "field " + std::to_string(i + 2) + " (month, day, hour, minute) is not a number");
    for (int i = 0; i < 3; ++i)
      if (!(v[i] >= 0 && v[i] <= 100) || v[i] != std::floor(v[i]))
        fail_at(shown, no,
                "month, day and hour must be whole numbers: \"" + f[1] + "\", \"" + f[2] +
                    "\", \"" + f[3] + "\"");
    const int month = static_cast<int>(v[0]), day = static_cast<int>(v[1]),
              hour = static_cast<int>(v[2]);
    double year = 0;
    if (!to_number(f[0], &year) || year != std::floor(year) || year < 1000 || year > 9999)
      fail_at(shown, no, "field 1 (year) is not a year: \"" + f[0] + "\"");
    const auto y = static_cast<long long>(year);
    const bool leap_day = month == 2 && day == 29 && hour >= 1 && hour <= 24;
    if (!leap_day) {
      if (month < 1 || month > 12 || day < 1 || day > kDaysIn[month - 1] || hour < 1 || hour > 24)
        fail_at(shown, no,
                "not a date and hour of a 365-day year: month " + f[1] + ", day " + f[2] +
                    ", hour " + f[3] + " (hours are 1-24)");
      const double h = (kDaysBefore[month - 1] + day - 1) * 24.0 + hour - 0.5;
      // the next calendar year, from its first hour: a file of several years in a row
      if (h == 0.5 && prev_h == 8759.5 && y == prev_year + 1) {
        ++years;
        prev_h = -1;
      }
    }
    prev_year = y;
    d.hour_since_epoch.push_back(static_cast<double>(days_from_civil(
                                     y, static_cast<unsigned>(month), static_cast<unsigned>(day))) *
                                     24 +
                                 hour - 0.5);
    feb29.push_back(leap_day ? 1 : 0);
    if (leap_day) {  // a leap year's extra day: out of the typical year's checks
      ++d.skipped_feb29;
      d.line.push_back(no);
      d.hour_of_year.push_back((31 + 28) * 24.0 + hour - 0.5);
      push_values(d, f, shown, no);
      continue;
    }
    const double h = (kDaysBefore[month - 1] + day - 1) * 24.0 + hour - 0.5;
    if (h <= prev_h)
      fail_at(shown, no,
              "time does not increase: month " + f[1] + " day " + f[2] + " hour " + f[3] +
                  " is not after line " + std::to_string(prev_line));
    if (prev_h >= 0 && h > prev_h + 1)
      fail_at(shown, no,
              "rows missing: month " + f[1] + " day " + f[2] + " hour " + f[3] + " is " +
                  fmt(h - prev_h) + " h after line " + std::to_string(prev_line) +
                  "; EPW rows are hourly");
    prev_h = h;
    prev_line = no;
    d.line.push_back(no);
    d.hour_of_year.push_back(h);
    push_values(d, f, shown, no);
  }
  const std::size_t typical_rows = d.line.size() - static_cast<std::size_t>(d.skipped_feb29);
  if (years == 1 && typical_rows == 8760) {  // one typical year: its February 29 left out
    if (d.skipped_feb29 > 0) drop_rows(d, feb29);
    d.hour_since_epoch.clear();
    return d;
  }
  // dated: the rows' own hours, one after the other
  if (d.line.empty()) fail_at(shown, no, "no data rows after the 8 header lines");
  for (std::size_t i = 1; i < d.line.size(); ++i)
    if (d.hour_since_epoch[i] != d.hour_since_epoch[i - 1] + 1)
      fail_at(shown, d.line[i],
              "rows missing or out of order: this row is " +
                  fmt(d.hour_since_epoch[i] - d.hour_since_epoch[i - 1]) + " h after line " +
                  std::to_string(d.line[i - 1]) + "; EPW rows are hourly");
  d.dated = true;
  d.skipped_feb29 = 0;
  return d;
}

bool check_and_fill_epw(EpwData& d, double max_gap_h, const std::string& shown,
                        std::uint64_t& filled, double& longest_s) {
  const std::size_t n = d.line.size();
  check_range(d.temp, d, -70, 60, "dry bulb temperature (degC)", shown);
  check_range(d.dew, d, -90, 40, "dew point (degC)", shown);
  check_range(d.rh, d, 0, 110, "relative humidity (%)", shown);
  check_range(d.wind, d, 0, 60, "wind speed (m/s)", shown);
  check_range(d.ir, d, 50, 600, "horizontal infrared radiation (Wh/m2 in the hour)", shown);
  // radiation against the top of the atmosphere
  double best_kt = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (std::isnan(d.ghi[i])) continue;
    double g0_max = 0;
    for (double dh = -2; dh <= 2.01; dh += 0.25)
      g0_max =
          std::max(g0_max, gl_extraterrestrial_horizontal(d.latitude, d.longitude, d.time_zone,
                                                          std::max(0.0, d.hour_of_year[i] + dh)));
    if (d.ghi[i] > 1.1 * g0_max + 30)
      fail_at(shown, d.line[i],
              "global horizontal radiation " + fmt(d.ghi[i]) +
                  " Wh/m2 in an hour whose top-of-atmosphere radiation is at most " + fmt(g0_max) +
                  " W/m2: not an hourly sum in Wh/m2 (kJ/m2 is 3.6 times larger)");
    const double g0 =
        gl_extraterrestrial_horizontal(d.latitude, d.longitude, d.time_zone, d.hour_of_year[i]);
    if (g0 > 400) best_kt = std::max(best_kt, d.ghi[i] / g0);
  }
  check_range(d.ghi, d, 0, 1500, "global horizontal radiation (Wh/m2 in the hour)", shown);
  if (best_kt < 0.45)
    fail_at(shown, d.line.front(),
            "global horizontal radiation is implausibly small for Wh/m2: in its clearest hour "
            "the ground gets " +
                fmt(100 * best_kt) +
                "% of the top-of-atmosphere radiation (clear skies give 60-80%); is it in J/cm2 "
                "(0.36 times Wh/m2)?");
  // humidity from the dew point, or from RH where the dew point is missing everywhere
  std::size_t dew_valid = 0;
  for (double x : d.dew)
    if (!std::isnan(x)) ++dew_valid;
  fill_gaps(d.temp, d, max_gap_h, "dry bulb temperature", shown, filled, longest_s);
  fill_gaps(d.ghi, d, max_gap_h, "global horizontal radiation", shown, filled, longest_s);
  fill_gaps(d.wind, d, max_gap_h, "wind speed", shown, filled, longest_s);
  if (dew_valid > 0)
    fill_gaps(d.dew, d, max_gap_h, "dew point temperature", shown, filled, longest_s);
  else
    fill_gaps(d.rh, d, max_gap_h, "relative humidity", shown, filled, longest_s);
  return dew_valid > 0;
}

}  // namespace dtwin::greenhouse
