#include "twins/greenhouse/parse.hpp"

#include <algorithm>

#include "engine/scenario/duration.hpp"

namespace dtwin::greenhouse {

const std::vector<std::string>& greenhouse_kinds() {
  static const std::vector<std::string> kinds = {"lettuce_greenhouse", "lettuce_crop",
                                                 "tomato_crop", "greenlight_tomato"};
  return kinds;
}

namespace {

constexpr double kInf = 1e300;

// members every greenhouse twin accepts
StepSpec parse_step(const Node& t) {
  StepSpec s;
  if (auto n = t.find("step")) {
    s.step_s = parse_duration_positive(*n);
    if (s.step_s < 1e-3) n->expected("a step of at least 1ms");
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
    if (s.rtol < 1e-12 || s.rtol > 1e-2) n->expected("a relative tolerance from 1e-12 to 0.01");
  }
  return s;
}

ParamSet parse_params(const Node& t, const char* builtin) {
  ParamSet ps = ParamSet::builtin(builtin);
  if (auto n = t.find("params")) ps.override_params(*n);
  if (auto n = t.find("initial")) ps.override_initial(*n);
  return ps;
}

const std::vector<double>& of(const RawInputs& r, std::size_t q) {
  return r.values[q];
}

// humidity in kg m-3 from whichever key was given (relative humidity at temperature `temp`)
std::vector<double> humidity_kg_m3(const VanHentenParams& p, const RawInputs& r, std::size_t q,
                                   const std::vector<double>& temp) {
  if (r.key[q] == "humidity_g_m3") return map_series(of(r, q), [](double v) { return v * 1e-3; });
  if (r.key[q] == "rh_pct")
    return combine(of(r, q), temp,
                   [&](double rh, double tc) { return rh / 100 * vh_saturation_kg_m3(p, tc); });
  return of(r, q);
}

std::vector<double> co2_kg_m3(const VanHentenParams& p, const RawInputs& r, std::size_t q,
                              const std::vector<double>& temp) {
  if (r.key[q] == "co2_ppm")
    return combine(of(r, q), temp,
                   [&](double ppm, double tc) { return co2_ppm_to_kg_m3(p, ppm, tc); });
  return of(r, q);
}

const Quantity kHumidity{{"humidity_kg_m3", "humidity_g_m3", "rh_pct"}, true, 0, kInf};
const Quantity kCo2{{"co2_kg_m3", "co2_ppm"}, true, 0, kInf};

}  // namespace

LettuceGreenhouseSpec parse_lettuce_greenhouse(const Node& t, const std::string& id,
                                               const InputContext& ctx) {
  t.check_keys({"kind", "step", "solver", "rtol", "params", "initial", "weather", "controls",
                "name", "description", "layout"});
  LettuceGreenhouseSpec s;
  s.id = id;
  s.step = parse_step(t);
  s.params = parse_params(t, "vanhenten1994");
  s.p = VanHentenParams::from(s.params);
  s.initial = VhState{s.params.initial("dry_weight_kg_m2"), s.params.initial("co2_kg_m3"),
                      s.params.initial("air_temp_c"), s.params.initial("humidity_kg_m3")};

  const RawInputs w = read_inputs(
      t.at("weather"),
      {{{"rad_w_m2"}, true, 0, kInf}, {{"temp_c"}, true, -80, 80}, kHumidity, kCo2}, ctx);
  s.weather = InputSeries::like(w);
  const auto& temp = of(w, kOutTemp);
  s.weather.add("rad_w_m2", of(w, kRad));
  s.weather.add("temp_c", temp);
  s.weather.add("humidity_kg_m3", humidity_kg_m3(s.p, w, kOutHumidity, temp));
  s.weather.add("co2_kg_m3", co2_kg_m3(s.p, w, kOutCo2, temp));

  const RawInputs u = read_inputs(t.at("controls"),
                                  {{{"co2_supply_kg_m2_s", "co2_supply_mg_m2_s"}, true, 0, kInf},
                                   {{"vent_m_s", "vent_m3_m2_h"}, true, 0, kInf},
                                   {{"heat_w_m2"}, true, 0, kInf}},
                                  ctx);
  s.controls = InputSeries::like(u);
  s.controls.add("co2_supply_kg_m2_s",
                 u.key[kCo2Supply] == "co2_supply_mg_m2_s"
                     ? map_series(of(u, kCo2Supply), [](double v) { return v * 1e-6; })
                     : of(u, kCo2Supply));
  s.controls.add("vent_m_s", u.key[kVent] == "vent_m3_m2_h"
                                 ? map_series(of(u, kVent), [](double v) { return v / 3600; })
                                 : of(u, kVent));
  s.controls.add("heat_w_m2", of(u, kHeat));
  return s;
}

namespace {

// "estimate": the live crop estimate's ensemble (crop_enkf.hpp)
void parse_crop_estimate(const Node& e, LettuceCropSpec& s) {
  e.check_keys({"members", "seed", "harvest", "initial_cv", "param_cv", "growth_noise",
                "param_noise", "model_error"});
  CropEnkfOptions& o = s.estimate;
  if (auto n = e.find("members")) {
    const std::int64_t m = n->integer_at_least(2);
    if (m > 10000) n->fail("expected at most 10000 members");
    o.members = static_cast<int>(m);
  }
  if (auto n = e.find("seed")) o.seed = static_cast<std::uint64_t>(n->integer_at_least(0));
  if (auto n = e.find("harvest")) s.harvest_s = parse_duration_positive(*n);
  const std::pair<const char*, double*> cvs[] = {{"initial_cv", &o.initial_cv},
                                                 {"param_cv", &o.param_cv},
                                                 {"growth_noise", &o.growth_noise},
                                                 {"param_noise", &o.param_noise},
                                                 {"model_error", &o.model_error}};
  for (const auto& [key, at] : cvs)
    if (auto n = e.find(key)) *at = n->number_in(0, 2);
}

}  // namespace

LettuceCropSpec parse_lettuce_crop(const Node& t, const std::string& id, const InputContext& ctx) {
  t.check_keys({"kind", "step", "solver", "rtol", "params", "initial", "climate", "density",
                "estimate", "name", "description", "layout"});
  LettuceCropSpec s;
  s.id = id;
  s.step = parse_step(t);
  s.params = parse_params(t, "vanhenten1994");
  s.p = VanHentenParams::from(s.params);
  s.initial_dry_weight_kg_m2 = s.params.initial("dry_weight_kg_m2");

  Quantity humidity = kHumidity;
  humidity.required = false;
  // light sensors read a little below zero in the dark (AGC 2022 Koala's PARin: -0.04): down to
  // -1 is read as darkness
  const RawInputs c = read_inputs(t.at("climate"),
                                  {{{"rad_w_m2", "par_umol_m2_s"}, true, -1, kInf},
                                   {{"air_temp_c"}, true, -80, 80},
                                   kCo2,
                                   humidity},
                                  ctx);
  s.climate = InputSeries::like(c);
  const auto& temp = of(c, kLcTemp);
  s.climate.add("rad_w_m2", map_series(of(c, kLcRad), [&](double v) {
                  v = std::max(v, 0.0);
                  return c.key[kLcRad] == "par_umol_m2_s" ? par_to_outside_rad(s.p, v) : v;
                }));
  s.climate.add("air_temp_c", temp);
  s.climate.add("co2_kg_m3", co2_kg_m3(s.p, c, kLcCo2, temp));
  s.has_humidity = c.has(kLcHumidity);
  if (s.has_humidity) s.climate.add("humidity_kg_m3", humidity_kg_m3(s.p, c, kLcHumidity, temp));
  if (auto n = t.find("density")) {
    const RawInputs d = read_inputs(*n, {{{"heads_m2"}, true, 0.01, kInf}}, ctx);
    s.density = InputSeries::like(d);
    s.density->add("heads_m2", of(d, 0));
    s.density->at(0, &s.density0_heads_m2);
  }
  if (auto e = t.find("estimate")) parse_crop_estimate(*e, s);
  return s;
}

TomatoCropSpec parse_tomato_crop(const Node& t, const std::string& id, const InputContext& ctx) {
  t.check_keys({"kind", "step", "solver", "rtol", "params", "initial", "climate", "name",
                "description", "layout"});
  TomatoCropSpec s;
  s.id = id;
  s.step = parse_step(t);
  s.params = parse_params(t, "vanthoor2011_tomato");
  s.p = TomatoParams::from(s.params);
  s.initial = TomatoCrop{s.params.initial("c_buf_mg_m2"),  s.params.initial("c_leaf_mg_m2"),
                         s.params.initial("c_stem_mg_m2"), s.params.initial("c_fruit_mg_m2"),
                         s.params.initial("temp_sum_c_d"), s.params.initial("canopy_temp_24h_c")};
  const RawInputs c = read_inputs(t.at("climate"),
                                  {{{"par_umol_m2_s"}, true, 0, kInf},
                                   {{"canopy_temp_c"}, true, -80, 80},
                                   {{"co2_ppm"}, true, 1, kInf}},
                                  ctx);
  s.climate = InputSeries::like(c);
  s.climate.add("par_umol_m2_s", of(c, kTcPar));
  s.climate.add("canopy_temp_c", of(c, kTcTemp));
  s.climate.add("co2_ppm", of(c, kTcCo2));
  return s;
}

}  // namespace dtwin::greenhouse
