#include "twins/greenhouse/step_twin.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace dtwin::greenhouse {

namespace {
constexpr std::uint32_t kStep = 0;  // the only event: integrate up to now
}

StepTwin::StepTwin(std::string id, StepSpec step, std::vector<std::string> names,
                   std::vector<double> initial, std::vector<double> scale, std::size_t n_states,
                   std::vector<std::string> param_names, std::vector<double> params)
    : id_(std::move(id)),
      step_(step),
      names_(std::move(names)),
      initial_(std::move(initial)),
      n_states_(n_states),
      param_names_(std::move(param_names)),
      params_(std::move(params)) {
  if (param_names_.size() != params_.size())
    throw std::logic_error("StepTwin: one name per parameter");
  problem_.n = initial_.size();
  problem_.scale = std::move(scale);
  problem_.rtol = step_.rtol;
  problem_.n_quad = initial_.size() - n_states_;
}

void StepTwin::set_aux(std::size_t n) {
  n_aux_ = n;
}

void StepTwin::twins(std::vector<TwinInfo>& out) const {
  out.push_back({id_, std::string(kind()), ""});
}

std::unique_ptr<StateBlock> StepTwin::make_state(const RunContext& ctx) const {
  (void)ctx;  // deterministic: every replication is the same
  OdeState s;
  s.y = initial_;
  s.params = params_;
  s.aux = s.aux_at_reset = s.aux_day_start = s.aux_prev_day = std::vector<double>(n_aux_, 0.0);
  return std::make_unique<StateOf<OdeState>>(std::move(s));
}

void StepTwin::start(World& w, std::uint32_t self) const {
  w.schedule(step_.step_s, kModel, self, 0, kStep);
}

void StepTwin::add_aux(OdeState& s, double t0, const double* r0, double t1,
                       const double* r1) const {
  // the trapezoid from t0 to t1, cut at every whole run day so each day's total is known
  // (called after every solver step: no allocation; the rates inside are linear in time)
  const std::size_t n_aux = s.aux.size();
  auto rate = [&](std::size_t i, double at) {
    return at == t0 ? r0[i] : at == t1 ? r1[i] : r0[i] + (r1[i] - r0[i]) * ((at - t0) / (t1 - t0));
  };
  for (double from = t0; from < t1;) {
    const double day_end = (std::floor(from / 86400) + 1) * 86400;
    const double to = std::min(t1, day_end);
    for (std::size_t i = 0; i < n_aux; ++i)
      s.aux[i] += 0.5 * (rate(i, from) + rate(i, to)) * (to - from);
    if (to == day_end)
      for (std::size_t i = 0; i < n_aux; ++i) {
        s.aux_prev_day[i] = s.aux[i] - s.aux_day_start[i];
        s.aux_day_start[i] = s.aux[i];
      }
    from = to;
  }
}

void StepTwin::advance(OdeState& s, double t) const {
  if (!(t > s.t)) return;
  // the parameters of the state being integrated (two pointers: no allocation)
  const double* params = s.params.data();
  const OdeRhs f = [this, params](double tt, const double* y, double* dydt) {
    rhs(tt, y, params, dydt);
  };
  try {
    if (n_aux_ == 0) {
      integrate(step_.solver, problem_, f, s.t, t, s.y.data(), &s.solver);
    } else {
      // the aux rates at every step the solver takes, summed by the trapezoid rule: watching
      // the steps changes none of them
      std::vector<double> dydt(problem_.n), r0(n_aux_), r1(n_aux_);
      rhs_aux(s.t, s.y.data(), params, dydt.data(), r0.data());
      double t0 = s.t;
      const OdeObserver watch = [&](double tt, const double* y) {
        rhs_aux(tt, y, params, dydt.data(), r1.data());
        add_aux(s, t0, r0.data(), tt, r1.data());
        t0 = tt;
        r0.swap(r1);
      };
      integrate(step_.solver, problem_, f, s.t, t, s.y.data(), &s.solver, &watch);
    }
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("twin \"" + id_ + "\" (" + std::string(kind()) + "): " + e.what());
  }
  s.t = t;
}

void StepTwin::handle(World& w, const Event& e) const {
  (void)e;
  OdeState& s = w.state<OdeState>(e.model);
  advance(s, w.now());
  ++s.steps;
  // steps at exact multiples of the step, so no rounding drift accumulates
  w.schedule(static_cast<double>(s.steps + 1) * step_.step_s, kModel, e.model, 0, kStep);
}

void StepTwin::reset_stats(World& w, std::uint32_t self) const {
  OdeState& s = w.state<OdeState>(self);
  advance(s, w.now());
  for (std::size_t i = n_states_; i < s.y.size(); ++i) s.y[i] = 0;
  s.aux_at_reset = s.aux;
  s.stats_since = w.now();
}

void StepTwin::set_param(World& w, std::uint32_t self, std::size_t i, double v) const {
  OdeState& s = w.state<OdeState>(self);
  advance(s, w.now());
  s.params.at(i) = v;
}

std::vector<double> StepTwin::values_now(const World& w, std::uint32_t self) const {
  return state_now(w, self).y;
}

OdeState StepTwin::state_now(const World& w, std::uint32_t self) const {
  OdeState s = w.state<OdeState>(self);
  advance(s, w.now());
  return s;
}

OdeState StepTwin::state_sampled(const World& w, std::uint32_t self) const {
  const OdeState& s = w.state<OdeState>(self);
  const double now = w.now();
  if (!(now > s.t)) return s;
  OdeProbe& p = s.probe;
  OdeState q;
  if (p.at && p.from_t == s.t && p.at->t <= now && p.from_y == s.y && p.from_params == s.params) {
    q = *p.at;
  } else {
    q = s;
    p.from_t = s.t;
    p.from_y = s.y;
    p.from_params = s.params;
  }
  advance(q, now);
  if (!p.at) p.at = std::make_unique<OdeState>();
  *p.at = q;
  return q;
}

std::vector<double> StepTwin::values_sampled(const World& w, std::uint32_t self) const {
  return state_sampled(w, self).y;
}

void StepTwin::input_metrics(const std::string& group, const InputSeries& in, Metrics& out) const {
  if (in.file.empty()) return;
  out.set(id_ + "." + group + ".filled_values", static_cast<double>(in.filled_values), "values");
  out.set(id_ + "." + group + ".longest_gap_s", in.longest_gap_s, "s");
}

nlohmann::json StepTwin::state_json(const World& w, std::uint32_t self) const {
  const OdeState& s = w.state<OdeState>(self);
  nlohmann::json j;
  j["id"] = id_;
  j["kind"] = std::string(kind());
  j["time_s"] = s.t;
  nlohmann::json v = nlohmann::json::object();
  for (std::size_t i = 0; i < names_.size(); ++i) v[names_[i]] = s.y[i];
  j["values"] = std::move(v);
  if (!param_names_.empty()) {
    nlohmann::json p = nlohmann::json::object();
    for (std::size_t i = 0; i < param_names_.size(); ++i) p[param_names_[i]] = s.params[i];
    j["params"] = std::move(p);
  }
  j["step_s"] = step_.step_s;
  j["solver"] = {{"name", solver_name(step_.solver)},
                 {"rtol", step_.rtol},
                 {"steps", s.solver.steps},
                 {"rhs_evals", s.solver.rhs_evals}};
  return j;
}

}  // namespace dtwin::greenhouse
