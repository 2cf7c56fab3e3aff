#include "twins/greenhouse/solar.hpp"

#include <algorithm>
#include <cmath>

#include "engine/base/calendar.hpp"

namespace dtwin::greenhouse {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kRad = kPi / 180;

struct SunCoordinates {
  double declination;  // rad
  double eot_min;      // equation of time, minutes
};

// Meeus ch. 25 (low precision) and ch. 28 at Julian centuries T from J2000.0
SunCoordinates coordinates(double T) {
  const double l0 = std::fmod(280.46646 + T * (36000.76983 + 0.0003032 * T), 360.0);
  const double m = 357.52911 + T * (35999.05029 - 0.0001537 * T);
  const double e = 0.016708634 - T * (0.000042037 + 0.0000001267 * T);
  const double c = std::sin(m * kRad) * (1.914602 - T * (0.004817 + 0.000014 * T)) +
                   std::sin(2 * m * kRad) * (0.019993 - 0.000101 * T) +
                   std::sin(3 * m * kRad) * 0.000289;
  const double omega = 125.04 - 1934.136 * T;
  const double lambda = l0 + c - 0.00569 - 0.00478 * std::sin(omega * kRad);
  const double eps0 = 23 + (26 + (21.448 - T * (46.815 + T * (0.00059 - T * 0.001813))) / 60) / 60;
  const double eps = (eps0 + 0.00256 * std::cos(omega * kRad)) * kRad;
  SunCoordinates s{};
  s.declination = std::asin(std::sin(eps) * std::sin(lambda * kRad));
  const double y = std::tan(eps / 2) * std::tan(eps / 2);
  const double l = l0 * kRad, mr = m * kRad;
  s.eot_min =
      4 / kRad *
      (y * std::sin(2 * l) - 2 * e * std::sin(mr) + 4 * e * y * std::sin(mr) * std::cos(2 * l) -
       0.5 * y * y * std::sin(4 * l) - 1.25 * e * e * std::sin(2 * mr));
  return s;
}

double centuries(double utc_s) {
  return (utc_s / 86400 + 2440587.5 - 2451545.0) / 36525;
}

}  // namespace

SunPosition sun_position(double latitude_deg, double longitude_deg, double utc_s) {
  const SunCoordinates s = coordinates(centuries(utc_s));
  const double minutes = (utc_s - std::floor(utc_s / 86400) * 86400) / 60;
  const double hour_angle = ((minutes + s.eot_min + 4 * longitude_deg) / 4 - 180) * kRad;
  const double phi = latitude_deg * kRad;
  const double cos_zenith =
      std::clamp(std::sin(phi) * std::sin(s.declination) +
                     std::cos(phi) * std::cos(s.declination) * std::cos(hour_angle),
                 -1.0, 1.0);
  const double zenith = std::acos(cos_zenith);
  // azimuth from north, clockwise (east of the meridian before noon)
  const double az = std::atan2(std::sin(hour_angle), std::cos(hour_angle) * std::sin(phi) -
                                                         std::tan(s.declination) * std::cos(phi));
  SunPosition p{};
  p.elevation_deg = 90 - zenith / kRad;
  p.azimuth_deg = std::fmod(az / kRad + 180 + 360, 360.0);
  p.declination_deg = s.declination / kRad;
  p.equation_of_time_min = s.eot_min;
  return p;
}

SunDay sun_day(double latitude_deg, double longitude_deg, double time_zone_h,
               double local_midnight_s) {
  const double utc_midnight = local_midnight_s - time_zone_h * 3600;
  const double phi = latitude_deg * kRad;
  // minutes after local midnight of the sun at the horizon (sign -1 rising, +1 setting), from
  // the sun's coordinates at the guessed time
  const auto event = [&](double guess_min, double sign, bool* polar) {
    const SunCoordinates s = coordinates(centuries(utc_midnight + guess_min * 60));
    const double noon = 720 - 4 * longitude_deg - s.eot_min + 60 * time_zone_h;
    const double cos_h = (std::sin(-0.833 * kRad) - std::sin(phi) * std::sin(s.declination)) /
                         (std::cos(phi) * std::cos(s.declination));
    *polar = cos_h < -1 || cos_h > 1;
    if (cos_h < -1) return sign * 1e9;  // the sun stays up: the whole day (clamped below)
    if (cos_h > 1) return noon;         // the sun stays down
    return noon + sign * 4 * std::acos(cos_h) / kRad;
  };
  bool polar = false;
  double rise = event(720, -1, &polar);
  if (!polar) rise = event(rise, -1, &polar);
  double set = event(720, 1, &polar);
  if (!polar) set = event(set, 1, &polar);
  SunDay d{};
  d.sunrise_h = std::clamp(rise / 60, 0.0, 24.0);
  d.sunset_h = std::clamp(set / 60, d.sunrise_h, 24.0);
  return d;
}

double extraterrestrial_horizontal_w_m2(double elevation_deg, double utc_s) {
  long long y = 0;
  unsigned m = 0, d = 0;
  const long long day = static_cast<long long>(std::floor(utc_s / 86400));
  civil_from_days(day, &y, &m, &d);
  const double doy = static_cast<double>(day - days_from_civil(y, 1, 1) + 1);
  const double e0 = 1 + 0.033 * std::cos(2 * kPi * doy / 365);
  return std::max(0.0, 1361 * e0 * std::sin(elevation_deg * kRad));
}

double erbs_diffuse_fraction(double kt) {
  if (kt <= 0.22) return 1 - 0.09 * std::max(kt, 0.0);
  if (kt <= 0.80)
    return 0.9511 - 0.1604 * kt + 4.388 * kt * kt - 16.638 * kt * kt * kt +
           12.336 * kt * kt * kt * kt;
  return 0.165;
}

}  // namespace dtwin::greenhouse
