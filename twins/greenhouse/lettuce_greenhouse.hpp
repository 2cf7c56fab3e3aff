// The "lettuce_greenhouse" twin: Van Henten's four-state lettuce greenhouse (vanhenten.hpp)
// driven by weather and climate controls, constant or from files. KPIs: fresh-weight yield,
// heating energy, CO2 supplied and transpiration.
#pragma once

#include "twins/greenhouse/step_twin.hpp"

namespace dtwin::greenhouse {

class LettuceGreenhouseModel final : public StepTwin {
 public:
  explicit LettuceGreenhouseModel(LettuceGreenhouseSpec spec);
  const LettuceGreenhouseSpec& spec() const { return spec_; }

  std::string_view kind() const override { return "lettuce_greenhouse"; }
  void collect(const World& w, std::uint32_t self, Metrics& out) const override;
  void columns(std::vector<std::string>& out) const override;
  void sample(const World& w, std::uint32_t self, std::vector<std::string>& out) const override;

 private:
  void rhs(double t, const double* y, const double* params, double* dydt) const override;

  LettuceGreenhouseSpec spec_;
};

}  // namespace dtwin::greenhouse
