#include "twins/greenhouse/greenlight.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace dtwin::greenhouse {

namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr double kKelvin = 273.15;
}  // namespace

GlParams GlParams::from(const ParamSet& s, const ParamSet& lamp) {
  GlParams p{};
  auto v = [&](const char* n) { return s.param(n); };
  p.alfaLeafAir = v("alfaLeafAir");
  p.L = v("L");
  p.sigma = v("sigma");
  p.epsCan = v("epsCan");
  p.epsSky = v("epsSky");
  p.etaGlobNir = v("etaGlobNir");
  p.etaGlobPar = v("etaGlobPar");
  p.etaMgPpm = v("etaMgPpm");
  p.rhoAir0 = v("rhoAir0");
  p.rhoCanNir = v("rhoCanNir");
  p.rhoSteel = v("rhoSteel");
  p.rhoWater = v("rhoWater");
  p.gammaPsych = v("gammaPsych");
  p.capLeaf = v("capLeaf");
  p.cEvap1 = v("cEvap1");
  p.cEvap2 = v("cEvap2");
  p.cEvap3Day = v("cEvap3Day");
  p.cEvap3Night = v("cEvap3Night");
  p.cEvap4Day = v("cEvap4Day");
  p.cEvap4Night = v("cEvap4Night");
  p.cPAir = v("cPAir");
  p.cPSteel = v("cPSteel");
  p.cPWater = v("cPWater");
  p.g = v("g");
  p.hSo[0] = v("hSo1");
  p.hSo[1] = v("hSo2");
  p.hSo[2] = v("hSo3");
  p.hSo[3] = v("hSo4");
  p.hSo[4] = v("hSo5");
  p.hSoOut = v("hSoOut");
  p.kNir = v("kNir");
  p.kFir = v("kFir");
  p.mAir = v("mAir");
  p.mWater = v("mWater");
  p.R = v("R");
  p.rCanSp = v("rCanSp");
  p.rB = v("rB");
  p.rSMin = v("rSMin");
  p.sRsSlope = v("sRsSlope");
  p.etaGlobAir = v("etaGlobAir");
  p.psi = v("psi");
  p.aCov = v("aCov");
  p.aFlr = v("aFlr");
  p.cHecIn = v("cHecIn");
  p.cHecOut1 = v("cHecOut1");
  p.cHecOut2 = v("cHecOut2");
  p.cHecOut3 = v("cHecOut3");
  p.hAir = v("hAir");
  p.hElevation = v("hElevation");
  p.hGh = v("hGh");
  p.zetaInsScr = v("zetaInsScr");
  p.aRoof = v("aRoof");
  p.cDgh = v("cDgh");
  p.cLeakage = v("cLeakage");
  p.cWgh = v("cWgh");
  p.hVent = v("hVent");
  p.cLeakTop = v("cLeakTop");
  p.rhoRf = v("rhoRf");
  p.rhoRfNir = v("rhoRfNir");
  p.rhoRfPar = v("rhoRfPar");
  p.rhoRfFir = v("rhoRfFir");
  p.tauRfNir = v("tauRfNir");
  p.tauRfPar = v("tauRfPar");
  p.tauRfFir = v("tauRfFir");
  p.lambdaRf = v("lambdaRf");
  p.cPRf = v("cPRf");
  p.hRf = v("hRf");
  p.epsThScrFir = v("epsThScrFir");
  p.rhoThScr = v("rhoThScr");
  p.rhoThScrNir = v("rhoThScrNir");
  p.rhoThScrPar = v("rhoThScrPar");
  p.rhoThScrFir = v("rhoThScrFir");
  p.tauThScrNir = v("tauThScrNir");
  p.tauThScrPar = v("tauThScrPar");
  p.tauThScrFir = v("tauThScrFir");
  p.cPThScr = v("cPThScr");
  p.hThScr = v("hThScr");
  p.kThScr = v("kThScr");
  p.epsBlScrFir = v("epsBlScrFir");
  p.rhoBlScr = v("rhoBlScr");
  p.rhoBlScrNir = v("rhoBlScrNir");
  p.rhoBlScrPar = v("rhoBlScrPar");
  p.tauBlScrNir = v("tauBlScrNir");
  p.tauBlScrPar = v("tauBlScrPar");
  p.tauBlScrFir = v("tauBlScrFir");
  p.cPBlScr = v("cPBlScr");
  p.hBlScr = v("hBlScr");
  p.kBlScr = v("kBlScr");
  p.epsFlr = v("epsFlr");
  p.rhoFlr = v("rhoFlr");
  p.rhoFlrNir = v("rhoFlrNir");
  p.lambdaFlr = v("lambdaFlr");
  p.cPFlr = v("cPFlr");
  p.hFlr = v("hFlr");
  p.rhoCpSo = v("rhoCpSo");
  p.lambdaSo = v("lambdaSo");
  p.omega = v("omega");
  p.epsPipe = v("epsPipe");
  p.phiPipeE = v("phiPipeE");
  p.phiPipeI = v("phiPipeI");
  p.lPipe = v("lPipe");
  p.pBoil = v("pBoil");
  p.phiExtCo2 = v("phiExtCo2");
  p.parJtoUmolSun = v("parJtoUmolSun");
  p.dT_smooth = v("dT_smooth");

  auto l = [&](const char* n) { return lamp.param(n); };
  p.thetaLampMax = l("thetaLampMax");
  p.etaLampPar = l("etaLampPar");
  p.etaLampNir = l("etaLampNir");
  p.zetaLampPar = l("zetaLampPar");
  p.tauLampPar = l("tauLampPar");
  p.tauLampNir = l("tauLampNir");
  p.tauLampFir = l("tauLampFir");
  p.aLamp = l("aLamp");
  p.epsLampTop = l("epsLampTop");
  p.epsLampBottom = l("epsLampBottom");
  p.capLamp = l("capLamp");
  p.cHecLampAir = l("cHecLampAir");
  p.etaLampCool = l("etaLampCool");

  // capacities and constant coefficients (VT2011 eqs. 8.18-8.24, Table 8.3)
  p.rhoAirCap = p.rhoAir0 * std::exp(p.g * p.mAir * p.hElevation / (293.15 * p.R));
  p.pressure = 101325 * std::pow(1 - 2.5577e-5 * p.hElevation, 5.25588);
  p.capAir = p.hAir * p.rhoAirCap * p.cPAir;
  p.capTop = (p.hGh - p.hAir) * p.rhoAirCap * p.cPAir;
  p.capFlr = p.hFlr * p.rhoFlr * p.cPFlr;
  for (int i = 0; i < 5; ++i) p.capSo[i] = p.hSo[i] * p.rhoCpSo;
  p.capThScr = p.hThScr * p.rhoThScr * p.cPThScr;
  p.capBlScr = p.hBlScr * p.rhoBlScr * p.cPBlScr;
  p.capPipe = 0.25 * kPi * p.lPipe *
              ((p.phiPipeE * p.phiPipeE - p.phiPipeI * p.phiPipeI) * p.rhoSteel * p.cPSteel +
               p.phiPipeI * p.phiPipeI * p.rhoWater * p.cPWater);
  const double cap_cov = std::cos(p.psi * kPi / 180) * p.hRf * p.rhoRf * p.cPRf;
  p.capCovIn = 0.1 * cap_cov;
  p.capCovE = 0.1 * cap_cov;
  p.hecCovInCovE = p.lambdaRf / p.hRf;
  p.aPipe = kPi * p.lPipe * p.phiPipeE;
  p.fCanFlr = 1 - 0.49 * kPi * p.lPipe * p.phiPipeE;
  return p;
}

