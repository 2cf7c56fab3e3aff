#include "twins/greenhouse/integrator.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include <cvodes/cvodes.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>
#include <sunmatrix/sunmatrix_dense.h>
#include <Eigen/Dense>
#include <boost/numeric/odeint/integrate/integrate_adaptive.hpp>
#include <boost/numeric/odeint/stepper/rosenbrock4.hpp>
#include <boost/numeric/odeint/stepper/rosenbrock4_controller.hpp>

#include "engine/base/format.hpp"

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
  const OdeRhs* rhs;
  std::uint64_t evals = 0;
  std::string error;         // CVODE's last error message
  std::size_t n_main = 0;    // components CVODE solves for; the rest are quadratures
  std::vector<double> y, f;  // full-length buffers when there are quadratures
};

// f at (t, y_main): the full vector's derivatives in u->f (the quadratures do not enter f)
const double* full_rhs(CvodeUser* u, sunrealtype t, const double* y_main) {
  ++u->evals;
  std::copy(y_main, y_main + u->n_main, u->y.begin());
  (*u->rhs)(t, u->y.data(), u->f.data());
  return u->f.data();
}

int cvode_rhs(sunrealtype t, N_Vector y, N_Vector ydot, void* user) {
  auto* u = static_cast<CvodeUser*>(user);
  const double* yv = N_VGetArrayPointer(y);
  double* dv = N_VGetArrayPointer(ydot);
  if (u->n_main == u->problem->n) {
    ++u->evals;
    (*u->rhs)(t, yv, dv);
  } else {
    const double* f = full_rhs(u, t, yv);
    std::copy(f, f + u->n_main, dv);
  }
  // a non-finite derivative (say a trial state out of the model's domain) is a recoverable
  // error: CVODE retries with a smaller step
  return all_finite(dv, u->n_main) ? 0 : 1;
}

int cvode_quad(sunrealtype t, N_Vector y, N_Vector qdot, void* user) {
  auto* u = static_cast<CvodeUser*>(user);
  const double* f = full_rhs(u, t, N_VGetArrayPointer(y));
  const std::size_t nq = u->problem->n - u->n_main;
  double* qv = N_VGetArrayPointer(qdot);
  std::copy(f + u->n_main, f + u->n_main + nq, qv);
  return all_finite(qv, nq) ? 0 : 1;
}

void cvode_error(int code, const char* module, const char* function, char* msg, void* user) {
  auto* u = static_cast<CvodeUser*>(user);
  u->error = std::string(module ? module : "CVODE") + "/" + (function ? function : "?") + " (" +
             std::to_string(code) + "): " + (msg ? msg : "");
}

// A dense direct linear solver for CVODE on Eigen's partial-pivoting LU (blocked and
// vectorised): the same mathematics as SUNLinSol_Dense, which profiling showed to dominate the
// greenhouse season (its unblocked getrf/getrs); the matrix stays a SUNDenseMatrix.
struct EigenLu {
  Eigen::PartialPivLU<Eigen::MatrixXd> lu;
};

SUNLinearSolver_Type eigen_lu_type(SUNLinearSolver) {
  return SUNLINEARSOLVER_DIRECT;
}

int eigen_lu_setup(SUNLinearSolver s, SUNMatrix a) {
  const auto n = static_cast<Eigen::Index>(SUNDenseMatrix_Rows(a));
  static_cast<EigenLu*>(s->content)
      ->lu.compute(Eigen::Map<const Eigen::MatrixXd>(SUNDenseMatrix_Data(a), n, n));
  return 0;
}

int eigen_lu_solve(SUNLinearSolver s, SUNMatrix a, N_Vector x, N_Vector b, sunrealtype) {
  const auto n = static_cast<Eigen::Index>(SUNDenseMatrix_Rows(a));
  Eigen::Map<Eigen::VectorXd>(N_VGetArrayPointer(x), n) =
      static_cast<EigenLu*>(s->content)
          ->lu.solve(Eigen::Map<const Eigen::VectorXd>(N_VGetArrayPointer(b), n));
  return 0;
}

int eigen_lu_free(SUNLinearSolver s) {
  if (!s) return 0;
  delete static_cast<EigenLu*>(s->content);
  s->content = nullptr;
  SUNLinSolFreeEmpty(s);
  return 0;
}

SUNLinearSolver eigen_lu_new(SUNContext ctx) {
  SUNLinearSolver s = SUNLinSolNewEmpty(ctx);
  if (!s) return nullptr;
  s->ops->gettype = eigen_lu_type;
  s->ops->setup = eigen_lu_setup;
  s->ops->solve = eigen_lu_solve;
  s->ops->free = eigen_lu_free;
  s->content = new EigenLu();
  return s;
}

// Owns the SUNDIALS objects of one integration and frees them in reverse order.
struct CvodeRun {
  SUNContext ctx = nullptr;
  N_Vector y = nullptr, atol = nullptr, q = nullptr, qatol = nullptr;
  SUNMatrix A = nullptr;
  SUNLinearSolver LS = nullptr;
  void* mem = nullptr;
  ~CvodeRun() {
    if (mem) CVodeFree(&mem);
    if (LS) SUNLinSolFree(LS);
    if (A) SUNMatDestroy(A);
    if (atol) N_VDestroy(atol);
    if (qatol) N_VDestroy(qatol);
    if (q) N_VDestroy(q);
    if (y) N_VDestroy(y);
    if (ctx) SUNContext_Free(&ctx);
  }
};

