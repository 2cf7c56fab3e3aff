// Stiff ODE integration over one step of a twin: dy/dt = f(t, y) from t0 to t1.
//
// Two well-kept implicit solvers, chosen per twin ("solver" in the scenario):
//  - "rosenbrock4" (the default): Boost.Odeint's 4th-order L-stable Rosenbrock method with
//    step-size control, Jacobian and df/dt by finite differences, on the state scaled by
//    `scale`; its first trial step is the whole interval;
//  - "cvode": SUNDIALS CVODE, as in CVODES (variable-order BDF, difference-quotient Jacobian, a
//    dense direct linear solver on Eigen's partial-pivoting LU, accumulators as quadratures),
//    with a stop time at t1 so f is never evaluated beyond the step.
// Both are restarted at every call: no solver history survives a step, so the model's state
// stays plain data (snapshots, forks and replays are exact) and input discontinuities at step
// boundaries are handled by a fresh start. A one-step method loses nothing by restarting;
// a multistep BDF restarts at order 1 with a tiny step, which is why rosenbrock4 is the default
// (measured on the references: errors ~1e-8 and below at rtol 1e-6 and fewer derivative
// evaluations, against ~1e-4 for CVODE at the same rtol; see twins/greenhouse/README.md).
// Error control is per component: |error_i| <= rtol |y_i| + rtol scale_i.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace dtwin::greenhouse {

enum class Solver : std::uint8_t { Cvode, Rosenbrock4 };
const char* solver_name(Solver s);

// f(t, y, dydt): y and dydt have n elements. Must not throw.
using OdeRhs = std::function<void(double t, const double* y, double* dydt)>;

// The shape of a twin's ODE, fixed for its life; the right-hand side is given per call, so it
// may read what the state being integrated carries (a run's own setpoints).
struct OdeProblem {
  std::size_t n = 0;
  std::vector<double> scale;  // typical magnitude of each component (> 0)
  double rtol = 1e-6;
  // The last n_quad components are quadratures (accumulators): their derivatives may depend on
  // the other components but nothing depends on them. CVODE integrates them outside its Newton
  // iteration (CVodeQuad, with error control); Rosenbrock4 treats them as ordinary components.
  std::size_t n_quad = 0;
};

struct OdeStats {
  std::uint64_t steps = 0;      // accepted solver steps
  std::uint64_t rhs_evals = 0;  // evaluations of f (including those for Jacobians)
};

// Called after each step the solver accepts, with its time and solution (n values; the
// quadratures' places hold zeros: nothing may depend on them). Watching changes nothing of the
// integration: the same steps are taken with or without an observer.
using OdeObserver = std::function<void(double t, const double* y)>;

// Advances y (n values) of dy/dt = f(t, y) from t0 to t1 > t0. Adds to *stats when given.
// Throws std::runtime_error naming the solver, the time and the cause when the solver fails.
void integrate(Solver solver, const OdeProblem& problem, const OdeRhs& f, double t0, double t1,
               double* y, OdeStats* stats = nullptr, const OdeObserver* observe = nullptr);

}  // namespace dtwin::greenhouse
