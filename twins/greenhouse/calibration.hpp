// Calibrating a greenhouse scenario's parameters from observations of its time series
// (dtwin fit FILE --observed CSV --param POINTER..., or the scenario's recipe):
//
//   "calibrate": {"observed": "koala_samples.csv",
//                 "params": ["/twins/agc/params/c_alpha_beta", "/twins/agc/params/c_pl_d"]}
//
// Each parameter is a JSON pointer to a number of the scenario, or to a parameter of a
// greenhouse twin's parameter file that the scenario does not override yet
// (/twins/ID/params/NAME, /twins/ID/initial/NAME: it starts from the file's value). The fit is
// weighted least squares (least_squares.hpp) of the observations (observations.hpp) against the
// baseline's series at the observed times, each evaluation a run of the scenario with the
// parameters merged in as a patch (RFC 7386). Positive parameters are fitted as logarithms: the
// steps and the intervals are relative, the estimates stay positive. The result is that merge
// patch, which `dtwin run FILE --patch PATCH.json` applies.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/scenario/registry.hpp"
#include "engine/scenario/scenario.hpp"
#include "twins/greenhouse/least_squares.hpp"
#include "twins/greenhouse/observations.hpp"

namespace dtwin::greenhouse {

// The recipe of a scenario's "calibrate" member, checked: where its observations are and which
// parameters it fits. ScenarioErrors at the member (a pointer that is no number of the
// scenario, a column that is no series of its twins, a bad time). Empty when there is none.
struct Recipe {
  std::string observed;  // the CSV to open
  std::string shown;     // ... as messages name it
  std::vector<std::string> params;
};
Recipe read_recipe(const Scenario& sc, const Registry& reg);
// The check behind it, which compiling a scenario runs (register.cpp): root's "calibrate"
// against the greenhouse twins built from root.
Recipe check_recipe(const Node& root, const std::vector<std::shared_ptr<const Model>>& models,
                    const FileAccess& files, double duration_s);

// A parameter to fit and its starting value. ScenarioError at `pointer` (located in the
// scenario's file) when it names no number and no parameter of a greenhouse twin.
struct FitParam {
  std::string pointer;
  double start = 0;
};
FitParam fit_param(const Scenario& sc, const Registry& reg, const std::string& pointer);

// The merge patch setting each pointer to its value: {"twins": {"agc": {"params": {...}}}}.
// ScenarioError for a pointer through an array (a merge patch cannot address one element).
nlohmann::json merge_patch_of(const std::vector<std::string>& pointers,
                              const std::vector<double>& values);

// The observations of the scenario's series: read with its baseline's series and calendar.
Observations observations_for(const Scenario& sc, const Registry& reg, const std::string& path,
                              const std::string& shown);

// The baseline's values at the observations, with `patch` merged into it: one per observed
// value, row by row and within a row in the file's column order.
std::vector<double> predict(const Scenario& sc, const Registry& reg, const nlohmann::json& patch,
                            const Observations& obs);

struct Calibration {
  std::vector<FitParam> params;
  std::vector<double> estimate, lo, hi;         // 95% intervals, in the parameters' units
  std::vector<double> se_rel;                   // standard error relative to the estimate (log fit)
  LsqResult lsq;                                // in the fitted coordinates
  nlohmann::json patch;                         // the estimates as a merge patch
  std::vector<double> observed, before, after;  // per observed value (predict's order)
};

Calibration calibrate(const Scenario& sc, const Registry& reg, std::vector<FitParam> params,
                      const Observations& obs, const LsqOptions& options = {});

}  // namespace dtwin::greenhouse
