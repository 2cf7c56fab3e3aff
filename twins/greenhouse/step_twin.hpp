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
  // The ODE's right-hand side, for tests and tools.
  void derivatives(double t, const double* y, double* dydt) const { rhs(t, y, dydt); }

 protected:
  // names: one per ODE component ("crop.dry_weight_kg_m2"); the first n_states are states,
  // the rest accumulators (zeroed by reset_stats). scale: typical magnitudes, for tolerances.
  StepTwin(std::string id, StepSpec step, std::vector<std::string> names,
           std::vector<double> initial, std::vector<double> scale, std::size_t n_states);

  virtual void rhs(double t, const double* y, double* dydt) const = 0;

  // "<id>.<group>.filled_values" and ".longest_gap_s" for an input source read from a file
  void input_metrics(const std::string& group, const InputSeries& in, Metrics& out) const;

  const std::string id_;
  const StepSpec step_;
  const std::vector<std::string> names_;
  const std::vector<double> initial_;
  const std::size_t n_states_;

 private:
  void advance(OdeState& s, double t) const;

  OdeProblem problem_;
};

}  // namespace dtwin::greenhouse
