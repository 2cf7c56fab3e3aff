// Binds a world's twins to a mirror: the TwinSpecs of every mirrored model's properties
// (Mirrorable), in model order, and where each twin lives in the world.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/mirror/mirrorable.hpp"
#include "engine/sim/world.hpp"

namespace dtwin {

struct Binding {
  struct Place {
    std::uint32_t model = 0;        // index in the world
    std::size_t local = 0;          // the twin's index among its model's TwinSpecs
    const Mirrorable* m = nullptr;  // the model's mirror interface
  };
  std::vector<TwinSpec> twins;
  std::vector<Place> where;  // per twin

  static Binding of(const World& w) { return of(w.models()); }
  static Binding of(const std::vector<std::shared_ptr<const Model>>& models);

  // (twin, prop) indices of a twin id and property name; twin == npos when absent, prop ==
  // npos when the twin has no such property
  std::pair<std::size_t, std::size_t> find(const std::string& twin_id,
                                           const std::string& prop_name) const;
  bool read(const World& w, std::size_t twin, std::size_t prop, Value& out) const {
    const Place& p = where.at(twin);
    return p.m->read_property(w, p.model, p.local, prop, out);
  }
  bool apply_setpoint(World& w, std::size_t twin, std::size_t prop, const Value& v,
                      std::string* reason) const {
    const Place& p = where.at(twin);
    return p.m->apply_setpoint(w, p.model, p.local, prop, v, reason);
  }
  bool assimilate(World& w, std::size_t twin, std::size_t prop, const Value& v,
                  std::string* reason) const {
    const Place& p = where.at(twin);
    return p.m->assimilate(w, p.model, p.local, prop, v, reason);
  }
};

}  // namespace dtwin
