#include "engine/scenario/expect.hpp"

#include <cmath>

#include "engine/base/format.hpp"
#include "engine/scenario/json_doc.hpp"

namespace dtwin {

std::string Expectation::text() const {
  return key + " " + op + " " + format_number(bound);
}

std::vector<Expectation> parse_expectations(const Node& root) {
  std::vector<Expectation> out;
  const auto e = root.find("expect");
  if (!e) return out;
  if (!e->is_object())
    e->expected("an object of metrics, each with its bounds: {\"throughput_per_h\": {\">=\": 38}}");
  for (const auto& [key, bounds] : e->members()) {
    if (bounds.is_null()) continue;  // dropped by a variant's patch
    if (key.empty()) bounds.fail("an expectation names a metric (as runs.csv does)");
    if (!bounds.is_object() || bounds.size() == 0)
      bounds.expected("bounds such as {\">=\": 38} or {\">\": 0.6, \"<\": 0.95}");
    bounds.check_keys({">=", ">", "<=", "<"});
    for (const auto& [op, value] : bounds.members()) {
      if (value.is_null()) continue;
      out.push_back({key, op, value.number(), value.pointer()});
    }
  }
  return out;
}

nlohmann::ordered_json expectations_json(const std::vector<Expectation>& e) {
  auto out = nlohmann::ordered_json::array();
  for (const auto& x : e)
    out.push_back({{"key", x.key}, {"op", x.op}, {"bound", x.bound}, {"pointer", x.pointer}});
  return out;
}

std::vector<Expectation> expectations_from_json(const nlohmann::json& j) {
  std::vector<Expectation> out;
  for (const auto& x : j) {
    Expectation e{x.at("key").get<std::string>(), x.at("op").get<std::string>(),
                  x.at("bound").get<double>(), x.at("pointer").get<std::string>()};
    if (e.op != ">=" && e.op != ">" && e.op != "<=" && e.op != "<")
      throw nlohmann::json::other_error::create(501, "unknown operator " + e.op, &x);
    if (!std::isfinite(e.bound))
      throw nlohmann::json::other_error::create(501, "bound is not finite", &x);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace dtwin