void integrate_cvode(const OdeProblem& pb, const OdeRhs& f, double t0, double t1, double* y,
                     OdeStats* stats, const OdeObserver* observe) {
  const std::size_t n_main = pb.n - std::min(pb.n_quad, pb.n - 1);
  const std::size_t n_quad = pb.n - n_main;
  const auto n = static_cast<sunindextype>(n_main);
  CvodeUser user{&pb, &f, 0, {}, n_main, {}, {}};
  if (n_quad > 0) {
    user.y.assign(y, y + pb.n);
    user.f.assign(pb.n, 0.0);
  }
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
  for (std::size_t i = 0; i < n_main; ++i) {
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
  r.LS = eigen_lu_new(r.ctx);
  if (!r.A || !r.LS) fail(Solver::Cvode, t0, "out of memory");
  check(CVodeSetLinearSolver(r.mem, r.LS, r.A), "CVodeSetLinearSolver");
  if (n_quad > 0) {
    // the accumulators as CVODE quadratures: integrated with the same steps and error control,
    // but outside the Newton iteration (smaller linear systems)
    const auto nq = static_cast<sunindextype>(n_quad);
    r.q = N_VNew_Serial(nq, r.ctx);
    r.qatol = N_VNew_Serial(nq, r.ctx);
    if (!r.q || !r.qatol) fail(Solver::Cvode, t0, "out of memory");
    double* qv = N_VGetArrayPointer(r.q);
    double* qa = N_VGetArrayPointer(r.qatol);
    for (std::size_t i = 0; i < n_quad; ++i) {
      qv[i] = y[n_main + i];
      qa[i] = pb.rtol * pb.scale[n_main + i];
    }
    check(CVodeQuadInit(r.mem, cvode_quad, r.q), "CVodeQuadInit");
    check(CVodeQuadSVtolerances(r.mem, pb.rtol, r.qatol), "CVodeQuadSVtolerances");
    check(CVodeSetQuadErrCon(r.mem, SUNTRUE), "CVodeSetQuadErrCon");
  }

  sunrealtype t = t0;
  if (!observe) {
    const int flag = CVode(r.mem, t1, r.y, &t, CV_NORMAL);
    if (flag < 0)
      fail(Solver::Cvode, t, user.error.empty() ? "error " + std::to_string(flag) : user.error);
  } else {
    // step by step to the stop time: the steps CV_NORMAL would take, each shown
    std::vector<double> full(pb.n, 0.0);
    for (;;) {
      const int flag = CVode(r.mem, t1, r.y, &t, CV_ONE_STEP);
      if (flag < 0)
        fail(Solver::Cvode, t, user.error.empty() ? "error " + std::to_string(flag) : user.error);
      for (std::size_t i = 0; i < n_main; ++i) full[i] = yv[i];
      (*observe)(t, full.data());
      if (flag == CV_TSTOP_RETURN || t >= t1) break;
    }
  }
  for (std::size_t i = 0; i < n_main; ++i) y[i] = yv[i];
  if (n_quad > 0) {
    sunrealtype tq = t0;
    check(CVodeGetQuad(r.mem, &tq, r.q), "CVodeGetQuad");
    const double* qv = N_VGetArrayPointer(r.q);
    for (std::size_t i = 0; i < n_quad; ++i) y[n_main + i] = qv[i];
  }
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
  const OdeRhs* f;
  std::uint64_t* evals;
  std::vector<double>* ybuf;
  std::vector<double>* dbuf;

  void eval(double t, const Vec& z, Vec& dz) const {
    const std::size_t n = pb->n;
    for (std::size_t i = 0; i < n; ++i) (*ybuf)[i] = z[i] * pb->scale[i];
    (*f)(t, ybuf->data(), dbuf->data());
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

void integrate_rosenbrock(const OdeProblem& pb, const OdeRhs& f, double t0, double t1, double* y,
                          OdeStats* stats, const OdeObserver* observe) {
  const std::size_t n = pb.n;
  std::uint64_t evals = 0;
  std::vector<double> ybuf(n), dbuf(n);
  const Scaled sc{&pb, &f, &evals, &ybuf, &dbuf};
  Vec z(n);
  for (std::size_t i = 0; i < n; ++i) z[i] = y[i] / pb.scale[i];
  auto stepper = odeint::rosenbrock4_controller<odeint::rosenbrock4<double>>(pb.rtol, pb.rtol);
  std::size_t steps = 0;
  try {
    if (!observe) {
      steps = odeint::integrate_adaptive(
          stepper, std::make_pair(RosenSystem{sc}, RosenJacobian{sc}), z, t0, t1, t1 - t0);
    } else {
      std::vector<double> yo(n);
      bool first = true;  // odeint shows the start too; the observer wants accepted steps
      steps =
          odeint::integrate_adaptive(stepper, std::make_pair(RosenSystem{sc}, RosenJacobian{sc}), z,
                                     t0, t1, t1 - t0, [&](const Vec& zz, double tt) {
                                       if (first) {
                                         first = false;
                                         return;
                                       }
                                       for (std::size_t i = 0; i < n; ++i)
                                         yo[i] = zz[i] * pb.scale[i];
                                       (*observe)(tt, yo.data());
                                     });
    }
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

void integrate(Solver solver, const OdeProblem& problem, const OdeRhs& f, double t0, double t1,
               double* y, OdeStats* stats, const OdeObserver* observe) {
  if (!(t1 > t0)) return;
  if (solver == Solver::Cvode)
    integrate_cvode(problem, f, t0, t1, y, stats, observe);
  else
    integrate_rosenbrock(problem, f, t0, t1, y, stats, observe);
}

}  // namespace dtwin::greenhouse
