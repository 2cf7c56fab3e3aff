#include "twins/greenhouse/gl_weather.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "engine/base/calendar.hpp"
#include "engine/base/format.hpp"
#include "engine/scenario/duration.hpp"
#include "twins/greenhouse/solar.hpp"

namespace dtwin::greenhouse {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kYearS = 365 * 86400.0;
// a typical year's dates for the sun: 2019 (not a leap year), local midnight of Jan 1
const double kSunYear0 = static_cast<double>(days_from_civil(2019, 1, 1)) * 86400;
constexpr double kSigma = 5.67e-8;
constexpr double kInf = 1e300;

// first yearly harmonic of a series at times tau (s of the year): mean, cos and sin weights
void harmonic(const std::vector<double>& tau, const std::vector<double>& x, double omega,
              double* mean, double* a, double* b) {
  double m = 0, c = 0, s = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    m += x[i];
    c += x[i] * std::cos(omega * tau[i]);
    s += x[i] * std::sin(omega * tau[i]);
  }
  const double n = static_cast<double>(x.size());
  *mean = m / n;
  *a = 2 * c / n;
  *b = 2 * s / n;
}

// the sun's days over the run (a typical year: its 365 days and the next Jan 1)
void place_sun(GlWeatherSeries& w, double duration_s) {
  if (!w.has_sun) return;
  double first = kSunYear0, days = 366;
  if (!w.sun_typical_year) {
    first = std::floor(w.local_origin_s / 86400) * 86400;
    days = std::floor((w.local_origin_s + duration_s) / 86400) - first / 86400 + 2;
  }
  w.sun_first_day_s = first;
  for (double d = 0; d < days; ++d) {
    const SunDay sd = sun_day(w.latitude, w.longitude, w.time_zone, first + d * 86400);
    w.sunrise_h.push_back(sd.sunrise_h);
    w.sunset_h.push_back(sd.sunset_h);
  }
}

// "day": "radiation" (GreenLight's: global radiation > 0) or "sun" (sunrise to sunset)
void read_day_rule(const Node& wn, GlWeatherSeries& w) {
  const auto d = wn.find("day");
  if (!d) return;
  const std::string rule = d->is_string() ? d->string() : "";
  if (rule == "radiation") return;
  if (rule != "sun")
    d->expected(
        "\"radiation\" (day while the global radiation is above 0, GreenLight's rule) or "
        "\"sun\" (from sunrise to sunset)");
  if (!w.has_sun)
    d->fail(
        "\"day\": \"sun\" needs the place and the dates: weather from an EPW file, or a "
        "CSV with dates and a \"location\"");
  w.day_from_sun = true;
}

// "location": {"latitude": 52.0, "longitude": 4.48, "time_zone": 1} of a CSV source with dates
void read_location(const Node& wn, GlWeatherSeries& w) {
  const auto l = wn.find("location");
  if (!l) return;
  if (!l->is_object())
    l->expected(
        "{\"latitude\": degrees north, \"longitude\": degrees east, \"time_zone\": "
        "hours east of UTC}");
  l->check_keys({"latitude", "longitude", "time_zone"});
  const auto number = [&](const char* key, double lo, double hi, const char* what) {
    const Node n = l->at(key);
    const double v = n.number();
    if (!(v >= lo && v <= hi)) n.expected(what);
    return v;
  };
  w.latitude = number("latitude", -90, 90, "degrees north, from -90 to 90");
  w.longitude = number("longitude", -180, 180, "degrees east, from -180 to 180");
  w.time_zone = number("time_zone", -12, 14, "hours east of UTC, from -12 to 14");
  if (!w.calendar_origin_s)
    l->fail(
        "the sun needs the dates: a CSV whose \"time_format\" has a date (read as the "
        "place's local standard time)");
  w.has_sun = true;
  w.local_origin_s = *w.calendar_origin_s;
}

