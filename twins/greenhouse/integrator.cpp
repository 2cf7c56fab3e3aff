#include "twins/greenhouse/integrator.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>
#include <boost/numeric/odeint/integrate/integrate_adaptive.hpp>
#include <boost/numeric/odeint/stepper/rosenbrock4.hpp>
#include <boost/numeric/odeint/stepper/rosenbrock4_controller.hpp>

#include "engine/format.hpp"

namespace dtwin::greenhouse {

const char* solver_name(Solver s) {
  return s == Solver::Cvode ? "cvode" : "rosenbrock4";
}

namespace {

bool all_finite(const double* v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(v[i])) return false;
  return true;
}

[[noreturn]] void fail(Solver s, double t, const std::string& why) {
  throw std::runtime_error(std::string(solver_name(s)) + " failed at t = " + fmt_num(t, 10) +
                           " s: " + why);
}

// ---- SUNDIALS CVODE -------------------------------------------------------------------------

struct CvodeUser {
  const OdeProblem* problem;
  std::uint64_t evals = 0;
  std::string error;  // CVODE's last error message
};

int cvode_rhs(sunrealtype t, N_Vector y, N_Vector ydot, void* user) {
  auto* u = static_cast<CvodeUser*>(user);
  ++u->evals;
  const double* yv = N_VGetArrayPointer(y);
  double* dv = N_VGetArrayPointer(ydot);
  u->problem->f(t, yv, dv);
  // a non-finite derivative (say a trial state out of the model's domain) is a recoverable
  // error: CVODE retries with a smaller step
  return all_finite(dv, u->problem->n) ? 0 : 1;
}

void cvode_error(int code, const char* module, const char* function, char* msg, void* user) {
  auto* u = static_cast<CvodeUser*>(user);
  u->error = std::string(module ? module : "CVODE") + "/" + (function ? function : "?") + " (" +
             std::to_string(code) + "): " + (msg ? msg : "");
}

// Owns the SUNDIALS objects of one integration and frees them in reverse order.
struct CvodeRun {
  SUNContext ctx = nullptr;
  N_Vector y = nullptr, atol = nullptr;
  SUNMatrix A = nullptr;
  SUNLinearSolver LS = nullptr;
  void* mem = nullptr;
  ~CvodeRun() {
    if (mem) CVodeFree(&mem);
    if (LS) SUNLinSolFree(LS);
    if (A) SUNMatDestroy(A);
    if (atol) N_VDestroy(atol);
    if (y) N_VDestroy(y);
    if (ctx) SUNContext_Free(&ctx);
  }
};

void integrate_cvode(const OdeProblem& pb, double t0, double t1, double* y, OdeStats* stats) {
  const auto n = static_cast<sunindextype>(pb.n);
  CvodeUser user{&pb, 0, {}};
  CvodeRun r;
  auto check = [&](int flag, const char* what) {
    if (flag < 0) fail(Solver::Cvode, t0, std::string(what) + ": " + user.error);
  };
  if (SUNContext_Create(nullptr, &r.ctx) != 0) fail(Solver::Cvode, t0, "no SUNDIALS context");
  r.y = N_VNew_Serial(n, r.ctx);
  r.atol = N_VNew_Serial(n, r.ctx);
  if (!r.y || !r.atol) fail(Solver::Cvode, t0, "out of memory");
  double* yv = N_VGetArrayPointer(r.y);
  double* av = N_VGetArrayPointer(r.atol);
  for (std::size_t i = 0; i < pb.n; ++i) {
    yv[i] = y[i];
    av[i] = pb.rtol * pb.scale[i];
  }
  r.mem = CVodeCreate(CV_BDF, r.ctx);
  if (!r.mem) fail(Solver::Cvode, t0, "CVodeCreate failed");
  check(CVodeSetErrHandlerFn(r.mem, cvode_error, &user), "CVodeSetErrHandlerFn");
  check(CVodeInit(r.mem, cvode_rhs, t0, r.y), "CVodeInit");
  check(CVodeSetUserData(r.mem, &user), "CVodeSetUserData");
  check(CVodeSVtolerances(r.mem, pb.rtol, r.atol), "CVodeSVtolerances");
  check(CVodeSetStopTime(r.mem, t1), "CVodeSetStopTime");
  check(CVodeSetMaxNumSteps(r.mem, 100000), "CVodeSetMaxNumSteps");
  r.A = SUNDenseMatrix(n, n, r.ctx);
  r.LS = SUNLinSol_Dense(r.y, r.A, r.ctx);
  if (!r.A || !r.LS) fail(Solver::Cvode, t0, "out of memory");
  check(CVodeSetLinearSolver(r.mem, r.LS, r.A), "CVodeSetLinearSolver");

  sunrealtype t = t0;
  const int flag = CVode(r.mem, t1, r.y, &t, CV_NORMAL);
  if (flag < 0)
    fail(Solver::Cvode, t, user.error.empty() ? "error " + std::to_string(flag) : user.error);
  for (std::size_t i = 0; i < pb.n; ++i) y[i] = yv[i];
  if (stats) {
    long steps = 0;
    CVodeGetNumSteps(r.mem, &steps);
    stats->steps += static_cast<std::uint64_t>(steps);
    stats->rhs_evals += user.evals;
  }
}

// ---- Boost.Odeint Rosenbrock4 ---------------------------------------------------------------

namespace odeint = boost::numeric::odeint;
using Vec = boost::numeric::ublas::vector<double>;
using Mat = boost::numeric::ublas::matrix<double>;

// The problem in scaled variables z = y / scale, so one absolute tolerance fits every component.
struct Scaled {
  const OdeProblem* pb;
  std::uint64_t* evals;
  std::vector<double>* ybuf;
  std::vector<double>* dbuf;

