#include "engine/sim/fit.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <stdexcept>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>

namespace dtwin {

namespace {

using Kind = Distribution::Kind;
constexpr double kPi = 3.14159265358979323846;

double chi2_q(double df, double p) {
  return boost::math::quantile(boost::math::chi_squared(df), p);
}

constexpr double kZ = 1.959963984540054;  // the normal's 97.5 % quantile

double normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

// The fitted CDF, for Kolmogorov–Smirnov.
double cdf(const Distribution& d, double x) {
  switch (d.kind) {
    case Kind::Exponential:
      return x <= 0 ? 0 : 1 - std::exp(-x / d.a);
    case Kind::Weibull:
      return x <= 0 ? 0 : 1 - std::exp(-std::pow(x / d.b, d.a));
    case Kind::Lognormal:
      return x <= 0 ? 0 : normal_cdf((std::log(x) - d.a) / d.b);
    case Kind::Normal:
      return normal_cdf((x - d.a) / d.b);
    case Kind::Uniform:
      return x <= d.a ? 0 : x >= d.b ? 1 : (x - d.a) / (d.b - d.a);
    case Kind::Constant:
      return x < d.a ? 0 : 1;
    default:
      return 0;
  }
}

// Log-likelihood of the Weibull (shape k, scale s) with censoring, from the logs of the
// observations (pow is what a fit spends its time on otherwise).
double weibull_ll(const std::vector<double>& lx, const std::vector<bool>& c, double k, double s) {
  const double ls = std::log(s), lk = std::log(k);
  double ll = 0;
  for (std::size_t i = 0; i < lx.size(); ++i) {
    const double u = lx[i] - ls;  // ln(x / s)
    if (!c[i]) ll += lk - ls + (k - 1) * u;
    ll -= std::exp(k * u);
  }
  return ll;
}

// The Weibull's MLE: the shape solves sum x^k ln x / sum x^k - 1/k - mean(ln x | events) = 0
// (sums over every observation, the mean over the uncensored), increasing in k; bisection on
// log k to 1e-12. Scale = (sum x^k / r)^(1/k).
std::pair<double, double> weibull_mle(const std::vector<double>& lx, const std::vector<bool>& c) {
  double r = 0, mean_log = 0;
  const double lmax = *std::max_element(lx.begin(), lx.end());
  for (std::size_t i = 0; i < lx.size(); ++i)
    if (!c[i]) {
      r += 1;
      mean_log += lx[i];
    }
  mean_log /= r;
  const auto g = [&](double k) {
    double a = 0, b = 0;
    for (double l : lx) {
      const double w = std::exp(k * (l - lmax));  // scaled: no overflow
      a += w * l;
      b += w;
    }
    return a / b - 1 / k - mean_log;
  };
  double lo = std::log(0.02), hi = std::log(100.0);
  while (hi - lo > 1e-12) {
    const double mid = 0.5 * (lo + hi);
    (g(std::exp(mid)) > 0 ? hi : lo) = mid;
  }
  const double k = std::exp(0.5 * (lo + hi));
  double sum = 0;
  for (double l : lx) sum += std::exp(k * (l - lmax));
  const double s = std::exp(lmax + std::log(sum / r) / k);
  return {k, s};
}

// 2x2 observed information of f(u, v) at (u, v) by central differences; returns the
// covariance (its inverse), or zeros when not invertible.
std::array<double, 3> covariance(const std::function<double(double, double)>& f, double u,
                                 double v) {
  const double h = 1e-4;
  const double f0 = f(u, v);
  const double fuu = (f(u + h, v) - 2 * f0 + f(u - h, v)) / (h * h);
  const double fvv = (f(u, v + h) - 2 * f0 + f(u, v - h)) / (h * h);
  const double fuv =
      (f(u + h, v + h) - f(u + h, v - h) - f(u - h, v + h) + f(u - h, v - h)) / (4 * h * h);
  // information = -Hessian
  const double a = -fuu, b = -fuv, d = -fvv;
  const double det = a * d - b * b;
  if (!(det > 0) || !(a > 0)) return {0, 0, 0};
  return {d / det, -b / det, a / det};
}

double ks_d(std::vector<double> x, const Distribution& d) {
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  double dmax = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double f = cdf(d, x[i]);
    dmax = std::max({dmax, static_cast<double>(i + 1) / n - f, f - static_cast<double>(i) / n});
  }
  return dmax;
}

}  // namespace

