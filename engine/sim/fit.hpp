// Fitting a Distribution to observed durations by maximum likelihood: each family the scenario
// language has (distribution.hpp) that can be fitted, compared by AIC, the chosen one tested
// with Kolmogorov–Smirnov, every estimate with a 95 % confidence interval. Observations may be
// right-censored (a machine still up when the log ends: its time to failure is at least what
// was seen); the families that take censoring are the exponential and the Weibull.
//
//   exponential  mean = total time / events (censored too); CI exact from chi-square with 2r
//                degrees of freedom (r events)
//   weibull      shape k from the profile likelihood equation (bisection), scale from k;
//                CIs from the observed information (numerical Hessian of the log-likelihood in
//                log k, log scale), by the delta method
//   lognormal    mu, sigma of the logs (uncensored); CIs: normal for mu, chi-square for sigma
//   normal       mean, sd (uncensored); CIs: normal for the mean, chi-square for sd
//   uniform      min, max = the sample's (uncensored); no CI (the bounds are the data's)
//   constant     when every observation is the same (to 1e-9 relative)
// AIC = 2 k - 2 ln L; the smallest wins. Kolmogorov–Smirnov: D against the fitted CDF (the
// uncensored observations), p from Kolmogorov's limit with Stephens' correction for n; with
// parameters estimated from the same data the test is conservative (p too large), said in the
// report.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/sim/distribution.hpp"

namespace dtwin {

struct Estimate {
  std::string name;  // "mean", "shape", ...
  double value = 0, lo = 0, hi = 0;
};

struct FamilyFit {
  Distribution::Kind kind = Distribution::Kind::Exponential;
  Distribution dist;
  std::vector<Estimate> estimates;
  double loglik = 0, aic = 0;
  int k = 0;  // parameters
  double ks_d = 0, ks_p = 1;
  nlohmann::json to_json() const;  // {"family", "dist", "estimates": {...}, "aic", "ks": {d, p}}
};

struct SampleFit {
  std::size_t n = 0, censored = 0;  // observations, of which right-censored
  double total = 0;                 // their sum
  std::vector<FamilyFit> families;  // every family fitted, best (lowest AIC) first
  const FamilyFit& best() const { return families.front(); }
  nlohmann::json to_json() const;
};

// Fits the observations x (durations, > 0; censored[i]: x[i] is a lower bound). Families:
// those of `kinds` that apply (the censored-capable ones when anything is censored). Throws
// std::invalid_argument with fewer than 2 uncensored observations.
SampleFit fit_durations(const std::vector<double>& x, const std::vector<bool>& censored,
                        const std::vector<Distribution::Kind>& kinds);

// The families fitted to processing and setup times, and to times to failure and repair.
const std::vector<Distribution::Kind>& process_families();
const std::vector<Distribution::Kind>& lifetime_families();

// Kolmogorov's limiting distribution: P(sqrt(n) D > lambda) with Stephens' small-sample
// correction, for D from n observations.
double ks_p_value(double d, std::size_t n);

}  // namespace dtwin
