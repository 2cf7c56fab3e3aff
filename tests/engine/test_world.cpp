// The world: snapshot, restore and fork of the whole state, with a small model written here
// (the engine knows no twin kinds).
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/sim/rng.hpp"
#include "engine/sim/world.hpp"
#include "tests/engine/alloc_counter.hpp"

namespace {

// A queue of "jobs" with random arrivals and services: enough state to notice any copy error.
struct ToyState {
  dtwin::Rng rng;
  std::uint64_t arrivals = 0, served = 0, queue = 0;
  double busy_area = 0, last = 0;
  std::uint32_t token = 0;
  bool operator==(const ToyState& o) const {
    return rng == o.rng && arrivals == o.arrivals && served == o.served && queue == o.queue &&
           busy_area == o.busy_area && last == o.last && token == o.token;
  }
};

class ToyModel final : public dtwin::Model {
 public:
  std::string_view kind() const override { return "toy"; }
  void twins(std::vector<dtwin::TwinInfo>& out) const override {
    out.push_back({"toy", "toy", ""});
  }
  std::unique_ptr<dtwin::StateBlock> make_state(const dtwin::RunContext& ctx) const override {
    ToyState s;
    s.rng = dtwin::make_stream(ctx.seed, ctx.replication, "toy", "all");
    return std::make_unique<dtwin::StateOf<ToyState>>(s);
  }
  void start(dtwin::World& w, std::uint32_t self) const override {
    auto& s = w.state<ToyState>(self);
    w.schedule(-std::log(s.rng.uniform_pos()), dtwin::kModel, self, 0, 0);
  }
  void handle(dtwin::World& w, const dtwin::Event& e) const override {
    auto& s = w.state<ToyState>(e.model);
    s.busy_area += static_cast<double>(s.queue) * (w.now() - s.last);
    s.last = w.now();
    if (e.code == 0) {  // arrival
      ++s.arrivals;
      if (s.queue++ == 0)
        w.schedule(w.now() - 0.8 * std::log(s.rng.uniform_pos()), dtwin::kModel, e.model, 0, 1,
                   ++s.token);
      w.schedule(w.now() - std::log(s.rng.uniform_pos()), dtwin::kModel, e.model, 0, 0);
    } else {  // service done
      if (e.token != s.token) return;
      ++s.served;
      if (--s.queue > 0)
        w.schedule(w.now() - 0.8 * std::log(s.rng.uniform_pos()), dtwin::kModel, e.model, 0, 1,
                   ++s.token);
    }
  }
  void reset_stats(dtwin::World&, std::uint32_t) const override {}
  void collect(const dtwin::World& w, std::uint32_t self, dtwin::Metrics& out) const override {
    const auto& s = w.state<ToyState>(self);
    out.set("served", static_cast<double>(s.served), "jobs");
    out.set("busy_area", s.busy_area, "job s");
  }
  nlohmann::json state_json(const dtwin::World& w, std::uint32_t self) const override {
    return {{"queue", w.state<ToyState>(self).queue}};
  }
};

dtwin::World make_world() {
  return dtwin::World({std::make_shared<ToyModel>(), std::make_shared<ToyModel>()});
}

}  // namespace

TEST_CASE("run_until handles every event up to t and sets the clock to t", "[world]") {
  auto w = make_world();
  w.start({5, 0});
  w.run_until(100);
  REQUIRE(w.now() == 100);
  REQUIRE(w.kernel().peek() > 100);
  REQUIRE(w.events_handled() > 100);
}

TEST_CASE("a fork run forward matches the original run forward", "[world]") {
  auto a = make_world();
  a.start({11, 3});
  a.run_until(500);
  auto b = a.fork();
  REQUIRE(b.same_state(a));
  a.run_until(5000);
  REQUIRE_FALSE(b.same_state(a));
  b.run_until(5000);
  REQUIRE(b.same_state(a));
  const auto ma = a.collect(), mb = b.collect();
  REQUIRE(ma.values.size() == mb.values.size());
  for (std::size_t i = 0; i < ma.values.size(); ++i)
    REQUIRE(ma.values[i].value == mb.values[i].value);
}

TEST_CASE("restore rewinds to a snapshot and replays the same future", "[world]") {
  auto w = make_world();
  w.start({1, 0});
  w.run_until(200);
  const dtwin::Snapshot snap = w.snapshot();
  w.run_until(1000);
  const auto first = w.collect();
  const auto state_json = w.state_json();
  w.restore(snap);
  REQUIRE(w.now() == 200);
  w.run_until(1000);
  const auto second = w.collect();
  REQUIRE(w.state_json() == state_json);
  for (std::size_t i = 0; i < first.values.size(); ++i)
    REQUIRE(first.values[i].value == second.values[i].value);
}

TEST_CASE("a fork is independent: changing it leaves the original alone", "[world]") {
  auto a = make_world();
  a.start({2, 0});
  a.run_until(100);
  const auto snap = a.snapshot();
  auto b = a.fork();
  b.run_until(300);
  REQUIRE(a.now() == 100);
  auto c = make_world();
  c.start({2, 0});
  c.restore(snap);
  REQUIRE(c.same_state(a));
}

TEST_CASE("replications draw different numbers, the same replication the same", "[world]") {
  auto a = make_world(), b = make_world(), c = make_world();
  a.start({9, 0});
  b.start({9, 0});
  c.start({9, 1});
  a.run_until(1000);
  b.run_until(1000);
  c.run_until(1000);
  REQUIRE(a.same_state(b));
  REQUIRE_FALSE(a.same_state(c));
}

TEST_CASE("a world steps without allocating once its queue has grown", "[world][alloc]") {
  auto w = make_world();
  w.start({4, 0});
  w.run_until(1000);  // the queue at its working size
  const auto before = w.events_handled();
  std::uint64_t allocations = 0;
  {
    dtwin::test::CountAllocations count;
    for (int i = 0; i < 20000; ++i) w.step();
    w.run_until(w.now() + 5000);
    allocations = count.stop();
  }
  CHECK(w.events_handled() > before + 20000);
  CHECK(allocations == 0);
}
