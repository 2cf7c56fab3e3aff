// A scenario: one JSON document with the world settings, the twins, what-if variants (RFC 7396
// merge patches over the base) and a sweep grid (values set at JSON pointers).
//
//   {"name": "...", "seed": 7, "duration": "2000h", "warmup": "100h", "replications": 8,
//    "sample_interval": "1h", "twins": {...}, "flow": [...],
//    "variants": {"bigger_buffer": {"twins": {"b1": {"capacity": 20}}}},
//    "sweep": {"/twins/b1/capacity": [5, 10, 20]},
//    "expect": {"throughput_per_h": {">=": 38}}}   (engine/scenario/expect.hpp)
//
// The runs of a scenario are: the baseline, each variant, then each point of the sweep grid
// (applied to the baseline), each replicated. Variants and replications share random numbers:
// replication r of every variant draws from the same streams.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/scenario/expect.hpp"
#include "engine/scenario/file_access.hpp"
#include "engine/scenario/json_doc.hpp"
#include "engine/scenario/registry.hpp"
#include "engine/sim/model.hpp"

namespace dtwin {

struct Settings {
  std::string name;
  std::uint64_t seed = 1;
  double duration_s = 0;
  double warmup_s = 0;
  std::uint32_t replications = 5;
  double sample_interval_s = 0;
};

struct Variant {
  std::string name;  // "baseline", a variant's name, or "b1.capacity=5" for a sweep point
  enum class Kind { Baseline, Patch, Grid } kind = Kind::Baseline;
  nlohmann::json patch;                                      // Patch: the merge patch
  std::vector<std::pair<std::string, nlohmann::json>> sets;  // Grid: pointer -> value
};

struct CompiledVariant {
  std::string name;
  Settings settings;
  nlohmann::json doc;  // the effective document
  std::vector<std::shared_ptr<const Model>> models;
  std::vector<Expectation> expect;  // what must hold of its results (engine/scenario/expect.hpp)
};

class Scenario {
 public:
  static Scenario load(const std::string& path);
  static Scenario parse(std::string text, std::string label);
  static Scenario from_doc(JsonDoc doc);

  const JsonDoc& doc() const { return doc_; }
  const std::string& name() const { return name_; }
  const std::vector<Variant>& variants() const { return variants_; }
  // index of a variant by name; UsageError listing the names when there is none
  std::size_t find_variant(const std::string& name) const;

  // The effective document of variant i and its compiled models. Errors are ScenarioErrors
  // located in the file: in the variant's patch when the variant set the bad value.
  CompiledVariant compile(std::size_t i, const Registry& reg) const;
  // Variant i with one more merge patch applied after it (a what-if on a parameter, say
  // {"twins": {"m2": {"process": {"mean": 50}}}}), compiled as `name`. An error the extra patch
  // caused keeps its JSON pointer and says "in the what-if patch".
  // `files`, when given, instead of the scenario's own FileAccess (a what-if from the network
  // may read only the files the scenario reads).
  CompiledVariant compile(std::size_t i, const Registry& reg, const nlohmann::json& extra_patch,
                          const std::string& name, const FileAccess* files = nullptr) const;

  // The data files its twins may read: by default any, relative to the scenario's directory
  // (engine/scenario/file_access.hpp). `dtwin serve` restricts it.
  const FileAccess& files() const { return files_; }
  FileAccess& files() { return files_; }

  // A merge patch (RFC 7386) applied to the document under every variant (dtwin run --patch: the
  // parameters dtwin fit estimated). An error about a value it set keeps its JSON pointer, is
  // located in the patch's file and says the patch was applied. ScenarioError when it is no
  // object.
  void apply_patch(JsonDoc patch);

 private:
  CompiledVariant compile(const Variant& v, const nlohmann::json* extra, const Registry& reg,
                          const FileAccess* files) const;

  JsonDoc doc_;
  JsonDoc patch_;  // apply_patch's; its value is null when there is none
  std::string name_;
  std::vector<Variant> variants_;
  FileAccess files_;
};

Settings parse_settings(const Node& root);
// A twin id must be usable as an MQTT topic level and on a command line: not empty, no '.', ',',
// '/', '+', '#', spaces, quotes or control characters, not starting with '$', not "engine" or
// "client" (the engine's own topics). ScenarioError at `at` otherwise.
void check_twin_id(const std::string& id, const Node& at);

}  // namespace dtwin