void finish(GlWeatherSeries& w, double duration_s, const GlSoilSpec& soil) {
  place_sun(w, duration_s);
  // the day's radiation sums, by run day
  const std::size_t days =
      static_cast<std::size_t>(std::ceil((duration_s + w.day_offset_s) / 86400)) + 1;
  w.day_rad_sum_mj.assign(days, 0);
  if (w.time_s.size() <= 1) {
    for (auto& s : w.day_rad_sum_mj) s = w.rad.front() * 86400 * 1e-6;
  } else {
    // integrate the interpolated radiation over each day (trapezoid on the rows, clipped)
    for (std::size_t dd = 0; dd < days; ++dd) {
      const double a = static_cast<double>(dd) * 86400 - w.day_offset_s, b = a + 86400;
      double sum = 0;
      const int steps = 288;
      for (int k = 0; k < steps; ++k) {
        const double t = a + (k + 0.5) * (b - a) / steps;
        sum += w.at(t).iGlob * (b - a) / steps;
      }
      w.day_rad_sum_mj[dd] = sum * 1e-6;
    }
  }
  w.omega = soil.omega;
  const double d = std::sqrt(2 * soil.lambda / (soil.rho_c * soil.omega));
  w.soil_damp = std::exp(-soil.depth_m / d);
  w.soil_lag = soil.depth_m / d;
}

}  // namespace

GlWeather GlWeatherSeries::at(double t) const {
  GlWeather o{};
  const std::size_t n = time_s.size();
  double r = 0, tt = 0, v = 0, wi = 0, sk = 0, day = 0;
  if (n == 1) {
    r = rad[0];
    tt = temp[0];
    v = vp[0];
    wi = wind[0];
    sk = sky[0];
    day = is_day[0];
  } else {
    std::size_t k = 0;
    double f = 0;
    if (t <= time_s[0]) {
      k = 0;
    } else if (t >= time_s[n - 1]) {
      k = n - 2;
      f = 1;
    } else {
      if (uniform) {
        k = std::min(n - 2, static_cast<std::size_t>((t - time_s[0]) / dt));
        while (k + 1 < n - 1 && time_s[k + 1] <= t) ++k;
        while (k > 0 && time_s[k] > t) --k;
      } else {
        k = static_cast<std::size_t>(std::upper_bound(time_s.begin(), time_s.end(), t) -
                                     time_s.begin()) -
            1;
      }
      f = (t - time_s[k]) / (time_s[k + 1] - time_s[k]);
    }
    auto li = [&](const std::vector<double>& x) { return x[k] + f * (x[k + 1] - x[k]); };
    r = li(rad);
    tt = li(temp);
    v = li(vp);
    wi = li(wind);
    sk = li(sky);
    day = li(is_day);
  }
  o.iGlob = r;
  o.tOut = tt;
  o.vpOut = v;
  o.wind = wi;
  o.tSky = sk;
  o.isDay = day;
  o.co2Out = gl_co2_mg_m3(tt, co2_ppm);
  const double tau = omega * (t + year_offset_s) - soil_lag;
  o.tSoOut = soil_mean + soil_damp * (soil_a * std::cos(tau) + soil_b * std::sin(tau));
  const double td = std::max(0.0, t) + day_offset_s;
  if (!day_rad_sum_mj.empty())
    o.dayRadSum =
        day_rad_sum_mj[std::min(day_rad_sum_mj.size() - 1, static_cast<std::size_t>(td / 86400))];
  o.timeOfDay = std::fmod(td, 86400.0) / 3600;
  o.sunKnown = has_sun && sunrise_h.size() >= 2;
  if (o.sunKnown) {
    // this local day's sunrise and sunset; the controller's day between them with a linear
    // transition over an hour centred on each
    double tod = 0;
    const std::size_t k = sun_day_index(t, &tod);
    o.sunset = sunset_h[k];
    o.sunsetNext = sunset_h[k + 1];
    if (day_from_sun)
      o.isDay = std::clamp(0.5 + std::min(tod - sunrise_h[k], sunset_h[k] - tod), 0.0, 1.0);
  }
  return o;
}

