#include "twins/greenhouse/lettuce_greenhouse.hpp"

#include "engine/base/format.hpp"
#include "twins/greenhouse/params.hpp"

namespace dtwin::greenhouse {

LettuceGreenhouseModel::LettuceGreenhouseModel(LettuceGreenhouseSpec spec)
    : StepTwin(spec.id, spec.step,
               {"crop.dry_weight_kg_m2", "air.co2_kg_m3", "air.temp_c", "air.humidity_kg_m3",
                "kpi.heating_j_m2", "kpi.co2_used_kg_m2", "kpi.transpiration_kg_m2"},
               {spec.initial.dry_weight_kg_m2, spec.initial.co2_kg_m3, spec.initial.air_temp_c,
                spec.initial.humidity_kg_m3, 0, 0, 0},
               {1e-3, 1e-4, 1, 1e-3, 1e6, 1e-3, 1e-2}, 4,
               {"co2_supply_kg_m2_s", "vent_m_s", "heat_w_m2"}, {-1, -1, -1}),
      spec_(std::move(spec)) {}

void LettuceGreenhouseModel::controls_at(double t, const double* params, double* u) const {
  spec_.controls.at(t, u);
  for (std::size_t i = 0; i < 3; ++i)
    if (params[i] >= 0) u[i] = params[i];
}

void LettuceGreenhouseModel::rhs(double t, const double* y, const double* params,
                                 double* dydt) const {
  double w[4], u[3];
  spec_.weather.at(t, w);
  controls_at(t, params, u);
  const VhRates r = vh_rates(spec_.p, VhState{y[kXd], y[kXc], y[kXt], y[kXh]},
                             VhWeather{w[kRad], w[kOutTemp], w[kOutHumidity], w[kOutCo2]},
                             VhControls{u[kCo2Supply], u[kVent], u[kHeat]});
  dydt[kXd] = r.d.dry_weight_kg_m2;
  dydt[kXc] = r.d.co2_kg_m3;
  dydt[kXt] = r.d.air_temp_c;
  dydt[kXh] = r.d.humidity_kg_m3;
  dydt[kHeatJ] = u[kHeat];
  dydt[kCo2Kg] = u[kCo2Supply];
  dydt[kTranspKg] = r.transp_kg_m2_s;
}

void LettuceGreenhouseModel::collect(const World& w, std::uint32_t self, Metrics& out) const {
  const auto y = values_now(w, self);
  out.set(id_ + ".yield_fresh_kg_m2", y[kXd] / spec_.p.dry_matter_fraction, "kg/m2");
  out.set(id_ + ".dry_weight_kg_m2", y[kXd], "kg/m2");
  out.set(id_ + ".heating_mj_m2", y[kHeatJ] * 1e-6, "MJ/m2");
  out.set(id_ + ".co2_used_kg_m2", y[kCo2Kg], "kg/m2");
  out.set(id_ + ".transpiration_l_m2", y[kTranspKg], "L/m2");
  out.set(id_ + ".air_temp_c", y[kXt], "degC");
  input_metrics("weather", spec_.weather, out);
  input_metrics("controls", spec_.controls, out);
  // for growers: the heat as Dutch natural gas at its lower heating value (kGasMjPerM3), and in
  // kWh (no lamps in this model)
  out.set(id_ + ".heating_gas_m3_m2", y[kHeatJ] * 1e-6 / kGasMjPerM3, "m3/m2");
  out.set(id_ + ".heating_kwh_m2", y[kHeatJ] * 1e-6 / 3.6, "kWh/m2");
}

void LettuceGreenhouseModel::columns(std::vector<std::string>& out) const {
  for (const char* c :
       {"crop.dry_weight_kg_m2", "air.co2_kg_m3", "air.co2_ppm", "air.temp_c", "air.humidity_kg_m3",
        "air.rh_pct", "weather.rad_w_m2", "weather.temp_c", "weather.humidity_kg_m3",
        "weather.co2_kg_m3", "control.co2_supply_kg_m2_s", "control.vent_m_s", "control.heat_w_m2",
        "kpi.heating_mj_m2", "kpi.co2_used_kg_m2", "kpi.transpiration_l_m2"})
    out.push_back(id_ + "." + c);
}

void LettuceGreenhouseModel::sample(const World& w, std::uint32_t self,
                                    std::vector<std::string>& out) const {
  const auto y = values_sampled(w, self);
  double v[4], u[3];
  spec_.weather.at(w.now(), v);
  controls_at(w.now(), w.state<OdeState>(self).params.data(), u);
  const auto& p = spec_.p;
  for (double x :
       {y[kXd], y[kXc], co2_kg_m3_to_ppm(p, y[kXc], y[kXt]), y[kXt], y[kXh],
        100 * y[kXh] / vh_saturation_kg_m3(p, y[kXt]), v[kRad], v[kOutTemp], v[kOutHumidity],
        v[kOutCo2], u[kCo2Supply], u[kVent], u[kHeat], y[kHeatJ] * 1e-6, y[kCo2Kg], y[kTranspKg]})
    out.push_back(fmt_num(x, 10));
}

}  // namespace dtwin::greenhouse
