// The live condition monitor of a machine with health and signals (health.hpp): the filters the
// simulation runs, fed with what the machine's asset reports.
//
//  - Operating time comes from the reported state: the time spent "working" between reports
//    (plant time). Calendar time is the operating time divided by the machine's operating share
//    of its time up (not down) since the monitor started, as in the simulation.
//  - A signal sample is a reported vibration or temperature whose value differs from the last one
//    (an asset that repeats every value for a heartbeat repeats the same sample, which must not
//    count as new evidence); the values of one report are one sample.
//  - A repair renews the machine (the belief or the wear filter start as new) when the machine
//    comes back from down, unless it also has random failures (mtbf) and the health model's
//    hazard at that moment is below the random failure rate (Bayes: the failure was more likely
//    random, which a repair leaves the wear as it was).
//  - Outputs after each sample: health_est, rul_est with rul_lo / rul_hi (the 10 % and 90 %
//    quantiles of the remaining life: by bisection on the failure time's distribution function,
//    the chain's transition function for "markov", the Gaussian wear line for "wear"), p_fail.
#include <algorithm>
#include <cmath>
#include <limits>

#include "twins/line/model_detail.hpp"

namespace dtwin::line {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

class MachineMonitor final : public LiveMonitor {
 public:
  MachineMonitor(const MachineSpec& m, std::size_t first_derived)
      : m_(m), first_derived_(first_derived) {
    for (std::size_t k = 0;; ++k) {  // where the signals are among the machine's properties
      const auto name = monitor_extra_name(m, k);
      if (name.empty()) break;
      if (name == "vibration") vib_prop_ = 3 + k;
      if (name == "temperature") temp_prop_ = 3 + k;
    }
    renew();
  }

  void observe(std::size_t prop, const Value& v, double t) override {
    advance(t);
    if (prop == 0) {
      const auto st = static_cast<Status>(static_cast<std::size_t>(v.num));
      if (status_ == Status::Down && st != Status::Down && repair_renews()) renew();
      status_ = st;
      known_ = true;
    } else if (prop == vib_prop_ && v.num != vib_) {
      vib_ = v.num;
      sample_ = true;
    } else if (prop == temp_prop_ && v.num != temp_) {
      temp_ = v.num;
      sample_ = true;
    }
  }

  void commit() override {
    if (!sample_) return;
    sample_ = false;
    if (status_ == Status::Down) return;  // no estimate during a repair (as the simulation)
    const double op_h = op_since_sample_ / 3600.0;
    op_since_sample_ = 0;
    if (m_.health.markov())
      filter_step(m_.health, m_.signals, op_h, vib_, temp_, belief_);
    else
      wear_filter_step(m_.signals, op_h, vib_, temp_, belief_);
    estimate();
  }

  bool read(std::size_t prop, Value& out) const override {
    if (prop < first_derived_ || prop >= first_derived_ + 5 || !has_) return false;
    const double v[] = {health_est_, rul_h_, rul_lo_h_, rul_hi_h_, p_fail_};
    const double x = v[prop - first_derived_];
    if (!std::isfinite(x)) return false;
    out = Value{x, ""};
    return true;
  }

 private:
  void advance(double t) {
    if (t0_ < 0) t0_ = last_ = t;
    const double dt = std::max(0.0, t - last_);
    last_ = std::max(last_, t);
    if (!known_) return;
    if (status_ == Status::Working) {
      op_total_ += dt;
      op_since_sample_ += dt;
    }
    if (status_ == Status::Down) down_total_ += dt;
  }

  void renew() {
    if (m_.health.markov()) {
      belief_.assign(m_.health.states, 0.0);
      belief_[0] = 1;
    } else {
      wear_filter_init(nominal_wear_rate_h(m_), belief_);
    }
    op_since_sample_ = 0;
  }

  // Probability that the machine fails within x operating hours from the last sample.
  double cdf(double x) const {
    if (m_.health.markov()) {
      std::vector<double> b = belief_;
      predict_belief(m_.health, x, b);
      return b.back();
    }
    const double w = belief_[0], r = belief_[1];
    const double var = belief_[2] + 2 * x * belief_[3] + x * x * belief_[4];
    const double sd = std::sqrt(std::max(var, 1e-18));
    return 0.5 * std::erfc((1 - w - r * x) / sd / std::sqrt(2.0));
  }

  // The operating hours by which the failure has happened with probability q.
  double quantile(double q) const {
    double lo = 0, hi = 1;
    while (cdf(hi) < q) {
      lo = hi;
      hi *= 2;
      if (hi > 1e7) return kInf;
    }
    for (int i = 0; i < 50 && hi - lo > 1e-4 * hi; ++i) {
      const double mid = 0.5 * (lo + hi);
      (cdf(mid) < q ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
  }

  // A machine back from down: renewed, unless a random failure is likelier than a health one.
  bool repair_renews() const {
    if (!m_.fails) return true;
    const double mean_s = m_.ttf.mean();
    if (!(mean_s > 0)) return true;
    const double random_per_h = 3600.0 / mean_s;
    const double x = op_since_sample_ / 3600.0, dx = 0.05;
    const double f0 = cdf(x), f1 = cdf(x + dx);
    const double health_per_h = f0 < 1 ? (f1 - f0) / dx / (1 - f0) : kInf;
    return health_per_h >= random_per_h;
  }

  void estimate() {
    has_ = true;
    if (m_.health.markov()) {
      health_est_ = 0;
      for (std::size_t k = 0; k < belief_.size(); ++k)
        health_est_ += static_cast<double>(k) * belief_[k];
    } else {
      health_est_ = belief_[0];
    }
    const double up = (last_ - t0_) - down_total_;
    const double util = up > 0 ? op_total_ / up : 0.0;
    const double rul_op_h =
        m_.health.markov() ? expected_rul_s(m_.health, belief_) / 3600.0 : wear_rul_h(belief_);
    rul_h_ = util > 0 ? rul_op_h / util : kInf;
    rul_lo_h_ = util > 0 ? quantile(0.1) / util : kInf;
    rul_hi_h_ = util > 0 ? quantile(0.9) / util : kInf;
    p_fail_ = cdf(m_.signals.horizon_s / 3600.0 * util);
  }

  const MachineSpec& m_;
  std::size_t first_derived_;
  std::size_t vib_prop_ = static_cast<std::size_t>(-1), temp_prop_ = static_cast<std::size_t>(-1);
  std::vector<double> belief_;  // markov: per state; wear: the Kalman filter's [w, r, P]
  Status status_ = Status::Starved;
  bool known_ = false, sample_ = false, has_ = false;
  double t0_ = -1, last_ = 0, op_total_ = 0, down_total_ = 0, op_since_sample_ = 0;
  double vib_ = std::numeric_limits<double>::quiet_NaN(), temp_ = vib_;
  double health_est_ = 0, rul_h_ = kInf, rul_lo_h_ = kInf, rul_hi_h_ = kInf, p_fail_ = 0;
};

}  // namespace

std::unique_ptr<LiveMonitor> LineModel::make_monitor(std::size_t twin) const {
  if (twin == 0 || twin > spec_.machines.size()) return nullptr;
  const MachineSpec& m = spec_.machines[twin - 1];
  if (!monitored(m)) return nullptr;
  std::size_t extras = 0;
  while (!monitor_extra_name(m, extras).empty()) ++extras;
  return std::make_unique<MachineMonitor>(m, 3 + extras);
}

}  // namespace dtwin::line
