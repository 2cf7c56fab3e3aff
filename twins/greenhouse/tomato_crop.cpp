#include "twins/greenhouse/tomato_crop.hpp"

#include "engine/base/format.hpp"

namespace dtwin::greenhouse {

namespace {
enum : std::size_t { kBuf, kLeaf, kStem, kFruit, kSum, kT24, kFruitHar, kLeafHar, kN };
}  // namespace

TomatoCropModel::TomatoCropModel(TomatoCropSpec spec)
    : StepTwin(spec.id, spec.step,
               {"crop.c_buf_mg_m2", "crop.c_leaf_mg_m2", "crop.c_stem_mg_m2", "crop.c_fruit_mg_m2",
                "crop.temp_sum_c_d", "crop.canopy_temp_24h_c", "kpi.fruit_harvest_mg_m2",
                "kpi.leaf_pruned_mg_m2"},
               {spec.initial.c_buf_mg_m2, spec.initial.c_leaf_mg_m2, spec.initial.c_stem_mg_m2,
                spec.initial.c_fruit_mg_m2, spec.initial.temp_sum_c_d,
                spec.initial.canopy_temp_24h_c, 0, 0},
               {1e3, 1e3, 1e3, 1e3, 10, 1, 1e3, 1e3}, 6),
      spec_(std::move(spec)) {}

void TomatoCropModel::rhs(double t, const double* y, const double* /*params: none*/,
                          double* dydt) const {
  double c[3];
  spec_.climate.at(t, c);
  const TomatoRates r =
      tomato_rates(spec_.p, TomatoCrop{y[kBuf], y[kLeaf], y[kStem], y[kFruit], y[kSum], y[kT24]},
                   TomatoClimate{c[kTcPar], c[kTcTemp], c[kTcCo2]});
  dydt[kBuf] = r.d.c_buf_mg_m2;
  dydt[kLeaf] = r.d.c_leaf_mg_m2;
  dydt[kStem] = r.d.c_stem_mg_m2;
  dydt[kFruit] = r.d.c_fruit_mg_m2;
  dydt[kSum] = r.d.temp_sum_c_d;
  dydt[kT24] = r.d.canopy_temp_24h_c;
  dydt[kFruitHar] = r.fruit_harvest_mg_m2_s;
  dydt[kLeafHar] = r.leaf_harvest_mg_m2_s;
}

void TomatoCropModel::collect(const World& w, std::uint32_t self, Metrics& out) const {
  const auto y = values_now(w, self);
  const double dmc = spec_.p.dry_matter_fraction;
  out.set(id_ + ".yield_fresh_kg_m2", y[kFruitHar] * 1e-6 / dmc, "kg/m2");
  out.set(id_ + ".fruit_harvest_dry_kg_m2", y[kFruitHar] * 1e-6, "kg/m2");
  out.set(id_ + ".leaf_pruned_dry_kg_m2", y[kLeafHar] * 1e-6, "kg/m2");
  out.set(id_ + ".c_buf_mg_m2", y[kBuf], "mg/m2");
  out.set(id_ + ".c_leaf_mg_m2", y[kLeaf], "mg/m2");
  out.set(id_ + ".c_stem_mg_m2", y[kStem], "mg/m2");
  out.set(id_ + ".c_fruit_mg_m2", y[kFruit], "mg/m2");
  out.set(id_ + ".lai", tomato_lai(spec_.p, y[kLeaf]), "m2/m2");
  out.set(id_ + ".dry_weight_kg_m2", (y[kBuf] + y[kLeaf] + y[kStem] + y[kFruit]) * 1e-6, "kg/m2");
  input_metrics("climate", spec_.climate, out);
}

void TomatoCropModel::columns(std::vector<std::string>& out) const {
  for (const char* c :
       {"crop.c_buf_mg_m2", "crop.c_leaf_mg_m2", "crop.c_stem_mg_m2", "crop.c_fruit_mg_m2",
        "crop.temp_sum_c_d", "crop.canopy_temp_24h_c", "crop.lai", "crop.dry_weight_kg_m2",
        "kpi.fruit_harvest_mg_m2", "kpi.leaf_pruned_mg_m2", "kpi.yield_fresh_kg_m2",
        "climate.par_umol_m2_s", "climate.canopy_temp_c", "climate.co2_ppm"})
    out.push_back(id_ + "." + c);
}

void TomatoCropModel::sample(const World& w, std::uint32_t self,
                             std::vector<std::string>& out) const {
  const auto y = values_sampled(w, self);
  double c[3];
  spec_.climate.at(w.now(), c);
  for (double x :
       {y[kBuf], y[kLeaf], y[kStem], y[kFruit], y[kSum], y[kT24], tomato_lai(spec_.p, y[kLeaf]),
        (y[kBuf] + y[kLeaf] + y[kStem] + y[kFruit]) * 1e-6, y[kFruitHar], y[kLeafHar],
        y[kFruitHar] * 1e-6 / spec_.p.dry_matter_fraction, c[kTcPar], c[kTcTemp], c[kTcCo2]})
    out.push_back(fmt_num(x, 10));
}

}  // namespace dtwin::greenhouse
