// Twin kinds register here, explicitly (twins::register_all), never through static
// initialisers. A factory builds the models for every twin of the kinds it claims: the line
// factory, for one, turns all sources, machines, buffers, conveyors and sinks plus the
// scenario's "flow" into one line model.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/scenario/file_access.hpp"
#include "engine/scenario/json_node.hpp"
#include "engine/sim/model.hpp"

namespace dtwin {

struct CompileContext {
  const Node& root;          // the whole scenario, variant applied
  double duration_s;         // run length
  double sample_interval_s;  // time-series sampling
  const FileAccess& files;   // the data files it may read, relative to the scenario's directory
};

struct ModelFactory {
  std::string name;                    // "line"
  std::vector<std::string> kinds;      // twin kinds it builds
  std::vector<std::string> top_level;  // top-level scenario members it reads ("flow")
  // ids: the scenario's twins of those kinds, in document order
  std::function<std::vector<std::shared_ptr<const Model>>(const CompileContext&,
                                                          const std::vector<std::string>& ids)>
      build;
};

class Registry {
 public:
  void add(ModelFactory f) { factories_.push_back(std::move(f)); }
  const std::vector<ModelFactory>& factories() const { return factories_; }
  const ModelFactory* for_kind(const std::string& kind) const {
    for (const auto& f : factories_)
      for (const auto& k : f.kinds)
        if (k == kind) return &f;
    return nullptr;
  }
  std::vector<std::string> kinds() const {
    std::vector<std::string> out;
    for (const auto& f : factories_) out.insert(out.end(), f.kinds.begin(), f.kinds.end());
    return out;
  }

 private:
  std::vector<ModelFactory> factories_;
};

}  // namespace dtwin
