// The live crop estimate of a lettuce twin: an ensemble Kalman filter (EnKF) over Van Henten's
// crop state and its most uncertain parameter, driven by the mirrored indoor climate and
// corrected by destructive crop samples.
//
// Why an EnKF, and over what. The crop model is a one-state ODE, cheap to integrate, nonlinear
// in the state (canopy closure 1 - exp(-c_pl_d X_d)) and driven by measured inputs; the samples
// are rare (weekly), noisy (6 to 10 heads) and observe the state directly. An ensemble carries
// the model's own nonlinearity and the parameter-state correlation without a Jacobian, and with
// a parameter in the state vector (state augmentation) a sample corrects both the weight and
// the growth that follows. The parameter is c_pl_d, the canopy's effective area per dry
// weight: the one `dtwin fit` calibrates on the AGC 2022 samples (twins/greenhouse/README.md
// says why it, not the light use efficiency, carries the misfit). A particle filter would need
// far more members for the same two dimensions; an extended Kalman filter would linearise
// canopy closure exactly where it bends.
//
// The filter (Evensen 2009, "Data Assimilation: The Ensemble Kalman Filter", 2nd ed., ch. 9;
// the perturbed-observation form of Burgers, van Leeuwen & Evensen 1998):
//   member i: z_i = (ln w_i, ln c_pl_d,i), w the dry weight per head (kg), so both stay positive
//             and errors are relative;
//   forecast: each member integrated (Heun, steps <= 10 min) on the held climate, with
//             multiplicative model noise on w (growth_noise per sqrt(day)) and a slow random walk
//             of ln c_pl_d (param_noise per sqrt(day));
//   analysis: y = ln(sample mean) with R = (se / mean)^2 + model_error^2 (the sample's
//             standard error, and what the model cannot represent);
//             K = cov(z, z0) / (var(z0) + R),  z_i += K (y + e_i - z0_i),  e_i ~ N(0, R).
// A nominal member (the scenario's parameters, no noise, never corrected) runs beside: the
// open-loop model, as `dtwin run` integrates it offline.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "engine/sim/rng.hpp"
#include "twins/greenhouse/vanhenten.hpp"

namespace dtwin::greenhouse {

// The climate the crop grows in, as Van Henten's crop rate reads it.
struct CropClimate {
  double rad_w_m2 = 0;  // as outside radiation (par_to_outside_rad)
  double air_temp_c = 20;
  double co2_kg_m3 = 7e-4;
};

struct CropEnkfOptions {
  int members = 100;
  std::uint64_t seed = 1;
  double initial_cv = 0.2;     // relative sd of the initial weight
  double param_cv = 0.3;       // relative sd of c_pl_d at the start
  double growth_noise = 0.03;  // relative model error of w per sqrt(day)
  double param_noise = 0.01;   // random walk of ln c_pl_d per sqrt(day)
  double model_error = 0.05;   // relative error a sample adds beyond its standard error
  double max_step_s = 600;     // integration step
};

struct MeanSd {
  double mean = 0, sd = 0;
};

class CropEnkf {
 public:
  // w0: dry weight per head at the start (kg; per m2 when the crop has no density)
  CropEnkf(const VanHentenParams& p, double w0, const CropEnkfOptions& o);

  // Every member (and the nominal one) grows for dt seconds in climate c at `heads` per m2.
  void advance(double dt_s, const CropClimate& c, double heads);
  // A destructive sample: mean dry weight per head (kg) and its standard error (kg).
  struct Analysis {
    MeanSd prior, posterior;  // weight per head (kg)
  };
  Analysis assimilate(double mean_kg, double se_kg);

  MeanSd weight() const;           // dry weight per head (kg)
  MeanSd c_pl_d() const;           // m2/kg
  MeanSd lai(double heads) const;  // c_pl_d X_d: the canopy's effective leaf area per m2
  double nominal_weight() const { return nominal_w_; }
  // Each member grown hour by hour on a repeating day (24 hourly climates, starting at
  // hour_of_day) at heads[k] per m2 in hour k, for heads.size() hours, with its model noise:
  // the weight per head then (kg). The same ensemble and options give the same numbers.
  MeanSd project(const std::array<CropClimate, 24>& day, double hour_of_day,
                 const std::vector<double>& heads) const;
  std::size_t size() const { return lnw_.size(); }

 private:
  // one Heun step of the weight per head w, with canopy parameter c_pl_d
  double step(double w, double c_pl_d, double dt, const CropClimate& c, double heads) const;

  VanHentenParams p_;
  CropEnkfOptions o_;
  Rng rng_;
  std::vector<double> lnw_, lnc_;
  double nominal_w_;
};

}  // namespace dtwin::greenhouse
