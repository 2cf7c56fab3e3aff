#include "engine/sim/hmm_fit.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dtwin {

namespace {

using Mat = std::vector<std::vector<double>>;

double normal_pdf(double y, double m, double sd) {
  const double z = (y - m) / sd;
  return std::exp(-0.5 * z * z) / (sd * 2.5066282746310002);
}

}  // namespace

std::vector<std::vector<double>> HmmFit::per_hour(double step_h) const {
  Mat p(k, std::vector<double>(k, 0.0));
  for (std::size_t i = 0; i < k; ++i) {
    if (i + 1 == k || a[i][i] >= 1) {
      p[i][i] = 1;
      continue;
    }
    const double stay = std::pow(std::max(a[i][i], 1e-300), 1 / step_h);
    p[i][i] = stay;
    for (std::size_t j = 0; j < k; ++j)
      if (j != i) p[i][j] = (1 - stay) * a[i][j] / (1 - a[i][i]);
  }
  return p;
}

HmmFit hmm_start(const std::vector<HmmLife>& lives, std::size_t k, double stay) {
  if (k < 2) throw std::invalid_argument("a health chain needs at least 2 states");
  std::vector<double> all;
  for (const auto& l : lives) all.insert(all.end(), l.y.begin(), l.y.end());
  if (all.empty()) throw std::invalid_argument("no signal samples");
  std::sort(all.begin(), all.end());
  const double lo = all[all.size() / 20], hi = all[all.size() - 1 - all.size() / 20];
  HmmFit m;
  m.k = k;
  m.a.assign(k, std::vector<double>(k, 0.0));
  // every jump forward possible (EM keeps a zero a zero): 80 % of the moves to the next state,
  // the rest spread over the later ones
  for (std::size_t i = 0; i + 1 < k; ++i) {
    m.a[i][i] = stay;
    const std::size_t later = k - 1 - i;  // states after i, failed included
    if (later == 1) {
      m.a[i][k - 1] = 1 - stay;
      continue;
    }
    m.a[i][i + 1] = 0.8 * (1 - stay);
    for (std::size_t j = i + 2; j < k; ++j)
      m.a[i][j] = 0.2 * (1 - stay) / static_cast<double>(later - 1);
  }
  m.a[k - 1][k - 1] = 1;
  m.base = lo;
  m.slope = k > 2 ? (hi - lo) / static_cast<double>(k - 2) : 0;
  m.sd = std::max(1e-6, (hi - lo) / 10);
  return m;
}

