// Baum–Welch on a machine's health signal (engine/sim/hmm_fit.hpp): lives drawn from a known
// left-to-right chain with a Gaussian signal come back as that chain and that signal.
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/sim/hmm_fit.hpp"
#include "engine/sim/rng.hpp"

using namespace dtwin;

namespace {

// lives of the chain a (per step) from state 0, the signal sampled each step while it runs;
// every fourth life censored after a uniform number of steps
std::vector<HmmLife> draw(const std::vector<std::vector<double>>& a, double base, double slope,
                          double sd, int n_lives, std::uint64_t seed) {
  Rng rng(seed);
  const std::size_t k = a.size();
  std::vector<HmmLife> out;
  for (int l = 0; l < n_lives; ++l) {
    HmmLife life;
    std::size_t s = 0;
    const int cut = l % 4 == 3 ? 5 + static_cast<int>(rng.uniform() * 60) : 1 << 30;
    for (int t = 0;; ++t) {
      // one step
      double u = rng.uniform(), acc = 0;
      std::size_t next = s;
      for (std::size_t j = 0; j < k; ++j) {
        acc += a[s][j];
        if (u < acc) {
          next = j;
          break;
        }
      }
      s = next;
      if (s == k - 1) {
        life.failed = true;
        break;
      }
      if (t >= cut) break;  // censored: still running when the log ends
      life.y.push_back(base + slope * static_cast<double>(s) + sd * standard_normal(rng));
    }
    if (!life.y.empty()) out.push_back(std::move(life));
  }
  return out;
}

}  // namespace

TEST_CASE("Baum-Welch recovers a health chain and its signal from lives of samples", "[fit][hmm]") {
  const std::vector<std::vector<double>> truth = {
      {0.95, 0.04, 0.008, 0.002}, {0, 0.92, 0.07, 0.01}, {0, 0, 0.88, 0.12}, {0, 0, 0, 1}};
  const auto lives = draw(truth, 2.0, 1.6, 0.5, 1500, 11);
  // from the data alone: EM from several starts, the best likelihood kept
  const HmmFit f = fit_hmm_best(lives, 4);
  CHECK(f.converged);
  CHECK(f.base == Approx(2.0).margin(0.05));
  CHECK(f.slope == Approx(1.6).margin(0.05));
  CHECK(f.sd == Approx(0.5).margin(0.03));
  for (std::size_t i = 0; i < 3; ++i) {
    INFO("state " << i);
    CHECK(f.a[i][i] == Approx(truth[i][i]).margin(0.01));
    CHECK(f.a[i][i + 1] == Approx(truth[i][i + 1]).margin(0.01));
  }
  // the per-hour form the model reads: with 20-minute steps the stay over an hour is A_ii^3
  const auto p = f.per_hour(1.0 / 3);
  CHECK(p[0][0] == Approx(std::pow(f.a[0][0], 3)));
  double row = 0;
  for (double x : p[1]) row += x;
  CHECK(row == Approx(1));
  CHECK(p[3][3] == 1);
}
