// What a twin kind implements to take part in a world.
//
// A Model is built once from its validated Spec and is const from then on; it may be shared by
// many worlds (replications, variants, forks) running on many threads. Everything that changes
// lives in the model's State, a plain copyable value the World owns (MuJoCo's mjModel/mjData,
// Drake's System/Context). Handlers read the spec and write the state, nothing else.
// A twin kind that is mirrored from a live plant also implements Mirrorable
// (engine/mirror/mirrorable.hpp); the core knows nothing of the mirror.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/sim/kernel.hpp"

namespace dtwin {

class World;

// One twin as the world lists it: a line contains machines and buffers.
struct TwinInfo {
  std::string id;      // "m1"
  std::string kind;    // "machine"
  std::string parent;  // "line"; empty for a top-level twin
};

// Which replication a state is made for: streams are keyed by (seed, replication, twin).
struct RunContext {
  std::uint64_t seed = 0;
  std::uint32_t replication = 0;
};

// Results of one run: numbers and labels, keyed "kpi" for world-level figures or "twin.kpi" for
// a twin's. Every run of one compiled scenario yields the same keys in the same order.
struct Metrics {
  struct Value {
    std::string key;
    double value;
    std::string unit;  // "parts/h", "s", "parts", "1" for fractions
  };
  std::vector<Value> values;
  std::vector<std::pair<std::string, std::string>> labels;

  void set(std::string key, double v, std::string unit) {
    values.push_back({std::move(key), v, std::move(unit)});
  }
  void label(std::string key, std::string v) { labels.emplace_back(std::move(key), std::move(v)); }
  // A categorical result that replications summarise by its mode (the line's bottleneck): the
  // label `key` and beside it the label `key_method`, how it was found (engine/run/results.hpp).
  void finding(const std::string& key, std::string v, std::string method) {
    label(key, std::move(v));
    label(key + "_method", std::move(method));
  }
  const Value* find(std::string_view key) const {
    for (const auto& v : values)
      if (v.key == key) return &v;
    return nullptr;
  }
};

// A model's state, type-erased so the world can copy and compare it without knowing it.
struct StateBlock {
  virtual ~StateBlock() = default;
  virtual std::unique_ptr<StateBlock> clone() const = 0;
  virtual bool equals(const StateBlock& other) const = 0;
};

template <class T>
struct StateOf final : StateBlock {
  T value;
  explicit StateOf(T v) : value(std::move(v)) {}
  std::unique_ptr<StateBlock> clone() const override { return std::make_unique<StateOf>(value); }
  bool equals(const StateBlock& other) const override {
    return value == static_cast<const StateOf&>(other).value;
  }
};

class Model {
 public:
  virtual ~Model() = default;

  virtual std::string_view kind() const = 0;
  // the twins this model represents, parents before children
  virtual void twins(std::vector<TwinInfo>& out) const = 0;

  // A fresh state for one run, with its random streams keyed by ctx.
  virtual std::unique_ptr<StateBlock> make_state(const RunContext& ctx) const = 0;
  // Schedules the model's first events. `self` is the model's index in the world.
  virtual void start(World& w, std::uint32_t self) const = 0;
  virtual void handle(World& w, const Event& e) const = 0;

  // Zero the statistics (end of warm-up): integrals restart at w.now().
  virtual void reset_stats(World& w, std::uint32_t self) const = 0;
  // KPIs from the statistics so far, without changing the state.
  virtual void collect(const World& w, std::uint32_t self, Metrics& out) const = 0;

  // Time-series columns (names carry their unit: "b1.level_parts") and one row of values.
  // Read-only: called between instants.
  virtual void columns(std::vector<std::string>& out) const { (void)out; }
  virtual void sample(const World& w, std::uint32_t self, std::vector<std::string>& out) const {
    (void)w, (void)self, (void)out;
  }

  // The calendar time of the run's time 0, when the model's inputs have one (a weather file
  // started on a date): seconds since 1970-01-01T00:00 of a naive local clock, the inputs' own
  // local time without a time zone (engine/base/calendar.hpp). nullopt: no calendar.
  virtual std::optional<double> calendar_origin() const { return std::nullopt; }

  // The state as JSON, for inspection and debugging (never read back by a model).
  virtual nlohmann::json state_json(const World& w, std::uint32_t self) const = 0;
};

}  // namespace dtwin