const std::array<GlControlField, kGlControlN> kGlControlFields = {{
    {"tSpDay", &GlControlParams::tSpDay},
    {"tSpNight", &GlControlParams::tSpNight},
    {"heatCorrection", &GlControlParams::heatCorrection},
    {"tHeatBand", &GlControlParams::tHeatBand},
    {"heatDeadZone", &GlControlParams::heatDeadZone},
    {"ventHeatPband", &GlControlParams::ventHeatPband},
    {"rhMax", &GlControlParams::rhMax},
    {"ventRhPband", &GlControlParams::ventRhPband},
    {"tVentOff", &GlControlParams::tVentOff},
    {"ventColdPband", &GlControlParams::ventColdPband},
    {"thScrSpDay", &GlControlParams::thScrSpDay},
    {"thScrSpNight", &GlControlParams::thScrSpNight},
    {"thScrPband", &GlControlParams::thScrPband},
    {"thScrMaxRh", &GlControlParams::thScrMaxRh},
    {"thScrRhPband", &GlControlParams::thScrRhPband},
    {"thScrDeadZone", &GlControlParams::thScrDeadZone},
    {"useBlScr", &GlControlParams::useBlScr},
    {"lampsOn", &GlControlParams::lampsOn},
    {"lampsOff", &GlControlParams::lampsOff},
    {"lampsOffSun", &GlControlParams::lampsOffSun},
    {"lampsOffSunBand", &GlControlParams::lampsOffSunBand},
    {"lampRadSumLimit", &GlControlParams::lampRadSumLimit},
    {"lampExtraHeat", &GlControlParams::lampExtraHeat},
    {"blScrExtraRh", &GlControlParams::blScrExtraRh},
    {"co2SpDay", &GlControlParams::co2SpDay},
    {"co2Band", &GlControlParams::co2Band},
    {"lampsPhotoperiod", &GlControlParams::lampsPhotoperiod},
}};

static_assert(sizeof(GlControlParams) == kGlControlN * sizeof(double),
              "every controller setting has its field in kGlControlFields");

GlControlParams GlControlParams::from(const ParamSet& s) {
  GlControlParams c{};
  for (const auto& f : kGlControlFields) c.*f.member = s.param(f.name);
  return c;
}

std::vector<double> gl_control_values(const GlControlParams& c) {
  std::vector<double> v;
  v.reserve(kGlControlN);
  for (const auto& f : kGlControlFields) v.push_back(c.*f.member);
  return v;
}

bool gl_control_fields_in_order() {
  GlControlParams c{};
  const auto* base = reinterpret_cast<const char*>(&c);
  for (std::size_t i = 0; i < kGlControlN; ++i)
    if (reinterpret_cast<const char*>(&(c.*kGlControlFields[i].member)) - base !=
        static_cast<std::ptrdiff_t>(i * sizeof(double)))
      return false;
  return true;
}

