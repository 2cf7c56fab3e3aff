// A continuous twin advanced on a fixed step inside the event kernel: the shared machinery of
// the greenhouse twins.
//
// The twin schedules a step event (priority kModel) at every multiple of its step; the handler
// integrates the model's ODE from the time of the previous step to now with a stiff solver
// (integrator.hpp), inputs evaluated wherever the solver asks. KPI accumulators (heating
// energy, CO2 supplied, transpiration, harvest) are extra components of the ODE, integrated
// with the states, and zeroed by reset_stats. sample() and collect() are read-only: between
// steps they integrate a copy forward to w.now(), so the time series and the KPIs are exact at
// any instant and do not depend on how often anyone samples.
//
// A kind supplies the right-hand side, its state names, its time-series columns and its KPIs.
// Parameters a run may change (a controller's setpoints, set through the mirror) live in the
// state (OdeState::params), not in the spec: the right-hand side reads them from the state
// being integrated, so a setpoint changes that run only, from the instant it is applied.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/sim/model.hpp"
#include "engine/sim/world.hpp"
#include "twins/greenhouse/spec.hpp"
#include "twins/greenhouse/state.hpp"

namespace dtwin::greenhouse {

class StepTwin : public Model {
 public:
  StepTwin(const StepTwin&) = delete;
  StepTwin& operator=(const StepTwin&) = delete;

  const std::string& id() const { return id_; }
  // the ODE components' names ("air.temp_c", "crop.dry_weight_kg_m2"), in the vector's order
  const std::vector<std::string>& names() const { return names_; }

  void twins(std::vector<TwinInfo>& out) const override;
  std::unique_ptr<StateBlock> make_state(const RunContext& ctx) const override;
  void start(World& w, std::uint32_t self) const override;
  void handle(World& w, const Event& e) const override;
  void reset_stats(World& w, std::uint32_t self) const override;
  nlohmann::json state_json(const World& w, std::uint32_t self) const override;

  // The ODE vector at w.now() (integrated forward from the last step when between steps).
  std::vector<double> values_now(const World& w, std::uint32_t self) const;
  // The same for what only looks (a time-series row, a mirrored property read between steps):
  // it continues from the previous look (OdeState::probe) instead of integrating again from
  // the step, so sampling every 5 minutes between daily steps costs about one more integration
  // of the run, not one per row, and the 16 properties of one report cost one integration, not
  // 16. The values may differ from values_now() within the solver's tolerance (and depend on
  // when one looked); the state's own path, the KPIs and what-ifs never read them.
  std::vector<double> values_sampled(const World& w, std::uint32_t self) const;
  // The ODE's right-hand side under the spec's parameters, for tests and tools.
  void derivatives(double t, const double* y, double* dydt) const {
    rhs(t, y, params_.data(), dydt);
  }

 protected:
  // names: one per ODE component ("crop.dry_weight_kg_m2"); the first n_states are states,
  // the rest accumulators (zeroed by reset_stats). scale: typical magnitudes, for tolerances.
  // param_names, params: the run's parameters and their initial values (the spec's setpoints,
  // OdeState::params; none for a kind without).
  StepTwin(std::string id, StepSpec step, std::vector<std::string> names,
           std::vector<double> initial, std::vector<double> scale, std::size_t n_states,
           std::vector<std::string> param_names = {}, std::vector<double> params = {});

  // dy/dt at (t, y) under the run's parameters (OdeState::params of the state integrated)
  virtual void rhs(double t, const double* y, const double* params, double* dydt) const = 0;

  // Auxiliary integrals: quantities a kind integrates over time besides its ODE (the light at
  // the canopy), with no effect on it. Their rates (rhs_aux) are evaluated at the start of each
  // advance and after every step the solver accepts, and summed by the trapezoid rule (the
  // solver's steps follow the dynamics: they are short where the light switches), so the ODE's
  // components, steps and error control are untouched and no other result moves; the sums are
  // cut at every whole run day (multiples of 86400 s), so the last whole day's total is known.
  // One rate evaluation per solver step: a season costs about a quarter more right-hand sides.
  // Call in the constructor with the number of integrals.
  void set_aux(std::size_t n);
  // dy/dt (as rhs) and d(aux)/dt (one element per aux integral) at (t, y) under the run's
  // parameters, in one evaluation
  virtual void rhs_aux(double t, const double* y, const double* params, double* dydt,
                       double* aux) const {
    (void)aux;
    rhs(t, y, params, dydt);
  }
  // aux integral i since the statistics were last zeroed, and over the last whole run day (0
  // before the first one ends), of a state advanced to now (values_now's copy)
  static double aux_since_reset(const OdeState& s, std::size_t i) {
    return s.aux[i] - s.aux_at_reset[i];
  }
  // The state advanced to w.now() (a copy: read-only).
  OdeState state_now(const World& w, std::uint32_t self) const;
  // The same for what only looks (values_sampled): continued from the previous look.
  OdeState state_sampled(const World& w, std::uint32_t self) const;

  // Sets parameter i of the run from now on: the state is first integrated to w.now() under the
  // parameters in force until then.
  void set_param(World& w, std::uint32_t self, std::size_t i, double v) const;

  // "<id>.<group>.filled_values" and ".longest_gap_s" for an input source read from a file
  void input_metrics(const std::string& group, const InputSeries& in, Metrics& out) const;

  const std::string id_;
  const StepSpec step_;
  const std::vector<std::string> names_;
  const std::vector<double> initial_;
  const std::size_t n_states_;
  const std::vector<std::string> param_names_;
  const std::vector<double> params_;

 private:
  void advance(OdeState& s, double t) const;
  // the aux integrals' trapezoid from (t0, rates r0) to (t1, rates r1)
  void add_aux(OdeState& s, double t0, const double* r0, double t1, const double* r1) const;

  OdeProblem problem_;
  std::size_t n_aux_ = 0;  // auxiliary integrals (set_aux)
};

}  // namespace dtwin::greenhouse