HmmFit fit_hmm(const std::vector<HmmLife>& lives, HmmFit m, int max_iter, double tol) {
  m.k = m.a.size();
  const std::size_t k = m.k;
  if (k < 2) throw std::invalid_argument("a health chain needs at least 2 states");
  std::size_t samples = 0;
  for (const auto& l : lives) samples += l.y.size();
  if (samples < 2 * k) throw std::invalid_argument("too few signal samples");
  const std::size_t n = k - 1;  // transient states (they emit)
  double prev = -1e300;
  for (m.iterations = 0; m.iterations < max_iter; ++m.iterations) {
    Mat xi(k, std::vector<double>(k, 0.0));                         // expected transitions
    double sw = 0, swx = 0, swy = 0, swxx = 0, swxy = 0, swyy = 0;  // emission sums
    double ll = 0;
    for (const auto& life : lives) {
      const std::size_t t_n = life.y.size();
      if (t_n == 0) continue;
      Mat alpha(t_n, std::vector<double>(n)), beta(t_n, std::vector<double>(n)),
          b(t_n, std::vector<double>(n));
      std::vector<double> c(t_n);
      for (std::size_t t = 0; t < t_n; ++t)
        for (std::size_t i = 0; i < n; ++i)
          b[t][i] = normal_pdf(life.y[t], m.base + m.slope * static_cast<double>(i), m.sd) + 1e-300;
      // forward: one step after the renewal (state 0), then step by step
      for (std::size_t i = 0; i < n; ++i) alpha[0][i] = m.a[0][i] * b[0][i];
      for (std::size_t t = 0;; ++t) {
        double s = 0;
        for (double v : alpha[t]) s += v;
        if (!(s > 0)) s = 1e-300;
        c[t] = s;
        for (double& v : alpha[t]) v /= s;
        if (t + 1 == t_n) break;
        for (std::size_t j = 0; j < n; ++j) {
          double v = 0;
          for (std::size_t i = 0; i <= j; ++i) v += alpha[t][i] * m.a[i][j];
          alpha[t + 1][j] = v * b[t + 1][j];
        }
      }
      // the end: a failure in the next step, or nothing known
      std::vector<double> e(n, 1.0);
      if (life.failed)
        for (std::size_t i = 0; i < n; ++i) e[i] = m.a[i][k - 1];
      double end = 0;
      for (std::size_t i = 0; i < n; ++i) end += alpha[t_n - 1][i] * e[i];
      if (!(end > 0)) end = 1e-300;
      for (double v : c) ll += std::log(v);
      ll += std::log(end);
      // backward, scaled like the forward pass
      for (std::size_t i = 0; i < n; ++i) beta[t_n - 1][i] = e[i] / end;
      for (std::size_t t = t_n - 1; t-- > 0;)
        for (std::size_t i = 0; i < n; ++i) {
          double v = 0;
          for (std::size_t j = i; j < n; ++j) v += m.a[i][j] * b[t + 1][j] * beta[t + 1][j];
          beta[t][i] = v / c[t + 1];
        }
      // posteriors
      for (std::size_t t = 0; t < t_n; ++t)
        for (std::size_t i = 0; i < n; ++i) {
          const double g = alpha[t][i] * beta[t][i];
          const double x = static_cast<double>(i), y = life.y[t];
          sw += g;
          swx += g * x;
          swy += g * y;
          swxx += g * x * x;
          swxy += g * x * y;
          swyy += g * y * y;
          if (t == 0) xi[0][i] += g;  // the step out of the renewal
        }
      for (std::size_t t = 0; t + 1 < t_n; ++t)
        for (std::size_t i = 0; i < n; ++i)
          for (std::size_t j = i; j < n; ++j)
            xi[i][j] += alpha[t][i] * m.a[i][j] * b[t + 1][j] * beta[t + 1][j] / c[t + 1];
      if (life.failed)
        for (std::size_t i = 0; i < n; ++i) xi[i][k - 1] += alpha[t_n - 1][i] * m.a[i][k - 1] / end;
    }
    // M-step: the chain (left-to-right: zeros stay zero)
    for (std::size_t i = 0; i < n; ++i) {
      double out = 0;
      for (std::size_t j = i; j < k; ++j) out += xi[i][j];
      if (out > 0)
        for (std::size_t j = 0; j < k; ++j) m.a[i][j] = j < i ? 0 : xi[i][j] / out;
    }
    // the signal: weighted least squares of y on the state, then the sd
    const double det = sw * swxx - swx * swx;
    if (det > 1e-12 * sw * sw) {
      m.slope = (sw * swxy - swx * swy) / det;
      m.base = (swy - m.slope * swx) / sw;
    }
    // sd: sum g (y - base - slope x)^2 from the same sums
    const double ss = swyy - 2 * m.base * swy - 2 * m.slope * swxy + m.base * m.base * sw +
                      2 * m.base * m.slope * swx + m.slope * m.slope * swxx;
    if (sw > 0 && ss > 0) m.sd = std::sqrt(ss / sw);
    m.loglik = ll;
    if (std::fabs(ll - prev) < tol * std::fabs(ll)) {
      m.converged = true;
      ++m.iterations;
      break;
    }
    prev = ll;
  }
  return m;
}

HmmFit fit_hmm_best(const std::vector<HmmLife>& lives, std::size_t k,
                    const std::vector<HmmFit>& starts, int max_iter, double tol) {
  std::vector<HmmFit> all = starts;
  for (const double stay : {0.8, 0.9, 0.95, 0.98}) all.push_back(hmm_start(lives, k, stay));
  HmmFit best;
  bool have = false;
  for (const auto& s : all) {
    if (s.a.size() != k) continue;
    const HmmFit f = fit_hmm(lives, s, max_iter, tol);
    if (!have || f.loglik > best.loglik) {
      best = f;
      have = true;
    }
  }
  return best;
}

}  // namespace dtwin
