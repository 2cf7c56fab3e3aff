// The Van Henten lettuce greenhouse model: four states, crop dry weight X_d (kg m-2), CO2
// concentration X_c (kg m-3), air temperature X_T (degC) and humidity X_h (kg m-3), driven by
// the weather (radiation V_rad, temperature V_T, humidity V_h, CO2 V_c) and three controls
// (CO2 supply U_c, ventilation U_v, heating U_q).
//
// Sources: Van Henten (1994), PhD thesis, Wageningen, https://edepot.wur.nl/205106; Van Henten
// (2003), Biosystems Engineering 85(3) 355-364, eqs. 1-11 and the notation table;
// Van Henten & Bontsema (2009), Biosystems Engineering 102. Parameter values: GreenLight's
// greenhouse_evh2003.json (davkat1/GreenLight), in assets/greenhouse/vanhenten1994.json.
//
// The variant fixed here (and documented in the parameter file), as in GreenLight:
//   c_leak = 0.75e-4 m s-1, and the humidity exchange through the vents is
//   phi_vent_h = c_leak (X_h - V_h), without U_v.
//
//   dX_d/dt = c_alpha_beta phi_phot_c - c_resp_d X_d 2^(0.1 X_T - 2.5)
//   dX_c/dt = (-phi_phot_c + c_resp_c X_d 2^(0.1 X_T - 2.5) + U_c - phi_vent_c) / c_cap_c
//   dX_T/dt = (U_q - Q_vent_q + Q_rad_q) / c_cap_q
//   dX_h/dt = (phi_transp_h - phi_vent_h) / c_cap_h
//   phi_phot_c   = (1 - exp(-c_pl_d X_d)) c_rad_phot V_rad g (X_c - c_Gamma)
//                  / (c_rad_phot V_rad + g (X_c - c_Gamma)),
//                  g = -c_co2_1 X_T^2 + c_co2_2 X_T - c_co2_3
//   phi_vent_c   = (U_v + c_leak)(X_c - V_c)
//   Q_vent_q     = (c_cap_q_v U_v + c_ai_ou)(X_T - V_T),   Q_rad_q = c_rad_q V_rad
//   phi_transp_h = (1 - exp(-c_pl_d X_d)) c_v_pl_ai
//                  (c_v_1 / (c_R (X_T + c_T_abs)) exp(c_v_2 X_T / (X_T + c_v_3)) - X_h)
//   phi_vent_h   = c_leak (X_h - V_h)
//
// Pure functions of (params, state, inputs); no state is kept here.
#pragma once

#include "twins/greenhouse/params.hpp"

namespace dtwin::greenhouse {

struct VanHentenParams {
  double c_ai_ou, c_cap_c, c_cap_h, c_cap_q, c_cap_q_v, c_co2_1, c_co2_2, c_co2_3, c_leak, c_pl_d,
      c_R, c_rad_phot, c_rad_q, c_resp_d, c_resp_c, c_T_abs, c_v_pl_ai, c_v_1, c_v_2, c_v_3, c_v_4,
      c_alpha_beta, c_Gamma;
  // unit conversions for prescribed inputs (not part of the model's equations)
  double p_atm, m_co2, par_j_to_umol_sun, eta_glob_par, tau_cover_par, dry_matter_fraction;

  static VanHentenParams from(const ParamSet& s);
};

struct VhState {
  double dry_weight_kg_m2;  // X_d
  double co2_kg_m3;         // X_c
  double air_temp_c;        // X_T
  double humidity_kg_m3;    // X_h
};

struct VhWeather {
  double rad_w_m2;        // V_rad, outside solar radiation
  double temp_c;          // V_T
  double humidity_kg_m3;  // V_h
  double co2_kg_m3;       // V_c
};

struct VhControls {
  double co2_supply_kg_m2_s;  // U_c
  double vent_m_s;            // U_v
  double heat_w_m2;           // U_q
};

struct VhRates {
  VhState d;              // time derivatives of the states (per second)
  double phot_kg_m2_s;    // phi_phot_c, gross canopy photosynthesis (CO2)
  double transp_kg_m2_s;  // phi_transp_h, canopy transpiration
  double vent_heat_w_m2;  // Q_vent_q
};

// The four derivatives and the fluxes behind them.
VhRates vh_rates(const VanHentenParams& p, const VhState& x, const VhWeather& v,
                 const VhControls& u);

// The crop alone: dX_d/dt under a prescribed climate (radiation as V_rad, air temperature, CO2).
double vh_dry_weight_rate(const VanHentenParams& p, double dry_weight_kg_m2, double co2_kg_m3,
                          double air_temp_c, double rad_w_m2);
// Canopy transpiration (kg m-2 s-1) at air temperature and humidity.
double vh_transpiration(const VanHentenParams& p, double dry_weight_kg_m2, double air_temp_c,
                        double humidity_kg_m3);

// Conversions the prescribed inputs need.
// Saturation humidity (kg m-3): c_v_4 / (c_R (T + c_T_abs)) exp(c_v_2 T / (T + c_v_3)).
double vh_saturation_kg_m3(const VanHentenParams& p, double temp_c);
// CO2 between ppm (by volume) and kg m-3 as an ideal gas at p_atm and the air temperature.
double co2_ppm_to_kg_m3(const VanHentenParams& p, double ppm, double temp_c);
double co2_kg_m3_to_ppm(const VanHentenParams& p, double kg_m3, double temp_c);
// Indoor PAR above the crop (umol m-2 s-1) as the outside solar radiation V_rad (W m-2) that
// c_rad_phot refers to: V_rad = PAR / (par_j_to_umol_sun eta_glob_par tau_cover_par).
double par_to_outside_rad(const VanHentenParams& p, double par_umol_m2_s);

}  // namespace dtwin::greenhouse
