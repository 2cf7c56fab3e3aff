#include "twins/greenhouse/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <stdexcept>

#include "engine/scenario/suggest.hpp"
#include "engine/sim/world.hpp"
#include "twins/greenhouse/params.hpp"

namespace dtwin::greenhouse {

namespace {

// the parameter file behind a greenhouse twin kind's "params" and "initial", or nullptr
const char* parameter_file(const std::string& kind) {
  if (kind == "lettuce_greenhouse" || kind == "lettuce_crop") return "vanhenten1994";
  if (kind == "tomato_crop") return "vanthoor2011_tomato";
  return nullptr;
}

// /twins/ID/params/NAME or /twins/ID/initial/NAME of a parameter file the scenario does not
// override: its value there; NaN with `why` otherwise
double file_default(const nlohmann::json& doc, const std::vector<std::string>& t,
                    std::string* why) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const bool shape = t.size() == 4 && t[0] == "twins" && (t[2] == "params" || t[2] == "initial");
  const nlohmann::json* twin = nullptr;
  if (shape && doc.contains("twins") && doc["twins"].is_object() && doc["twins"].contains(t[1]))
    twin = &doc["twins"][t[1]];
  const char* file = twin && twin->contains("kind") && (*twin)["kind"].is_string()
                         ? parameter_file((*twin)["kind"].get<std::string>())
                         : nullptr;
  if (!file) {
    *why =
        "no such member in the scenario (a parameter to fit is a number of the scenario, or "
        "/twins/ID/params/NAME of a lettuce or tomato twin's parameter file)";
    return nan;
  }
  const ParamSet ps = ParamSet::builtin(file);
  std::vector<std::string> names;
  for (const auto& e : t[2] == "params" ? ps.params() : ps.initials()) {
    if (e.name == t[3]) return e.value;
    names.push_back(e.name);
  }
  *why = "no " + t[2] + " entry \"" + t[3] + "\" in " + file + ".json" + did_you_mean(t[3], names);
  return nan;
}

// the number at `pointer` of the document, else the parameter file's; NaN with `why`
double start_value(const nlohmann::json& doc, const std::string& pointer, std::string* why) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (pointer.empty() || pointer[0] != '/') {
    *why = "expected a JSON pointer such as /twins/agc/params/c_alpha_beta";
    return nan;
  }
  const auto tokens = pointer_tokens(pointer);
  const nlohmann::json* j = &doc;
  for (const auto& t : tokens) {
    if (j->is_array()) {
      *why = "a merge patch cannot set one element of an array: fit a member of an object";
      return nan;
    }
    if (!j->is_object() || !j->contains(t)) return file_default(doc, tokens, why);
    j = &(*j)[t];
  }
  if (!j->is_number()) {
    *why = "expected a number to fit, got " + Node(*j).type_name() + " " + Node(*j).preview();
    return nan;
  }
  return j->get<double>();
}

// the observed values and their standard deviations, in predict's order
void flatten(const Observations& o, std::vector<double>& y, std::vector<double>& sd) {
  for (const auto& [r, s] : o.cells()) {
    y.push_back(o.value[s][r]);
    sd.push_back(o.sd[s][r]);
  }
}

std::vector<std::string> series_of(const std::vector<std::shared_ptr<const Model>>& models) {
  std::vector<std::string> cols;
  for (const auto& m : models) m->columns(cols);
  return cols;
}

std::optional<double> origin_of(const std::vector<std::shared_ptr<const Model>>& models) {
  for (const auto& m : models)
    if (auto o = m->calendar_origin()) return o;
  return std::nullopt;
}

}  // namespace

Recipe check_recipe(const Node& root, const std::vector<std::shared_ptr<const Model>>& models,
                    const FileAccess& files, double duration_s) {
  const Node c = root.at("calibrate");
  if (!c.is_object())
    c.expected("an object {\"observed\": \"FILE.csv\", \"params\": [\"/twins/ID/params/NAME\"]}");
  c.check_keys({"observed", "params"});
  Recipe r;
  const Node params = c.at("params");
  if (!params.is_array() || params.size() == 0)
    params.expected("an array of JSON pointers (at least one)");
  for (const Node& p : params.items()) {
    std::string why;
    const std::string ptr = p.string();
    if (std::isnan(start_value(root.json(), ptr, &why))) p.fail(ptr + ": " + why);
    r.params.push_back(ptr);
  }
  const Node observed = c.at("observed");
  observed.string();
  const FileAccess::Path path = files.path_for(observed);
  r.observed = path.open;
  r.shown = path.shown;
  try {
    read_observations(path.open, path.shown, series_of(models), origin_of(models), duration_s);
  } catch (const ScenarioError& e) {
    throw ScenarioError(e.location(), observed.pointer(), e.message());
  } catch (const UsageError&) {
    observed.fail(files.why_not_opened(path));
  }
  return r;
}

