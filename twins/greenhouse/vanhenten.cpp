#include "twins/greenhouse/vanhenten.hpp"

#include <cmath>

namespace dtwin::greenhouse {

VanHentenParams VanHentenParams::from(const ParamSet& s) {
  VanHentenParams p{};
  p.c_ai_ou = s.param("c_ai_ou");
  p.c_cap_c = s.param("c_cap_c");
  p.c_cap_h = s.param("c_cap_h");
  p.c_cap_q = s.param("c_cap_q");
  p.c_cap_q_v = s.param("c_cap_q_v");
  p.c_co2_1 = s.param("c_co2_1");
  p.c_co2_2 = s.param("c_co2_2");
  p.c_co2_3 = s.param("c_co2_3");
  p.c_leak = s.param("c_leak");
  p.c_pl_d = s.param("c_pl_d");
  p.c_R = s.param("c_R");
  p.c_rad_phot = s.param("c_rad_phot");
  p.c_rad_q = s.param("c_rad_q");
  p.c_resp_d = s.param("c_resp_d");
  p.c_resp_c = s.param("c_resp_c");
  p.c_T_abs = s.param("c_T_abs");
  p.c_v_pl_ai = s.param("c_v_pl_ai");
  p.c_v_1 = s.param("c_v_1");
  p.c_v_2 = s.param("c_v_2");
  p.c_v_3 = s.param("c_v_3");
  p.c_v_4 = s.param("c_v_4");
  p.c_alpha_beta = s.param("c_alpha_beta");
  p.c_Gamma = s.param("c_Gamma");
  p.p_atm = s.param("p_atm");
  p.m_co2 = s.param("m_co2");
  p.par_j_to_umol_sun = s.param("par_j_to_umol_sun");
  p.eta_glob_par = s.param("eta_glob_par");
  p.tau_cover_par = s.param("tau_cover_par");
  p.dry_matter_fraction = s.param("dry_matter_fraction");
  return p;
}

namespace {

// Gross canopy photosynthesis phi_phot_c (kg CO2 m-2 s-1), Van Henten (2003) eq. 6.
double photosynthesis(const VanHentenParams& p, double xd, double xc, double xt, double rad) {
  const double light = p.c_rad_phot * rad;
  const double co2 = (-p.c_co2_1 * xt * xt + p.c_co2_2 * xt - p.c_co2_3) * (xc - p.c_Gamma);
  const double denom = light + co2;
  if (denom == 0) return 0;  // no light and no CO2 gradient: no assimilation
  return (1 - std::exp(-p.c_pl_d * xd)) * light * co2 / denom;
}

// Temperature effect on respiration, 2^(0.1 X_T - 2.5) (Q10 of 2 around 25 degC).
double respiration_factor(double xt) {
  return std::exp2(0.1 * xt - 2.5);
}

}  // namespace

double vh_saturation_kg_m3(const VanHentenParams& p, double temp_c) {
  return p.c_v_4 / (p.c_R * (temp_c + p.c_T_abs)) * std::exp(p.c_v_2 * temp_c / (temp_c + p.c_v_3));
}

double vh_transpiration(const VanHentenParams& p, double xd, double xt, double xh) {
  const double sat = p.c_v_1 / (p.c_R * (xt + p.c_T_abs)) * std::exp(p.c_v_2 * xt / (xt + p.c_v_3));
  return (1 - std::exp(-p.c_pl_d * xd)) * p.c_v_pl_ai * (sat - xh);
}

double vh_dry_weight_rate(const VanHentenParams& p, double xd, double xc, double xt, double rad) {
  return p.c_alpha_beta * photosynthesis(p, xd, xc, xt, rad) -
         p.c_resp_d * xd * respiration_factor(xt);
}

VhRates vh_rates(const VanHentenParams& p, const VhState& x, const VhWeather& v,
                 const VhControls& u) {
  const double xd = x.dry_weight_kg_m2, xc = x.co2_kg_m3, xt = x.air_temp_c, xh = x.humidity_kg_m3;
  VhRates r{};
  r.phot_kg_m2_s = photosynthesis(p, xd, xc, xt, v.rad_w_m2);
  const double resp = xd * respiration_factor(xt);
  const double vent_c = (u.vent_m_s + p.c_leak) * (xc - v.co2_kg_m3);           // eq. 7
  r.vent_heat_w_m2 = (p.c_cap_q_v * u.vent_m_s + p.c_ai_ou) * (xt - v.temp_c);  // eq. 8
  const double rad_q = p.c_rad_q * v.rad_w_m2;                                  // eq. 9
  r.transp_kg_m2_s = vh_transpiration(p, xd, xt, xh);                           // eq. 10
  const double vent_h = p.c_leak * (xh - v.humidity_kg_m3);  // eq. 11, the variant without U_v

  r.d.dry_weight_kg_m2 = p.c_alpha_beta * r.phot_kg_m2_s - p.c_resp_d * resp;  // eq. 2
  r.d.co2_kg_m3 =
      (-r.phot_kg_m2_s + p.c_resp_c * resp + u.co2_supply_kg_m2_s - vent_c) / p.c_cap_c;  // eq. 3
  r.d.air_temp_c = (u.heat_w_m2 - r.vent_heat_w_m2 + rad_q) / p.c_cap_q;                  // eq. 4
  r.d.humidity_kg_m3 = (r.transp_kg_m2_s - vent_h) / p.c_cap_h;                           // eq. 5
  return r;
}

double co2_ppm_to_kg_m3(const VanHentenParams& p, double ppm, double temp_c) {
  return ppm * 1e-6 * p.p_atm * p.m_co2 / (p.c_R * (temp_c + p.c_T_abs));
}

double co2_kg_m3_to_ppm(const VanHentenParams& p, double kg_m3, double temp_c) {
  return kg_m3 * 1e6 * p.c_R * (temp_c + p.c_T_abs) / (p.p_atm * p.m_co2);
}

double par_to_outside_rad(const VanHentenParams& p, double par_umol_m2_s) {
  return par_umol_m2_s / (p.par_j_to_umol_sun * p.eta_glob_par * p.tau_cover_par);
}

}  // namespace dtwin::greenhouse
