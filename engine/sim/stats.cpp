#include "engine/sim/stats.hpp"

#include <boost/math/distributions/students_t.hpp>

namespace dtwin {

double t975(std::uint64_t df) {
  if (df == 0) return std::numeric_limits<double>::quiet_NaN();
  const boost::math::students_t dist(static_cast<double>(df));
  return boost::math::quantile(dist, 0.975);
}

Summary summarize(const Welford& w) {
  Summary s;
  s.n = w.n();
  s.mean = w.mean();
  if (s.n >= 2) {
    const double h = t975(s.n - 1) * w.sd() / std::sqrt(static_cast<double>(s.n));
    s.lo = s.mean - h;
    s.hi = s.mean + h;
  }
  return s;
}

Summary summarize(const std::vector<double>& xs) {
  Welford w;
  for (double x : xs) w.add(x);
  return summarize(w);
}

}  // namespace dtwin
