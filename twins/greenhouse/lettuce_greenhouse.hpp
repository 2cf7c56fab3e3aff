// The "lettuce_greenhouse" twin: Van Henten's four-state lettuce greenhouse (vanhenten.hpp)
// driven by weather and climate controls, constant or from files. KPIs: fresh-weight yield,
// heating energy, CO2 supplied and transpiration.
//
// Mirrored (Mirrorable, lettuce_mirror.cpp): one twin reporting air_temp (degC), rh (%), co2
// (ppm), dry_weight (kg/m2), radiation (W/m2) and outdoor_temp (degC); the three controls are
// setpoints: co2_supply (kg/m2/s, 0 to 1.2e-6), ventilation (m/s, 0 to 7.5e-3) and heating
// (W/m2, 0 to 150), Van Henten's (1994) bounds. A control set through the mirror holds from
// then on in place of the scenario's input; it is part of the run's state (OdeState::params,
// one per control, negative while the input series is followed).
#pragma once

#include "engine/mirror/mirrorable.hpp"
#include "twins/greenhouse/step_twin.hpp"

namespace dtwin::greenhouse {

class LettuceGreenhouseModel final : public StepTwin, public Mirrorable {
 public:
  explicit LettuceGreenhouseModel(LettuceGreenhouseSpec spec);
  const LettuceGreenhouseSpec& spec() const { return spec_; }

  std::string_view kind() const override { return "lettuce_greenhouse"; }
  void collect(const World& w, std::uint32_t self, Metrics& out) const override;
  void columns(std::vector<std::string>& out) const override;
  void sample(const World& w, std::uint32_t self, std::vector<std::string>& out) const override;
  // the weather's calendar, else the controls'
  std::optional<double> calendar_origin() const override {
    return spec_.weather.calendar_start_s ? spec_.weather.calendar_start_s
                                          : spec_.controls.calendar_start_s;
  }

  // Mirrorable (lettuce_mirror.cpp)
  void properties(std::vector<TwinSpec>& out) const override;
  bool read_property(const World& w, std::uint32_t self, std::size_t twin, std::size_t prop,
                     Value& out) const override;
  bool apply_setpoint(World& w, std::uint32_t self, std::size_t twin, std::size_t prop,
                      const Value& v, std::string* reason) const override;
  // a fork from the live greenhouse: its measured climate and crop, the controls set
  bool assimilate(World& w, std::uint32_t self, std::size_t twin, std::size_t prop, const Value& v,
                  std::string* reason) const override;

 private:
  // the ODE vector: the four states, then the accumulators
  enum Index : std::size_t { kXd, kXc, kXt, kXh, kHeatJ, kCo2Kg, kTranspKg, kN };
  // the controls at t: the input series, or the value set through the mirror (params)
  void controls_at(double t, const double* params, double* u) const;
  void rhs(double t, const double* y, const double* params, double* dydt) const override;

  LettuceGreenhouseSpec spec_;
};

}  // namespace dtwin::greenhouse
