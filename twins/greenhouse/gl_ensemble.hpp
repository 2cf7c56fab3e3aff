// The weather ensemble of a greenhouse what-if: replication r of a run is ensemble member r, the
// weather the twin reads (gl_weather.hpp) perturbed by a random path drawn from the run's seed
// and replication, so the replications of a what-if spread over the weather's uncertainty and
// the deltas between variants (common random numbers: the same member for every variant) carry
// confidence intervals over it.
//
//   "weather": {"epw": "...", "start": "12-07",
//               "ensemble": {"temp_sd_c": 2, "temp_sd_growth_c_d": 0, "temp_corr_h": 48,
//                            "rad_log_sd": 0.3, "rad_log_sd_growth_d": 0},
//               "forecast": {...}}   (optional, gl_weather.hpp: it replaces the file's values)
//
// Member 0 is the weather itself (the typical year's analogue days, or the forecast). Member
// r > 0 adds to the outdoor and sky temperature an AR(1) path, hourly, with correlation time
// temp_corr_h and a standard deviation growing with the lead time (temp_sd_c + lead days x
// temp_sd_growth_c_d), and multiplies the global radiation (and the day's radiation sum the
// controller reads) by a daily lognormal factor exp(s u - s^2/2), u standard normal, s =
// rad_log_sd + lead days x rad_log_sd_growth_d, held to [0.2, 2]. The vapour pressure stays
// (the dew point), capped at saturation. Why a perturbation and not other years' same dates:
// the shipped weather is a typical year (one year, each month taken from some year), so there
// are no other years to take; a typical year is the climate's central path, and the real days
// ahead depart from it by synoptic swings of a few kelvin lasting two or three days and by
// cloudier or clearer days, which is what the two processes draw. Without a forecast the
// defaults are those climatological spreads (2 K, 48 h, 0.3, no growth); with one they are a
// forecast's errors growing with lead time (0.5 K + 0.4 K per day, 0.1 + 0.05 per day).
//
// The perturbation of a run is data of the run (OdeState::params after the controller's
// settings: hours + 1 temperature offsets, then days + 1 radiation factors), drawn when its
// state is made: the spec stays shared and constant, and the same seed gives the same members.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/scenario/json_node.hpp"
#include "twins/greenhouse/greenlight.hpp"

namespace dtwin::greenhouse {

struct GlEnsembleSpec {
  bool on = false;
  double temp_sd_c = 2, temp_sd_growth_c_d = 0, temp_corr_h = 48;
  double rad_log_sd = 0.3, rad_log_sd_growth_d = 0;
  std::size_t hours = 0, days = 0;  // the run's length, rounded up, plus one
  double day_offset_s = 0;          // the weather's: days are the weather's days
  std::size_t size() const { return on ? hours + days : 0; }
};

// "ensemble" over a run of duration_s whose time 0 is day_offset_s after the weather's
// midnight; `forecast`: the weather has one (other defaults)
GlEnsembleSpec parse_gl_ensemble(const Node& n, double duration_s, bool forecast,
                                 double day_offset_s = 0);

// Member `replication`'s perturbation (size() values; none for member 0: zero offsets and
// factors of 1), from the stream (seed, replication, twin, "weather").
std::vector<double> gl_ensemble_member(const GlEnsembleSpec& e, std::uint64_t seed,
                                       std::uint32_t replication, std::string_view twin);

// w, the weather at run time t, perturbed by a member's values m
void gl_perturb(const GlEnsembleSpec& e, const double* m, double t, GlWeather& w);

}  // namespace dtwin::greenhouse
