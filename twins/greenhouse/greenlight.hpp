// The GreenLight greenhouse climate model with the Vanthoor tomato crop: heat, vapour and CO2
// balances of a Venlo greenhouse with heating pipes, roof vents, a thermal screen, a blackout
// screen and top lighting (HPS or LED), under GreenLight's default rule-based controller.
//
// Sources (equations implemented from the publications; values in assets/greenhouse/):
//  - Vanthoor (2011), PhD thesis, Wageningen, Chapter 8 (eqs. 8.1-8.78, Tables 8.1-8.4),
//    https://edepot.wur.nl/170301; Vanthoor et al. (2011) Biosystems Engineering 110, 363-377.
//  - Katzin et al. (2020) Biosystems Engineering 194, 61-81, Appendix A (lamp model, lumped
//    cover eqs. A4-A6); Katzin (2021), PhD thesis, Chapter 7 (eqs. 7.1-7.42, Table 7.4: the
//    lamp and blackout-screen terms) and Chapter 4 (eq. 4.4 and pp. 119-122: the controller).
//  - Katzin et al. (2021) Applied Energy 281, 116019: the 4 ha greenhouse and lamp settings.
//  GreenLight's machine-readable definitions (davkat1/GreenLight, katzin_2021/definition/)
//  were used to check the equations and read off values.
//
// States (25), all per m2 of floor:
//   temperatures (degC): canopy, air below the screen, floor, five soil layers, thermal
//   screen, top compartment (above the screen), cover inside, cover outside, heating pipes,
//   lamps, blackout screen;
//   vapour pressure (Pa) below and above the screen; CO2 (mg m-3) below and above the screen;
//   the tomato crop (tomato.hpp): carbohydrate buffer, leaf, stem, fruit (mg CH2O m-2),
//   temperature sum (degC d), 24-hour mean canopy temperature (degC).
// Accumulators (6): boiler heat (MJ m-2), lamp electricity (MJ m-2), CO2 injected (kg m-2),
//   transpiration (kg m-2 = L m-2), fruit harvested and leaves pruned (mg CH2O m-2).
//
// Every temperature balance is C_i dT_i/dt = sum of the heat flows into node i; each flow
// between two nodes appears in both with opposite signs, so that the sum over all nodes of
// C_i dT_i/dt equals what comes in from outside (sun, boiler, lamp electricity) minus what
// leaves (to the sky, the outside air, the deep soil, lamp cooling, and the latent heat of the
// vapour carried out by ventilation), less the latent heat going into the vapour held in the
// air. GlFluxes reports those totals; the tests check the identity at arbitrary states. (It is
// a check of the network, not of the optics: Vanthoor's lumped NIR absorption by cover, canopy
// and floor is not derived from one radiation balance, so "sun_absorbed" is what the equations
// deposit, not a partition of the incoming sunlight.)
//
// Scope here: roof vents only; no side vents, forced ventilation, pad and fan, fogging,
// mechanical cooling, shading screen, whitewash, interlights or grow pipes (their terms are
// zero for the greenhouse of Katzin et al. 2021). Numerical regularisation (documented in the
// parameter file): |dT|^n and sqrt|drho| use sqrt(x^2 + dT_smooth^2) for |x|, so the Jacobian
// stays finite where two temperatures cross.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include "twins/greenhouse/params.hpp"
#include "twins/greenhouse/tomato.hpp"

namespace dtwin::greenhouse {

struct GlParams {
  // constants and construction (greenlight_katzin2021.json)
  double alfaLeafAir, L, sigma, epsCan, epsSky, etaGlobNir, etaGlobPar, etaMgPpm, rhoAir0,
      rhoCanNir, rhoSteel, rhoWater, gammaPsych, capLeaf, cEvap1, cEvap2, cEvap3Day, cEvap3Night,
      cEvap4Day, cEvap4Night, cPAir, cPSteel, cPWater, g, hSo[5], hSoOut, kNir, kFir, mAir, mWater,
      R, rCanSp, rB, rSMin, sRsSlope, etaGlobAir, psi, aCov, aFlr, cHecIn, cHecOut1, cHecOut2,
      cHecOut3, hAir, hElevation, hGh, zetaInsScr, aRoof, cDgh, cLeakage, cWgh, hVent, cLeakTop,
      rhoRf, rhoRfNir, rhoRfPar, rhoRfFir, tauRfNir, tauRfPar, tauRfFir, lambdaRf, cPRf, hRf,
      epsThScrFir, rhoThScr, rhoThScrNir, rhoThScrPar, rhoThScrFir, tauThScrNir, tauThScrPar,
      tauThScrFir, cPThScr, hThScr, kThScr, epsBlScrFir, rhoBlScr, rhoBlScrNir, rhoBlScrPar,
      tauBlScrNir, tauBlScrPar, tauBlScrFir, cPBlScr, hBlScr, kBlScr, epsFlr, rhoFlr, rhoFlrNir,
      lambdaFlr, cPFlr, hFlr, rhoCpSo, lambdaSo, omega, epsPipe, phiPipeE, phiPipeI, lPipe, pBoil,
      phiExtCo2, parJtoUmolSun, dT_smooth;
  // lamps (greenlight_lamp_*.json)
  double thetaLampMax, etaLampPar, etaLampNir, zetaLampPar, tauLampPar, tauLampNir, tauLampFir,
      aLamp, epsLampTop, epsLampBottom, capLamp, cHecLampAir, etaLampCool;
  // derived
  double rhoAirCap, pressure, capAir, capTop, capFlr, capSo[5], capThScr, capBlScr, capPipe,
      capCovIn, capCovE, hecCovInCovE, aPipe, fCanFlr;