double GlWeatherSeries::local_time_s(double t) const {
  if (!sun_typical_year) return local_origin_s + t;
  const double s = std::fmod(local_origin_s - kSunYear0 + t, kYearS);
  return kSunYear0 + (s < 0 ? s + kYearS : s);
}

std::size_t GlWeatherSeries::sun_day_index(double t, double* time_of_day_h) const {
  // days since sun_first_day_s (which is at or before run time 0), a typical year's modulo its
  // 365 days; called at every evaluation of the model, so without fmod
  const double rel = (local_origin_s - sun_first_day_s + std::max(0.0, t)) * (1 / 86400.0);
  const double day = std::floor(rel);
  if (time_of_day_h) *time_of_day_h = (rel - day) * 24;
  auto k = static_cast<std::size_t>(std::max(0.0, day));
  if (sun_typical_year) k %= 365;
  return std::min(sunrise_h.size() - 2, k);
}

double GlWeatherSeries::day_length_h(double t) const {
  if (!has_sun || sunrise_h.size() < 2) return std::nan("");
  const std::size_t k = sun_day_index(t, nullptr);
  return sunset_h[k] - sunrise_h[k];
}

double GlWeatherSeries::sun_elevation_deg(double t) const {
  if (!has_sun) return std::nan("");
  return sun_position(latitude, longitude, local_time_s(t) - time_zone * 3600).elevation_deg;
}

double GlWeatherSeries::diffuse_fraction(double t) const {
  if (!has_sun) return std::nan("");
  const double utc = local_time_s(t) - time_zone * 3600;
  const double g0 =
      extraterrestrial_horizontal_w_m2(sun_position(latitude, longitude, utc).elevation_deg, utc);
  const double kt = g0 > 0 ? std::min(at(t).iGlob / g0, 1.0) : 0;
  return erbs_diffuse_fraction(kt);
}

