// The crop's ensemble Kalman filter in a twin experiment: a "true" crop grown with a canopy
// parameter and a start weight the filter does not know, sampled weekly with the scatter of a
// six-head destructive sample. The filter must learn from the samples: its forecasts of the
// next sample beat the open-loop model's, its uncertainty shrinks at each sample, its canopy
// parameter moves toward the truth, and it is deterministic.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "engine/sim/rng.hpp"
#include "tests/twins/greenhouse/greenhouse_helpers.hpp"
#include "twins/greenhouse/crop_enkf.hpp"
#include "twins/greenhouse/params.hpp"
#include "twins/greenhouse/vanhenten.hpp"

using namespace dtwin::greenhouse;

namespace {

VanHentenParams vh() {
  return VanHentenParams::from(ParamSet::builtin("vanhenten1994"));
}

// a bright day and a dark night, 800 ppm, 20 degC: the climate at t (s)
CropClimate climate_at(const VanHentenParams& p, double t) {
  const double hour = std::fmod(t / 3600, 24.0);
  CropClimate c;
  c.rad_w_m2 = hour >= 6 && hour < 18 ? 180 : 0;
  c.air_temp_c = hour >= 6 && hour < 18 ? 22 : 17;
  c.co2_kg_m3 = co2_ppm_to_kg_m3(p, 800, c.air_temp_c);
  return c;
}

// one crop with a given canopy parameter, grown by the filter's own integrator: a one-member,
// noise-free "ensemble" is exactly a deterministic run
struct Truth {
  CropEnkf crop;
  Truth(VanHentenParams p, double c_pl_d, double w0) : crop(with(p, c_pl_d), w0, exact()) {}
  static VanHentenParams with(VanHentenParams p, double c) {
    p.c_pl_d = c;
    return p;
  }
  static CropEnkfOptions exact() {
    CropEnkfOptions o;
    o.members = 2;
    o.initial_cv = o.param_cv = o.growth_noise = o.param_noise = 0;
    return o;
  }
};

}  // namespace

TEST_CASE("crop EnKF: weekly samples teach the filter a crop it was not told",
          "[greenhouse][enkf]") {
  const VanHentenParams p = vh();
  const double heads = 40;
  // the truth: a canopy 35 % less effective than the parameter file's, 30 % heavier seedlings
  Truth truth(p, 0.65 * p.c_pl_d, 1.3 * 3e-5);
  CropEnkf f(p, 3e-5, CropEnkfOptions{});
  dtwin::Rng scatter(42);
  const double week = 7 * 86400, step = 300;
  double t = 0;
  int better = 0;
  for (int wk = 1; wk <= 5; ++wk) {
    for (; t < wk * week; t += step) {
      const CropClimate c = climate_at(p, t);
      truth.crop.advance(step, c, heads);
      f.advance(step, c, heads);
    }
    const double w = truth.crop.nominal_weight();
    // six heads with a 15 % spread: the mean is off by its standard error
    const double se = 0.15 * w / std::sqrt(6.0);
    const double sample = w + se * dtwin::standard_normal(scatter);
    const double forecast = f.weight().mean;
    const double open_loop = f.nominal_weight();
    INFO("week " << wk << ": truth " << w << " forecast " << forecast << " open loop "
                 << open_loop);
    if (wk >= 2 && std::abs(forecast - w) < std::abs(open_loop - w)) ++better;
    const auto a = f.assimilate(sample, se);
    // each sample narrows the estimate
    CHECK(a.posterior.sd < a.prior.sd);
    CHECK(std::abs(a.posterior.mean - w) < std::abs(a.prior.mean - w) + 2 * se);
  }
  // from the second sample on, the filter's forecast of the next sample beats the model run
  // without the samples every time
  CHECK(better == 4);
  // the canopy parameter moved from the file's value toward the truth's
  const MeanSd c = f.c_pl_d();
  CHECK(c.mean < 0.9 * p.c_pl_d);
  CHECK(std::abs(c.mean - 0.65 * p.c_pl_d) < std::abs(p.c_pl_d - 0.65 * p.c_pl_d));
}

TEST_CASE(
    "crop EnKF: the same seed gives the same ensemble, the mean of a noise-free ensemble "
    "is the open-loop run, a projection grows it",
    "[greenhouse][enkf]") {
  const VanHentenParams p = vh();
  CropEnkf a(p, 1e-3, CropEnkfOptions{}), b(p, 1e-3, CropEnkfOptions{});
  for (int i = 0; i < 288; ++i) {
    a.advance(300, climate_at(p, i * 300.0), 30);
    b.advance(300, climate_at(p, i * 300.0), 30);
  }
  a.assimilate(1.1e-3, 1e-4);
  b.assimilate(1.1e-3, 1e-4);
  CHECK(a.weight().mean == b.weight().mean);
  CHECK(a.weight().sd == b.weight().sd);
  CHECK(a.c_pl_d().mean == b.c_pl_d().mean);

  // no spread, no noise: every member is the nominal crop
  CropEnkfOptions o;
  o.initial_cv = o.param_cv = o.growth_noise = o.param_noise = 0;
  CropEnkf z(p, 1e-3, o);
  for (int i = 0; i < 288; ++i) z.advance(300, climate_at(p, i * 300.0), 30);
  CHECK(z.weight().mean == Approx(z.nominal_weight()).epsilon(1e-12));
  CHECK(z.weight().sd == Approx(0).margin(1e-15));

  // a day ahead on the same day's hourly climate grows about as a day of 5-minute steps does
  std::array<CropClimate, 24> day;
  for (std::size_t h = 0; h < 24; ++h)
    day[h] = climate_at(p, (static_cast<double>(h) + 0.5) * 3600);
  const MeanSd ahead = z.project(day, 0, std::vector<double>(24, 30.0));
  const double before = z.weight().mean;
  for (int i = 288; i < 2 * 288; ++i) z.advance(300, climate_at(p, i * 300.0), 30);
  CHECK(ahead.mean > before);
  CHECK(ahead.mean == Approx(z.weight().mean).epsilon(0.02));
}

TEST_CASE("crop EnKF: a bad \"estimate\" is an error at its member", "[greenhouse][enkf]") {
  const auto error = [](const std::string& estimate) {
    return dtwin::test::compile_error(R"({"duration": "1d", "twins": {"c": {"kind": "lettuce_crop",
      "climate": {"constant": {"par_umol_m2_s": 200, "air_temp_c": 20, "co2_ppm": 800}},
      "estimate": )" + estimate + "}}}");
  };
  using Catch::Matchers::Contains;
  const auto members = error(R"({"members": 1})");
  CHECK(members.pointer() == "/twins/c/estimate/members");
  CHECK(error(R"({"harvest": "soon"})").pointer() == "/twins/c/estimate/harvest");
  const auto noise = error(R"({"growth_noise": -0.1})");
  CHECK(noise.pointer() == "/twins/c/estimate/growth_noise");
  CHECK_THAT(noise.message(), Contains("between 0 and 2"));
  CHECK_THAT(error(R"({"memebrs": 10})").message(), Contains("memebrs"));
}