  static GlParams from(const ParamSet& greenhouse, const ParamSet& lamp);
};

struct GlControlParams {
  double tSpDay, tSpNight, heatCorrection, tHeatBand, heatDeadZone, ventHeatPband, rhMax,
      ventRhPband, tVentOff, ventColdPband, thScrSpDay, thScrSpNight, thScrPband, thScrMaxRh,
      thScrRhPband, thScrDeadZone, useBlScr, lampsOn, lampsOff, lampsOffSun, lampsOffSunBand,
      lampRadSumLimit, lampExtraHeat, blScrExtraRh, co2SpDay, co2Band, lampsPhotoperiod;
  static GlControlParams from(const ParamSet& s);
};

// The controller's settings by their names in greenlight_control.json, in the struct's order:
// a run carries them in its state as numbers in this order (the setpoints in force), the
// mirror sets them by name.
struct GlControlField {
  const char* name;
  double GlControlParams::*member;
};
constexpr std::size_t kGlControlN = 27;
extern const std::array<GlControlField, kGlControlN> kGlControlFields;
std::vector<double> gl_control_values(const GlControlParams& c);
GlControlParams gl_control_of(const double* values);  // kGlControlN values
bool gl_control_fields_in_order();  // the table lists the members in declaration order

// Outside conditions at one instant, and the two quantities the controller derives from the
// weather (whether the sun is up, the day's radiation sum) and the clock.
struct GlWeather {
  double iGlob;      // global radiation, W m-2
  double tOut;       // air temperature, degC
  double vpOut;      // vapour pressure, Pa
  double wind;       // wind speed, m s-1
  double tSky;       // apparent sky temperature, degC
  double tSoOut;     // temperature of the deep soil layer, degC
  double co2Out;     // CO2, mg m-3
  double isDay;      // 0 (night) to 1 (day)
  double dayRadSum;  // this day's global radiation sum, MJ m-2
  double timeOfDay;  // hours since midnight
  // the sun's times where the weather knows the place and the dates (gl_weather.hpp): this
  // day's sunset and the next day's, hours after this day's midnight
  bool sunKnown;
  double sunset, sunsetNext;
};

enum GlIndex : std::size_t {
  kGlTCan,
  kGlTAir,
  kGlTFlr,
  kGlTSo1,
  kGlTSo2,
  kGlTSo3,
  kGlTSo4,
  kGlTSo5,
  kGlTThScr,
  kGlTTop,
  kGlTCovIn,
  kGlTCovE,
  kGlTPipe,
  kGlTLamp,
  kGlTBlScr,
  kGlVpAir,
  kGlVpTop,
  kGlCo2Air,
  kGlCo2Top,
  kGlCBuf,
  kGlCLeaf,
  kGlCStem,
  kGlCFruit,
  kGlTCanSum,
  kGlTCan24,
  kGlNStates,
  kGlHeatMj = kGlNStates,
  kGlLampMj,
  kGlCo2Kg,
  kGlTranspKg,
  kGlFruitHar,
  kGlLeafHar,
  kGlN
};
constexpr std::size_t kGlTemps = kGlTBlScr + 1;  // the temperature states come first

// The controller's actions (0..1) and the quantities they were decided on.
struct GlControls {
  double uBoil, uRoof, uThScr, uBlScr, uLamp, uExtCo2;
  double heatSetPoint, ventSetPoint, co2SetPoint, rhIn, co2Ppm, isDayInside, lampPeriod;
};

// Totals for the energy balance and outputs (W m-2 unless named otherwise).
struct GlFluxes {
  double heat_in;        // sun absorbed inside and by the cover + boiler + lamp electricity
  double heat_out;       // to sky, outside air (cover, vents), deep soil, lamp cooling, latent out
  double stored;         // sum over temperature nodes of C_i dT_i/dt
  double latent_stored;  // L times the rate of change of the vapour held in the air
  double boiler, lamp_electric, sun_absorbed, to_sky, to_outside_air, to_soil, lamp_cooling,
      latent_out;
  double lamp_par_w, lamp_nir_w, lamp_convection, lamp_fir;  // where the lamp's power goes
  double par_above_canopy_umol;                              // sun + lamps, umol m-2 s-1
  double transpiration_kg_s, co2_injection_mg_s, net_assimilation_mg_s;
  double f_vent_roof, f_vent_side;  // m3 m-2 s-1
  double lai;
};

double gl_sat_vp(double t_c);                 // saturated vapour pressure (Pa) at t_c
double gl_co2_ppm(double t_c, double mg_m3);  // CO2 density to mole fraction at 1 atm
double gl_co2_mg_m3(double t_c, double ppm);
// GreenLight's smooth proportional controller (KZ2021 eq. 4.4)
double gl_proportional(double x, double set_point, double p_band, double lo, double hi);

GlControls gl_controls(const GlParams& p, const GlControlParams& c, const double* y,
                       const GlWeather& w);

// dy/dt for the full vector (kGlN components); fluxes filled when given.
void gl_rhs(const GlParams& p, const GlControlParams& c, const TomatoParams& crop, const double* y,
            const GlWeather& w, double* dydt, GlFluxes* fluxes = nullptr,
            GlControls* controls = nullptr);

}  // namespace dtwin::greenhouse