namespace {

namespace fs = std::filesystem;

// "forecast": {"time_h": [0, 1, ...], "temp_c": [...], "rh_pct": [...], "rad_w_m2": [...],
// "wind_m_s": [...]}: hours from run time 0, increasing; the rows of the series within its
// span take its values (linear between its times), the sky temperature from Clark & Allen at
// 5 tenths of cloud; the file's weather stays before and after
void apply_forecast(const Node& f, GlWeatherSeries& w) {
  f.check_keys({"time_h", "temp_c", "rh_pct", "rad_w_m2", "wind_m_s"});
  const char* const keys[] = {"time_h", "temp_c", "rh_pct", "rad_w_m2", "wind_m_s"};
  const double lo[] = {0, -70, 0, 0, 0}, hi[] = {1e6, 60, 100, 1400, 60};
  std::vector<double> col[5];
  for (int c = 0; c < 5; ++c) {
    const Node a = f.at(keys[c]);
    for (const Node& x : a.items()) col[c].push_back(x.number_in(lo[c], hi[c]));
    if (col[c].size() != col[0].size())
      a.expected(std::to_string(col[0].size()) + " values, one per time_h");
  }
  const std::vector<Node> ts = f.at("time_h").items();
  if (ts.size() < 2) f.at("time_h").expected("at least two times");
  for (std::size_t i = 1; i < ts.size(); ++i)
    if (!(col[0][i] > col[0][i - 1])) ts[i].expected("a time after the previous one");
  const double t0 = col[0].front() * 3600, t1 = col[0].back() * 3600;
  for (std::size_t r = 0; r < w.time_s.size(); ++r) {
    const double t = w.time_s[r];
    if (t < t0 || t > t1) continue;
    const auto up = std::upper_bound(col[0].begin(), col[0].end(), t / 3600) - col[0].begin();
    const std::size_t k = std::min(static_cast<std::size_t>(up) - 1, col[0].size() - 2);
    const double g = (t / 3600 - col[0][k]) / (col[0][k + 1] - col[0][k]);
    auto li = [&](int c) { return col[c][k] + g * (col[c][k + 1] - col[c][k]); };
    const double rh = li(2);
    w.temp[r] = li(1);
    w.vp[r] = rh / 100 * gl_sat_vp(w.temp[r]);
    w.rad[r] = li(3);
    w.wind[r] = li(4);
    w.is_day[r] = w.rad[r] > 0 ? 1.0 : 0.0;
    // the dew point of that vapour pressure (Magnus over water)
    const double lg = std::log(std::max(rh, 0.1) / 100) + 17.62 * w.temp[r] / (243.12 + w.temp[r]);
    w.sky[r] = gl_sky_temp_clark_allen(w.temp[r], 243.12 * lg / (17.62 - lg), 5);
  }
}

// a row of the weather at run time t
void push_row(GlWeatherSeries& w, double t, double rad, double temp, double vp, double wind,
              double sky) {
  w.time_s.push_back(t);
  w.rad.push_back(rad);
  w.temp.push_back(temp);
  w.vp.push_back(vp);
  w.wind.push_back(wind);
  w.sky.push_back(sky);
  w.is_day.push_back(rad > 0 ? 1.0 : 0.0);
}

// A dated file's rows as the run's series: run time 0 is start_h (hours since the epoch, local
// standard time; NaN without a "start" date), and the run must lie within the file's hours. The
// soil's yearly harmonic is fitted by least squares (a part of a year is not a whole period).
void place_dated(const EpwData& d, const Node& wn, const std::string& shown, double start_h,
                 double duration_s, const GlSoilSpec& soil, const std::vector<double>& rad,
                 const std::vector<double>& temp, const std::vector<double>& vp,
                 const std::vector<double>& wind, const std::vector<double>& sky,
                 GlWeatherSeries& w) {
  const double first = d.hour_since_epoch.front() - 0.5, last = d.hour_since_epoch.back() + 0.5;
  const auto date = [](double h) { return iso_local(h * 3600).substr(0, 16); };
  const std::string covers = shown + " covers " + date(first) + " to " + date(last);
  const Node at = wn.find("start") ? *wn.find("start") : wn.at("epw");
  if (std::isnan(start_h))
    at.fail(covers + ", not one typical year: give \"start\" as a date within it, \"YYYY-MM-DD\"");
  if (start_h < first || start_h + duration_s / 3600 > last)
    at.fail("the run needs weather from " + date(start_h) + " to " +
            date(start_h + duration_s / 3600) + "; " + covers);
  // the harmonic by least squares on [1, cos, sin] of the time of year
  long long year = 0;  // the start's calendar year, from whose Jan 1 the soil's wave counts
  unsigned month = 0, day = 0;
  civil_from_days(static_cast<long long>(std::floor(start_h / 24)), &year, &month, &day);
  const double y0 = static_cast<double>(days_from_civil(year, 1, 1)) * 86400;
  w.year_offset_s = start_h * 3600 - y0;
  w.day_offset_s = std::fmod(start_h, 24.0) * 3600;
  const double lo = -3 * 3600.0 - w.day_offset_s, hi = duration_s + 3 * 3600.0;
  double A[3][3] = {}, r[3] = {};
  for (std::size_t i = 0; i < d.line.size(); ++i) {
    const double t = (d.hour_since_epoch[i] - start_h) * 3600;
    const double ph = soil.omega * (t + w.year_offset_s);
    const double x[3] = {1, std::cos(ph), std::sin(ph)};
    for (int j = 0; j < 3; ++j) {
      r[j] += x[j] * temp[i];
      for (int k = 0; k < 3; ++k) A[j][k] += x[j] * x[k];
    }
    if (t < lo || t > hi) continue;
    push_row(w, t, rad[i], temp[i], vp[i], wind[i], sky[i]);
  }
  // Cramer's rule on the 3 x 3 normal equations; a short file (a few days) has no yearly
  // wave to speak of: its mean then
  const auto det3 = [](const double M[3][3]) {
    return M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) -
           M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) +
           M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0]);
  };
  const double det = det3(A);
  double c[3] = {r[0] / A[0][0], 0, 0};
  if (last - first >= 30 * 24 && std::fabs(det) > 1e-9 * std::pow(A[0][0], 3))
    for (int j = 0; j < 3; ++j) {
      double M[3][3];
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) M[a][b] = b == j ? r[a] : A[a][b];
      c[j] = det3(M) / det;
    }
  w.soil_mean = c[0];
  w.soil_a = c[1];
  w.soil_b = c[2];
}

