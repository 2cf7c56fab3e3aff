// What a twin kind implements to be mirrored: the properties of its twins (what an asset reports
// and what the digital side may set), their values in a simulated state, setpoints, and the
// observations of a live plant taken into a state. A model of a mirrored kind derives from both
// Model (engine/sim/model.hpp) and Mirrorable; the core Model knows nothing of the mirror.
//
// Twins are numbered per model: the `twin`-th TwinSpec that model's properties() listed; `self`
// is the model's index in the world, as in Model's handlers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/mirror/property.hpp"
#include "engine/sim/model.hpp"
#include "engine/sim/world.hpp"

namespace dtwin {

// A condition monitor of one twin in the live engine: derived properties computed from what its
// asset reports alone, with no simulated world (a machine's health filter on its vibration). The
// engine hands it each new reported value in the order of their source times, at plant time t
// (seconds from the first report the engine took, times the live speed), then reads the derived
// properties back.
class LiveMonitor {
 public:
  virtual ~LiveMonitor() = default;
  // A reported value of property `prop` (not a derived one) at plant time t.
  virtual void observe(std::size_t prop, const Value& v, double t) = 0;
  // After the values of one report (one message): the monitor updates its estimate.
  virtual void commit() {}
  // A derived property's value now; false while it has none (no signal yet).
  virtual bool read(std::size_t prop, Value& out) const = 0;
};

// What a model adds to a what-if forked from the live plant (Mirrorable::fork_whatif).
struct WhatIfFork {
  nlohmann::json patch;           // a merge patch over the scenario document ({"twins": ...})
  std::vector<std::string> kpis;  // the KPIs (without the twin's id) the answer shows first
  std::string objective;          // the default objective; empty: the engine's
};

class Mirrorable {
 public:
  virtual ~Mirrorable() = default;

  // The properties of this model's twins: one TwinSpec per twin that has any.
  virtual void properties(std::vector<TwinSpec>& out) const = 0;
  // The value of property `prop` of twin `twin` in the simulated state (what an emulated asset
  // reports). False when the state has none.
  virtual bool read_property(const World& w, std::uint32_t self, std::size_t twin, std::size_t prop,
                             Value& out) const = 0;
  // A setpoint reaches the asset: the model applies it to its state, or refuses with a reason.
  virtual bool apply_setpoint(World& w, std::uint32_t self, std::size_t twin, std::size_t prop,
                              const Value& v, std::string* reason) const {
    (void)w, (void)self, (void)twin, (void)prop, (void)v;
    if (reason) *reason = "not a setpoint";
    return false;
  }
  // A model whose mirror has derived properties (PropertySpec::derived) computed from what its
  // asset reports: the live engine keeps it in a world of its own, feeds it the reports
  // through assimilate() at their time, and reads the derived properties back.
  virtual bool live_world() const { return false; }
  // A twin whose derived properties come from a condition monitor instead (nullptr: none).
  virtual std::unique_ptr<LiveMonitor> make_monitor(std::size_t twin) const {
    (void)twin;
    return nullptr;
  }
  // The live plant's observed value becomes the simulated state (a what-if forked from the live
  // mirror). Called between make_state and start, at time 0 of the fork: the model puts the
  // observation into its initial state (a buffer's level, a machine that is down, a setpoint in
  // force) or refuses with a reason (a counter that has no meaning in a fresh run). The default
  // takes setpoints only.
  virtual bool assimilate(World& w, std::uint32_t self, std::size_t twin, std::size_t prop,
                          const Value& v, std::string* reason) const {
    return apply_setpoint(w, self, twin, prop, v, reason);
  }
  // A what-if forked from the live plant at fork_utc_s (seconds since 1970-01-01 UTC): what the
  // scenario must become for the fork to start where the plant is, beyond the live values
  // assimilate() puts into its state (a greenhouse's weather from that date and hour, its
  // replications as weather ensemble members). `request` is the what-if's "weather" member
  // (an empty object when absent), checked by the model: std::invalid_argument with the reason.
  // False: nothing to add.
  virtual bool fork_whatif(const nlohmann::json& request, double fork_utc_s,
                           WhatIfFork& out) const {
    (void)request, (void)fork_utc_s, (void)out;
    return false;
  }
};

// The model's mirror interface; nullptr when its kind is not mirrored.
inline const Mirrorable* mirrorable(const Model& m) {
  return dynamic_cast<const Mirrorable*>(&m);
}

}  // namespace dtwin
