#include "twins/greenhouse/least_squares.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <Eigen/Dense>

#include "engine/sim/stats.hpp"

namespace dtwin::greenhouse {

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

struct Evaluator {
  const LsqProblem& p;
  int count = 0;

  VectorXd residuals(const VectorXd& x) {
    std::vector<double> xs(x.data(), x.data() + x.size()), r(p.n_residuals, 0.0);
    p.residuals(xs, r);
    ++count;
    VectorXd out(static_cast<Eigen::Index>(r.size()));
    for (std::size_t i = 0; i < r.size(); ++i) out[static_cast<Eigen::Index>(i)] = r[i];
    return out;
  }

  // central differences, one column per parameter
  MatrixXd jacobian(const VectorXd& x, double h) {
    MatrixXd j(static_cast<Eigen::Index>(p.n_residuals), x.size());
    for (Eigen::Index k = 0; k < x.size(); ++k) {
      VectorXd up = x, down = x;
      up[k] += h;
      down[k] -= h;
      j.col(k) = (residuals(up) - residuals(down)) / (2 * h);
    }
    return j;
  }
};

bool finite(const VectorXd& v) {
  return v.allFinite();
}

// standard errors, intervals and correlations from J at the solution
void uncertainty(const MatrixXd& j, LsqResult& out) {
  const auto n = static_cast<std::size_t>(j.cols());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  out.se.assign(n, nan);
  out.lo.assign(n, nan);
  out.hi.assign(n, nan);
  out.cor.assign(n, std::vector<double>(n, nan));
  const MatrixXd a = j.transpose() * j;
  Eigen::FullPivLU<MatrixXd> lu(a);
  if (!lu.isInvertible()) return;  // a parameter the data do not determine: no intervals
  const MatrixXd cov = lu.inverse() * (out.rss / static_cast<double>(out.dof));
  const double t = t975(out.dof);
  for (std::size_t k = 0; k < n; ++k) {
    const auto kk = static_cast<Eigen::Index>(k);
    out.se[k] = std::sqrt(std::max(0.0, cov(kk, kk)));
    out.lo[k] = out.x[k] - t * out.se[k];
    out.hi[k] = out.x[k] + t * out.se[k];
    for (std::size_t m = 0; m < n; ++m) {
      const auto mm = static_cast<Eigen::Index>(m);
      out.cor[k][m] = cov(kk, mm) / std::sqrt(cov(kk, kk) * cov(mm, mm));
    }
  }
}

}  // namespace

LsqResult levenberg_marquardt(const LsqProblem& problem, std::vector<double> x0,
                              const LsqOptions& o) {
  if (problem.n_residuals < problem.n_params + 1 || x0.size() != problem.n_params)
    throw std::invalid_argument("least squares: need more observations than parameters");
  Evaluator ev{problem};
  VectorXd x = Eigen::Map<VectorXd>(x0.data(), static_cast<Eigen::Index>(x0.size()));
  VectorXd r = ev.residuals(x);
  if (!finite(r)) throw std::invalid_argument("least squares: the model fails at the start");
  LsqResult out;
  out.rss_start = r.squaredNorm();
  MatrixXd j = ev.jacobian(x, o.diff_step);
  MatrixXd a = j.transpose() * j;
  VectorXd g = j.transpose() * r;
  double mu = 1e-3 * a.diagonal().maxCoeff(), nu = 2;
  out.stop = "the iteration limit";
  for (out.iterations = 0; out.iterations < o.max_iterations; ++out.iterations) {
    // damped Gauss-Newton step, Marquardt's scaling by diag(J'J)
    MatrixXd damped = a;
    for (Eigen::Index k = 0; k < x.size(); ++k) damped(k, k) += mu * std::max(a(k, k), 1e-12);
    const VectorXd step = damped.ldlt().solve(-g);
    if (step.cwiseAbs().maxCoeff() <= o.x_tol) {
      out.converged = true;
      out.stop = "a step below x_tol";
      break;
    }
    const VectorXd xn = x + step;
    const VectorXd rn = ev.residuals(xn);
    const double f = r.squaredNorm(), fn = rn.squaredNorm();
    // predicted decrease of the sum of squares for the linear model: -step' (2 g + A step)
    const double predicted = -step.dot(2 * g + a * step);
    const double rho = finite(rn) && predicted > 0 ? (f - fn) / predicted : -1;
    if (rho > 0) {
      x = xn;
      r = rn;
      j = ev.jacobian(x, o.diff_step);
      a = j.transpose() * j;
      g = j.transpose() * r;
      mu *= std::max(1.0 / 3, 1 - std::pow(2 * rho - 1, 3));
      nu = 2;
      if (f - fn <= o.f_tol * f) {
        out.converged = true;
        out.stop = "a decrease of the sum of squares below f_tol";
        ++out.iterations;
        break;
      }
    } else {
      mu *= nu;
      nu *= 2;
    }
  }
  out.x.assign(x.data(), x.data() + x.size());
  out.rss = r.squaredNorm();
  out.dof = problem.n_residuals - problem.n_params;
  uncertainty(j, out);
  out.evaluations = ev.count;
  return out;
}

}  // namespace dtwin::greenhouse
