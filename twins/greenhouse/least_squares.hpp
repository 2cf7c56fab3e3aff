// Weighted nonlinear least squares by Levenberg-Marquardt, for calibrating a twin's parameters
// from observations (dtwin fit, cli/fit_crops.cpp): minimise sum_i r_i(x)^2, where r_i is an
// observation's residual divided by its standard deviation.
//
// The Jacobian is taken by central differences (each evaluation is a whole simulation, so no
// analytic derivatives). The damping follows Marquardt (1963) with the diagonal of J'J as the
// scale and Nielsen's (1999) update of mu from the gain ratio (Madsen, Nielsen & Tingleff 2004,
// "Methods for non-linear least squares problems", DTU, algorithm 3.16).
//
// The estimates' covariance is s^2 (J'J)^-1 at the solution with s^2 = RSS / (n - p), the
// residual variance (so a wrong scale of the given standard deviations does not make the
// intervals wrong); the 95% intervals are x +- t(0.975, n - p) se. They are linearised
// (Wald) intervals: good when the model is nearly linear in x over the interval.
//
// The solver works on whatever coordinates the caller gives it: fit positive parameters as
// logarithms (cli/fit_crops.cpp does) so that steps and intervals are relative.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace dtwin::greenhouse {

struct LsqProblem {
  std::size_t n_params = 0;
  std::size_t n_residuals = 0;
  // the weighted residuals at x (n_residuals of them)
  std::function<void(const std::vector<double>& x, std::vector<double>& r)> residuals;
};

struct LsqOptions {
  int max_iterations = 50;
  double diff_step = 1e-3;  // central-difference step in x
  double x_tol = 1e-6;      // stop when a step changes no x by more than this (absolute)
  double f_tol = 1e-10;     // ... or the sum of squares by less than this fraction
};

struct LsqResult {
  std::vector<double> x;                 // the estimates
  std::vector<double> se;                // their standard errors
  std::vector<double> lo, hi;            // 95% confidence intervals (x +- t se)
  std::vector<std::vector<double>> cor;  // correlation of the estimates
  double rss_start = 0, rss = 0;         // sums of squares at the start and at x
  std::size_t dof = 0;                   // n - p
  int iterations = 0;
  int evaluations = 0;  // residual evaluations (simulations)
  bool converged = false;
  std::string stop;  // why it stopped
};

// Minimises from x0. Throws std::invalid_argument when there are fewer residuals than
// parameters + 1 (no residual variance to estimate).
LsqResult levenberg_marquardt(const LsqProblem& problem, std::vector<double> x0,
                              const LsqOptions& options = {});

}  // namespace dtwin::greenhouse
