// Outdoor weather for the GreenLight twin: an EnergyPlus EPW file, or any input source
// (constant values or a CSV with a column map, input_series.hpp).
//
//   "weather": {"epw": "../../assets/weather/x.epw",   path relative to the scenario
//               "start": "09-27",                      run time 0 = this date, 00:00 (MM-DD;
//                        "09-27T14:30" at that local hour, "09-27T13:30Z" in UTC)
//                        or "2022-09-27"               the same weather, and the run's calendar
//                        ("2022-09-27T14:30[Z]")       (time series gain a date-time column)
//               "max_gap": "3h",                       longest run of missing values filled
//               "co2_ppm": 410,                        outside CO2 (default 410)
//               "forecast": {"time_h": [0, 1, ...],    a forecast over the first hours: the
//                 "temp_c": [...], "rh_pct": [...],    rows within its span take its values
//                 "rad_w_m2": [...], "wind_m_s": [...]},  (sky temperature by Clark & Allen)
//               "ensemble": {...}}                     replications as members (gl_ensemble.hpp)
//   "weather": {"constant": {"rad_w_m2": 0, "temp_c": 5, "rh_pct": 80, "wind_m_s": 2}}
//   "weather": {"file": "w.csv", "time_column": "t", "columns": {"rad_w_m2": "Iglob", ...}}
// CSV and constant keys: rad_w_m2, temp_c, rh_pct | vp_pa | dew_point_c, wind_m_s, and
// optionally sky_temp_c (else computed as for EPW without an infrared column) and co2_ppm.
//
// EPW (EnergyPlus Auxiliary Programs, "EnergyPlus Weather File (EPW) Data Dictionary"): 8
// header lines (LOCATION gives latitude, longitude, time zone), then one row per hour of a
// year: year, month, day, hour (1-24: the hour ending then), minute, flags, dry bulb (degC),
// dew point (degC), relative humidity (%), pressure, two extraterrestrial radiations,
// horizontal infrared radiation (Wh m-2), global horizontal radiation (Wh m-2 over the hour,
// so the hour's mean in W m-2), ..., wind direction, wind speed (m s-1), total and opaque sky
// cover (tenths). Values are placed at the middle of their hour. Missing values (the
// dictionary's codes: 99.9 degC, 999 %, 9999 Wh m-2, 999 m s-1) are filled linearly across
// gaps up to max_gap and counted; longer gaps are errors. The sky temperature is
// (IR / sigma)^(1/4); where IR is missing it is computed from the dictionary's formula (Clark
// & Allen: sky emissivity from dew point and opaque sky cover, 5 tenths when unknown).
// A typical year repeats: a run may start on any date and last any time. A leap year's file
// (8784 rows) loses its February 29, so every year has 365 days. With a full start date the run
// has a calendar (its dates count February 29 where there is one); the weather stays laid out
// in 365-day years, so after a February 29 the weather's day is one behind the calendar's.
// Any other file is dated: a part of a year, or calendar years one after the other (Dec 31
// hour 24, then Jan 1 hour 1 of the next year), its rows the consecutive hours of the dates they
// name, February 29 included. A run on it needs "start" as a date (YYYY-MM-DD[Thh:mm]) and must
// end within the file; the deep soil's yearly wave is then fitted by least squares (a part of a
// year is no whole period; under 30 days, the mean alone).
//
// Checks, each an error naming file:line (or the scenario member): 8 header lines and a
// LOCATION line; rows with too few fields or non-numbers; each row one hour after the previous
// (non-monotonic times, duplicates and missing rows are errors); a dated file's run within its
// dates; radiation above the top of the atmosphere within 2 h of that hour (a unit with
// larger numbers, e.g. kJ m-2; the 2 h allow for the equation of time, which this check leaves
// out, and for hour-labelling conventions); a year whose clearest hour gets less than 45% of
// the top-of-atmosphere radiation (a unit with smaller numbers, e.g. J cm-2 per hour: 0.36
// W m-2); values out of physical ranges.
//
// The sun (solar.hpp) where the place and the dates are known: an EPW file's LOCATION and its
// dates (a typical year's are taken as 2019's), or a CSV with dates (read as the place's local
// standard time) and "location": {"latitude": 52.0, "longitude": 4.48, "time_zone": 1} (degrees
// north and east, hours east of UTC). Its sunrise and sunset drive the lamps' day extension
// (greenlight.hpp, lampsPhotoperiod), and "day": "sun" makes the controller's day the time
// between them (a linear hour's transition centred on each, as GreenLight's) instead of
// GreenLight's global radiation > 0 ("day": "radiation", the default).
//
// Derived series: the controller's "sun is up" (global radiation > 0, interpolated between
// rows, unless "day": "sun"), each day's radiation sum (MJ m-2, the whole day known in advance as
// in GreenLight), and the deep soil temperature: the yearly first harmonic of the air temperature,
// damped and delayed with depth z as a conducted wave, T = Tm + e^(-z/d) (a cos(wt - z/d) + b
// sin(wt - z/d)), d = sqrt(2 lambda / (rho c omega)) (VT2011's omega; soil properties as
// parameters).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/scenario/json_node.hpp"
#include "twins/greenhouse/epw.hpp"
#include "twins/greenhouse/greenlight.hpp"
#include "twins/greenhouse/input_series.hpp"

