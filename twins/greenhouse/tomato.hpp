// The tomato crop model of Vanthoor (2011), as simplified in GreenLight (Katzin et al. 2020;
// Katzin 2021): a carbohydrate buffer fed by canopy photosynthesis and emptied into leaves,
// stems and fruit; the 24-hour mean canopy temperature and the temperature sum set the flows;
// LAI follows leaf mass; leaves are pruned above laiMax and fruit harvested above cFruitMax.
//
// Sources: Vanthoor (2011), PhD thesis, Wageningen, Chapter 9 (eqs. 9.1-9.47, B.1-B.6,
// Tables 9.1, 9.2), https://edepot.wur.nl/170301, also Vanthoor et al. (2011) Biosystems
// Engineering 110(4) 378-395; Katzin et al. (2020) Biosystems Engineering 194 61-81; Katzin
// (2021), PhD thesis, Chapter 7 (eq. 7.45, harvest). Equations and values as written in
// GreenLight's crop_vanthoor_2011_chapter_9_simplified.json and, for the crop run alone,
// extension_crop_vanthoor_2011_for_standalone.json (davkat1/GreenLight). Values in
// assets/greenhouse/vanthoor2011_tomato.json.
//
//   dcBuf/dt   = MC_AirBuf - MC_BufFruit - MC_BufLeaf - MC_BufStem - MC_BufAir     (9.1)
//   dcFruit/dt = MC_BufFruit - MC_FruitAir - MC_FruitHar                          (9.2)
//   dcLeaf/dt  = MC_BufLeaf - MC_LeafAir - MC_LeafHar                             (9.4)
//   dcStem/dt  = MC_BufStem - MC_StemAir                                          (9.6)
//   dtCanSum/dt = tCan / 86400 (degC d per s),  dtCan24/dt = (tCan - tCan24) / 86400
//   LAI = sla cLeaf                                                               (9.5)
// with absorbed PAR (standalone: PAR above the canopy parGh, 9.17-9.19)
//   parCan = parGh (1 - rhoCanPar)(1 - e^(-k1 LAI))
//          + rhoFlrPar parGh (1 - rhoCanPar) e^(-k1 LAI)(1 - e^(-k2 LAI))
// photosynthesis (9.10-9.23): MC_AirBuf = mCh2o hAirBuf (P - R), P = J (CO2Stom - Gamma) /
// (4 (CO2Stom + 2 Gamma)), R = P Gamma / CO2Stom, J from the non-rectangular hyperbola in Jpot
// and alpha parCan; the flows to organs (9.24-9.28) and respiration (9.43-9.45) as in the
// source files; harvest and pruning smoothHar(x, cut, smooth, max) =
//   max / (1 + exp(-(x - cut) 2 ln(100) / smooth))                               (KZ2021 7.45)
//
// Pure functions of (params, state, climate); no state is kept here.
#pragma once

#include "twins/greenhouse/params.hpp"

namespace dtwin::greenhouse {

struct TomatoParams {
  double alpha, theta, etaCo2AirStom, cGamma, j25LeafMax, eJ, H, S, t25k, R, mCh2o, mCo2, cBufMax,
      cBufMin, sBufMax, sBufMin, rgFruit, rgLeaf, rgStem, cFruitG, cLeafG, cStemG, cFruitM, cLeafM,
      cStemM, cRgr, rgr, q10m, sla, laiMax, tEndSum, tCanMin, tCanMax, tCan24Min, tCan24Max,
      sTCanMin, sTCanMax, sTCan24Min, sTCan24Max, cFruitMax, fruitHarSmooth, fruitHarMax,
      leafHarSmooth, leafHarMax, k1Par, k2Par, rhoCanPar, rhoFlrPar, dry_matter_fraction;

  static TomatoParams from(const ParamSet& s);
};

struct TomatoCrop {
  double c_buf_mg_m2;        // cBuf, carbohydrates (CH2O) in the buffer
  double c_leaf_mg_m2;       // cLeaf
  double c_stem_mg_m2;       // cStem
  double c_fruit_mg_m2;      // cFruit
  double temp_sum_c_d;       // tCanSum
  double canopy_temp_24h_c;  // tCan24
};

struct TomatoClimate {
  double par_umol_m2_s;  // parGh, PAR above the canopy
  double canopy_temp_c;  // tCan
  double co2_ppm;        // co2InPpm, CO2 of the air around the crop
};

struct TomatoRates {
  TomatoCrop d;                      // time derivatives of the states (per second)
  double fruit_harvest_mg_m2_s;      // MC_FruitHar
  double leaf_harvest_mg_m2_s;       // MC_LeafHar
  double net_assimilation_mg_co2_s;  // MC_AirCan, net CO2 taken from the air (mg m-2 s-1)
  double par_absorbed_umol_m2_s;     // parCan
};

double tomato_lai(const TomatoParams& p, double c_leaf_mg_m2);

TomatoRates tomato_rates(const TomatoParams& p, const TomatoCrop& x, const TomatoClimate& c);

}  // namespace dtwin::greenhouse