  void eval(double t, const Vec& z, Vec& dz) const {
    const std::size_t n = pb->n;
    for (std::size_t i = 0; i < n; ++i) (*ybuf)[i] = z[i] * pb->scale[i];
    pb->f(t, ybuf->data(), dbuf->data());
    ++*evals;
    for (std::size_t i = 0; i < n; ++i) dz[i] = (*dbuf)[i] / pb->scale[i];
  }
};

struct RosenSystem {
  Scaled s;
  void operator()(const Vec& z, Vec& dz, double t) const { s.eval(t, z, dz); }
};

struct RosenJacobian {
  Scaled s;
  // forward differences: J = d(dz)/dz column by column, and d(dz)/dt
  void operator()(const Vec& z, Mat& J, const double& t, Vec& dfdt) const {
    const std::size_t n = z.size();
    const double eps = std::sqrt(std::numeric_limits<double>::epsilon());
    Vec f0(n), f1(n), zp(z);
    s.eval(t, z, f0);
    for (std::size_t j = 0; j < n; ++j) {
      const double h = eps * std::max(std::fabs(z[j]), 1.0);
      zp[j] = z[j] + h;
      s.eval(t, zp, f1);
      zp[j] = z[j];
      for (std::size_t i = 0; i < n; ++i) J(i, j) = (f1[i] - f0[i]) / h;
    }
    const double ht = eps * std::max(std::fabs(t), 1.0);
    s.eval(t + ht, z, f1);
    for (std::size_t i = 0; i < n; ++i) dfdt[i] = (f1[i] - f0[i]) / ht;
  }
};

void integrate_rosenbrock(const OdeProblem& pb, double t0, double t1, double* y, OdeStats* stats) {
  const std::size_t n = pb.n;
  std::uint64_t evals = 0;
  std::vector<double> ybuf(n), dbuf(n);
  const Scaled sc{&pb, &evals, &ybuf, &dbuf};
  Vec z(n);
  for (std::size_t i = 0; i < n; ++i) z[i] = y[i] / pb.scale[i];
  auto stepper = odeint::rosenbrock4_controller<odeint::rosenbrock4<double>>(pb.rtol, pb.rtol);
  std::size_t steps = 0;
  try {
    steps = odeint::integrate_adaptive(stepper, std::make_pair(RosenSystem{sc}, RosenJacobian{sc}),
                                       z, t0, t1, t1 - t0);
  } catch (const std::exception& e) {
    fail(Solver::Rosenbrock4, t0, e.what());
  }
  for (std::size_t i = 0; i < n; ++i) y[i] = z[i] * pb.scale[i];
  if (!all_finite(y, n)) fail(Solver::Rosenbrock4, t1, "the solution is not finite");
  if (stats) {
    stats->steps += steps;
    stats->rhs_evals += evals;
  }
}

}  // namespace

void integrate(Solver solver, const OdeProblem& problem, double t0, double t1, double* y,
               OdeStats* stats) {
  if (!(t1 > t0)) return;
  if (solver == Solver::Cvode)
    integrate_cvode(problem, t0, t1, y, stats);
  else
    integrate_rosenbrock(problem, t0, t1, y, stats);
}

}  // namespace dtwin::greenhouse
