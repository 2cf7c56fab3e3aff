// Model parameters as data. A parameter file (assets/greenhouse/*.json) gives every parameter
// and initial value of a model with its value, unit, admissible range, description and source:
//   {"model": "...", "sources": {...},
//    "params":  {"c_leak": {"value": 0.75e-4, "unit": "m s-1", "source": "VH2003", ...}, ...},
//    "initial": {"dry_weight_kg_m2": {"value": 2.7e-3, "unit": "kg m-2", ...}, ...}}
// A value must be > 0 unless the entry gives "min" (inclusive); "max" is inclusive.
//
// The defaults are compiled into the binary from those same files (CMake turns them into a
// generated header), so the data and the binary agree and a run never depends on the working
// directory. A scenario overrides any value: "params": {"c_leak": 1e-4}, "initial": {...}.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/scenario/json_node.hpp"

namespace dtwin::greenhouse {

// Lower heating value of Dutch natural gas (Groningen gas), MJ m-3, as GreenLight's studies use
// it (Katzin et al. 2021): a greenhouse's heat as gas m3 (the heat itself, a boiler's losses
// not included) and the default "gas_mj_m3" of the prices.
constexpr double kGasMjPerM3 = 31.65;

struct ParamEntry {
  std::string name;
  double value = 0;
  std::string unit;
  double min = 0;
  bool min_exclusive = true;  // no "min" given: the value must be > 0
  double max = 0;
  bool has_max = false;
  std::string description;
  std::string source;
};

class ParamSet {
 public:
  // Parses a parameter file. `label` names it in errors ("vanhenten1994.json"); a malformed
  // file is a ScenarioError naming the label and the pointer inside it.
  static ParamSet parse(std::string_view json_text, const std::string& label);

  // The parameter file compiled into the binary: "vanhenten1994" or "vanthoor2011_tomato".
  static ParamSet builtin(std::string_view name);
  static std::string_view builtin_text(std::string_view name);

  // Applies a scenario's "params" or "initial" overrides. Unknown names (with "did you mean")
  // and values out of range are ScenarioErrors at the member.
  void override_params(const Node& overrides);
  void override_initial(const Node& overrides);

  // The value of a parameter or initial value; std::out_of_range for an unknown name (a bug).
  double param(std::string_view name) const;
  double initial(std::string_view name) const;

  const std::vector<ParamEntry>& params() const { return params_; }
  const std::vector<ParamEntry>& initials() const { return initial_; }
  const std::string& model() const { return model_; }
  const std::string& label() const { return label_; }

 private:
  static void apply(std::vector<ParamEntry>& entries, const Node& overrides);

  std::string label_;
  std::string model_;
  std::vector<ParamEntry> params_;
  std::vector<ParamEntry> initial_;
};

}  // namespace dtwin::greenhouse
