// The "lettuce_crop" twin: Van Henten's crop state X_d alone (vanhenten.hpp), driven by a
// prescribed indoor climate, constant or measured (a real greenhouse's telemetry drives the
// crop estimate). KPIs: dry weight, fresh-weight yield, and transpiration when the climate
// includes humidity.
#pragma once

#include "twins/greenhouse/step_twin.hpp"

namespace dtwin::greenhouse {

class LettuceCropModel final : public StepTwin {
 public:
  explicit LettuceCropModel(LettuceCropSpec spec);
  const LettuceCropSpec& spec() const { return spec_; }

  std::string_view kind() const override { return "lettuce_crop"; }
  void collect(const World& w, std::uint32_t self, Metrics& out) const override;
  void columns(std::vector<std::string>& out) const override;
  void sample(const World& w, std::uint32_t self, std::vector<std::string>& out) const override;
  std::optional<double> calendar_origin() const override { return spec_.climate.calendar_start_s; }

 private:
  void rhs(double t, const double* y, const double* params, double* dydt) const override;

  LettuceCropSpec spec_;
};

}  // namespace dtwin::greenhouse
