// The production-line model: discrete events over a LineSpec, state in a LineState.
// Parts are released by sources, wait in places (buffers, conveyors, links), are processed by
// machines, and leave at sinks or as scrap. See spec.hpp for the semantics.
// The code, one concern a file: model.cpp (initial state, start, events), flow.cpp (taking,
// putting, blocking), products.cpp (releases by product, disciplines, routes, changeovers, their
// KPIs), operators.cpp (operator pools), fleet.cpp (transport), shifts.cpp, maintenance.cpp
// (health, crew, monitor), energy.cpp, kpis.cpp, series.cpp (time series, state JSON) and
// mirror.cpp; what they share: model_detail.hpp.
#pragma once

#include <memory>

#include "engine/mirror/mirrorable.hpp"
#include "engine/sim/model.hpp"
#include "engine/sim/world.hpp"
#include "twins/line/spec.hpp"
#include "twins/line/state.hpp"

namespace dtwin::line {

class LineModel final : public Model, public Mirrorable {
 public:
  explicit LineModel(LineSpec spec) : spec_(std::move(spec)) {}
  const LineSpec& spec() const { return spec_; }

  std::string_view kind() const override { return "line"; }
  void twins(std::vector<TwinInfo>& out) const override;
  std::unique_ptr<StateBlock> make_state(const RunContext& ctx) const override;
  void start(World& w, std::uint32_t self) const override;
  void handle(World& w, const Event& e) const override;
  void reset_stats(World& w, std::uint32_t self) const override;
  void collect(const World& w, std::uint32_t self, Metrics& out) const override;
  void columns(std::vector<std::string>& out) const override;
  void sample(const World& w, std::uint32_t self, std::vector<std::string>& out) const override;
  nlohmann::json state_json(const World& w, std::uint32_t self) const override;
  // machines: state (enum), parts (made since the start), speed (setpoint, 0.05-20), and when
  // configured health, vibration, temperature, rul (h) and power (kW);
  // buffers and conveyors: level; the line: wip, output
  void properties(std::vector<TwinSpec>& out) const override;
  bool read_property(const World& w, std::uint32_t self, std::size_t twin, std::size_t prop,
                     Value& out) const override;
  bool apply_setpoint(World& w, std::uint32_t self, std::size_t twin, std::size_t prop,
                      const Value& v, std::string* reason) const override;
  // a fork from the live plant: buffer and conveyor levels (parts waiting from time 0),
  // machines down (a fresh repair time), speeds in force; counters are refused
  bool assimilate(World& w, std::uint32_t self, std::size_t twin, std::size_t prop, const Value& v,
                  std::string* reason) const override;
  // live: a machine with health and signals gets a condition monitor (live_monitor.cpp)
  std::unique_ptr<LiveMonitor> make_monitor(std::size_t twin) const override;

