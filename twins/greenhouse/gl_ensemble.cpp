#include "twins/greenhouse/gl_ensemble.hpp"

#include <algorithm>
#include <cmath>

#include "engine/sim/rng.hpp"

namespace dtwin::greenhouse {

GlEnsembleSpec parse_gl_ensemble(const Node& n, double duration_s, bool forecast,
                                 double day_offset_s) {
  if (!n.is_object()) n.expected("an object such as {\"temp_sd_c\": 2} (or {} for the defaults)");
  n.check_keys(
      {"temp_sd_c", "temp_sd_growth_c_d", "temp_corr_h", "rad_log_sd", "rad_log_sd_growth_d"});
  GlEnsembleSpec e;
  e.on = true;
  if (forecast) {
    e.temp_sd_c = 0.5;
    e.temp_sd_growth_c_d = 0.4;
    e.rad_log_sd = 0.1;
    e.rad_log_sd_growth_d = 0.05;
  }
  if (auto x = n.find("temp_sd_c")) e.temp_sd_c = x->number_in(0, 20);
  if (auto x = n.find("temp_sd_growth_c_d")) e.temp_sd_growth_c_d = x->number_in(0, 10);
  if (auto x = n.find("temp_corr_h")) e.temp_corr_h = x->number_in(0.1, 1000);
  if (auto x = n.find("rad_log_sd")) e.rad_log_sd = x->number_in(0, 2);
  if (auto x = n.find("rad_log_sd_growth_d")) e.rad_log_sd_growth_d = x->number_in(0, 1);
  e.hours = static_cast<std::size_t>(std::ceil(duration_s / 3600)) + 1;
  e.days = static_cast<std::size_t>(std::ceil((duration_s + day_offset_s) / 86400)) + 1;
  e.day_offset_s = day_offset_s;
  return e;
}

std::vector<double> gl_ensemble_member(const GlEnsembleSpec& e, std::uint64_t seed,
                                       std::uint32_t replication, std::string_view twin) {
  std::vector<double> m(e.size(), 0.0);
  std::fill(m.begin() + static_cast<std::ptrdiff_t>(e.hours), m.end(), 1.0);
  if (!e.on || replication == 0) return m;
  Rng rng = make_stream(seed, replication, twin, "weather");
  // temperature: a stationary AR(1) of unit variance, scaled by the spread at each lead time
  const double phi = std::exp(-1 / e.temp_corr_h), shock = std::sqrt(1 - phi * phi);
  double z = standard_normal(rng);
  for (std::size_t h = 0; h < e.hours; ++h) {
    if (h > 0) z = phi * z + shock * standard_normal(rng);
    const double lead_d = static_cast<double>(h) / 24;
    m[h] = (e.temp_sd_c + e.temp_sd_growth_c_d * lead_d) * z;
  }
  // radiation: a lognormal factor per day with mean 1
  for (std::size_t d = 0; d < e.days; ++d) {
    const double s = e.rad_log_sd + e.rad_log_sd_growth_d * static_cast<double>(d);
    m[e.hours + d] = std::clamp(std::exp(s * standard_normal(rng) - s * s / 2), 0.2, 2.0);
  }
  return m;
}

void gl_perturb(const GlEnsembleSpec& e, const double* m, double t, GlWeather& w) {
  if (!e.on) return;
  const double h = std::clamp(t / 3600, 0.0, static_cast<double>(e.hours - 1));
  const auto k = std::min(static_cast<std::size_t>(h), e.hours - 2);
  const double f = h - static_cast<double>(k);
  const double dt = m[k] + f * (m[k + 1] - m[k]);
  w.tOut += dt;
  w.tSky += dt;
  w.vpOut = std::min(w.vpOut, gl_sat_vp(w.tOut));
  const double day =
      std::clamp(std::floor((t + e.day_offset_s) / 86400), 0.0, static_cast<double>(e.days - 1));
  const double r = m[e.hours + static_cast<std::size_t>(day)];
  w.iGlob *= r;
  w.dayRadSum *= r;
}

}  // namespace dtwin::greenhouse
