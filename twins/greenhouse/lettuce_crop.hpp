// The "lettuce_crop" twin: Van Henten's crop state X_d alone (vanhenten.hpp), driven by a
// prescribed indoor climate, constant or measured (a real greenhouse's telemetry drives the
// crop estimate). KPIs: dry weight, fresh-weight yield, and transpiration when the climate
// includes humidity.
//
// Plant density: Van Henten's X_d is dry weight per m2 of a closed crop. When the growers space
// the plants out (AGC 2022: from 90 to 18 heads per m2), every head keeps its weight and the
// weight per m2 drops with the density. Given "density" (heads per m2 over time, a step
// series), the state is the dry weight per head, w = X_d / n(t), and
//   dw/dt = (dX_d/dt)(X_d = w n(t)) / n(t),
// so X_d follows each change of n(t) at once and grows by Van Henten's rate in between.
// The series then also give the density and the weight per head. Without "density" the state
// is X_d, as before.
#pragma once

#include "engine/mirror/mirrorable.hpp"
#include "twins/greenhouse/step_twin.hpp"

namespace dtwin::greenhouse {

class LettuceCropModel final : public StepTwin, public Mirrorable {
 public:
  explicit LettuceCropModel(LettuceCropSpec spec);
  const LettuceCropSpec& spec() const { return spec_; }

  std::string_view kind() const override { return "lettuce_crop"; }
  void collect(const World& w, std::uint32_t self, Metrics& out) const override;
  void columns(std::vector<std::string>& out) const override;
  void sample(const World& w, std::uint32_t self, std::vector<std::string>& out) const override;
  std::optional<double> calendar_origin() const override { return spec_.climate.calendar_start_s; }

  // Mirrorable (lettuce_crop_mirror.cpp): the climate, the density and crop samples reported;
  // the crop's state derived live by an ensemble Kalman filter (crop_enkf.hpp)
  void properties(std::vector<TwinSpec>& out) const override;
  bool read_property(const World& w, std::uint32_t self, std::size_t twin, std::size_t prop,
                     Value& out) const override;
  std::unique_ptr<LiveMonitor> make_monitor(std::size_t twin) const override;

 private:
  void rhs(double t, const double* y, const double* params, double* dydt) const override;
  // heads per m2 at t (1 without a density: the state is then X_d itself)
  double heads(double t) const;

  LettuceCropSpec spec_;
};

}  // namespace dtwin::greenhouse