GlWeatherSeries read_epw_source(const Node& wn, const InputContext& ctx, const GlSoilSpec& soil) {
  wn.check_keys({"epw", "start", "max_gap", "co2_ppm", "ensemble", "forecast", "day", "location"});
  if (auto l = wn.find("location"))
    l->fail("an EPW file gives its own place (its LOCATION line); \"location\" is for CSV weather");
  const Node file = wn.at("epw");
  const FileAccess::Path fp = ctx.files.path_for(file);
  const std::string& shown = fp.shown;
  std::ifstream is(fp.open, std::ios::binary);
  if (!is) file.fail("cannot open " + shown + ": " + ctx.files.why_not_opened(fp));
  std::ostringstream ss;
  ss << is.rdbuf();

  double start_doy = 0;    // days since Jan 1 of the weather's (365-day) year
  double start_tod_s = 0;  // "MM-DDThh:mm": the hour, local ("Z": UTC, shifted by the file's zone)
  bool start_utc = false;
  std::optional<double> calendar;
  std::optional<Node> feb29_start;  // a typical year has no February 29; a dated file may
  if (auto s = wn.find("start")) {
    // "MM-DD", or "YYYY-MM-DD": the same day of the weather, and the run's calendar besides
    std::string t = s->string();
    if (const auto at = t.find('T'); at != std::string::npos) {
      std::string hm = t.substr(at + 1);
      t.resize(at);
      start_utc = !hm.empty() && hm.back() == 'Z';
      if (start_utc) hm.pop_back();
      int h = -1, mi = -1;
      char colon = 0;
      std::istringstream hs(hm);
      if ((t.size() != 5 && t.size() != 10) || !(hs >> h >> colon >> mi) || colon != ':' || h < 0 ||
          h > 23 || mi < 0 || mi > 59 || !hs.eof())
        s->expected(
            "\"MM-DDThh:mm\" or \"YYYY-MM-DDThh:mm\" (local), \"...Z\" (UTC), such as "
            "\"10-05T14:30\"");
      start_tod_s = h * 3600.0 + mi * 60.0;
    }
    std::string md = t;
    if (t.size() == 10 && t[4] == '-') {
      double origin = 0;
      if (!parse_iso_local(t, &origin))
        s->expected("a date \"YYYY-MM-DD\" such as \"2022-09-27\", or \"MM-DD\"");
      calendar = origin;
      md = t.substr(5);
      if (md == "02-29") {
        feb29_start = *s;
        md = "03-01";  // for a typical year, refused below
      }
    }
    int m = 0, dd = 0;
    char dash = 0;
    std::istringstream ts(md);
    if (!(ts >> m >> dash >> dd) || dash != '-' || m < 1 || m > 12 || dd < 1 ||
        dd > kDaysIn[m - 1] || !ts.eof())
      s->expected("a date \"MM-DD\" such as \"09-27\", or \"YYYY-MM-DD\"");
    start_doy = kDaysBefore[m - 1] + dd - 1;
  }
  double max_gap_h = 3;
  if (auto g = wn.find("max_gap")) max_gap_h = parse_duration_positive(*g) / 3600;
  GlWeatherSeries w;
  if (auto c = wn.find("co2_ppm")) {
    w.co2_ppm = c->number();
    if (w.co2_ppm < 100 || w.co2_ppm > 5000)
      c->expected("a CO2 concentration from 100 to 5000 ppm");
  }
  w.file = shown;
  w.calendar_origin_s = calendar;

  try {
    EpwData d = parse_epw(ss.str(), shown);
    // the calendar from the start's date and hour, in the file's local standard time
    if (calendar)
      w.calendar_origin_s = *calendar + start_tod_s + (start_utc ? d.time_zone * 3600 : 0);
    if (feb29_start && !d.dated)
      feb29_start->fail(
          "February 29: the weather year has no such day (a leap year's file loses it); "
          "start on 02-28 or 03-01");
    const bool dew_known =
        check_and_fill_epw(d, max_gap_h, shown, w.filled_values, w.longest_gap_s);
    const std::size_t n = d.line.size();

    // one typical year, in time order from Jan 1 00:00 (tau), repeated over the run; or a
    // dated file's hours where they fall in the run
    std::vector<double> tau(n), rad(n), temp(n), vp(n), wind(n), sky(n);
    for (std::size_t i = 0; i < n; ++i) {
      tau[i] = d.hour_of_year[i] * 3600;
      rad[i] = d.ghi[i];
      temp[i] = d.temp[i];
      const double dew = dew_known ? d.dew[i] : kNaN;
      vp[i] = dew_known ? gl_sat_vp(std::min(dew, temp[i])) : d.rh[i] / 100 * gl_sat_vp(temp[i]);
      wind[i] = d.wind[i];
      if (!std::isnan(d.ir[i])) {
        sky[i] = std::pow(d.ir[i] / kSigma, 0.25) - 273.15;
      } else {
        const double dp = dew_known ? std::min(dew, temp[i]) : temp[i] - 5;
        sky[i] = gl_sky_temp_clark_allen(temp[i], dp, std::isnan(d.opaque[i]) ? 5 : d.opaque[i]);
        ++w.sky_computed;
      }
    }
    w.epw = true;
    w.dated = d.dated;
    w.has_sun = true;
    w.latitude = d.latitude;
    w.longitude = d.longitude;
    w.time_zone = d.time_zone;
    if (d.dated) {
      const double start_h = (start_tod_s + (start_utc ? d.time_zone * 3600 : 0)) / 3600 +
                             (calendar ? *calendar / 3600 : std::nan(""));
      place_dated(d, wn, shown, start_h, ctx.duration_s, soil, rad, temp, vp, wind, sky, w);
      w.local_origin_s = start_h * 3600;
    } else {
      double mean = 0, a = 0, b = 0;
      harmonic(tau, temp, soil.omega, &mean, &a, &b);
      w.soil_mean = mean;
      w.soil_a = a;
      w.soil_b = b;
      // with an hour: run time 0 is that long after the weather's midnight (a UTC hour in the
      // file's local standard time, the day before or after when it crosses midnight)
      double start_s = start_doy * 86400 + start_tod_s + (start_utc ? d.time_zone * 3600 : 0);
      if (start_s < 0) start_s += kYearS;
      if (start_s >= kYearS) start_s -= kYearS;
      w.day_offset_s = start_s - std::floor(start_s / 86400) * 86400;
      w.year_offset_s = start_s;
      w.sun_typical_year = true;
      w.local_origin_s = kSunYear0 + start_s;
      const double lo = -3 * 3600.0 - w.day_offset_s, hi = ctx.duration_s + 3 * 3600.0;
      for (int m = -1;; ++m) {
        bool past = false;
        for (std::size_t i = 0; i < n; ++i) {
          const double t = tau[i] + m * kYearS - start_s;
          if (t < lo) continue;
          if (t > hi) {
            past = true;
            break;
          }
          push_row(w, t, rad[i], temp[i], vp[i], wind[i], sky[i]);
        }
        if (past) break;
      }
    }
    w.uniform = true;
    w.dt = 3600;
  } catch (const EpwError& e) {
    file.fail(e.what());
  }
  if (auto f = wn.find("forecast")) apply_forecast(*f, w);
  read_day_rule(wn, w);
  finish(w, ctx.duration_s, soil);
  return w;
}

