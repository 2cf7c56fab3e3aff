// A toy twin kind for the engine's own tests, so the engine is tested without any real twin:
// "toy" twins that each make items one at a time, the gaps exponential (a Poisson process) at a
// rate an operator may set, and keep them (their level). Its KPIs are known in closed form:
//   t.items            items made over the measured span T (after the warm-up) at r per hour:
//                      Poisson, mean = variance = r T / 3600
//   t.level            the initial level plus every item made since the start (the warm-up's
//                      too): mean = level0 + r D / 3600 for a run of D seconds
//   throughput_per_h   all twins' items per measured hour: mean = the sum of their rates
//   finding "busiest"  the twin that made the most items, method "count" (ties: the first;
//                      "" when none made any)
// Each twin draws from its own stream (seed, replication, id, "make"), by inverse transform: a
// faster rate makes the same gaps shorter, so a variant at a higher rate makes at least as many
// items in every replication (common random numbers).
//
// Scenario: {"twins": {"t1": {"kind": "toy", "rate": 60, "level": 0}}} (rate in items per hour,
// default 60; level, the items held at the start, default 0). All toy twins are one model.
// Mirror properties per twin: rate (1/h, writable, 0..1000), level (items; a what-if takes it
// from the plant), made (items since the asset started: a counter a what-if refuses).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/mirror/mirrorable.hpp"
#include "engine/scenario/registry.hpp"
#include "engine/scenario/scenario.hpp"
#include "engine/sim/model.hpp"
#include "engine/sim/rng.hpp"

namespace dtwin::test {

struct ToySpec {
  std::string id;
  double rate_per_h = 60;
  std::uint64_t level = 0;
};

struct ToyTwinState {
  Rng rng;
  double rate_per_h = 0;
  std::uint64_t level = 0;  // items held
  std::uint64_t made = 0;   // items made since the start
  std::uint64_t items = 0;  // items made since the statistics were reset
  std::uint32_t token = 0;  // the pending item's stamp: a new rate cancels it
  bool operator==(const ToyTwinState& o) const {
    return rng == o.rng && rate_per_h == o.rate_per_h && level == o.level && made == o.made &&
           items == o.items && token == o.token;
  }
};

struct ToyState {
  std::vector<ToyTwinState> twins;
  double since = 0;  // when the statistics were last reset
  bool operator==(const ToyState& o) const { return twins == o.twins && since == o.since; }
};

class ToyModel final : public Model, public Mirrorable {
 public:
  enum Prop : std::size_t { kRate = 0, kLevel = 1, kMade = 2 };

  explicit ToyModel(std::vector<ToySpec> specs);

  // Model
  std::string_view kind() const override { return "toy"; }
  void twins(std::vector<TwinInfo>& out) const override;
  std::unique_ptr<StateBlock> make_state(const RunContext& ctx) const override;
  void start(World& w, std::uint32_t self) const override;
  void handle(World& w, const Event& e) const override;
  void reset_stats(World& w, std::uint32_t self) const override;
  void collect(const World& w, std::uint32_t self, Metrics& out) const override;
  void columns(std::vector<std::string>& out) const override;
  void sample(const World& w, std::uint32_t self, std::vector<std::string>& out) const override;
  nlohmann::json state_json(const World& w, std::uint32_t self) const override;

  // Mirrorable
  void properties(std::vector<TwinSpec>& out) const override;
  bool read_property(const World& w, std::uint32_t self, std::size_t twin, std::size_t prop,
                     Value& out) const override;
  bool apply_setpoint(World& w, std::uint32_t self, std::size_t twin, std::size_t prop,
                      const Value& v, std::string* reason) const override;
  // before the first events (a what-if's fork): a rate or a level is taken, made is refused
  bool assimilate(World& w, std::uint32_t self, std::size_t twin, std::size_t prop, const Value& v,
                  std::string* reason) const override;

 private:
  void schedule_next(World& w, std::uint32_t self, std::uint32_t twin) const;
  std::vector<ToySpec> specs_;
  PropertyList props_;
};

// The registry of the engine's tests: the toy kind only.
void register_toy(Registry& r);
Registry toy_registry();
// An inline scenario's variant compiled with toy_registry().
CompiledVariant compile_toy(const Scenario& sc, const std::string& variant = "baseline");

// The mean of a Poisson count: `rate_per_h` over `span_s` seconds.
inline double expected_items(double rate_per_h, double span_s) {
  return rate_per_h * span_s / 3600.0;
}

}  // namespace dtwin::test