GlControlParams gl_control_of(const double* values) {
  // the fields are the struct's members in order (gl_control_fields_in_order, checked once by
  // the twin): one copy, cheap enough for every evaluation of the right-hand side
  GlControlParams c;
  std::memcpy(&c, values, sizeof c);
  return c;
}

double gl_sat_vp(double t_c) {
  return 610.78 * std::exp(17.2694 * t_c / (t_c + 238.3));
}

double gl_co2_ppm(double t_c, double mg_m3) {
  return 8.3144598e6 * (t_c + kKelvin) * (1e-6 * mg_m3) / (101325 * 44.01e-3);
}

double gl_co2_mg_m3(double t_c, double ppm) {
  return ppm * 101325 * 44.01e-3 / (8.3144598e6 * (t_c + kKelvin)) * 1e6;
}

double gl_proportional(double x, double set_point, double p_band, double lo, double hi) {
  return lo +
         (hi - lo) / (1 + std::exp(-2 / p_band * std::log(100.0) * (x - set_point - p_band / 2)));
}

namespace {

// Net FIR from surface 1 to surface 2 (VT2011 eq. 8.38).
inline double fir(double a1, double eps1, double eps2, double f12, double t1, double t2) {
  const double k1 = t1 + kKelvin, k2 = t2 + kKelvin;
  const double k1s = k1 * k1, k2s = k2 * k2;
  return a1 * eps1 * eps2 * f12 * 5.67e-8 * (k1s * k1s - k2s * k2s);
}

// Lumped layers (KZ2020 eqs. A4-A6): 1 on top, 2 below.
struct Layer {
  double tau, rho_up, rho_dn;
};
inline Layer stack(const Layer& a, const Layer& b) {
  const double d = 1 - a.rho_dn * b.rho_up;
  return {a.tau * b.tau / d, a.rho_up + a.tau * a.tau * b.rho_up / d,
          b.rho_dn + b.tau * b.tau * a.rho_dn / d};
}
inline Layer sheet(double tau, double rho) {
  return {tau, rho, rho};
}
// a movable screen closed a fraction u
inline Layer screen(double u, double tau, double rho) {
  return sheet(1 - u * (1 - tau), u * rho);
}

struct Smooth {
  double eps2;
  double abs(double x) const { return std::sqrt(x * x + eps2); }
};

}  // namespace

GlControls gl_controls(const GlParams& p, const GlControlParams& c, const double* y,
                       const GlWeather& w) {
  (void)p;
  GlControls u{};
  const double t_air = y[kGlTAir];
  u.co2Ppm = gl_co2_ppm(t_air, y[kGlCo2Air]);
  u.rhIn = 100 * y[kGlVpAir] / gl_sat_vp(t_air);

  // lamp schedule: hours on (wrapping midnight when lampsOn > lampsOff, or lampsPhotoperiod
  // hours up to sunset), not on days whose radiation sum exceeds the limit, off while the sun
  // is strong (smooth in the radiation)
  const double h = w.timeOfDay;
  bool in_hours = false;
  if (c.lampsPhotoperiod > 0 && w.sunKnown) {
    // day extension: the light period (lamps and sun) is lampsPhotoperiod hours ending at
    // sunset; before midnight it may already be the next day's
    in_hours = (h >= w.sunset - c.lampsPhotoperiod && h < w.sunset) ||
               h >= 24 + w.sunsetNext - c.lampsPhotoperiod;
  } else if (c.lampsOn < c.lampsOff)
    in_hours = h >= c.lampsOn && h < c.lampsOff;
  else if (c.lampsOn > c.lampsOff)
    in_hours = h >= c.lampsOn || h < c.lampsOff;
  const double period = in_hours && w.dayRadSum < c.lampRadSumLimit ? 1.0 : 0.0;
  const double sun_ok = 1 / (1 + std::exp((w.iGlob - c.lampsOffSun) / c.lampsOffSunBand));
  const double lamp_no_cons = period * sun_ok;
  u.lampPeriod = period;

  u.isDayInside = std::max(period, w.isDay);
  u.heatSetPoint =
      u.isDayInside * c.tSpDay + (1 - u.isDayInside) * c.tSpNight + c.heatCorrection * lamp_no_cons;
  u.uBoil = gl_proportional(t_air, u.heatSetPoint, c.tHeatBand, 0, 1);

  u.ventSetPoint = u.heatSetPoint + c.heatDeadZone;
  const double vent_heat = gl_proportional(t_air, u.ventSetPoint, c.ventHeatPband, 0, 1);
  const double vent_rh = gl_proportional(u.rhIn, c.rhMax, c.ventRhPband, 0, 1);
  const double vent_cold =
      gl_proportional(t_air, u.heatSetPoint - c.tVentOff, c.ventColdPband, 1, 0);
  u.uRoof = std::min(vent_cold, std::max(vent_heat, vent_rh));

  const double th_scr_sp = w.isDay * c.thScrSpDay + (1 - w.isDay) * c.thScrSpNight;
  const double th_scr_cold = gl_proportional(w.tOut, th_scr_sp, c.thScrPband, 0, 1);
  const double th_scr_heat =
      gl_proportional(t_air, u.heatSetPoint + c.thScrDeadZone, -c.thScrPband, 1, 0);
  const double th_scr_rh = std::max(
      gl_proportional(u.rhIn, c.rhMax + c.thScrMaxRh, c.thScrRhPband, 1, 0), 1 - vent_cold);
  u.uThScr = std::min(th_scr_cold, std::min(th_scr_heat, th_scr_rh));

  u.uLamp = lamp_no_cons * gl_proportional(t_air, u.ventSetPoint + c.lampExtraHeat, -0.5, 0, 1) *
            (w.isDay +
             (1 - w.isDay) * std::max(gl_proportional(u.rhIn, c.rhMax + c.blScrExtraRh, -0.5, 0, 1),
                                      1 - vent_cold));
  u.uBlScr = c.useBlScr * (1 - w.isDay) * u.uLamp;

  u.co2SetPoint = u.isDayInside * c.co2SpDay;
  u.uExtCo2 = gl_proportional(u.co2Ppm, u.co2SetPoint, c.co2Band, 0, 1);
  return u;
}

