#include "twins/greenhouse/lettuce_crop.hpp"

#include "engine/base/format.hpp"

namespace dtwin::greenhouse {

namespace {
enum : std::size_t { kXd, kTranspKg, kN };
}  // namespace

LettuceCropModel::LettuceCropModel(LettuceCropSpec spec)
    : StepTwin(spec.id, spec.step,
               {spec.density ? "crop.dry_weight_kg_head" : "crop.dry_weight_kg_m2",
                "kpi.transpiration_kg_m2"},
               {spec.density ? spec.initial_dry_weight_kg_m2 / spec.density0_heads_m2
                             : spec.initial_dry_weight_kg_m2,
                0},
               {spec.density ? 1e-3 / spec.density0_heads_m2 : 1e-3, 1e-2}, 1),
      spec_(std::move(spec)) {}

double LettuceCropModel::heads(double t) const {
  double n = 1;
  if (spec_.density) spec_.density->at(t, &n);
  return n;
}

void LettuceCropModel::rhs(double t, const double* y, const double* /*params: none*/,
                           double* dydt) const {
  double c[4] = {0, 0, 0, 0};
  spec_.climate.at(t, c);
  if (spec_.density) {
    const double n = heads(t), xd = y[kXd] * n;
    dydt[kXd] = vh_dry_weight_rate(spec_.p, xd, c[kLcCo2], c[kLcTemp], c[kLcRad]) / n;
    dydt[kTranspKg] =
        spec_.has_humidity ? vh_transpiration(spec_.p, xd, c[kLcTemp], c[kLcHumidity]) : 0;
    return;
  }
  dydt[kXd] = vh_dry_weight_rate(spec_.p, y[kXd], c[kLcCo2], c[kLcTemp], c[kLcRad]);
  dydt[kTranspKg] =
      spec_.has_humidity ? vh_transpiration(spec_.p, y[kXd], c[kLcTemp], c[kLcHumidity]) : 0;
}

void LettuceCropModel::collect(const World& w, std::uint32_t self, Metrics& out) const {
  const auto y = values_now(w, self);
  const double xd = y[kXd] * heads(w.now());
  out.set(id_ + ".yield_fresh_kg_m2", xd / spec_.p.dry_matter_fraction, "kg/m2");
  out.set(id_ + ".dry_weight_kg_m2", xd, "kg/m2");
  if (spec_.density) out.set(id_ + ".dry_weight_g_head", y[kXd] * 1e3, "g/head");
  if (spec_.has_humidity) out.set(id_ + ".transpiration_l_m2", y[kTranspKg], "L/m2");
  input_metrics("climate", spec_.climate, out);
}

void LettuceCropModel::columns(std::vector<std::string>& out) const {
  for (const char* c : {"crop.dry_weight_kg_m2", "crop.fresh_weight_kg_m2", "climate.rad_w_m2",
                        "climate.air_temp_c", "climate.co2_kg_m3", "climate.co2_ppm"})
    out.push_back(id_ + "." + c);
  if (spec_.has_humidity) {
    out.push_back(id_ + ".climate.humidity_kg_m3");
    out.push_back(id_ + ".kpi.transpiration_l_m2");
  }
  if (spec_.density)
    for (const char* c : {"crop.density_heads_m2", "crop.dry_weight_g_head"})
      out.push_back(id_ + "." + c);
}

void LettuceCropModel::sample(const World& w, std::uint32_t self,
                              std::vector<std::string>& out) const {
  const auto y = values_sampled(w, self);
  double c[4] = {0, 0, 0, 0};
  spec_.climate.at(w.now(), c);
  const double n = heads(w.now()), xd = y[kXd] * n;
  for (double x : {xd, xd / spec_.p.dry_matter_fraction, c[kLcRad], c[kLcTemp], c[kLcCo2],
                   co2_kg_m3_to_ppm(spec_.p, c[kLcCo2], c[kLcTemp])})
    out.push_back(fmt_num(x, 10));
  if (spec_.has_humidity) {
    out.push_back(fmt_num(c[kLcHumidity], 10));
    out.push_back(fmt_num(y[kTranspKg], 10));
  }
  if (spec_.density) {
    out.push_back(fmt_num(n, 10));
    out.push_back(fmt_num(y[kXd] * 1e3, 10));
  }
}

}  // namespace dtwin::greenhouse
