#include "twins/greenhouse/params.hpp"

#include <stdexcept>

#include "twins/greenhouse/default_params.hpp"

namespace dtwin::greenhouse {

namespace {

std::vector<ParamEntry> read_entries(const Node& section) {
  if (!section.is_object()) section.expected("an object of entries");
  std::vector<ParamEntry> out;
  for (const auto& [name, n] : section.members()) {
    n.check_keys({"value", "unit", "min", "max", "source", "description"});
    ParamEntry e;
    e.name = name;
    e.value = n.at("value").number();
    e.unit = n.at("unit").string();
    e.source = n.at("source").string();
    if (auto d = n.find("description")) e.description = d->string();
    if (auto m = n.find("min")) {
      e.min = m->number();
      e.min_exclusive = false;
    }
    if (auto m = n.find("max")) {
      e.max = m->number();
      e.has_max = true;
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::string range_text(const ParamEntry& e) {
  std::string s = "a number ";
  if (e.min_exclusive)
    s += "> 0";
  else
    s += ">= " + format_number(e.min);
  if (e.has_max) s += " and <= " + format_number(e.max);
  if (!e.unit.empty() && e.unit != "1") s += " (" + e.unit + ")";
  return s;
}

bool in_range(const ParamEntry& e, double v) {
  if (e.min_exclusive ? !(v > 0) : !(v >= e.min)) return false;
  return !e.has_max || v <= e.max;
}

double lookup(const std::vector<ParamEntry>& entries, std::string_view name,
              const std::string& label) {
  for (const auto& e : entries)
    if (e.name == name) return e.value;
  throw std::out_of_range(label + ": no entry \"" + std::string(name) + "\"");
}

}  // namespace

ParamSet ParamSet::parse(std::string_view json_text, const std::string& label) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {
    throw ScenarioError("", label + ": not valid JSON: " + e.what());
  }
  ParamSet out;
  out.label_ = label;
  try {
    const Node root(j);
    root.check_keys({"model", "variant", "conventions", "sources", "params", "initial"});
    out.model_ = root.at("model").string();
    out.params_ = read_entries(root.at("params"));
    out.initial_ = read_entries(root.at("initial"));
    for (const auto* list : {&out.params_, &out.initial_})
      for (const auto& e : *list)
        if (!in_range(e, e.value))
          throw ScenarioError("",
                              e.name + " = " + format_number(e.value) + " is not " + range_text(e));
  } catch (const ScenarioError& e) {
    throw ScenarioError(e.pointer(), label + ": " + e.message());
  }
  return out;
}

std::string_view ParamSet::builtin_text(std::string_view name) {
  if (name == "vanhenten1994") return builtin::kVanHenten1994Json;
  if (name == "vanthoor2011_tomato") return builtin::kVanthoor2011TomatoJson;
  if (name == "greenlight_katzin2021") return builtin::kGreenlightKatzin2021Json;
  if (name == "greenlight_lamp_hps") return builtin::kGreenlightLampHpsJson;
  if (name == "greenlight_lamp_led") return builtin::kGreenlightLampLedJson;
  if (name == "greenlight_control") return builtin::kGreenlightControlJson;
  throw std::out_of_range("no built-in parameter file \"" + std::string(name) + "\"");
}

ParamSet ParamSet::builtin(std::string_view name) {
  return parse(builtin_text(name), "assets/greenhouse/" + std::string(name) + ".json (built in)");
}

void ParamSet::apply(std::vector<ParamEntry>& entries, const Node& overrides) {
  if (!overrides.is_object()) overrides.expected("an object {\"name\": value}");
  std::vector<std::string> names;
  for (const auto& e : entries) names.push_back(e.name);
  overrides.check_keys(names);
  for (const auto& [name, n] : overrides.members()) {
    for (auto& e : entries) {
      if (e.name != name) continue;
      if (!n.is_number()) n.expected(range_text(e));
      const double v = n.number();
      if (!in_range(e, v)) n.expected(range_text(e));
      e.value = v;
    }
  }
}

void ParamSet::override_params(const Node& overrides) {
  apply(params_, overrides);
}

void ParamSet::override_initial(const Node& overrides) {
  apply(initial_, overrides);
}

double ParamSet::param(std::string_view name) const {
  return lookup(params_, name, label_);
}

double ParamSet::initial(std::string_view name) const {
  return lookup(initial_, name, label_);
}

}  // namespace dtwin::greenhouse
