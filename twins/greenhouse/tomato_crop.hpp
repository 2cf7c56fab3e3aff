// The "tomato_crop" twin: the Vanthoor tomato crop (tomato.hpp) driven by a prescribed climate
// (PAR above the canopy, canopy temperature, CO2), constant or measured. KPIs: fresh-weight
// yield of harvested fruit (dry matter fraction 6%), pruned leaves, the crop's pools and LAI.
#pragma once

#include "twins/greenhouse/step_twin.hpp"

namespace dtwin::greenhouse {

class TomatoCropModel final : public StepTwin {
 public:
  explicit TomatoCropModel(TomatoCropSpec spec);
  const TomatoCropSpec& spec() const { return spec_; }

  std::string_view kind() const override { return "tomato_crop"; }
  void collect(const World& w, std::uint32_t self, Metrics& out) const override;
  void columns(std::vector<std::string>& out) const override;
  void sample(const World& w, std::uint32_t self, std::vector<std::string>& out) const override;
  std::optional<double> calendar_origin() const override { return spec_.climate.calendar_start_s; }

 private:
  void rhs(double t, const double* y, const double* params, double* dydt) const override;

  TomatoCropSpec spec_;
};

}  // namespace dtwin::greenhouse
