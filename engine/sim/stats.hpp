// Statistics across replications: streaming mean and variance (Welford 1962) and Student-t
// 95% confidence intervals. Nothing here keeps the samples.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace dtwin {

class Welford {
 public:
  void add(double x) {
    if (std::isnan(x)) return;  // a run with no value for this KPI does not count
    ++n_;
    const double d = x - mean_;
    mean_ += d / static_cast<double>(n_);
    m2_ += d * (x - mean_);
  }
  std::uint64_t n() const { return n_; }
  double mean() const { return n_ ? mean_ : std::numeric_limits<double>::quiet_NaN(); }
  double variance() const {
    return n_ > 1 ? m2_ / static_cast<double>(n_ - 1) : std::numeric_limits<double>::quiet_NaN();
  }
  double sd() const { return std::sqrt(variance()); }

 private:
  std::uint64_t n_ = 0;
  double mean_ = 0, m2_ = 0;
};

// The 0.975 quantile of Student's t with `df` degrees of freedom.
double t975(std::uint64_t df);

struct Summary {
  double mean = std::numeric_limits<double>::quiet_NaN();
  double lo = std::numeric_limits<double>::quiet_NaN();  // 95% CI; NaN when n < 2
  double hi = std::numeric_limits<double>::quiet_NaN();
  std::uint64_t n = 0;
  double half_width() const { return (hi - lo) / 2; }
};

Summary summarize(const Welford& w);
Summary summarize(const std::vector<double>& xs);

}  // namespace dtwin
