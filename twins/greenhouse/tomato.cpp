#include "twins/greenhouse/tomato.hpp"

#include <cmath>

namespace dtwin::greenhouse {

TomatoParams TomatoParams::from(const ParamSet& s) {
  TomatoParams p{};
  p.alpha = s.param("alpha");
  p.theta = s.param("theta");
  p.etaCo2AirStom = s.param("etaCo2AirStom");
  p.cGamma = s.param("cGamma");
  p.j25LeafMax = s.param("j25LeafMax");
  p.eJ = s.param("eJ");
  p.H = s.param("H");
  p.S = s.param("S");
  p.t25k = s.param("t25k");
  p.R = s.param("R");
  p.mCh2o = s.param("mCh2o");
  p.mCo2 = s.param("mCo2");
  p.cBufMax = s.param("cBufMax");
  p.cBufMin = s.param("cBufMin");
  p.sBufMax = s.param("sBufMax");
  p.sBufMin = s.param("sBufMin");
  p.rgFruit = s.param("rgFruit");
  p.rgLeaf = s.param("rgLeaf");
  p.rgStem = s.param("rgStem");
  p.cFruitG = s.param("cFruitG");
  p.cLeafG = s.param("cLeafG");
  p.cStemG = s.param("cStemG");
  p.cFruitM = s.param("cFruitM");
  p.cLeafM = s.param("cLeafM");
  p.cStemM = s.param("cStemM");
  p.cRgr = s.param("cRgr");
  p.rgr = s.param("rgr");
  p.q10m = s.param("q10m");
  p.sla = s.param("sla");
  p.laiMax = s.param("laiMax");
  p.tEndSum = s.param("tEndSum");
  p.tCanMin = s.param("tCanMin");
  p.tCanMax = s.param("tCanMax");
  p.tCan24Min = s.param("tCan24Min");
  p.tCan24Max = s.param("tCan24Max");
  p.sTCanMin = s.param("sTCanMin");
  p.sTCanMax = s.param("sTCanMax");
  p.sTCan24Min = s.param("sTCan24Min");
  p.sTCan24Max = s.param("sTCan24Max");
  p.cFruitMax = s.param("cFruitMax");
  p.fruitHarSmooth = s.param("fruitHarSmooth");
  p.fruitHarMax = s.param("fruitHarMax");
  p.leafHarSmooth = s.param("leafHarSmooth");
  p.leafHarMax = s.param("leafHarMax");
  p.k1Par = s.param("k1Par");
  p.k2Par = s.param("k2Par");
  p.rhoCanPar = s.param("rhoCanPar");
  p.rhoFlrPar = s.param("rhoFlrPar");
  p.dry_matter_fraction = s.param("dry_matter_fraction");
  return p;
}

namespace {

// logistic switch: 1 / (1 + exp(-slope (x - at))), from 0 (x << at) to 1 (x >> at)
double rise(double x, double at, double slope) {
  return 1 / (1 + std::exp(-slope * (x - at)));
}

// smooth harvest rate (Katzin 2021, eq. 7.45): from 0 to max_rate over about `smooth` around cut
double smooth_harvest(double x, double cut, double smooth, double max_rate) {
  return max_rate / (1 + std::exp(-(x - cut) * 2 * std::log(100.0) / smooth));
}

}  // namespace

double tomato_lai(const TomatoParams& p, double c_leaf_mg_m2) {
  return p.sla * c_leaf_mg_m2;
}

TomatoRates tomato_rates(const TomatoParams& p, const TomatoCrop& x, const TomatoClimate& c) {
  TomatoRates r{};
  const double lai = tomato_lai(p, x.c_leaf_mg_m2);
  const double t_can = c.canopy_temp_c, t24 = x.canopy_temp_24h_c;

  // PAR absorbed by the canopy, from above and after reflection from the floor (9.17-9.19)
  const double into_canopy = c.par_umol_m2_s * (1 - p.rhoCanPar);
  const double par_can =
      into_canopy * (1 - std::exp(-p.k1Par * lai)) +
      p.rhoFlrPar * into_canopy * std::exp(-p.k1Par * lai) * (1 - std::exp(-p.k2Par * lai));
  r.par_absorbed_umol_m2_s = par_can;

  // electron transport (9.14-9.16)
  const double t_k = t_can + 273.15;
  const double j25_can = lai * p.j25LeafMax;
  const double j_pot = j25_can * std::exp(p.eJ * (t_k - p.t25k) / (1e-3 * p.R * t_k * p.t25k)) *
                       (1 + std::exp((p.S * p.t25k - p.H) / (1e-3 * p.R * p.t25k))) /
                       (1 + std::exp((p.S * t_k - p.H) / (1e-3 * p.R * t_k)));
  const double a_par = p.alpha * par_can;
  const double j =
      (j_pot + a_par - std::sqrt((j_pot + a_par) * (j_pot + a_par) - 4 * p.theta * j_pot * a_par)) /
      (2 * p.theta);

  // CO2 in the stomata and the compensation point (9.21, 9.23)
  const double co2_stom = p.etaCo2AirStom * c.co2_ppm;
  const double leaf_share = p.j25LeafMax / j25_can;
  const double gamma = leaf_share * p.cGamma * t_can + 20 * p.cGamma * (1 - leaf_share);

  // gross photosynthesis and photorespiration (9.12, 9.13); into the buffer unless full (9.10)
  const double phot = j * (co2_stom - gamma) / (4 * (co2_stom + 2 * gamma));
  const double photoresp = phot * gamma / co2_stom;
  const double h_air_buf = 1 / (1 + std::exp(p.sBufMax * (x.c_buf_mg_m2 - p.cBufMax)));
  const double air_buf = p.mCh2o * h_air_buf * (phot - photoresp);

  // flows from the buffer to the organs (9.24-9.28, B.1-B.3, B.6)
  const double h_buf_org = rise(x.c_buf_mg_m2, p.cBufMin, p.sBufMin);
  const double h_t_can =
      rise(t_can, p.tCanMin, p.sTCanMin) * (1 - rise(t_can, p.tCanMax, p.sTCanMax));
  const double h_t_can24 =
      rise(t24, p.tCan24Min, p.sTCan24Min) * (1 - rise(t24, p.tCan24Max, p.sTCan24Max));
  const double sum = x.temp_sum_c_d / p.tEndSum;
  const double h_t_sum = 0.5 * (sum + std::sqrt(sum * sum + 1e-4)) -
                         0.5 * ((sum - 1) + std::sqrt((sum - 1) * (sum - 1) + 1e-4));
  const double g_t_can24 = 0.047 * t24 + 0.06;
  const double buf_fruit = h_buf_org * h_t_can * h_t_can24 * h_t_sum * g_t_can24 * p.rgFruit;
  const double buf_leaf = h_buf_org * h_t_can24 * g_t_can24 * p.rgLeaf;
  const double buf_stem = h_buf_org * h_t_can24 * g_t_can24 * p.rgStem;

  // growth respiration (9.43, 9.44) and maintenance respiration (9.45)
  const double growth_resp = p.cLeafG * buf_leaf + p.cStemG * buf_stem + p.cFruitG * buf_fruit;
  const double maint = (1 - std::exp(-p.cRgr * p.rgr)) * std::pow(p.q10m, 0.1 * (t24 - 25));
  const double leaf_resp = maint * x.c_leaf_mg_m2 * p.cLeafM;
  const double stem_resp = maint * x.c_stem_mg_m2 * p.cStemM;
  const double fruit_resp = maint * x.c_fruit_mg_m2 * p.cFruitM;

  // leaf pruning above laiMax (9.46, 9.47) and fruit harvest above cFruitMax (KZ2021 7.45)
  r.leaf_harvest_mg_m2_s =
      smooth_harvest(x.c_leaf_mg_m2, p.laiMax / p.sla, p.leafHarSmooth, p.leafHarMax);
  r.fruit_harvest_mg_m2_s =
      smooth_harvest(x.c_fruit_mg_m2, p.cFruitMax, p.fruitHarSmooth, p.fruitHarMax);

  r.net_assimilation_mg_co2_s =
      p.mCo2 / p.mCh2o * (air_buf - growth_resp - leaf_resp - stem_resp - fruit_resp);

  r.d.c_buf_mg_m2 = air_buf - buf_fruit - buf_leaf - buf_stem - growth_resp;
  r.d.c_fruit_mg_m2 = buf_fruit - fruit_resp - r.fruit_harvest_mg_m2_s;
  r.d.c_leaf_mg_m2 = buf_leaf - leaf_resp - r.leaf_harvest_mg_m2_s;
  r.d.c_stem_mg_m2 = buf_stem - stem_resp;
  r.d.temp_sum_c_d = t_can / 86400;
  r.d.canopy_temp_24h_c = (t_can - t24) / 86400;
  return r;
}

}  // namespace dtwin::greenhouse
