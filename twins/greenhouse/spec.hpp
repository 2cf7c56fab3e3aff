// The greenhouse twins' Specs: what each twin is, read once from scenario JSON.
//
// Three kinds, each one model integrated on a fixed step (see step_twin.hpp):
//
//   "gh": {"kind": "lettuce_greenhouse",      Van Henten's 4-state lettuce greenhouse
//     "step": "5min",                         integration interval (default 5min)
//     "solver": "rosenbrock4",                or "cvode" (default rosenbrock4)
//     "rtol": 1e-6,                           relative tolerance (default 1e-6)
//     "params": {"c_leak": 0.75e-4},          overrides of assets/greenhouse/vanhenten1994.json
//     "initial": {"dry_weight_kg_m2": 2.7e-3, "co2_kg_m3": 7.2e-4, "air_temp_c": 15,
//                 "humidity_kg_m3": 9.5e-3},  default: the parameter file's "initial"
//     "weather": {"constant": {"rad_w_m2": 100, "temp_c": 10, "humidity_kg_m3": 6e-3,
//                              "co2_kg_m3": 7.2e-4}},
//     "controls": {"constant": {"co2_supply_kg_m2_s": 0, "vent_m_s": 5e-5, "heat_w_m2": 50}}}
//
//   "crop": {"kind": "lettuce_crop",          Van Henten's crop state X_d alone
//     "step", "solver", "rtol", "params" as above, "initial": {"dry_weight_kg_m2": ...},
//     "climate": {"file": "GreenhouseClimate.csv", "time_column": "Date",
//                 "time_format": "%m/%d/%Y %H:%M",
//                 "columns": {"par_umol_m2_s": "PARin", "air_temp_c": "Tair",
//                             "co2_ppm": "CO2air", "rh_pct": "Rhair"}, "max_gap": "2h"},
//     "density": {"file": "PlantDensity.csv", "time_column": "Date", "time_format": "%m/%d/%Y",
//                 "columns": {"heads_m2": "Plant Density"}, "interpolation": "previous"}}
//                                         optional: plants per m2 over time (spacing)
//     "estimate": {"members": 100, "seed": 1, "harvest": "40d", "initial_cv": 0.2,
//                  "param_cv": 0.3, "growth_noise": 0.03, "param_noise": 0.01,
//                  "model_error": 0.05}}
//                                         optional: the live crop estimate (crop_enkf.hpp);
//                                         harvest: plant time of the expected harvest weight
//
//   "tom": {"kind": "tomato_crop",            Vanthoor's tomato crop (GreenLight simplification)
//     "step", "solver", "rtol" as above,
//     "params": {...},                        overrides of the parameter file
//                                             assets/greenhouse/vanthoor2011_tomato.json
//     "initial": {"c_buf_mg_m2": 20000, "c_leaf_mg_m2": 4368, "c_stem_mg_m2": 1560,
//                 "c_fruit_mg_m2": 312, "temp_sum_c_d": 0, "canopy_temp_24h_c": 20.5},
//     "climate": {"constant": {"par_umol_m2_s": 300, "canopy_temp_c": 20, "co2_ppm": 800}}}
//
// Input sources ("weather", "controls", "climate") are constant or read from a CSV file, as
// input_series.hpp describes. The keys name the quantity and its unit:
//   weather   rad_w_m2 (outside solar radiation), temp_c, humidity_kg_m3 | humidity_g_m3 |
//             rh_pct, co2_kg_m3 | co2_ppm                      (rh and ppm at temp_c)
//   controls  co2_supply_kg_m2_s | co2_supply_mg_m2_s, vent_m_s | vent_m3_m2_h, heat_w_m2
//   lettuce climate  rad_w_m2 (as outside radiation) | par_umol_m2_s (indoor PAR above the
//             crop, converted with par_j_to_umol_sun, eta_glob_par, tau_cover_par),
//             air_temp_c, co2_kg_m3 | co2_ppm, and optionally humidity_kg_m3 | humidity_g_m3 |
//             rh_pct (then transpiration is reported)
//   tomato climate   par_umol_m2_s (above the canopy), canopy_temp_c, co2_ppm
#pragma once

#include <optional>
#include <string>

#include "twins/greenhouse/crop_enkf.hpp"
#include "twins/greenhouse/input_series.hpp"
#include "twins/greenhouse/integrator.hpp"
#include "twins/greenhouse/params.hpp"
#include "twins/greenhouse/tomato.hpp"
#include "twins/greenhouse/vanhenten.hpp"

namespace dtwin::greenhouse {

struct StepSpec {
  double step_s = 300;
  Solver solver = Solver::Rosenbrock4;
  double rtol = 1e-6;
};

// the inputs each kind reads, in this order, in the model's units
enum WeatherInput : std::size_t { kRad, kOutTemp, kOutHumidity, kOutCo2 };  // W m-2, degC, kg m-3
enum ControlInput : std::size_t { kCo2Supply, kVent, kHeat };  // kg m-2 s-1, m s-1, W m-2
enum LettuceClimate : std::size_t { kLcRad, kLcTemp, kLcCo2, kLcHumidity };  // as weather
enum TomatoClimateInput : std::size_t { kTcPar, kTcTemp, kTcCo2 };  // umol m-2 s-1, degC, ppm

struct LettuceGreenhouseSpec {
  std::string id;
  StepSpec step;
  ParamSet params;  // as used, overrides applied
  VanHentenParams p;
  VhState initial;
  InputSeries weather;   // rad_w_m2, temp_c, humidity_kg_m3, co2_kg_m3
  InputSeries controls;  // co2_supply_kg_m2_s, vent_m_s, heat_w_m2
};

struct LettuceCropSpec {
  std::string id;
  StepSpec step;
  ParamSet params;
  VanHentenParams p;
  double initial_dry_weight_kg_m2 = 0;
  InputSeries climate;  // rad_w_m2, air_temp_c, co2_kg_m3[, humidity_kg_m3]
  bool has_humidity = false;
  // plants per m2 over time, when given (lettuce_crop.hpp); heads_m2 at the start
  std::optional<InputSeries> density;
  double density0_heads_m2 = 0;
  // the live crop estimate (crop_enkf.hpp, "estimate": {...}); harvest_s: the plant time the
  // expected harvest weight refers to (< 0: none)
  CropEnkfOptions estimate;
  double harvest_s = -1;
};

struct TomatoCropSpec {
  std::string id;
  StepSpec step;
  ParamSet params;
  TomatoParams p;
  TomatoCrop initial;
  InputSeries climate;  // par_umol_m2_s, canopy_temp_c, co2_ppm
};

}  // namespace dtwin::greenhouse
