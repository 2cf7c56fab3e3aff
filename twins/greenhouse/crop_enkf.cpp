#include "twins/greenhouse/crop_enkf.hpp"

#include <algorithm>
#include <cmath>

namespace dtwin::greenhouse {

namespace {

constexpr double kDay = 86400;

MeanSd stats(const std::vector<double>& x) {
  MeanSd r;
  if (x.empty()) return r;
  for (double v : x) r.mean += v;
  r.mean /= static_cast<double>(x.size());
  if (x.size() < 2) return r;
  double ss = 0;
  for (double v : x) ss += (v - r.mean) * (v - r.mean);
  r.sd = std::sqrt(ss / static_cast<double>(x.size() - 1));
  return r;
}

}  // namespace

CropEnkf::CropEnkf(const VanHentenParams& p, double w0, const CropEnkfOptions& o)
    : p_(p), o_(o), rng_(o.seed), nominal_w_(w0) {
  const auto n = static_cast<std::size_t>(std::max(o.members, 2));
  lnw_.resize(n);
  lnc_.resize(n);
  // log-normal about the nominal values, with the given relative spread
  const double sw = std::sqrt(std::log1p(o.initial_cv * o.initial_cv));
  const double sc = std::sqrt(std::log1p(o.param_cv * o.param_cv));
  for (std::size_t i = 0; i < n; ++i) {
    lnw_[i] = std::log(w0) + sw * standard_normal(rng_);
    lnc_[i] = std::log(p.c_pl_d) + sc * standard_normal(rng_);
  }
}

double CropEnkf::step(double w, double c_pl_d, double dt, const CropClimate& c,
                      double heads) const {
  VanHentenParams q = p_;
  q.c_pl_d = c_pl_d;
  const auto rate = [&](double x) {
    return vh_dry_weight_rate(q, x * heads, c.co2_kg_m3, c.air_temp_c, c.rad_w_m2) / heads;
  };
  const double k1 = rate(w);
  const double k2 = rate(std::max(w + dt * k1, 0.0));
  return std::max(w + 0.5 * dt * (k1 + k2), 1e-9);
}

void CropEnkf::advance(double dt_s, const CropClimate& c, double heads) {
  if (!(dt_s > 0) || !(heads > 0)) return;
  const int n = std::max(1, static_cast<int>(std::ceil(dt_s / o_.max_step_s)));
  const double h = dt_s / n;
  for (int k = 0; k < n; ++k) nominal_w_ = step(nominal_w_, p_.c_pl_d, h, c, heads);
  const double gw = o_.growth_noise * std::sqrt(dt_s / kDay);
  const double gc = o_.param_noise * std::sqrt(dt_s / kDay);
  for (std::size_t i = 0; i < lnw_.size(); ++i) {
    double w = std::exp(lnw_[i]);
    const double cp = std::exp(lnc_[i]);
    for (int k = 0; k < n; ++k) w = step(w, cp, h, c, heads);
    lnw_[i] = std::log(w) + gw * standard_normal(rng_);
    lnc_[i] += gc * standard_normal(rng_);
  }
}

CropEnkf::Analysis CropEnkf::assimilate(double mean_kg, double se_kg) {
  Analysis a;
  a.prior = weight();
  if (!(mean_kg > 0)) return a;
  const double rel = std::max(se_kg, 0.0) / mean_kg;
  const double r = rel * rel + o_.model_error * o_.model_error;
  const double y = std::log(mean_kg);
  // the ensemble's covariances of (ln w, ln c_pl_d) with the observed ln w
  const MeanSd mw = stats(lnw_), mc = stats(lnc_);
  double cww = 0, ccw = 0;
  for (std::size_t i = 0; i < lnw_.size(); ++i) {
    cww += (lnw_[i] - mw.mean) * (lnw_[i] - mw.mean);
    ccw += (lnc_[i] - mc.mean) * (lnw_[i] - mw.mean);
  }
  const double m1 = static_cast<double>(lnw_.size() - 1);
  cww /= m1;
  ccw /= m1;
  const double kw = cww / (cww + r), kc = ccw / (cww + r);
  const double sr = std::sqrt(r);
  for (std::size_t i = 0; i < lnw_.size(); ++i) {
    const double innov = y + sr * standard_normal(rng_) - lnw_[i];
    lnw_[i] += kw * innov;
    lnc_[i] += kc * innov;
  }
  a.posterior = weight();
  return a;
}

MeanSd CropEnkf::weight() const {
  std::vector<double> w(lnw_.size());
  std::transform(lnw_.begin(), lnw_.end(), w.begin(), [](double x) { return std::exp(x); });
  return stats(w);
}

MeanSd CropEnkf::c_pl_d() const {
  std::vector<double> c(lnc_.size());
  std::transform(lnc_.begin(), lnc_.end(), c.begin(), [](double x) { return std::exp(x); });
  return stats(c);
}

MeanSd CropEnkf::lai(double heads) const {
  std::vector<double> l(lnw_.size());
  for (std::size_t i = 0; i < l.size(); ++i) l[i] = std::exp(lnc_[i] + lnw_[i]) * heads;
  return stats(l);
}

MeanSd CropEnkf::project(const std::array<CropClimate, 24>& day, double hour_of_day,
                         const std::vector<double>& heads) const {
  Rng rng(o_.seed ^ 0x70726f6a65637400ULL);  // its own stream: a projection draws nothing of rng_
  const double gw = o_.growth_noise * std::sqrt(3600 / kDay);
  std::vector<double> w(lnw_.size());
  const auto h0 = static_cast<std::size_t>(std::max(hour_of_day, 0.0));
  for (std::size_t i = 0; i < w.size(); ++i) {
    double x = std::exp(lnw_[i]);
    const double cp = std::exp(lnc_[i]);
    for (std::size_t k = 0; k < heads.size(); ++k) {
      x = step(x, cp, 3600, day[(h0 + k) % 24], heads[k]);
      x *= std::exp(gw * standard_normal(rng));
    }
    w[i] = x;
  }
  return stats(w);
}

}  // namespace dtwin::greenhouse