Recipe read_recipe(const Scenario& sc, const Registry& reg) {
  if (!sc.doc().value.contains("calibrate")) return {};
  const CompiledVariant v = sc.compile(0, reg);  // checks the recipe too
  return check_recipe(Node(sc.doc()), v.models, sc.files(), v.settings.duration_s);
}

FitParam fit_param(const Scenario& sc, const Registry&, const std::string& pointer) {
  std::string why;
  const double v = start_value(sc.doc().value, pointer, &why);
  if (std::isnan(v)) throw ScenarioError(sc.doc().locate(pointer), pointer, why);
  return {pointer, v};
}

nlohmann::json merge_patch_of(const std::vector<std::string>& pointers,
                              const std::vector<double>& values) {
  nlohmann::json patch = nlohmann::json::object();
  for (std::size_t i = 0; i < pointers.size(); ++i) {
    nlohmann::json* j = &patch;
    for (const auto& t : pointer_tokens(pointers[i])) j = &(*j)[t];
    *j = values.at(i);
  }
  return patch;
}

Observations observations_for(const Scenario& sc, const Registry& reg, const std::string& path,
                              const std::string& shown) {
  const CompiledVariant v = sc.compile(0, reg);
  return read_observations(path, shown, series_of(v.models), origin_of(v.models),
                           v.settings.duration_s);
}

std::vector<double> predict(const Scenario& sc, const Registry& reg, const nlohmann::json& patch,
                            const Observations& obs) {
  const CompiledVariant v = sc.compile(0, reg, patch, "calibration");
  World w(v.models);
  w.start(RunContext{v.settings.seed, 0});
  const auto cols = series_of(v.models);
  std::vector<std::size_t> at;
  for (const auto& s : obs.series)
    at.push_back(static_cast<std::size_t>(std::find(cols.begin(), cols.end(), s) - cols.begin()));
  std::vector<double> out;
  std::vector<std::string> row;
  std::size_t sampled = obs.time_s.size();  // the row `row` holds
  for (const auto& [r, s] : obs.cells()) {
    if (r != sampled) {
      w.run_until(obs.time_s[r]);
      row.clear();
      w.sample(row);
      sampled = r;
    }
    out.push_back(std::strtod(row.at(at[s]).c_str(), nullptr));
  }
  return out;
}

Calibration calibrate(const Scenario& sc, const Registry& reg, std::vector<FitParam> params,
                      const Observations& obs, const LsqOptions& options) {
  Calibration c;
  c.params = std::move(params);
  const std::size_t n = c.params.size();
  std::vector<std::string> pointers;
  std::vector<double> start, x0;
  for (const auto& p : c.params) {
    pointers.push_back(p.pointer);
    start.push_back(p.start);
    x0.push_back(p.start > 0 ? std::log(p.start) : p.start);  // positive: as a logarithm
  }
  const auto value_of = [&](const std::vector<double>& x) {
    std::vector<double> v(n);
    for (std::size_t k = 0; k < n; ++k) v[k] = start[k] > 0 ? std::exp(x[k]) : x[k];
    return v;
  };
  std::vector<double> sd;
  flatten(obs, c.observed, sd);
  c.before = predict(sc, reg, merge_patch_of(pointers, start), obs);

  LsqProblem problem;
  problem.n_params = n;
  problem.n_residuals = c.observed.size();
  problem.residuals = [&](const std::vector<double>& x, std::vector<double>& r) {
    try {
      const auto y = predict(sc, reg, merge_patch_of(pointers, value_of(x)), obs);
      for (std::size_t i = 0; i < r.size(); ++i) r[i] = (y[i] - c.observed[i]) / sd[i];
    } catch (const ScenarioError&) {  // a value outside the parameter's range: not a step
      std::fill(r.begin(), r.end(), std::numeric_limits<double>::quiet_NaN());
    }
  };
  if (c.observed.size() < n + 1)
    throw UsageError("dtwin fit: " + std::to_string(c.observed.size()) +
                     " observations cannot determine " + std::to_string(n) +
                     " parameters with an error estimate (need at least one more)");
  c.lsq = levenberg_marquardt(problem, x0, options);

  c.estimate = value_of(c.lsq.x);
  c.lo = value_of(c.lsq.lo);
  c.hi = value_of(c.lsq.hi);
  for (std::size_t k = 0; k < n; ++k)
    c.se_rel.push_back(start[k] > 0 ? c.lsq.se[k] : c.lsq.se[k] / std::fabs(c.estimate[k]));
  c.patch = merge_patch_of(pointers, c.estimate);
  c.after = predict(sc, reg, c.patch, obs);
  return c;
}

}  // namespace dtwin::greenhouse
