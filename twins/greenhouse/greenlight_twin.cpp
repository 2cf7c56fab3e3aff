#include "twins/greenhouse/greenlight_twin.hpp"

#include <cmath>
#include <stdexcept>

#include "engine/base/format.hpp"
#include "engine/scenario/duration.hpp"
#include "twins/greenhouse/params.hpp"

namespace dtwin::greenhouse {

namespace {

// ODE component names (state_json) and typical magnitudes (tolerances)
std::vector<std::string> gl_names() {
  return {"canopy.temp_c",
          "air.temp_c",
          "floor.temp_c",
          "soil1.temp_c",
          "soil2.temp_c",
          "soil3.temp_c",
          "soil4.temp_c",
          "soil5.temp_c",
          "thermal_screen.temp_c",
          "top.temp_c",
          "cover_in.temp_c",
          "cover_out.temp_c",
          "pipe.temp_c",
          "lamp.temp_c",
          "blackout_screen.temp_c",
          "air.vp_pa",
          "top.vp_pa",
          "air.co2_mg_m3",
          "top.co2_mg_m3",
          "crop.c_buf_mg_m2",
          "crop.c_leaf_mg_m2",
          "crop.c_stem_mg_m2",
          "crop.c_fruit_mg_m2",
          "crop.temp_sum_c_d",
          "crop.canopy_temp_24h_c",
          "kpi.heating_mj_m2",
          "kpi.lamp_electricity_mj_m2",
          "kpi.co2_used_kg_m2",
          "kpi.transpiration_l_m2",
          "kpi.fruit_harvest_mg_m2",
          "kpi.leaf_pruned_mg_m2"};
}

std::vector<double> gl_scale() {
  std::vector<double> s(kGlN, 1.0);  // temperatures: 1 K
  s[kGlVpAir] = s[kGlVpTop] = 100;
  s[kGlCo2Air] = s[kGlCo2Top] = 100;
  for (std::size_t i = kGlCBuf; i <= kGlCFruit; ++i) s[i] = 1e3;
  s[kGlTCanSum] = 10;
  s[kGlTranspKg] = 0.1;
  s[kGlCo2Kg] = 0.01;
  s[kGlFruitHar] = s[kGlLeafHar] = 1e3;
  return s;
}

StepSpec parse_gl_step(const Node& t) {
  StepSpec s;
  s.step_s = 3600;
  s.rtol = 1e-4;
  if (auto n = t.find("step")) {
    s.step_s = parse_duration_positive(*n);
    if (s.step_s < 1) n->expected("a step of at least 1s");
  }
  if (auto n = t.find("solver")) {
    const std::string v = n->string();
    if (v == "cvode")
      s.solver = Solver::Cvode;
    else if (v == "rosenbrock4")
      s.solver = Solver::Rosenbrock4;
    else
      n->expected("\"cvode\" (SUNDIALS BDF) or \"rosenbrock4\" (Boost.Odeint)");
  }
  if (auto n = t.find("rtol")) {
    s.rtol = n->positive();
    if (s.rtol < 1e-10 || s.rtol > 1e-2) n->expected("a relative tolerance from 1e-10 to 0.01");
  }
  return s;
}

double price(const Node& n, const char* key, double max) {
  const Node v = n.at(key);
  const double x = v.number();
  if (!(x >= 0) || x > max) v.expected("a price from 0 to " + format_number(max));
  return x;
}

}  // namespace

GreenLightSpec parse_greenlight(const Node& t, const std::string& id, const InputContext& ctx) {
  t.check_keys({"kind", "step", "solver", "rtol", "lamp", "params", "lamp_params", "control",
                "initial", "crop", "weather", "prices", "name", "description", "layout"});
  GreenLightSpec s;
  s.id = id;
  s.step = parse_gl_step(t);
  if (ctx.duration_s > 100 * 365 * 86400.0)
    t.fail("a greenlight_tomato run lasts at most 100 years (the weather is laid out over it)");

  s.lamp = "led";
  if (auto n = t.find("lamp")) {
    s.lamp = n->string();
    if (s.lamp != "hps" && s.lamp != "led" && s.lamp != "none")
      n->expected("\"hps\", \"led\" or \"none\"");
  }
  s.greenhouse = ParamSet::builtin("greenlight_katzin2021");
  if (auto n = t.find("params")) s.greenhouse.override_params(*n);
  if (auto n = t.find("initial")) s.greenhouse.override_initial(*n);
  s.lamp_params =
      ParamSet::builtin(s.lamp == "hps" ? "greenlight_lamp_hps" : "greenlight_lamp_led");
  if (auto n = t.find("lamp_params")) {
    if (s.lamp == "none") n->fail("\"lamp_params\" needs \"lamp\": \"hps\" or \"led\"");
    s.lamp_params.override_params(*n);
  }
  s.control = ParamSet::builtin("greenlight_control");
  if (auto n = t.find("control")) s.control.override_params(*n);
  s.crop = ParamSet::builtin("vanthoor2011_tomato");
  if (auto n = t.find("crop")) {
    n->check_keys({"params", "initial"});
    if (auto m = n->find("params")) s.crop.override_params(*m);
    if (auto m = n->find("initial")) s.crop.override_initial(*m);
  }
  s.p = GlParams::from(s.greenhouse, s.lamp_params);
  if (s.lamp == "none") {
    s.p.thetaLampMax = 0;
    s.p.aLamp = 0;
    s.p.tauLampPar = s.p.tauLampNir = s.p.tauLampFir = 1;
  }
  s.c = GlControlParams::from(s.control);
  if (s.lamp == "none")  // no lamps: no light period either
    s.c.lampsOn = s.c.lampsOff = s.c.lampsPhotoperiod = 0;
  s.crop_p = TomatoParams::from(s.crop);
  // physical consistency the ranges alone cannot express
  if (!(s.p.hGh > s.p.hAir))
    t.at("params").fail("hGh (" + format_number(s.p.hGh) + " m) must be larger than hAir (" +
                        format_number(s.p.hAir) + " m): the top compartment is between them");
  if (!(s.p.phiPipeE > s.p.phiPipeI))
    t.at("params").fail("phiPipeE must be larger than phiPipeI (pipe diameters)");
  if (s.p.tauRfPar + s.p.rhoRfPar > 1 || s.p.tauRfNir + s.p.rhoRfNir > 1 ||
      s.p.tauRfFir + s.p.rhoRfFir > 1 || s.p.tauThScrPar + s.p.rhoThScrPar > 1 ||
      s.p.tauThScrNir + s.p.rhoThScrNir > 1 || s.p.tauThScrFir + s.p.rhoThScrFir > 1)
    t.at("params").fail("a layer's transmission plus reflection exceeds 1");
  if (s.p.etaLampPar + s.p.etaLampNir + s.p.etaLampCool > 1)
    t.find("lamp_params") ? t.at("lamp_params").fail("etaLampPar + etaLampNir + etaLampCool > 1")
                          : t.fail("lamp fractions exceed 1");

  const GlSoilSpec soil{
      s.p.hSo[0] + s.p.hSo[1] + s.p.hSo[2] + s.p.hSo[3] + s.p.hSo[4] + s.p.hSoOut / 2, s.p.lambdaSo,
      s.p.rhoCpSo, s.p.omega};
  s.weather = read_gl_weather(t.at("weather"), ctx, soil);
  if (s.c.lampsPhotoperiod > 0 && !s.weather.has_sun) {
    std::optional<Node> c;
    if (auto n = t.find("control")) c = n->find("lampsPhotoperiod");
    (c ? *c : t.at("weather"))
        .fail(
            "lampsPhotoperiod needs the sun's times: weather from an EPW file, or a CSV with "
            "dates and a \"location\"");
  }
  if (auto e = t.at("weather").find("ensemble"))
    s.ensemble = parse_gl_ensemble(*e, ctx.duration_s, t.at("weather").has("forecast"),
                                   s.weather.day_offset_s);

  if (auto n = t.find("prices")) {
    n->check_keys({"tomato_eur_kg", "heat_eur_mj", "gas_eur_m3", "gas_mj_m3", "boiler_efficiency",
                   "electricity_eur_kwh", "co2_eur_kg"});
    s.prices.given = true;
    s.prices.tomato_eur_kg = price(*n, "tomato_eur_kg", 100);
    s.prices.electricity_eur_kwh = price(*n, "electricity_eur_kwh", 10);
    s.prices.co2_eur_kg = price(*n, "co2_eur_kg", 10);
    if (n->has("heat_eur_mj") == n->has("gas_eur_m3"))
      n->fail("give the heat price as \"heat_eur_mj\" or as \"gas_eur_m3\" (one of them)");
    if (n->has("heat_eur_mj")) {
      for (const char* k : {"gas_mj_m3", "boiler_efficiency"})
        if (n->has(k)) n->at(k).fail(std::string("\"") + k + "\" applies to \"gas_eur_m3\"");
      s.prices.heat_eur_mj = price(*n, "heat_eur_mj", 10);
    } else {
      const double gas = price(*n, "gas_eur_m3", 100);
      double mj_m3 = kGasMjPerM3, eff = 0.9;  // Dutch natural gas (lower heating value); boiler
      if (auto m = n->find("gas_mj_m3")) {
        mj_m3 = m->number();
        if (!(mj_m3 >= 5 && mj_m3 <= 60)) m->expected("a heating value from 5 to 60 MJ/m3");
      }
      if (auto m = n->find("boiler_efficiency")) {
        eff = m->number();
        if (!(eff > 0.1 && eff <= 1.1)) m->expected("an efficiency from 0.1 to 1.1");
      }
      s.prices.heat_eur_mj = gas / (mj_m3 * eff);
    }
  } else if (s.ensemble.on) {
    // a what-if over a weather ensemble compares profits: at these prices when none are given
    // (the example prices of the header: tomatoes 0.8 EUR/kg, gas 0.25 EUR/m3 at 31.65 MJ/m3
    // in a 90 % boiler, electricity 0.07 EUR/kWh, CO2 0.1 EUR/kg)
    s.prices = {true, 0.8, 0.25 / (kGasMjPerM3 * 0.9), 0.07, 0.1};
  }

  // initial values: uniform temperatures, soil linear down to the deep layer
  const GlWeather w0 = s.weather.at(0);
  const double t0 = s.greenhouse.initial("air_temp_c");
  const double rh0 = s.greenhouse.initial("rh_pct");
  const double co2 = gl_co2_mg_m3(t0, s.greenhouse.initial("co2_ppm"));
  s.initial.assign(kGlN, 0);
  for (std::size_t i = 0; i < kGlTemps; ++i) s.initial[i] = t0;
  for (std::size_t i = 0; i < 5; ++i)
    s.initial[kGlTSo1 + i] = t0 + (w0.tSoOut - t0) * static_cast<double>(i + 1) / 6;
  s.initial[kGlVpAir] = s.initial[kGlVpTop] = rh0 / 100 * gl_sat_vp(t0);
  s.initial[kGlCo2Air] = s.initial[kGlCo2Top] = co2;
  s.initial[kGlCBuf] = s.crop.initial("c_buf_mg_m2");
  s.initial[kGlCLeaf] = s.crop.initial("c_leaf_mg_m2");
  s.initial[kGlCStem] = s.crop.initial("c_stem_mg_m2");
  s.initial[kGlCFruit] = s.crop.initial("c_fruit_mg_m2");
  s.initial[kGlTCanSum] = s.crop.initial("temp_sum_c_d");
  s.initial[kGlTCan24] = s.crop.initial("canopy_temp_24h_c");
  return s;
}

namespace {
std::vector<std::string> gl_control_names() {
  std::vector<std::string> out;
  for (const auto& f : kGlControlFields) out.emplace_back(f.name);
  return out;
}
}  // namespace

GreenLightModel::GreenLightModel(GreenLightSpec spec)
    : StepTwin(spec.id, spec.step, gl_names(), spec.initial, gl_scale(), kGlNStates,
               gl_control_names(), gl_control_values(spec.c)),
      spec_(std::move(spec)) {
  if (!gl_control_fields_in_order())
    throw std::logic_error("kGlControlFields must list GlControlParams' members in order");
  set_aux(1);  // the light at the canopy, mol m-2 (a day's: about 5 to 40)
}

std::unique_ptr<StateBlock> GreenLightModel::make_state(const RunContext& ctx) const {
  auto b = StepTwin::make_state(ctx);
  if (!spec_.ensemble.on) return b;
  // the run's weather member after the settings (gl_ensemble.hpp)
  auto& s = static_cast<StateOf<OdeState>&>(*b).value;
  const std::vector<double> m = gl_ensemble_member(spec_.ensemble, ctx.seed, ctx.replication, id_);
  s.params.insert(s.params.end(), m.begin(), m.end());
  return b;
}

GlWeather GreenLightModel::weather_at(double t, const double* params) const {
  GlWeather w = spec_.weather.at(t);
  gl_perturb(spec_.ensemble, params + kGlControlN, t, w);
  return w;
}

void GreenLightModel::rhs_aux(double t, const double* y, const double* params, double* dydt,
                              double* aux) const {
  const GlWeather w = weather_at(t, params);
  GlFluxes f{};
  GlControls u{};
  gl_rhs(spec_.p, gl_control_of(params), spec_.crop_p, y, w, dydt, &f, &u);
  // PAR above the canopy (GlFluxes::par_above_canopy_umol): the sun's PAR through the cover
  // and screens plus the lamps' PAR, umol m-2 s-1, the light the crop model is driven by
  aux[0] = f.par_above_canopy_umol * 1e-6;
}

void GreenLightModel::rhs(double t, const double* y, const double* params, double* dydt) const {
  const GlWeather w = weather_at(t, params);
  gl_rhs(spec_.p, gl_control_of(params), spec_.crop_p, y, w, dydt);
}

void GreenLightModel::evaluate(double t, const double* y, double* dydt, GlFluxes* f, GlControls* u,
                               const GlControlParams* c) const {
  const GlWeather w = spec_.weather.at(t);
  gl_rhs(spec_.p, c ? *c : spec_.c, spec_.crop_p, y, w, dydt, f, u);
}

GlControlParams GreenLightModel::control_now(const World& w, std::uint32_t self) const {
  return gl_control_of(w.state<OdeState>(self).params.data());
}

void GreenLightModel::collect(const World& w, std::uint32_t self, Metrics& out) const {
  const OdeState now = state_now(w, self);
  const std::vector<double>& y = now.y;
  const double dmc = spec_.crop_p.dry_matter_fraction;
  const double yield = y[kGlFruitHar] * 1e-6 / dmc;
  const double heat = y[kGlHeatMj], lamp = y[kGlLampMj];
  out.set(id_ + ".yield_fresh_kg_m2", yield, "kg/m2");
  out.set(id_ + ".heating_mj_m2", heat, "MJ/m2");
  out.set(id_ + ".lamp_electricity_mj_m2", lamp, "MJ/m2");
  if (spec_.prices.given) {
    const GlPrices& pr = spec_.prices;
    const double revenue = yield * pr.tomato_eur_kg;
    const double heat_cost = heat * pr.heat_eur_mj;
    const double elec_cost = lamp / 3.6 * pr.electricity_eur_kwh;
    const double co2_cost = y[kGlCo2Kg] * pr.co2_eur_kg;
    out.set(id_ + ".profit_eur_m2", revenue - heat_cost - elec_cost - co2_cost, "EUR/m2");
    out.set(id_ + ".revenue_eur_m2", revenue, "EUR/m2");
    out.set(id_ + ".heating_cost_eur_m2", heat_cost, "EUR/m2");
    out.set(id_ + ".electricity_cost_eur_m2", elec_cost, "EUR/m2");
    out.set(id_ + ".co2_cost_eur_m2", co2_cost, "EUR/m2");
  }
  out.set(id_ + ".energy_mj_m2", heat + lamp, "MJ/m2");
  out.set(id_ + ".co2_used_kg_m2", y[kGlCo2Kg], "kg/m2");
  out.set(id_ + ".transpiration_l_m2", y[kGlTranspKg], "L/m2");
  out.set(id_ + ".fruit_harvest_dry_kg_m2", y[kGlFruitHar] * 1e-6, "kg/m2");
  out.set(id_ + ".leaf_pruned_dry_kg_m2", y[kGlLeafHar] * 1e-6, "kg/m2");
  out.set(id_ + ".c_fruit_mg_m2", y[kGlCFruit], "mg/m2");
  out.set(id_ + ".lai", tomato_lai(spec_.crop_p, y[kGlCLeaf]), "m2/m2");
  out.set(id_ + ".dry_weight_kg_m2", (y[kGlCBuf] + y[kGlCLeaf] + y[kGlCStem] + y[kGlCFruit]) * 1e-6,
          "kg/m2");
  // for growers, over the measured period: heat as natural gas at the lower heating value of
  // Dutch (Groningen) gas, 31.65 MJ/m3 (kGasMjPerM3: the heat itself, before any boiler's
  // losses), and in kWh; the lamps' electricity in kWh; lamp hours at full power (the lamps dim
  // smoothly, as GreenLight's P-band: an hour at half power is half an hour); the daily light
  // integral at the top of the canopy (sun through cover and screens plus lamps), mean over the
  // days
  out.set(id_ + ".heating_gas_m3_m2", heat / kGasMjPerM3, "m3/m2");
  out.set(id_ + ".heating_kwh_m2", heat / 3.6, "kWh/m2");
  out.set(id_ + ".lamp_electricity_kwh_m2", lamp / 3.6, "kWh/m2");
  out.set(id_ + ".lamp_hours_h",
          spec_.p.thetaLampMax > 0 ? lamp * 1e6 / spec_.p.thetaLampMax / 3600 : 0, "h");
  const double days = (w.now() - now.stats_since) / 86400;
  out.set(id_ + ".dli_mol_m2_d", days > 0 ? aux_since_reset(now, 0) / days : 0, "mol/m2/d");
  if (!spec_.weather.file.empty()) {
    out.set(id_ + ".weather.filled_values", static_cast<double>(spec_.weather.filled_values),
            "values");
    out.set(id_ + ".weather.longest_gap_s", spec_.weather.longest_gap_s, "s");
  }
}

namespace {
const char* const kExtraColumns[] = {"crop.lai",
                                     "crop.dry_weight_kg_m2",
                                     "kpi.yield_fresh_kg_m2",
                                     "air.rh_pct",
                                     "air.co2_ppm",
                                     "control.boiler",
                                     "control.roof_vents",
                                     "control.thermal_screen",
                                     "control.blackout_screen",
                                     "control.lamps",
                                     "control.co2_injection",
                                     "control.heat_setpoint_c",
                                     "control.vent_setpoint_c",
                                     "control.co2_setpoint_ppm",
                                     "control.boiler_w_m2",
                                     "control.lamp_input_w_m2",
                                     "crop.par_above_umol_m2_s",
                                     "weather.rad_w_m2",
                                     "weather.temp_c",
                                     "weather.vp_pa",
                                     "weather.wind_m_s",
                                     "weather.sky_temp_c",
                                     "weather.soil_temp_c",
                                     "weather.day_rad_sum_mj_m2",
                                     "crop.dli_prev_day_mol_m2"};
}  // namespace

bool GreenLightModel::uses_sun() const {
  return spec_.weather.day_from_sun || spec_.c.lampsPhotoperiod > 0;
}

void GreenLightModel::columns(std::vector<std::string>& out) const {
  for (const auto& n : names_) out.push_back(id_ + "." + n);
  for (const char* c : kExtraColumns) out.push_back(id_ + "." + c);
  // a scenario that asks for the sun sees it (the others keep their columns)
  if (uses_sun())
    for (const char* c : {"weather.sun_elevation_deg", "weather.diffuse_frac",
                          "weather.day_length_h", "control.is_day"})
      out.push_back(id_ + "." + c);
}

void GreenLightModel::sample(const World& w, std::uint32_t self,
                             std::vector<std::string>& out) const {
  const OdeState now = state_sampled(w, self);
  const std::vector<double>& y = now.y;
  const double t = w.now();
  std::vector<double> d(kGlN);
  GlFluxes f{};
  GlControls u{};
  const GlControlParams c = control_now(w, self);
  evaluate(t, y.data(), d.data(), &f, &u, &c);
  const GlWeather we = spec_.weather.at(t);
  for (double x : y) out.push_back(fmt_num(x, 10));
  for (double x : {tomato_lai(spec_.crop_p, y[kGlCLeaf]),
                   (y[kGlCBuf] + y[kGlCLeaf] + y[kGlCStem] + y[kGlCFruit]) * 1e-6,
                   y[kGlFruitHar] * 1e-6 / spec_.crop_p.dry_matter_fraction,
                   u.rhIn,
                   u.co2Ppm,
                   u.uBoil,
                   u.uRoof,
                   u.uThScr,
                   u.uBlScr,
                   u.uLamp,
                   u.uExtCo2,
                   u.heatSetPoint,
                   u.ventSetPoint,
                   u.co2SetPoint,
                   f.boiler,
                   f.lamp_electric,
                   f.par_above_canopy_umol,
                   we.iGlob,
                   we.tOut,
                   we.vpOut,
                   we.wind,
                   we.tSky,
                   we.tSoOut,
                   we.dayRadSum,
                   now.aux_prev_day[0]})  // the last whole run day's light, mol m-2
    out.push_back(fmt_num(x, 10));
  if (uses_sun())
    for (double x : {spec_.weather.sun_elevation_deg(t), spec_.weather.diffuse_fraction(t),
                     spec_.weather.day_length_h(t), we.isDay})
      out.push_back(fmt_num(x, 10));
}

}  // namespace dtwin::greenhouse