 private:
  struct Ctx;  // one event's working set: world, state, self (model_detail.hpp)
  // a machine's events (flow.cpp, energy.cpp)
  void part_done(Ctx& c, std::uint32_t m) const;
  void failed(Ctx& c, std::uint32_t m) const;
  void repaired(Ctx& c, std::uint32_t m) const;
  void setup_done(Ctx& c, std::uint32_t m) const;
  void warmed_up(Ctx& c, std::uint32_t m) const;
  void sleep_due(Ctx& c, std::uint32_t m) const;
  // flow and blocking (flow.cpp)
  void try_start(Ctx& c, std::uint32_t m) const;
  bool take_and_begin(Ctx& c, std::uint32_t m) const;
  bool can_start(const Ctx& c, std::uint32_t m) const;
  void begin_work(Ctx& c, std::uint32_t m) const;
  void start_setup(Ctx& c, std::uint32_t m, double duration) const;
  void start_processing(Ctx& c, std::uint32_t m, double duration) const;
  void process_when_staffed(Ctx& c, std::uint32_t m, double duration) const;
  void schedule_segment(Ctx& c, std::uint32_t m) const;
  void finish(Ctx& c, std::uint32_t m) const;
  void deliver(Ctx& c, std::uint32_t m) const;
  void scrap(Ctx& c, std::uint32_t m) const;
  bool available(const Ctx& c, std::uint32_t place, std::uint32_t qty) const;
  std::size_t held_for(const Ctx& c, std::uint32_t place) const;
  Part take(Ctx& c, std::uint32_t place) const;
  std::uint32_t oldest_blocked(const Ctx& c, std::uint32_t place) const;
  void after_take(Ctx& c, std::uint32_t place) const;
  void put(Ctx& c, std::uint32_t place, Part part) const;
  void refill(Ctx& c, std::uint32_t place) const;
  void room_made(Ctx& c, std::uint32_t place) const;
  void notify(Ctx& c, std::uint32_t place) const;
  void notify_in_turn(Ctx& c, std::uint32_t place) const;
  void arrival(Ctx& c, std::uint32_t s) const;
  void next_arrival(Ctx& c, std::uint32_t s) const;
  void set_status(Ctx& c, std::uint32_t m, Status s) const;
  void level_changed(Ctx& c, std::uint32_t place) const;
  void wip_changed(Ctx& c) const;
  // products (products.cpp): release, choice of parts by a discipline, routes, changeovers
  std::uint32_t release(Ctx& c, std::uint32_t source) const;
  void product_entered(Ctx& c, std::uint32_t product) const;
  void product_left(Ctx& c, Part part, bool to_sink) const;
  double due_of(const Part& part) const;
  // order lists (orders.cpp)
  void order_arrival(Ctx& c, std::uint32_t source) const;
  void next_order(Ctx& c, std::uint32_t source) const;
  void start_orders(Ctx& c, std::uint32_t source) const;
  std::uint32_t pick(const Ctx& c, std::uint32_t m, std::size_t input) const;
  bool sorted_input(std::uint32_t m, std::size_t input) const;
  Part take_at(Ctx& c, std::uint32_t place, std::uint32_t index) const;
  std::uint32_t route(Ctx& c, std::uint32_t m) const;
  std::size_t queue_at(const Ctx& c, std::uint32_t place) const;
  double changeover(Ctx& c, std::uint32_t m) const;
  void begin_typed(Ctx& c, std::uint32_t m, bool setup) const;
  void collect_products(const LineState& s, double now, double T, Metrics& out) const;
  // shift calendars (shifts.cpp)
  void shift_change(Ctx& c, std::uint32_t m) const;
  void shift_ends(Ctx& c, std::uint32_t m) const;
  void shift_starts(Ctx& c, std::uint32_t m) const;
  // health, maintenance, the crew and the condition monitor (maintenance.cpp, health.hpp)
  void load_part(Ctx& c, std::uint32_t m) const;
  void wear_target(Ctx& c, std::uint32_t m) const;
  void degrade(Ctx& c, std::uint32_t m) const;
  void request(Ctx& c, std::uint32_t m, std::uint8_t job) const;
  void assign(Ctx& c, std::uint32_t m) const;
  void job_done(Ctx& c, std::uint32_t m) const;
  void renew(Ctx& c, std::uint32_t m) const;
  void crew_changed(Ctx& c) const;
  bool crew_on_shift(const Ctx& c) const;
  void crew_take(Ctx& c, std::uint32_t m, bool take) const;
  void crew_dispatch(Ctx& c) const;
  void monitor(Ctx& c, std::uint32_t m) const;
  // energy (energy.cpp)
  void powered_start(Ctx& c, std::uint32_t m) const;
  void power_to(Ctx& c, std::uint32_t m, std::uint8_t mode) const;
  double power_kw(const MachineState& ms, const MachineSpec& m) const;
  // operator pools (operators.cpp)
  bool staff(Ctx& c, std::uint32_t m, std::uint8_t activity, std::uint8_t pending) const;
  void free_operators(Ctx& c, std::uint32_t m) const;
  void serve(Ctx& c, std::uint32_t pool) const;
  void pool_changed(Ctx& c, std::uint32_t pool) const;
  void pool_shift(Ctx& c, std::uint32_t pool) const;
  void collect_pools(const LineState& s, double now, Metrics& out) const;
  // transport fleets (fleet.cpp)
  void dispatch(Ctx& c, std::uint32_t fleet) const;
  void vehicle_leg(Ctx& c, std::uint32_t v) const;
  void vehicle_go(Ctx& c, std::uint32_t v, std::uint8_t phase, double duration) const;
  void unload(Ctx& c, std::uint32_t v) const;
  void to_sink(Ctx& c, std::uint32_t place, Part part) const;
  void collect_fleets(const LineState& s, double now, Metrics& out) const;
  void state_resources(const LineState& s, double now, nlohmann::json& j) const;  // series.cpp
  // the loaded distance of fleet f's vehicles that are still loading at now (fleet.cpp)
  double still_loading_m(const LineState& s, std::size_t f, double now) const;
  // statistics (kpis.cpp)
  void collect_health(const LineState& s, double now, double T, Metrics& out) const;

  LineSpec spec_;
};

}  // namespace dtwin::line