double ks_p_value(double d, std::size_t n) {
  if (n == 0) return 1;
  const double sn = std::sqrt(static_cast<double>(n));
  const double lambda = (sn + 0.12 + 0.11 / sn) * d;
  if (lambda < 0.2) return 1;
  double q = 0;
  for (int k = 1; k <= 100; ++k) {
    const double term = std::exp(-2.0 * k * k * lambda * lambda);
    q += (k % 2 ? 2 : -2) * term;
    if (term < 1e-12) break;
  }
  return std::min(1.0, std::max(0.0, q));
}

const std::vector<Distribution::Kind>& process_families() {
  static const std::vector<Kind> k{Kind::Exponential, Kind::Weibull, Kind::Lognormal, Kind::Normal,
                                   Kind::Uniform};
  return k;
}

const std::vector<Distribution::Kind>& lifetime_families() {
  static const std::vector<Kind> k{Kind::Exponential, Kind::Weibull, Kind::Lognormal};
  return k;
}

nlohmann::json FamilyFit::to_json() const {
  nlohmann::json est = nlohmann::json::object();
  for (const auto& e : estimates) est[e.name] = {{"value", e.value}, {"lo", e.lo}, {"hi", e.hi}};
  return {{"family", Distribution::kind_name(kind)},
          {"dist", dist.to_json()},
          {"estimates", std::move(est)},
          {"loglik", loglik},
          {"aic", aic},
          {"ks", {{"d", ks_d}, {"p", ks_p}}}};
}

nlohmann::json SampleFit::to_json() const {
  nlohmann::json f = nlohmann::json::array();
  for (const auto& x : families) f.push_back(x.to_json());
  return {{"n", n}, {"censored", censored}, {"total", total}, {"fits", std::move(f)}};
}

