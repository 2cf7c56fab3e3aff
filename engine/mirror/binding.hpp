// Binds a world's twins to a mirror: the TwinSpecs of every model's properties, in model order,
// and where each twin lives in the world.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/mirror/mirror.hpp"
#include "engine/sim/world.hpp"

namespace dtwin {

struct Binding {
  std::vector<TwinSpec> twins;
  std::vector<std::pair<std::uint32_t, std::size_t>> where;  // per twin: model, its local index

  static Binding of(const World& w) {
    Binding b;
    for (std::uint32_t m = 0; m < w.models().size(); ++m) {
      std::vector<TwinSpec> specs;
      w.models()[m]->properties(specs);
      for (std::size_t i = 0; i < specs.size(); ++i) {
        b.twins.push_back(std::move(specs[i]));
        b.where.emplace_back(m, i);
      }
    }
    return b;
  }
  // (twin, prop) indices of a twin id and property name; twin == npos when absent, prop ==
  // npos when the twin has no such property
  std::pair<std::size_t, std::size_t> find(const std::string& twin_id,
                                           const std::string& prop_name) const {
    for (std::size_t t = 0; t < twins.size(); ++t) {
      if (twins[t].id != twin_id) continue;
      for (std::size_t p = 0; p < twins[t].properties.size(); ++p)
        if (twins[t].properties[p].name == prop_name) return {t, p};
      return {t, std::string::npos};
    }
    return {std::string::npos, std::string::npos};
  }
  bool read(const World& w, std::size_t twin, std::size_t prop, Value& out) const {
    const auto [m, i] = where.at(twin);
    return w.models()[m]->read_property(w, m, i, prop, out);
  }
  bool apply_setpoint(World& w, std::size_t twin, std::size_t prop, const Value& v,
                      std::string* reason) const {
    const auto [m, i] = where.at(twin);
    return w.models()[m]->apply_setpoint(w, m, i, prop, v, reason);
  }
};

}  // namespace dtwin
