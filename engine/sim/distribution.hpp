// Random durations and quantities: their forms in scenario JSON (parsed by
// engine/scenario/distribution.hpp) and their sampling.
//
//   60                                      constant (a number, or a duration string "90s")
//   {"dist": "constant", "value": 60}
//   {"dist": "exponential", "mean": 60}
//   {"dist": "normal", "mean": 60, "sd": 5}       truncated at 0 (resampled while < 0)
//   {"dist": "lognormal", "mean": 60, "sd": 20}   mean and sd of the variable itself;
//   {"dist": "lognormal", "mu": 4.0, "sigma": 0.3}   or of its logarithm
//   {"dist": "uniform", "min": 50, "max": 70}
//   {"dist": "triangular", "min": 50, "mode": 55, "max": 70}
//   {"dist": "weibull", "shape": 1.5, "scale": 3600}
//   {"dist": "empirical", "samples": [55, 61, 58, 70]}   each sample equally likely
//
// Every parameter that is a time accepts a duration string ("5min"). Sampling uses only our
// own Rng and closed-form transforms (never std:: distributions, whose output differs between
// standard libraries), so the same stream gives the same numbers on every platform. Draws per
// sample: constant 0, exponential/uniform/triangular/weibull/empirical 1, lognormal 2, normal
// 2 per attempt (Box-Muller, the second variate unused; redrawn while < 0); normal with sd 0
// and triangular with min == max draw nothing.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/sim/rng.hpp"

namespace dtwin {

struct Distribution {
  enum class Kind {
    Constant,
    Exponential,
    Normal,
    Lognormal,
    Uniform,
    Triangular,
    Weibull,
    Empirical
  };
  Kind kind = Kind::Constant;
  // Constant: a = value. Exponential: a = mean. Normal: a = mean, b = sd.
  // Lognormal: a = mu, b = sigma (of the log). Uniform: a = min, b = max.
  // Triangular: a = min, b = mode, c = max. Weibull: a = shape, b = scale.
  double a = 0, b = 0, c = 0;
  std::vector<double> samples;  // Empirical

  static Distribution constant(double v) { return Distribution{Kind::Constant, v, 0, 0, {}}; }
  static Distribution exponential(double mean) {
    return Distribution{Kind::Exponential, mean, 0, 0, {}};
  }

  // the common kinds inline: this is on the line model's hot path
  double sample(Rng& rng) const {
    if (kind == Kind::Exponential) return a * (0.0 - std::log(rng.uniform_pos()));  // +0, not -0
    if (kind == Kind::Constant) return a;
    return sample_other(rng);
  }
  double sample_other(Rng& rng) const;
  static const char* kind_name(Kind k);          // "exponential"
  static std::vector<std::string> kind_names();  // every kind's name, in enumeration order
  static bool kind_of(std::string_view name, Kind* out);
  double mean() const;           // the distribution's mean (for Normal: of the truncated variable)
  std::string describe() const;  // "exponential(mean 60 s)"
  nlohmann::json to_json() const;  // canonical JSON form, parseable by parse_distribution

  bool operator==(const Distribution& o) const {
    return kind == o.kind && a == o.a && b == o.b && c == o.c && samples == o.samples;
  }
  bool operator!=(const Distribution& o) const { return !(*this == o); }
};

}  // namespace dtwin
