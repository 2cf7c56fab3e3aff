// Calendar times of a naive local clock: seconds since 1970-01-01T00:00 of whatever clock the
// data was written in (a weather file's local time), with no time zone and no daylight saving.
// A run with a calendar (Model::calendar_origin) labels its time series with these.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace dtwin {

// Days since 1970-01-01 of a proleptic Gregorian date.
inline long long days_from_civil(long long y, unsigned m, unsigned d) {
  // count years from March so that the leap day is the last day of the year; then 400-year
  // eras of 146097 days, 365 days a year plus the leap days of the Gregorian rule
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const long long yoe = y - era * 400;                        // [0, 399]
  const long long mp = (static_cast<long long>(m) + 9) % 12;  // March = 0
  const long long doy = (153 * mp + 2) / 5 + d - 1;           // [0, 365]
  const long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;  // 719468: days from 0000-03-01 to 1970-01-01
}

// The date of a day since 1970-01-01 (the inverse of days_from_civil).
inline void civil_from_days(long long z, long long* y, unsigned* m, unsigned* d) {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const long long doe = z - era * 146097;                                       // [0, 146096]
  const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const long long mp = (5 * doy + 2) / 153;                                     // March = 0
  *d = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

inline bool is_leap_year(long long y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

inline unsigned days_in_month(long long y, unsigned m) {
  static const unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap_year(y) ? 29 : kDays[m - 1];
}

// "2023-11-01T06:00:00", rounded to the second. Empty when not finite or out of range.
inline std::string iso_local(double s) {
  if (!std::isfinite(s) || std::fabs(s) > 1e14) return {};
  const long long sec = std::llround(s);
  long long days = sec / 86400, rem = sec % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  long long y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, &y, &m, &d);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", y, m, d, rem / 3600,
                rem / 60 % 60, rem % 60);
  return buf;
}

// Reads "YYYY-MM-DD", "YYYY-MM-DDTHH:MM" or "YYYY-MM-DDTHH:MM:SS" (a space for the T too) as
// seconds of the naive local clock. False on anything else (an invalid date included).
inline bool parse_iso_local(std::string_view text, double* seconds) {
  auto num = [&](std::size_t pos, std::size_t width, long long* out) {
    if (pos + width > text.size()) return false;
    long long v = 0;
    for (std::size_t i = pos; i < pos + width; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      v = v * 10 + (text[i] - '0');
    }
    *out = v;
    return true;
  };
  long long y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!num(0, 4, &y) || text.size() < 10 || text[4] != '-' || !num(5, 2, &mo) || text[7] != '-' ||
      !num(8, 2, &d))
    return false;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, static_cast<unsigned>(mo))) return false;
  if (text.size() > 10) {
    if ((text[10] != 'T' && text[10] != ' ') || !num(11, 2, &h) || text.size() < 16 ||
        text[13] != ':' || !num(14, 2, &mi))
      return false;
    if (text.size() > 16 && (text.size() != 19 || text[16] != ':' || !num(17, 2, &s))) return false;
    if (h > 23 || mi > 59 || s > 59) return false;
  }
  const long long days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  *seconds = static_cast<double>(days * 86400 + h * 3600 + mi * 60 + s);
  return true;
}

}  // namespace dtwin
