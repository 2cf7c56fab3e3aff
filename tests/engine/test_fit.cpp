// Fitting durations by maximum likelihood (engine/sim/fit.hpp): closed forms where there are
// some, the Weibull's profile likelihood with censoring, AIC's choice, Kolmogorov's p-value.
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/sim/fit.hpp"
#include "engine/sim/rng.hpp"

using namespace dtwin;
using Kind = Distribution::Kind;

namespace {

std::vector<double> draw(const Distribution& d, std::size_t n, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<double> x(n);
  for (auto& v : x) v = d.sample(rng);
  return x;
}

const FamilyFit& family(const SampleFit& f, Kind k) {
  for (const auto& x : f.families)
    if (x.kind == k) return x;
  throw std::runtime_error("no such family");
}

}  // namespace

TEST_CASE("fit: the exponential's censored MLE is total time over events, with its exact CI",
          "[fit]") {
  // 4 failures at 10, 20, 30, 40 h and one unit still up at 100 h: mean = 200 / 4 = 50
  const std::vector<double> x{10, 20, 30, 40, 100};
  const std::vector<bool> c{false, false, false, false, true};
  const SampleFit f = fit_durations(x, c, {Kind::Exponential});
  const auto& e = family(f, Kind::Exponential).estimates.at(0);
  CHECK(e.value == Approx(50));
  // 2T / chi2(8): 400 / 17.5345 and 400 / 2.1797
  CHECK(e.lo == Approx(400 / 17.5345).epsilon(1e-4));
  CHECK(e.hi == Approx(400 / 2.17973).epsilon(1e-4));
  CHECK(f.censored == 1);
}

TEST_CASE(
    "fit: a Weibull with many of its lives censored comes back, and AIC prefers it to "
    "the exponential",
    "[fit]") {
  const Distribution truth{Kind::Weibull, 2.5, 1000, 0, {}};
  auto x = draw(truth, 3000, 7);
  std::vector<bool> c(x.size(), false);
  // every unit watched for an independent uniform time up to 2000 h: those still up then are
  // censored (about a third)
  Rng rng(8);
  std::size_t n_censored = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double watched = 2000 * rng.uniform();
    if (watched < x[i]) {
      x[i] = watched;
      c[i] = true;
      ++n_censored;
    }
  }
  CHECK(n_censored > 600);
  const SampleFit f = fit_durations(x, c, lifetime_families());
  CHECK(f.best().kind == Kind::Weibull);
  const auto& w = family(f, Kind::Weibull);
  CHECK(w.estimates[0].lo <= 2.5);
  CHECK(2.5 <= w.estimates[0].hi);
  CHECK(w.estimates[1].lo <= 1000);
  CHECK(1000 <= w.estimates[1].hi);
  // the lognormal takes no censoring: not among the fits
  for (const auto& ff : f.families) CHECK(ff.kind != Kind::Lognormal);
}

TEST_CASE("fit: lognormal and normal closed forms, AIC's choice and the KS test", "[fit]") {
  const Distribution ln{Kind::Lognormal, 3.0, 0.4, 0, {}};
  const SampleFit f =
      fit_durations(draw(ln, 5000, 3), std::vector<bool>(5000, false), process_families());
  CHECK(f.best().kind == Kind::Lognormal);
  CHECK(f.best().estimates[0].value == Approx(3.0).margin(0.02));
  CHECK(f.best().estimates[1].value == Approx(0.4).margin(0.01));
  CHECK(f.best().ks_p > 0.05);  // the right family is not rejected
  // the exponential is, by far
  CHECK(family(f, Kind::Exponential).ks_p < 1e-6);
  // equal observations: a constant
  const SampleFit k = fit_durations({300, 300, 300}, {false, false, false}, process_families());
  CHECK(k.best().kind == Kind::Constant);
  CHECK(k.best().dist.a == 300);
  CHECK_THROWS(fit_durations({5}, {false}, process_families()));
}

TEST_CASE("fit: Kolmogorov's p-value at the textbook critical values", "[fit]") {
  // sqrt(n) D = 1.358 is the 5 % point, 1.628 the 1 % point (large n)
  const std::size_t n = 10000;
  CHECK(ks_p_value(1.358 / (100 + 0.12 + 0.0011), n) == Approx(0.05).margin(0.001));
  CHECK(ks_p_value(1.628 / (100 + 0.12 + 0.0011), n) == Approx(0.01).margin(0.0005));
  CHECK(ks_p_value(0.0, n) == 1);
}