void gl_rhs(const GlParams& p, const GlControlParams& c, const TomatoParams& crop, const double* y,
            const GlWeather& w, double* dydt, GlFluxes* fx, GlControls* controls_out) {
  const GlControls u = gl_controls(p, c, y, w);
  if (controls_out) *controls_out = u;
  const Smooth sm{p.dT_smooth * p.dT_smooth};

  const double tCan = y[kGlTCan], tAir = y[kGlTAir], tFlr = y[kGlTFlr], tThScr = y[kGlTThScr],
               tTop = y[kGlTTop], tCovIn = y[kGlTCovIn], tCovE = y[kGlTCovE], tPipe = y[kGlTPipe],
               tLamp = y[kGlTLamp], tBlScr = y[kGlTBlScr];
  const double* tSo = y + kGlTSo1;
  const double vpAir = y[kGlVpAir], vpTop = y[kGlVpTop], co2Air = y[kGlCo2Air],
               co2Top = y[kGlCo2Top];
  const double tOut = w.tOut, tSky = w.tSky;

  const double lai = std::max(0.0, tomato_lai(crop, y[kGlCLeaf]));
  const double exp_k1 = std::exp(-crop.k1Par * lai), exp_k2 = std::exp(-crop.k2Par * lai);
  const double exp_nir = std::exp(-p.kNir * lai), exp_fir = std::exp(-p.kFir * lai);

  // ---- lumped cover (VT2011 8.4; KZ2021 eqs. 7.5, 7.6): roof, thermal screen, blackout
  // screen, lamps, from the top down
  const Layer par = stack(
      stack(stack(sheet(p.tauRfPar, p.rhoRfPar), screen(u.uThScr, p.tauThScrPar, p.rhoThScrPar)),
            screen(u.uBlScr, p.tauBlScrPar, p.rhoBlScrPar)),
      sheet(p.tauLampPar, 0));
  const Layer nir = stack(
      stack(stack(sheet(p.tauRfNir, p.rhoRfNir), screen(u.uThScr, p.tauThScrNir, p.rhoThScrNir)),
            screen(u.uBlScr, p.tauBlScrNir, p.rhoBlScrNir)),
      sheet(p.tauLampNir, 0));
  const double tauCovPar = par.tau, rhoCovPar = par.rho_up, aCovPar = 1 - tauCovPar - rhoCovPar;
  const double tauCovNir = nir.tau, rhoCovNir = nir.rho_up, aCovNir = 1 - tauCovNir - rhoCovNir;
  // FIR of the cover: the roof (no shading screen or whitewash)
  const double tauCovFir = p.tauRfFir, epsCovFir = 1 - p.tauRfFir - p.rhoRfFir;

  // ---- shortwave from the sun (VT2011 eqs. 8.26-8.37)
  const double iGlob = std::max(0.0, w.iGlob);
  const double par_abs = (1 - crop.rhoCanPar) * (1 - exp_k1) +
                         exp_k1 * crop.rhoFlrPar * (1 - crop.rhoCanPar) * (1 - exp_k2);
  const double rParGhSun = (1 - p.etaGlobAir) * tauCovPar * p.etaGlobPar * iGlob;
  const double rParSunCan = rParGhSun * par_abs;
  const double rParSunFlr = (1 - crop.rhoFlrPar) * exp_k1 * rParGhSun;
  const double rhoHatCanNir = p.rhoCanNir * (1 - exp_nir);
  const Layer cov_can = stack(sheet(1 - rhoCovNir, rhoCovNir), sheet(exp_nir, rhoHatCanNir));
  const Layer cov_can_flr = stack(cov_can, sheet(1 - p.rhoFlrNir, p.rhoFlrNir));
  const double aCanNir = 1 - cov_can_flr.tau - cov_can_flr.rho_up;
  const double aFlrNir = cov_can_flr.tau;
  const double rNirSunCan = (1 - p.etaGlobAir) * aCanNir * p.etaGlobNir * iGlob;
  const double rNirSunFlr = (1 - p.etaGlobAir) * aFlrNir * p.etaGlobNir * iGlob;
  const double rGlobSunAir =
      p.etaGlobAir * iGlob * (tauCovPar * p.etaGlobPar + (aCanNir + aFlrNir) * p.etaGlobNir);
  const double rGlobSunCovE = (aCovPar * p.etaGlobPar + aCovNir * p.etaGlobNir) * iGlob;

  // ---- lamps (KZ2020 App. A; KZ2021 eqs. 7.7-7.12, 7.34)
  const double qLampIn = u.uLamp * p.thetaLampMax;
  const double rParGhLamp = p.etaLampPar * qLampIn;
  const double rParLampCan = rParGhLamp * par_abs;
  const double rNirLampCan = p.etaLampNir * qLampIn * (1 - p.rhoCanNir) * (1 - exp_nir);
  const double rParLampFlr = rParGhLamp * (1 - crop.rhoFlrPar) * exp_k1;
  const double rNirLampFlr = p.etaLampNir * qLampIn * (1 - p.rhoFlrNir) * exp_nir;
  const double rLampAir = (p.etaLampPar + p.etaLampNir) * qLampIn - rParLampCan - rNirLampCan -
                          rParLampFlr - rNirLampFlr;
  const double hLampCool = p.etaLampCool * qLampIn;
  const double hLampAir = p.cHecLampAir * (tLamp - tAir);

  // ---- FIR (VT2011 Table 8.3; KZ2021 Table 7.4)
  const double aCan = 1 - exp_fir;
  const double tauThScrFirU = 1 - u.uThScr * (1 - p.tauThScrFir);
  const double tauBlScrFirU = 1 - u.uBlScr * (1 - p.tauBlScrFir);
  const double tL = p.tauLampFir;
  const double screens = tauThScrFirU * tauBlScrFirU;
  const double rCanCovIn = fir(aCan, p.epsCan, epsCovFir, tL * screens, tCan, tCovIn);
  const double rCanSky = fir(aCan, p.epsCan, p.epsSky, tL * tauCovFir * screens, tCan, tSky);
  const double rCanThScr =
      fir(aCan, p.epsCan, p.epsThScrFir, tL * u.uThScr * tauBlScrFirU, tCan, tThScr);
  const double rCanFlr = fir(aCan, p.epsCan, p.epsFlr, p.fCanFlr, tCan, tFlr);
  const double rCanBlScr = fir(aCan, p.epsCan, p.epsBlScrFir, tL * u.uBlScr, tCan, tBlScr);
  const double fp = 0.49 * exp_fir;
  const double rPipeCovIn = fir(p.aPipe, p.epsPipe, epsCovFir, tL * screens * fp, tPipe, tCovIn);
  const double rPipeSky =
      fir(p.aPipe, p.epsPipe, p.epsSky, tL * tauCovFir * screens * fp, tPipe, tSky);
  const double rPipeThScr =
      fir(p.aPipe, p.epsPipe, p.epsThScrFir, tL * u.uThScr * tauBlScrFirU * fp, tPipe, tThScr);
  const double rPipeBlScr =
      fir(p.aPipe, p.epsPipe, p.epsBlScrFir, tL * u.uBlScr * fp, tPipe, tBlScr);
  const double rPipeFlr = fir(p.aPipe, p.epsPipe, p.epsFlr, 0.49, tPipe, tFlr);
  const double rPipeCan = fir(p.aPipe, p.epsPipe, p.epsCan, 0.49 * (1 - exp_fir), tPipe, tCan);
  const double ff = p.fCanFlr * exp_fir;
  const double rFlrCovIn = fir(1, p.epsFlr, epsCovFir, tL * screens * ff, tFlr, tCovIn);
  const double rFlrSky = fir(1, p.epsFlr, p.epsSky, tL * tauCovFir * screens * ff, tFlr, tSky);
  const double rFlrThScr =
      fir(1, p.epsFlr, p.epsThScrFir, tL * u.uThScr * tauBlScrFirU * ff, tFlr, tThScr);
  const double rFlrBlScr = fir(1, p.epsFlr, p.epsBlScrFir, tL * u.uBlScr * ff, tFlr, tBlScr);
  const double rThScrCovIn = fir(1, p.epsThScrFir, epsCovFir, u.uThScr, tThScr, tCovIn);
  const double rThScrSky = fir(1, p.epsThScrFir, p.epsSky, tauCovFir * u.uThScr, tThScr, tSky);
  const double rCovESky = fir(1, epsCovFir, p.epsSky, 1, tCovE, tSky);
  const double rBlScrSky =
      fir(u.uBlScr, p.epsBlScrFir, p.epsSky, tauCovFir * tauThScrFirU, tBlScr, tSky);
  const double rBlScrCovIn = fir(u.uBlScr, p.epsBlScrFir, epsCovFir, tauThScrFirU, tBlScr, tCovIn);
  const double rBlScrThScr = fir(u.uBlScr, p.epsBlScrFir, p.epsThScrFir, u.uThScr, tBlScr, tThScr);
  const double rLampSky = fir(p.aLamp, p.epsLampTop, p.epsSky, tauCovFir * screens, tLamp, tSky);
  const double rLampCovIn = fir(p.aLamp, p.epsLampTop, epsCovFir, screens, tLamp, tCovIn);
  const double rLampThScr =
      fir(p.aLamp, p.epsLampTop, p.epsThScrFir, u.uThScr * tauBlScrFirU, tLamp, tThScr);
  const double rLampBlScr = fir(p.aLamp, p.epsLampTop, p.epsBlScrFir, u.uBlScr, tLamp, tBlScr);
  const double rFirLampCan = fir(p.aLamp, p.epsLampBottom, p.epsCan, aCan, tLamp, tCan);
  const double rLampPipe = fir(p.aLamp, p.epsLampBottom, p.epsPipe,
                               0.49 * kPi * p.lPipe * p.phiPipeE * exp_fir, tLamp, tPipe);
  const double rFirLampFlr = fir(p.aLamp, p.epsLampBottom, p.epsFlr, ff, tLamp, tFlr);

  // ---- convection and conduction (VT2011 Table 8.4; KZ2021 eqs. 7.31-7.38)
  const double hCanAir = 2 * p.alfaLeafAir * lai * (tCan - tAir);
  const double dAF = tFlr - tAir;
  const double hec_air_flr =
      dAF > 0 ? 1.7 * std::pow(sm.abs(dAF), 0.33) : 1.3 * std::pow(sm.abs(dAF), 0.25);
  const double hAirFlr = hec_air_flr * (tAir - tFlr);
  const double hec_air_th = 1.7 * u.uThScr * std::pow(sm.abs(tAir - tThScr), 0.33);
  const double hAirThScr = hec_air_th * (tAir - tThScr);
  const double hec_air_bl = 1.7 * u.uBlScr * std::pow(sm.abs(tAir - tBlScr), 0.33);
  const double hAirBlScr = hec_air_bl * (tAir - tBlScr);
  const double hThScrTop = 1.7 * u.uThScr * std::pow(sm.abs(tThScr - tTop), 0.33) * (tThScr - tTop);
  const double hBlScrTop = 1.7 * u.uBlScr * std::pow(sm.abs(tBlScr - tTop), 0.33) * (tBlScr - tTop);
  const double hec_top_cov = p.cHecIn * std::pow(sm.abs(tTop - tCovIn), 0.33) * p.aCov / p.aFlr;
  const double hTopCovIn = hec_top_cov * (tTop - tCovIn);
  const double hCovEOut =
      p.aCov / p.aFlr * (p.cHecOut1 + p.cHecOut2 * std::pow(w.wind, p.cHecOut3)) * (tCovE - tOut);
  const double hPipeAir =
      1.99 * kPi * p.phiPipeE * p.lPipe * std::pow(sm.abs(tPipe - tAir), 0.32) * (tPipe - tAir);
  const double hFlrSo1 = 2 / (p.hFlr / p.lambdaFlr + p.hSo[0] / p.lambdaSo) * (tFlr - tSo[0]);
  double hSoSo[5];
  for (int i = 0; i < 4; ++i)
    hSoSo[i] = 2 * p.lambdaSo / (p.hSo[i] + p.hSo[i + 1]) * (tSo[i] - tSo[i + 1]);
  hSoSo[4] = 2 * p.lambdaSo / (p.hSo[4] + p.hSoOut) * (tSo[4] - w.tSoOut);
  const double hCovInCovE = p.hecCovInCovE * (tCovIn - tCovE);
  const double hBoilPipe = u.uBoil * p.pBoil;

  // air flux through the screens (VT2011 eq. 8.41; KZ2021 eqs. 7.37, 7.38)
  const double rhoAir = p.mAir * p.pressure / ((tAir + kKelvin) * p.R);
  const double rhoTop = p.mAir * p.pressure / ((tTop + kKelvin) * p.R);
  const double rhoMean = 0.5 * (rhoAir + rhoTop);
  const double dRho = sm.abs((rhoAir - rhoTop) * 1e3) * 1e-3;  // smoothing on a kg m-3 scale
  const double dTTop = std::pow(sm.abs(tAir - tTop), 0.66);
  const double fThScr =
      u.uThScr * p.kThScr * dTTop +
      (1 - u.uThScr) / rhoMean * std::sqrt(0.5 * rhoMean * (1 - u.uThScr) * p.g * dRho);
  const double fBlScr =
      u.uBlScr * p.kBlScr * dTTop +
      (1 - u.uBlScr) / rhoMean * std::sqrt(0.5 * rhoMean * (1 - u.uBlScr) * p.g * dRho);
  const double fScr = std::min(fThScr, fBlScr);

  // natural ventilation through the roof (VT2011 eqs. 8.65, 8.70-8.72; KZ2021 eq. 7.42), no
  // side vents: the roof is all of the vent area, so there is no chimney term
  const double etaInsScr = p.zetaInsScr * (2 - p.zetaInsScr);
  const double fLeakage = p.cLeakage * std::max(w.wind, 0.25);
  const double buoy = p.g * p.hVent * (tAir - tOut) / (2 * (0.5 * tAir + 0.5 * tOut + kKelvin));
  const double fVentRoof2 = u.uRoof * p.aRoof * p.cDgh / (2 * p.aFlr) *
                            std::sqrt(sm.abs(buoy + p.cWgh * w.wind * w.wind));
  const double fVentRoof = etaInsScr * fVentRoof2 + p.cLeakTop * fLeakage;
  const double fVentSide = (1 - p.cLeakTop) * fLeakage;
  const double hAirOut = p.rhoAirCap * p.cPAir * fVentSide * (tAir - tOut);
  const double hAirTop = p.rhoAirCap * p.cPAir * fScr * (tAir - tTop);
  const double hTopOut = p.rhoAirCap * p.cPAir * fVentRoof * (tTop - tOut);

  // ---- vapour (VT2011 eqs. 8.43-8.52; KZ2021 eq. 7.39)
  auto cond = [](double hec, double vp1, double vp2) {
    return 1 / (1 + std::exp(-0.1 * (vp1 - vp2))) * 6.4e-9 * hec * (vp1 - vp2);
  };
  const double mw_r = p.mWater / p.R;
  auto air_mv = [&](double f, double vp1, double vp2, double t1, double t2) {
    return mw_r * f * (vp1 / (t1 + kKelvin) - vp2 / (t2 + kKelvin));
  };
  const double mvAirThScr = cond(hec_air_th, vpAir, gl_sat_vp(tThScr));
  const double mvAirBlScr = std::max(0.0, cond(hec_air_bl, vpAir, gl_sat_vp(tBlScr)));
  const double mvTopCovIn = cond(hec_top_cov, vpTop, gl_sat_vp(tCovIn));
  const double mvAirTop = air_mv(fScr, vpAir, vpTop, tAir, tTop);
  const double mvAirOut = air_mv(fVentSide, vpAir, w.vpOut, tAir, tOut);
  const double mvTopOut = air_mv(fVentRoof, vpTop, w.vpOut, tTop, tOut);
  // transpiration (VT2011 eqs. 8.47-8.52; radiation above the canopy incl. lamps, KZ2021 7.23)
  const double rCan =
      (1 - p.etaGlobAir) * (tauCovPar * p.etaGlobPar + tauCovNir * p.etaGlobNir) * iGlob +
      (p.etaLampPar + p.etaLampNir) * qLampIn;
  const double rfRCan = (rCan + p.cEvap1) / (rCan + p.cEvap2);
  const double sRs = 1 / (1 + std::exp(p.sRsSlope * (rCan - p.rCanSp)));
  const double cEvap3 = p.cEvap3Night * (1 - sRs) + p.cEvap3Day * sRs;
  const double cEvap4 = p.cEvap4Night * (1 - sRs) + p.cEvap4Day * sRs;
  const double co2_dev = p.etaMgPpm * co2Air - 200;
  const double rfCo2 = std::min(1.5, 1 + cEvap3 * co2_dev * co2_dev);
  const double vpd_can = gl_sat_vp(tCan) - vpAir;
  const double rfVp = std::min(5.8, 1 + cEvap4 * vpd_can * vpd_can);
  const double rS = p.rSMin * rfRCan * rfCo2 * rfVp;
  const double vecCanAir = 2 * p.rhoAirCap * p.cPAir * lai / (p.L * p.gammaPsych * (p.rB + rS));
  const double mvCanAir = vecCanAir * vpd_can;
  const double lCanAir = p.L * mvCanAir, lAirThScr = p.L * mvAirThScr, lAirBlScr = p.L * mvAirBlScr,
               lTopCovIn = p.L * mvTopCovIn;

  // ---- crop (tomato.hpp): PAR above the canopy from the sun and the lamps, in umol
  const double par_above = p.parJtoUmolSun * rParGhSun + p.zetaLampPar * rParGhLamp;
  const double co2_ppm = u.co2Ppm;
  const TomatoRates cr = tomato_rates(
      crop,
      TomatoCrop{y[kGlCBuf], y[kGlCLeaf], y[kGlCStem], y[kGlCFruit], y[kGlTCanSum], y[kGlTCan24]},
      TomatoClimate{par_above, tCan, co2_ppm});

  // ---- CO2 (VT2011 eqs. 8.12, 8.13, 8.46, 8.77)
  const double mcExtAir = u.uExtCo2 * p.phiExtCo2;
  const double mcAirCan = cr.net_assimilation_mg_co2_s;
  const double mcAirTop = fScr * (co2Air - co2Top);
  const double mcAirOut = fVentSide * (co2Air - w.co2Out);
  const double mcTopOut = fVentRoof * (co2Top - w.co2Out);

  // ---- balances
  const double capCan = std::max(p.capLeaf * lai, 1.0);
  const double netCan = rParSunCan + rNirSunCan + rPipeCan - hCanAir - lCanAir - rCanCovIn -
                        rCanFlr - rCanSky - rCanThScr - rCanBlScr + rParLampCan + rNirLampCan +
                        rFirLampCan;
  const double netAir = hCanAir + hPipeAir + rGlobSunAir - hAirFlr - hAirThScr - hAirOut - hAirTop -
                        hAirBlScr + hLampAir + rLampAir;
  const double netFlr = hAirFlr + rParSunFlr + rNirSunFlr + rCanFlr + rPipeFlr - hFlrSo1 -
                        rFlrCovIn - rFlrSky - rFlrThScr - rFlrBlScr + rParLampFlr + rNirLampFlr +
                        rFirLampFlr;
  const double netThScr = hAirThScr + lAirThScr + rCanThScr + rFlrThScr + rPipeThScr - hThScrTop -
                          rThScrCovIn - rThScrSky + rBlScrThScr + rLampThScr;
  const double netBlScr = hAirBlScr + lAirBlScr + rCanBlScr + rFlrBlScr + rPipeBlScr - hBlScrTop -
                          rBlScrCovIn - rBlScrSky - rBlScrThScr + rLampBlScr;
  const double netTop = hThScrTop + hAirTop - hTopCovIn - hTopOut + hBlScrTop;
  const double netCovIn = hTopCovIn + lTopCovIn + rCanCovIn + rFlrCovIn + rPipeCovIn + rThScrCovIn -
                          hCovInCovE + rBlScrCovIn + rLampCovIn;
  const double netCovE = rGlobSunCovE + hCovInCovE - hCovEOut - rCovESky;
  const double netPipe = hBoilPipe - rPipeSky - rPipeCovIn - rPipeCan - rPipeFlr - rPipeThScr -
                         hPipeAir - rPipeBlScr + rLampPipe;
  const double netLamp = qLampIn - rLampSky - rLampCovIn - rLampThScr - rLampBlScr - hLampAir -
                         rParLampCan - rNirLampCan - rFirLampCan - rLampPipe - rParLampFlr -
                         rNirLampFlr - rFirLampFlr - rLampAir - hLampCool;
  double netSo[5];
  netSo[0] = hFlrSo1 - hSoSo[0];
  for (int i = 1; i < 5; ++i) netSo[i] = hSoSo[i - 1] - hSoSo[i];

  dydt[kGlTCan] = netCan / capCan;
  dydt[kGlTAir] = netAir / p.capAir;
  dydt[kGlTFlr] = netFlr / p.capFlr;
  for (int i = 0; i < 5; ++i) dydt[kGlTSo1 + static_cast<std::size_t>(i)] = netSo[i] / p.capSo[i];
  dydt[kGlTThScr] = netThScr / p.capThScr;
  dydt[kGlTTop] = netTop / p.capTop;
  dydt[kGlTCovIn] = netCovIn / p.capCovIn;
  dydt[kGlTCovE] = netCovE / p.capCovE;
  dydt[kGlTPipe] = netPipe / p.capPipe;
  dydt[kGlTLamp] = netLamp / p.capLamp;
  dydt[kGlTBlScr] = netBlScr / p.capBlScr;

  const double capVpAir = p.mWater * p.hAir / (p.R * (tAir + kKelvin));
  const double capVpTop = p.mWater * (p.hGh - p.hAir) / (p.R * (tTop + kKelvin));
  dydt[kGlVpAir] = (mvCanAir - mvAirThScr - mvAirTop - mvAirOut - mvAirBlScr) / capVpAir;
  dydt[kGlVpTop] = (mvAirTop - mvTopCovIn - mvTopOut) / capVpTop;
  dydt[kGlCo2Air] = (mcExtAir - mcAirCan - mcAirTop - mcAirOut) / p.hAir;
  dydt[kGlCo2Top] = (mcAirTop - mcTopOut) / (p.hGh - p.hAir);

  dydt[kGlCBuf] = cr.d.c_buf_mg_m2;
  dydt[kGlCLeaf] = cr.d.c_leaf_mg_m2;
  dydt[kGlCStem] = cr.d.c_stem_mg_m2;
  dydt[kGlCFruit] = cr.d.c_fruit_mg_m2;
  dydt[kGlTCanSum] = cr.d.temp_sum_c_d;
  dydt[kGlTCan24] = cr.d.canopy_temp_24h_c;

  dydt[kGlHeatMj] = hBoilPipe * 1e-6;
  dydt[kGlLampMj] = qLampIn * 1e-6;
  dydt[kGlCo2Kg] = mcExtAir * 1e-6;
  dydt[kGlTranspKg] = mvCanAir;
  dydt[kGlFruitHar] = cr.fruit_harvest_mg_m2_s;
  dydt[kGlLeafHar] = cr.leaf_harvest_mg_m2_s;

  if (fx) {
    GlFluxes& f = *fx;
    f.boiler = hBoilPipe;
    f.lamp_electric = qLampIn;
    f.sun_absorbed = rParSunCan + rNirSunCan + rParSunFlr + rNirSunFlr + rGlobSunAir + rGlobSunCovE;
    f.to_sky = rCanSky + rPipeSky + rFlrSky + rThScrSky + rCovESky + rBlScrSky + rLampSky;
    f.to_outside_air = hCovEOut + hAirOut + hTopOut;
    f.to_soil = hSoSo[4];
    f.lamp_cooling = hLampCool;
    f.latent_out = p.L * (mvAirOut + mvTopOut);
    f.heat_in = f.boiler + f.lamp_electric + f.sun_absorbed;
    f.heat_out = f.to_sky + f.to_outside_air + f.to_soil + f.lamp_cooling + f.latent_out;
    f.stored = netCan + netAir + netFlr + netThScr + netBlScr + netTop + netCovIn + netCovE +
               netPipe + netLamp;
    for (double s : netSo) f.stored += s;
    f.latent_stored = p.L * (mvCanAir - mvAirThScr - mvAirBlScr - mvTopCovIn - mvAirOut - mvTopOut);
    f.lamp_par_w = rParGhLamp;
    f.lamp_nir_w = p.etaLampNir * qLampIn;
    f.lamp_convection = hLampAir;
    f.lamp_fir =
        rLampSky + rLampCovIn + rLampThScr + rLampBlScr + rFirLampCan + rLampPipe + rFirLampFlr;
    f.par_above_canopy_umol = par_above;
    f.transpiration_kg_s = mvCanAir;
    f.co2_injection_mg_s = mcExtAir;
    f.net_assimilation_mg_s = mcAirCan;
    f.f_vent_roof = fVentRoof;
    f.f_vent_side = fVentSide;
    f.lai = lai;
  }
}

}  // namespace dtwin::greenhouse