namespace dtwin::greenhouse {

struct GlWeatherSeries {
  // rows over run time (uniform or not); values at the rows
  std::vector<double> time_s, rad, temp, vp, wind, sky, is_day;
  std::vector<double> day_rad_sum_mj;  // per run day
  double co2_ppm = 410;  // outside CO2 (mole fraction; mg m-3 at the outside temperature)
  // deep soil: mean, harmonic coefficients and phase origin (seconds of the year at t = 0)
  double soil_mean = 10, soil_a = 0, soil_b = 0, soil_damp = 0, soil_lag = 0, year_offset_s = 0;
  double omega = 1.99e-7;
  // run time 0 is this long after the weather's midnight ("start": "MM-DDThh:mm"): the day's
  // radiation sum and the time of day count from there
  double day_offset_s = 0;
  bool uniform = false;
  double dt = 3600;
  // an EPW file, and a dated one (not a typical year: its "start" is a full date)
  bool epw = false, dated = false;
  // as reported
  std::string file;
  std::uint64_t filled_values = 0;
  // the calendar time of run time 0 (engine/base/calendar.hpp): a full "start" date, or a CSV
  // with a calendar time_format; nullopt otherwise
  std::optional<double> calendar_origin_s;
  double longest_gap_s = 0;
  std::uint64_t sky_computed = 0;
  // the sun (solar.hpp), where the place and the dates are known: an EPW file, or a CSV with
  // dates and a "location"
  bool has_sun = false;
  double latitude = 0, longitude = 0, time_zone = 0;
  double local_origin_s = 0;                // run time 0 in local standard time, s since 1970-01-01
  bool sun_typical_year = false;            // a typical year: the dates repeat every 365 days
  double sun_first_day_s = 0;               // local midnight of sunrise_h[0]
  std::vector<double> sunrise_h, sunset_h;  // per local day, hours after its midnight
  bool day_from_sun = false;                // "day": "sun"

  GlWeather at(double t) const;
  // local standard time at run time t (s since 1970-01-01; a typical year's laid in 2019)
  double local_time_s(double t) const;
  // the sun's elevation (degrees) and the diffuse fraction of the global radiation at t
  double sun_elevation_deg(double t) const;
  double diffuse_fraction(double t) const;
  // sunset minus sunrise of the local day at t, hours
  double day_length_h(double t) const;
  // the index of the local day at t in sunrise_h (needs the sun), and the time of that day
  std::size_t sun_day_index(double t, double* time_of_day_h) const;
};

struct GlSoilSpec {
  double depth_m, lambda, rho_c, omega;
};

// Reads "weather" (node) for a run of ctx.duration_s. Errors are ScenarioErrors at the member,
// naming file:line for errors inside a file.
GlWeatherSeries read_gl_weather(const Node& weather, const InputContext& ctx,
                                const GlSoilSpec& soil);

}  // namespace dtwin::greenhouse
