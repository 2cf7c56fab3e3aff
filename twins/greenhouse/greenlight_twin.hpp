// The "greenlight_tomato" twin: the GreenLight greenhouse (greenlight.hpp) with its climate
// controller and the Vanthoor tomato crop, driven by outdoor weather (gl_weather.hpp).
//
//   "gh": {"kind": "greenlight_tomato",
//     "step": "1h", "solver": "rosenbrock4" | "cvode", "rtol": 1e-4,
//     "lamp": "hps" | "led" | "none",           top lighting (greenlight_lamp_*.json)
//     "params": {"aRoof": 4676, ...},            overrides of greenlight_katzin2021.json
//     "lamp_params": {"thetaLampMax": 100},      overrides of the lamp file
//     "control": {"tSpNight": 17, "co2SpDay": 800, ...},  overrides of greenlight_control.json
//     "initial": {"air_temp_c": 18.5, "rh_pct": 70, "co2_ppm": 410},
//     "crop": {"params": {...}, "initial": {"c_buf_mg_m2": 0, ...}},  vanthoor2011_tomato.json
//     "weather": {"epw": "....epw", "start": "09-27"} (or a constant / CSV source, gl_weather.hpp),
//     "prices": {"tomato_eur_kg": 0.8, "gas_eur_m3": 0.25, "gas_mj_m3": 31.65,
//                "boiler_efficiency": 0.9 | "heat_eur_mj": 0.008,
//                "electricity_eur_kwh": 0.07, "co2_eur_kg": 0.1}}
//
// KPIs (report.json): <id>.yield_fresh_kg_m2 (harvested fruit at the crop's dry matter
// fraction, 6%), heating_mj_m2 (boiler heat into the pipes), lamp_electricity_mj_m2,
// profit_eur_m2 (with "prices": revenue - heat - electricity - CO2), energy_mj_m2 (heat +
// electricity), co2_used_kg_m2, transpiration_l_m2, the crop's pools and LAI, and the costs;
// for growers heating_kwh_m2, heating_gas_m3_m2 (at 31.65 MJ/m3, Dutch natural gas's lower
// heating value), lamp_electricity_kwh_m2, lamp_hours_h (at full power) and dli_mol_m2_d (PAR
// at the top of the canopy, sun and lamps, per day: an aux integral, StepTwin::set_aux).
// Time series: every state (<id>.air.temp_c, <id>.crop.c_fruit_mg_m2, <id>.crop.lai, ...),
// every control (<id>.control.boiler, .roof_vents, .thermal_screen, .lamps, .co2_injection),
// the set points, indoor RH and CO2 in ppm, the weather, and the last whole run day's light
// integral (<id>.crop.dli_prev_day_mol_m2).
//
// Mirrored (Mirrorable, greenlight_mirror.cpp): one twin, the greenhouse, reporting its sensors
// (air temperature, RH, CO2, PAR above the canopy, pipe temperature, the outdoor weather), its
// actuators (vents, screens, lamps, CO2 dosing, heating power) and crop observations (LAI, dry
// weight); every controller setting of "control" is a setpoint under its own name (tSpNight,
// co2SpDay, lampsOn, ...), within the range greenlight_control.json declares. The settings in
// force are part of the run's state (OdeState::params, in kGlControlFields' order): a setpoint
// changes that run only, from the instant it is applied. A what-if from live runs over a weather
// ensemble ("weather": {"ensemble": ...}, gl_ensemble.hpp: replication r is member r).
#pragma once

#include <string>

#include "engine/mirror/mirrorable.hpp"
#include "twins/greenhouse/gl_ensemble.hpp"
#include "twins/greenhouse/gl_weather.hpp"
#include "twins/greenhouse/greenlight.hpp"
#include "twins/greenhouse/step_twin.hpp"

