#include <catch2/catch.hpp>

#include <cmath>

#include "engine/sim/rng.hpp"
#include "engine/sim/stats.hpp"

TEST_CASE("Welford mean and variance match the two-pass formulas", "[stats]") {
  const std::vector<double> xs = {2, 4, 4, 4, 5, 5, 7, 9};
  dtwin::Welford w;
  for (double x : xs) w.add(x);
  REQUIRE(w.n() == 8);
  REQUIRE(w.mean() == Approx(5.0));
  REQUIRE(w.variance() == Approx(32.0 / 7.0));
}

TEST_CASE("Welford ignores NaN (a run without a value)", "[stats]") {
  dtwin::Welford w;
  w.add(1);
  w.add(std::nan(""));
  w.add(3);
  REQUIRE(w.n() == 2);
  REQUIRE(w.mean() == Approx(2.0));
}

TEST_CASE("Student t quantiles match tables", "[stats]") {
  REQUIRE(dtwin::t975(1) == Approx(12.706).epsilon(1e-4));
  REQUIRE(dtwin::t975(7) == Approx(2.3646).epsilon(1e-4));
  REQUIRE(dtwin::t975(30) == Approx(2.0423).epsilon(1e-4));
  REQUIRE(dtwin::t975(100000) == Approx(1.95996).epsilon(1e-4));
}

TEST_CASE("95% confidence interval of a known sample", "[stats]") {
  // mean 5, sd sqrt(32/7), n 8: half-width t(7) * sd / sqrt(8)
  const auto s = dtwin::summarize(std::vector<double>{2, 4, 4, 4, 5, 5, 7, 9});
  const double hw = 2.3646243 * std::sqrt(32.0 / 7.0) / std::sqrt(8.0);
  REQUIRE(s.n == 8);
  REQUIRE(s.lo == Approx(5 - hw).epsilon(1e-6));
  REQUIRE(s.hi == Approx(5 + hw).epsilon(1e-6));
  const auto one = dtwin::summarize(std::vector<double>{3});
  REQUIRE(one.mean == 3);
  REQUIRE(std::isnan(one.lo));
}

TEST_CASE("the 95% interval covers the true mean about 95% of the time", "[stats]") {
  dtwin::Rng rng(3);
  int covered = 0;
  const int trials = 4000;
  for (int t = 0; t < trials; ++t) {
    dtwin::Welford w;
    for (int i = 0; i < 5; ++i) w.add(-std::log(rng.uniform_pos()));  // exponential, mean 1
    const auto s = dtwin::summarize(w);
    covered += s.lo <= 1.0 && 1.0 <= s.hi;
  }
  // skewed data and n = 5 under-cover a little; the bounds are the binomial 5-sigma band
  // around 0.90-0.95
  REQUIRE(covered > 0.86 * trials);
  REQUIRE(covered < 0.97 * trials);
}
