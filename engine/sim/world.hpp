// A world: the clock, the event kernel and the state of every model, for one run.
//
// All state is data: snapshot() copies it, restore() puts it back, fork() makes an independent
// world at the same instant. Models are shared (const) between a world and its forks, so a fork
// costs one copy of the states and the event queue.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/sim/budget.hpp"
#include "engine/sim/kernel.hpp"
#include "engine/sim/model.hpp"

namespace dtwin {

struct Snapshot {
  double now = 0;
  std::uint64_t handled = 0;
  Kernel kernel;
  std::vector<std::unique_ptr<StateBlock>> states;

  Snapshot() = default;
  Snapshot(const Snapshot& o);
  Snapshot& operator=(const Snapshot& o);
  Snapshot(Snapshot&&) = default;
  Snapshot& operator=(Snapshot&&) = default;
};

class World {
 public:
  explicit World(std::vector<std::shared_ptr<const Model>> models);
  World(const World& other);  // a fork: same models, copied state
  World& operator=(const World&) = delete;

  // Makes fresh states for (seed, replication) and lets each model schedule its first events.
  void start(const RunContext& ctx);
  // The same, with `init` called between the fresh states and the models' first events (a
  // what-if puts the live plant's observations into the states there: Model::assimilate).
  void start(const RunContext& ctx, const std::function<void(World&)>& init);

  double now() const { return now_; }
  std::uint64_t events_handled() const { return handled_; }
  const Kernel& kernel() const { return kernel_; }

  void schedule(double time, std::uint8_t priority, std::uint32_t model, std::uint32_t entity,
                std::uint32_t code, std::uint32_t token = 0) {
    kernel_.schedule(time, priority, model, entity, code, token);
  }

  // Limits on what the next steps may spend: at most `max_events` more events (0: no limit),
  // until `deadline` on steady_seconds() (0: none), while neither flag is set. When a limit is
  // reached, step() and run_until() throw BudgetExceeded (the world stays consistent: the event
  // in hand was handled). A fork starts without one.
  void set_budget(std::uint64_t max_events, double deadline,
                  const std::atomic<bool>* cancel = nullptr,
                  const std::atomic<bool>* cancel2 = nullptr);

  // Handles the next event. Returns false when there is none.
  bool step();
  // Handles every event with time <= t, then sets the clock to t.
  void run_until(double t);

  void reset_stats();
  Metrics collect() const;
  void columns(std::vector<std::string>& out) const;
  void sample(std::vector<std::string>& out) const;
  nlohmann::json state_json() const;
  // The first calendar origin any model gives (Model::calendar_origin); nullopt: none.
  std::optional<double> calendar_origin() const;

  Snapshot snapshot() const;
  void restore(const Snapshot& s);
  World fork() const { return World(*this); }
  // Same clock, same event queue, equal states.
  bool same_state(const World& other) const;

  const std::vector<TwinInfo>& twins() const { return twins_; }
  const std::vector<std::shared_ptr<const Model>>& models() const { return models_; }

  template <class S>
  S& state(std::uint32_t model) {
    return static_cast<StateOf<S>*>(states_[model].get())->value;
  }
  template <class S>
  const S& state(std::uint32_t model) const {
    return static_cast<const StateOf<S>*>(states_[model].get())->value;
  }

 private:
  std::vector<std::shared_ptr<const Model>> models_;
  std::vector<const Model*> dispatch_;  // raw pointers for the hot path
  std::vector<std::unique_ptr<StateBlock>> states_;
  std::vector<TwinInfo> twins_;
  Kernel kernel_;
  double now_ = 0;
  std::uint64_t handled_ = 0;
  // the budget: checked when handled_ reaches next_check_ (never without one)
  void check_budget();
  std::uint64_t next_check_ = UINT64_MAX;
  std::uint64_t event_limit_ = UINT64_MAX;  // handled_ may not pass this
  double deadline_ = 0;
  const std::atomic<bool>* cancel_[2] = {nullptr, nullptr};
};

}  // namespace dtwin
