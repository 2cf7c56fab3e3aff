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
  aux_problem_ = problem_;
}

void StepTwin::set_aux(std::vector<double> scale) {
  aux_problem_ = problem_;
  aux_problem_.n = problem_.n + scale.size();
  aux_problem_.n_quad = problem_.n_quad + scale.size();
  aux_problem_.scale.insert(aux_problem_.scale.end(), scale.begin(), scale.end());
}

void StepTwin::twins(std::vector<TwinInfo>& out) const {
  out.push_back({id_, std::string(kind()), ""});
}

std::unique_ptr<StateBlock> StepTwin::make_state(const RunContext& ctx) const {
  (void)ctx;  // deterministic: every replication is the same
  OdeState s;
  s.y = initial_;
  s.params = params_;
  const std::size_t n_aux = aux_problem_.n - problem_.n;
  s.aux = s.aux_at_reset = s.aux_day_start = s.aux_prev_day = std::vector<double>(n_aux, 0.0);
  return std::make_unique<StateOf<OdeState>>(std::move(s));
}

void StepTwin::start(World& w, std::uint32_t self) const {
  w.schedule(step_.step_s, kModel, self, 0, kStep);
}

void StepTwin::advance_aux(OdeState& s, double t) const {
  const std::size_t n = problem_.n, n_aux = aux_problem_.n - n;
  const double* params = s.params.data();
  const OdeRhs f = [this, params, n](double tt, const double* y, double* dydt) {
    rhs_aux(tt, y, params, dydt, dydt + n);
  };
  std::vector<double> y(s.y);
  double from = s.t;
  while (from < t) {
    // to the next whole run day, or t
    const double day_end = (std::floor(from / 86400) + 1) * 86400;
    const double to = std::min(t, day_end);
    y.resize(n + n_aux);
    for (std::size_t i = 0; i < n_aux; ++i) y[n + i] = 0;
    integrate(step_.solver, aux_problem_, f, from, to, y.data());
    for (std::size_t i = 0; i < n_aux; ++i) s.aux[i] += y[n + i];
    if (to == day_end) {
      for (std::size_t i = 0; i < n_aux; ++i) {
        s.aux_prev_day[i] = s.aux[i] - s.aux_day_start[i];
        s.aux_day_start[i] = s.aux[i];
      }
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
    if (aux_problem_.n > problem_.n) advance_aux(s, t);
    integrate(step_.solver, problem_, f, s.t, t, s.y.data(), &s.solver);
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
  OdeState s = w.state<OdeState>(self);
  advance(s, w.now());
  return s.y;
}

OdeState StepTwin::state_now(const World& w, std::uint32_t self) const {
  OdeState s = w.state<OdeState>(self);
  advance(s, w.now());
  return s;
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