namespace dtwin::greenhouse {

struct GlPrices {
  bool given = false;
  double tomato_eur_kg = 0, heat_eur_mj = 0, electricity_eur_kwh = 0, co2_eur_kg = 0;
};

struct GreenLightSpec {
  std::string id;
  StepSpec step;
  std::string lamp;  // "hps", "led" or "none"
  ParamSet greenhouse, lamp_params, control, crop;
  GlParams p;
  GlControlParams c;
  TomatoParams crop_p;
  std::vector<double> initial;  // kGlN values
  GlWeatherSeries weather;
  GlPrices prices;
  GlEnsembleSpec ensemble;  // "weather": {"ensemble": ...}: replication r is member r
};

GreenLightSpec parse_greenlight(const Node& t, const std::string& id, const InputContext& ctx);

class GreenLightModel final : public StepTwin, public Mirrorable {
 public:
  explicit GreenLightModel(GreenLightSpec spec);
  const GreenLightSpec& spec() const { return spec_; }

  std::string_view kind() const override { return "greenlight_tomato"; }
  void collect(const World& w, std::uint32_t self, Metrics& out) const override;
  // with a weather ensemble, the run's member is drawn here (gl_ensemble.hpp)
  std::unique_ptr<StateBlock> make_state(const RunContext& ctx) const override;
  void columns(std::vector<std::string>& out) const override;
  // "day": "sun" or a lamp photoperiod: the series gains the sun's columns
  bool uses_sun() const;
  void sample(const World& w, std::uint32_t self, std::vector<std::string>& out) const override;
  std::optional<double> calendar_origin() const override { return spec_.weather.calendar_origin_s; }

  // dy/dt with the fluxes and controls at (t, y) under the controller settings c (the spec's
  // when null), for tests and tools
  void evaluate(double t, const double* y, double* dydt, GlFluxes* f, GlControls* u,
                const GlControlParams* c = nullptr) const;
  // the controller settings in force in the run at w.now()
  GlControlParams control_now(const World& w, std::uint32_t self) const;

  // Mirrorable (greenlight_mirror.cpp)
  void properties(std::vector<TwinSpec>& out) const override;
  bool read_property(const World& w, std::uint32_t self, std::size_t twin, std::size_t prop,
                     Value& out) const override;
  bool apply_setpoint(World& w, std::uint32_t self, std::size_t twin, std::size_t prop,
                      const Value& v, std::string* reason) const override;
  // a fork from the live greenhouse: the measured air temperature, RH, CO2, pipe, canopy and
  // cover temperatures become its initial state, the settings in force its settings; the LAI
  // sets the leaves' carbon (at the crop's SLA) and the dry weight scales the buffer, stem and
  // fruit to make up the rest (the LAI first: properties are taken in order)
  bool assimilate(World& w, std::uint32_t self, std::size_t twin, std::size_t prop, const Value& v,
                  std::string* reason) const override;
  // live: dew point, condensation margin, 24 h canopy temperature, lamp PAR ratio (the
  // grower's alerts; greenlight_mirror.cpp)
  std::unique_ptr<LiveMonitor> make_monitor(std::size_t twin) const override;
  // a what-if from the live greenhouse on an EPW file: its weather from the fork's date and
  // minute, replications as ensemble members (gl_ensemble.hpp) around the request's forecast;
  // KPIs growth, yield, heat, electricity, CO2 and profit, the objective profit
  bool fork_whatif(const nlohmann::json& request, double fork_utc_s,
                   WhatIfFork& out) const override;

 private:
  void rhs(double t, const double* y, const double* params, double* dydt) const override;
  // the weather at t as the run sees it: its ensemble member's when there is one
  GlWeather weather_at(double t, const double* params) const;
  // the aux integral: PAR at the top of the canopy (sun and lamps), mol m-2
  void rhs_aux(double t, const double* y, const double* params, double* dydt,
               double* aux) const override;

  GreenLightSpec spec_;
};

}  // namespace dtwin::greenhouse