GlWeatherSeries read_input_source(const Node& wn, const InputContext& ctx, const GlSoilSpec& soil) {
  enum { kRad, kTemp, kHum, kWind, kSky, kCo2 };
  Quantity sky{{"sky_temp_c"}, false, -100, 60};
  Quantity co2{{"co2_ppm"}, false, 100, 5000};
  const RawInputs r = read_inputs(wn,
                                  {{{"rad_w_m2"}, true, 0, 1400},
                                   {{"temp_c"}, true, -70, 60},
                                   {{"rh_pct", "vp_pa", "dew_point_c"}, true, -90, kInf},
                                   {{"wind_m_s"}, true, 0, 60},
                                   sky,
                                   co2},
                                  ctx, {"day", "location"});
  GlWeatherSeries w;
  w.file = r.file;
  w.filled_values = r.filled_values;
  w.longest_gap_s = r.longest_gap_s;
  w.calendar_origin_s = r.calendar_start_s;
  const std::size_t n = std::max<std::size_t>(1, r.time_s.size());
  auto val = [&](std::size_t q, std::size_t i) {
    const auto& v = r.values[q];
    return v.size() == 1 ? v[0] : v[i];
  };
  if (r.key[kHum] == "rh_pct")
    for (std::size_t i = 0; i < n; ++i)
      if (val(kHum, i) > 100)
        wn.fail("rh_pct must be from 0 to 100, got " + format_number(val(kHum, i), 4));
  w.time_s = r.time_s.empty() ? std::vector<double>{0} : r.time_s;
  for (std::size_t i = 0; i < n; ++i) {
    const double t = val(kTemp, i);
    double vp = val(kHum, i);
    double dew = t - 5;
    if (r.key[kHum] == "rh_pct") vp = vp / 100 * gl_sat_vp(t);
    if (r.key[kHum] == "dew_point_c") {
      dew = std::min(vp, t);
      vp = gl_sat_vp(dew);
    }
    if (r.key[kHum] != "dew_point_c") {
      // dew point from the vapour pressure (inverse of gl_sat_vp)
      const double lnr = std::log(std::max(vp, 1.0) / 610.78);
      dew = 238.3 * lnr / (17.2694 - lnr);
    }
    w.rad.push_back(val(kRad, i));
    w.temp.push_back(t);
    w.vp.push_back(vp);
    w.wind.push_back(val(kWind, i));
    w.sky.push_back(r.has(kSky) ? val(kSky, i) : gl_sky_temp_clark_allen(t, std::min(dew, t), 5));
    if (!r.has(kSky)) ++w.sky_computed;
    w.is_day.push_back(val(kRad, i) > 0 ? 1.0 : 0.0);
  }
  if (r.has(kCo2)) {
    if (r.values[kCo2].size() != 1) wn.fail("co2_ppm must be a constant here");
    w.co2_ppm = r.values[kCo2][0];
  }
  double m = 0;
  for (double x : w.temp) m += x;
  w.soil_mean = m / static_cast<double>(w.temp.size());
  // with dates, the lamp clock and the day's radiation sum count from the local midnight
  if (w.calendar_origin_s)
    w.day_offset_s = *w.calendar_origin_s - std::floor(*w.calendar_origin_s / 86400) * 86400;
  read_location(wn, w);
  read_day_rule(wn, w);
  finish(w, ctx.duration_s, soil);
  return w;
}

}  // namespace

GlWeatherSeries read_gl_weather(const Node& wn, const InputContext& ctx, const GlSoilSpec& soil) {
  if (!wn.is_object())
    wn.expected(
        "{\"epw\": \"file.epw\", \"start\": \"MM-DD\" or \"YYYY-MM-DD\"} or an input source");
  if (wn.has("epw")) return read_epw_source(wn, ctx, soil);
  return read_input_source(wn, ctx, soil);
}

}  // namespace dtwin::greenhouse
