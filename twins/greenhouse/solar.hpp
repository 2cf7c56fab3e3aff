// The sun seen from a place on the ground: its elevation at an instant, the day's sunrise and
// sunset, the radiation at the top of the atmosphere, and the diffuse part of the global
// radiation that reaches the ground.
//
// Position: the low-precision solar coordinates of Meeus, "Astronomical Algorithms" (2nd ed.,
// 1998), chapter 25 (geometric mean longitude and anomaly, equation of the centre, apparent
// longitude with the nutation term, obliquity of the ecliptic with its correction) and the
// equation of time of chapter 28, as NOAA's solar calculator uses them: about 0.01 degree in
// declination and a few seconds in the equation of time for 1950-2050. The elevation is the
// geometric one (no refraction). Sunrise and sunset are when the centre of the sun is 0.833
// degree below the horizon (refraction at the horizon plus the sun's radius), found by the
// hour angle and refined once with the sun's coordinates at that time.
//
// Diffuse fraction: Erbs, Klein & Duffie (1982), "Estimation of the diffuse radiation fraction
// for hourly, daily and monthly-average global radiation", Solar Energy 28(4):293-302, from the
// hourly clearness index kt = global / extraterrestrial horizontal radiation.
#pragma once

namespace dtwin::greenhouse {

struct SunPosition {
  double elevation_deg;    // above the horizon, geometric
  double azimuth_deg;      // clockwise from north
  double declination_deg;  // apparent
  double equation_of_time_min;
};

// utc_s: seconds since 1970-01-01 00:00 UTC; latitude north and longitude east in degrees
SunPosition sun_position(double latitude_deg, double longitude_deg, double utc_s);

// The local standard day that starts at local_midnight_s (seconds since 1970-01-01 00:00 local
// standard time, time_zone_h east of UTC): sunrise and sunset in hours after that midnight. Under
// the midnight sun sunrise is 0 and sunset 24; in the polar night both are the solar noon.
struct SunDay {
  double sunrise_h, sunset_h;
  double day_length_h() const { return sunset_h - sunrise_h; }
};
SunDay sun_day(double latitude_deg, double longitude_deg, double time_zone_h,
               double local_midnight_s);

// global radiation on a horizontal surface at the top of the atmosphere, W m-2 (solar constant
// 1361 W m-2, the orbit's eccentricity by the day of the year)
double extraterrestrial_horizontal_w_m2(double elevation_deg, double utc_s);

// the diffuse fraction of the hourly global radiation at clearness index kt (Erbs et al.)
double erbs_diffuse_fraction(double kt);

}  // namespace dtwin::greenhouse