SampleFit fit_durations(const std::vector<double>& x, const std::vector<bool>& censored,
                        const std::vector<Distribution::Kind>& kinds) {
  SampleFit out;
  out.n = x.size();
  std::vector<double> exact;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!(x[i] > 0) || !std::isfinite(x[i]))
      throw std::invalid_argument("durations must be finite and > 0");
    out.total += x[i];
    if (censored[i])
      ++out.censored;
    else
      exact.push_back(x[i]);
  }
  const std::size_t r = exact.size();
  if (r < 2) throw std::invalid_argument("fewer than 2 complete observations");
  const double n = static_cast<double>(r);
  // every observation the same: a constant (to 0.1 ms: durations read from a log are
  // differences of times written to 12 significant digits, 1e6 s and more from its start)
  const auto [mn, mx] = std::minmax_element(exact.begin(), exact.end());
  if (*mx - *mn <= std::max(1e-9 * *mx, 1e-4) && out.censored == 0) {
    FamilyFit f;
    f.kind = Kind::Constant;
    f.dist = Distribution::constant(*mn);
    f.estimates = {{"value", *mn, *mn, *mn}};
    f.k = 1;
    out.families.push_back(f);
    return out;
  }
  double sum_log = 0;
  for (double v : exact) sum_log += std::log(v);
  for (const Kind kind : kinds) {
    if (out.censored > 0 && kind != Kind::Exponential && kind != Kind::Weibull) continue;
    FamilyFit f;
    f.kind = kind;
    switch (kind) {
      case Kind::Exponential: {
        const double mean = out.total / n;
        f.dist = Distribution::exponential(mean);
        f.k = 1;
        f.loglik = -n * std::log(mean) - out.total / mean;
        f.estimates = {{"mean", mean, 2 * out.total / chi2_q(2 * n, 0.975),
                        2 * out.total / chi2_q(2 * n, 0.025)}};
        break;
      }
      case Kind::Weibull: {
        std::vector<double> lx(x.size());
        for (std::size_t i = 0; i < x.size(); ++i) lx[i] = std::log(x[i]);
        const auto [k, s] = weibull_mle(lx, censored);
        f.dist = Distribution{Kind::Weibull, k, s, 0, {}};
        f.k = 2;
        f.loglik = weibull_ll(lx, censored, k, s);
        const auto cov = covariance(
            [&](double lk, double ls) {
              return weibull_ll(lx, censored, std::exp(lk), std::exp(ls));
            },
            std::log(k), std::log(s));
        const double sk = std::sqrt(std::max(0.0, cov[0])), ss = std::sqrt(std::max(0.0, cov[2]));
        f.estimates = {{"shape", k, k * std::exp(-kZ * sk), k * std::exp(kZ * sk)},
                       {"scale", s, s * std::exp(-kZ * ss), s * std::exp(kZ * ss)}};
        break;
      }
      case Kind::Lognormal: {
        const double mu = sum_log / n;
        double ss = 0;
        for (double v : exact) ss += (std::log(v) - mu) * (std::log(v) - mu);
        const double sigma = std::sqrt(ss / n);
        if (!(sigma > 0)) continue;
        f.dist = Distribution{Kind::Lognormal, mu, sigma, 0, {}};
        f.k = 2;
        f.loglik = -sum_log - n * std::log(sigma * std::sqrt(2 * kPi)) - ss / (2 * sigma * sigma);
        f.estimates = {{"mu", mu, mu - kZ * sigma / std::sqrt(n), mu + kZ * sigma / std::sqrt(n)},
                       {"sigma", sigma, std::sqrt(ss / chi2_q(n - 1, 0.975)),
                        std::sqrt(ss / chi2_q(n - 1, 0.025))}};
        break;
      }
      case Kind::Normal: {
        const double mean = std::accumulate(exact.begin(), exact.end(), 0.0) / n;
        double ss = 0;
        for (double v : exact) ss += (v - mean) * (v - mean);
        const double sd = std::sqrt(ss / n);
        if (!(sd > 0)) continue;
        f.dist = Distribution{Kind::Normal, mean, sd, 0, {}};
        f.k = 2;
        f.loglik = -n * std::log(sd * std::sqrt(2 * kPi)) - ss / (2 * sd * sd);
        f.estimates = {
            {"mean", mean, mean - kZ * sd / std::sqrt(n), mean + kZ * sd / std::sqrt(n)},
            {"sd", sd, std::sqrt(ss / chi2_q(n - 1, 0.975)), std::sqrt(ss / chi2_q(n - 1, 0.025))}};
        break;
      }
      case Kind::Uniform: {
        f.dist = Distribution{Kind::Uniform, *mn, *mx, 0, {}};
        f.k = 2;
        f.loglik = -n * std::log(*mx - *mn);
        f.estimates = {{"min", *mn, *mn, *mn}, {"max", *mx, *mx, *mx}};
        break;
      }
      default:
        continue;
    }
    f.aic = 2 * f.k - 2 * f.loglik;
    f.ks_d = ks_d(exact, f.dist);
    f.ks_p = ks_p_value(f.ks_d, r);
    out.families.push_back(std::move(f));
  }
  std::stable_sort(out.families.begin(), out.families.end(),
                   [](const FamilyFit& a, const FamilyFit& b) { return a.aic < b.aic; });
  if (out.families.empty()) throw std::invalid_argument("no family could be fitted");
  return out;
}

}  // namespace dtwin
