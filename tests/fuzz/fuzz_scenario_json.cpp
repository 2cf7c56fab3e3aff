// libFuzzer target: any input must either parse or fail with a ScenarioError, and every value
// of a parsed document must survive the typed readers (Node, parse_duration,
// parse_distribution) the same way. Any other exception, a crash, a sanitizer report or a
// broken invariant (checked below, aborting) is a bug. See README.md for how to run it.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/scenario/distribution.hpp"
#include "engine/scenario/duration.hpp"
#include "engine/scenario/json_doc.hpp"
#include "engine/scenario/json_node.hpp"

namespace {

using dtwin::Node;
using dtwin::ScenarioError;

[[noreturn]] void broken(const char* what, const std::string& detail) {
  std::fprintf(stderr, "invariant broken: %s: %s\n", what, detail.c_str());
  std::abort();
}

void check_error(const ScenarioError& e) {
  if (e.message().empty()) broken("empty error message", e.pointer());
  if (e.describe().empty()) broken("empty describe()", e.pointer());
}

template <class F>
void expect_scenario_error_only(F&& f) {
  try {
    f();
  } catch (const ScenarioError& e) {
    check_error(e);
  }
}

void check_distribution(const Node& n) {
  const dtwin::Distribution d = dtwin::parse_distribution(n);
  const double mean = d.mean();
  if (!std::isfinite(mean) || mean < 0) broken("mean", d.describe());
  if (d.describe().empty()) broken("describe", "");
  dtwin::Rng rng(42);
  for (int i = 0; i < 8; ++i) {
    const double x = d.sample(rng);
    if (std::isnan(x) || x < 0) broken("sample", d.describe());
  }
  // the canonical form parses back to the same distribution
  const nlohmann::json j = d.to_json();
  dtwin::Distribution back;
  try {
    back = dtwin::parse_distribution(Node(j));
  } catch (const ScenarioError& e) {
    broken("to_json does not parse back", j.dump() + ": " + e.message());
  }
  if (back != d) broken("to_json round trip", j.dump());
}

void walk(const dtwin::JsonDoc& doc, const Node& n) {
  // the scanner saw the same structure as nlohmann
  if (doc.position(n.pointer()) == nullptr) broken("no position for", n.pointer());
  const dtwin::SourceLocation loc = doc.locate(n.pointer());
  if (loc.line < 1 || loc.col < 1) broken("bad location for", n.pointer());

  if (n.preview().size() > 64) broken("long preview", n.preview());
  expect_scenario_error_only([&] { dtwin::parse_duration(n); });
  expect_scenario_error_only([&] { dtwin::parse_duration_positive(n); });
  expect_scenario_error_only([&] { check_distribution(n); });
  expect_scenario_error_only([&] { n.number(); });
  expect_scenario_error_only([&] { n.positive(); });
  expect_scenario_error_only([&] { n.number_in(-1, 1); });
  expect_scenario_error_only([&] { n.integer(); });
  expect_scenario_error_only([&] { n.integer_at_least(3); });
  expect_scenario_error_only([&] { n.string(); });
  expect_scenario_error_only([&] { n.boolean(); });
  expect_scenario_error_only([&] { n.size(); });
  expect_scenario_error_only([&] { n.check_keys({"dist", "mean", "capacity", "twins"}); });
  expect_scenario_error_only([&] { n.at("dist"); });
  expect_scenario_error_only([&] { n.at(std::size_t{1}); });
  if (n.is_string()) {
    double s = -1;
    if (dtwin::parse_duration_text(n.json().get_ref<const std::string&>(), &s) &&
        !(s >= 0 && std::isfinite(s))) {
      broken("parse_duration_text accepted", n.preview());
    }
    if (s >= 0) dtwin::format_duration(s);
  }
  if (n.is_object()) {
    for (const auto& [key, child] : n.members()) walk(doc, child);
  } else if (n.is_array()) {
    for (const Node& child : n.items()) walk(doc, child);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  dtwin::JsonDoc doc;
  try {
    doc = dtwin::parse_json(std::move(text), "fuzz.json");
  } catch (const ScenarioError& e) {
    check_error(e);
    return 0;
  }
  walk(doc, Node(doc));
  return 0;
}
