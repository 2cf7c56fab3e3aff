// The production line's State: everything that changes during a run, as plain values.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "engine/sim/ring.hpp"
#include "engine/sim/rng.hpp"

namespace dtwin::line {

enum class Status : std::uint8_t { Starved, Working, Blocked, Down, Setup, Off };
constexpr std::size_t kStatusCount = 6;
const char* status_name(Status s);

// No order: a part not released from an order list (Part::order).
constexpr std::uint32_t kNoOrder = std::numeric_limits<std::uint32_t>::max();

// A part waiting in a place: when it was released into the line, its product (0 in a line
// without products) and the order-list row it was released by (its due time), if any.
struct Part {
  double birth;
  std::uint32_t product;
  std::uint32_t order = kNoOrder;  // index into LineSpec::orders
  bool operator==(const Part& o) const {
    return birth == o.birth && product == o.product && order == o.order;
  }
};

struct MachineState {
  Status status = Status::Starved;
  Status resume = Status::Starved;      // what it was doing when its shift ended
  std::uint8_t pending = 0;             // waits for operators before this activity (kPend*), or 0
  bool holds = false;                   // holds its operators
  std::uint32_t target = 0;             // the place its part goes to (its output unless routed)
  double speed = 1;                     // a setpoint: process times are divided by it
  bool restart = false;                 // its part was taken directly by the next machine
  double part_birth = 0;                // earliest release time among the parts it holds
  std::uint32_t part_units = 0;         // parts it holds (an assembly holds its components)
  std::uint32_t product = 0;            // the product of the part it holds (lines with products)
  std::uint32_t part_order = kNoOrder;  // the order-list row of the part it holds, if any
  double seg_start = 0;                 // start of the current timed activity
  double proc_rem = 0;                  // processing left on the current part
  double ttf_rem = 0;                   // operating time left until the next failure
  double rep_rem = 0;                   // repair left
  double setup_rem = 0;                 // setup left
  std::uint64_t since_setup = 0;        // parts started since the last setup
  std::uint32_t token = 0;              // stamps its pending event; bumping it cancels that event
  double blocked_since = 0;
  double status_since = 0;
  std::array<double, kStatusCount> time_in{};  // seconds in each status since the stats reset
  std::uint64_t done = 0, good = 0, scrapped = 0, failures = 0;  // since the stats reset
  std::uint64_t made_total = 0;                                  // good parts since the start
  std::uint64_t scrapped_total = 0;                              // scrapped since the start
  Rng rng_process, rng_ttf, rng_ttr, rng_scrap, rng_setup;

  // health and maintenance (health.hpp): used only when the machine has them
  std::uint32_t health = 0;  // markov state, 0 = as new
  double wear = 0;           // wear index at the start of the current part (wear model)
  double wear_end = 0;       // wear when the current part is done
  double part_proc = 0;      // processing of the current part over which it wears (wear model)
  double deg_rem = 0;        // operating time to the next health transition or wear threshold
  double pm_rem = 0;         // operating time until preventive maintenance is due
  double op_total = 0;       // operating (working) seconds since the start
  double down_total = 0;     // seconds down since the start
  std::uint8_t job = 0;      // while down: 1 corrective repair, 2 preventive maintenance
  bool waiting = false;      // in the crew's queue
  bool ttf_failure = false;  // the current repair is for a failure of the ttf clock
  double job_since = 0;      // when the current job was requested
  double wait_s = 0;         // time jobs waited for a technician, since the stats reset
  std::uint64_t jobs_done = 0, preventive = 0;  // since the stats reset
  std::uint64_t health_failures = 0;            // since the stats reset
  std::uint64_t pm_orders = 0;  // preventive maintenance ordered by the digital side (pm_orders)
  Rng rng_health, rng_pm;
  // condition monitor: latest signals, the filter's belief, the RUL estimate
  double vib = 0, temp = 0, rul_h = 0;
  double op_at_sample = 0;
  std::vector<double> belief;
  std::vector<std::pair<double, double>> rul_open;  // (sample time, estimate s) this life
  double rul_err_sum = 0;
  std::uint64_t rul_n = 0;
  Rng rng_signal;
  // energy: powered on (0), switched off while idle (1) or warming up (2)
  std::uint8_t power = 0;
  bool sleep_armed = false;
  double power_since = 0;
  double sleep_s = 0, warm_s = 0;  // since the stats reset
  double work_speed_s = 0;         // integral of the speed over working time, since the reset
  double part_speed = 1;           // the speed the part in progress was started at
  // products: the product made last (changeover)
  std::uint32_t last_product = std::numeric_limits<std::uint32_t>::max();
  Rng rng_route, rng_changeover;
  std::uint32_t route_turn = 0;  // "route": "round_robin": the output whose turn is next
  double op_since = 0;           // when it asked for operators (while pending)

  bool operator==(const MachineState& o) const;
};

struct PlaceState {
  Ring<Part> births;                      // each part waiting (release time, product), in order
  Ring<double> ready;                     // conveyor: when each part reaches the end
  double level_area = 0, level_last = 0;  // time integral of the number of parts
  std::uint64_t max_level = 0;
  std::uint64_t entered = 0;  // parts in since the stats reset (sinks: parts received)

  bool operator==(const PlaceState& o) const {
    return births == o.births && ready == o.ready && level_area == o.level_area &&
           level_last == o.level_last && max_level == o.max_level && entered == o.entered;
  }
};

struct SourceState {
  Rng rng;
  bool blocked = false;  // holds an arrival that found its place full
  double held_birth = 0;
  std::uint64_t arrivals = 0, dropped = 0;
  // products: the held arrival's product (and order-list row), the position in the sequence
  // (or the order list), the parts of the current order-list row still to release, the mix's
  // draws
  std::uint32_t held_product = 0, next = 0;
  std::uint32_t held_order = kNoOrder, left = 0;
  Rng rng_mix;

  bool operator==(const SourceState& o) const {
    return rng == o.rng && blocked == o.blocked && held_birth == o.held_birth &&
           arrivals == o.arrivals && dropped == o.dropped && held_product == o.held_product &&
           next == o.next && held_order == o.held_order && left == o.left && rng_mix == o.rng_mix;
  }
};

// An operator pool: busy operators, the machines waiting (request time, machine) in the order
// they are served, and its statistics since the reset
struct PoolState {
  std::uint32_t busy = 0;
  bool on = true;  // on shift
  std::vector<std::pair<double, std::uint32_t>> queue;
  double busy_area = 0, cap_area = 0, last = 0;  // time integrals of busy and available operators
  double wait_sum = 0;
  std::uint64_t grants = 0;
  bool operator==(const PoolState& o) const {
    return busy == o.busy && on == o.on && queue == o.queue && busy_area == o.busy_area &&
           cap_area == o.cap_area && last == o.last && wait_sum == o.wait_sum && grants == o.grants;
  }
};

// what a vehicle does (VehicleState::phase). Loading, carrying and unloading are one event
// (nothing acts on a loaded vehicle until it unloads): the state keeps the loading leg, and
// vehicle_as_of() (vehicle.hpp) gives the leg at a time
constexpr std::uint8_t kVehicleIdle = 0, kVehicleToPickup = 1, kVehicleLoading = 2,
                       kVehicleCarrying = 3, kVehicleUnloading = 4;

// A vehicle of a fleet: what it does (its phase, kVehicle*), where, for which lane
struct VehicleState {
  std::uint8_t phase = 0;
  std::uint32_t fleet = 0, lane = 0, at = 0;  // at: the node it is at or goes to
  Part part{0, 0};                            // the part it carries
  double busy_since = 0;                      // when it last left idle (or the stats reset)
  // the current leg, for a picture of it (the viewer): the node it left (at when it stands)
  // and when the leg began and ends
  std::uint32_t from = 0;
  double leg_start = 0, leg_end = 0;
  bool operator==(const VehicleState& o) const {
    return phase == o.phase && fleet == o.fleet && lane == o.lane && at == o.at && part == o.part &&
           busy_since == o.busy_since && from == o.from && leg_start == o.leg_start &&
           leg_end == o.leg_end;
  }
};

// A fleet's statistics since the reset
struct FleetState {
  double busy_s = 0, empty_m = 0, loaded_m = 0, wait_sum = 0;
  std::uint64_t waits = 0;
  bool operator==(const FleetState& o) const {
    return busy_s == o.busy_s && empty_m == o.empty_m && loaded_m == o.loaded_m &&
           wait_sum == o.wait_sum && waits == o.waits;
  }
};

// One product's statistics since the reset (wip: parts in the line now)
struct ProductStats {
  std::uint64_t wip = 0, out = 0, on_time = 0;
  double wip_area = 0, wip_last = 0, lead_sum = 0, tardy_sum = 0;
  bool operator==(const ProductStats& o) const {
    return wip == o.wip && out == o.out && on_time == o.on_time && wip_area == o.wip_area &&
           wip_last == o.wip_last && lead_sum == o.lead_sum && tardy_sum == o.tardy_sum;
  }
};

struct LineState {
  std::vector<MachineState> machines;
  std::vector<PlaceState> places;
  std::vector<SourceState> sources;
  // parts in the line (released and not yet at a sink or scrapped)
  std::uint64_t wip = 0;
  double wip_area = 0, wip_last = 0;
  double stats_since = 0;
  std::uint64_t released = 0, out = 0, scrapped = 0;  // since the stats reset
  std::uint64_t out_total = 0;                        // since the start
  double lead_sum = 0, lead_sq = 0;                   // over parts out since the reset
  // time series: throughput over the last window
  std::uint64_t window_out = 0;
  double window_rate_h = 0;
  // the maintenance crew: machines waiting for a technician (in request order), busy count
  std::vector<std::uint32_t> crew_queue;
  std::uint32_t crew_busy = 0;
  double crew_area = 0, crew_last = 0;  // time integral of busy technicians
  std::vector<ProductStats> products;   // per product (lines with products)
  std::vector<PoolState> pools;         // per operator pool
  std::vector<VehicleState> vehicles;   // every fleet's vehicles, fleet by fleet
  std::vector<FleetState> fleets;
  std::vector<std::uint32_t> inbound;  // per place (lines with fleets): parts on their way there
  // per fleet: its last dispatch left a part waiting for room at its destination (1 until it
  // first dispatched), so room made there may send a vehicle
  std::vector<std::uint8_t> room_wait;
  // per fleet: its last dispatch left a part waiting for a vehicle (1 until it first dispatched),
  // so a vehicle that turns idle may take it
  std::vector<std::uint8_t> vehicle_wait;
  std::vector<std::uint32_t> turns;  // per place ("rule": "round_robin"): whose turn is next

  bool operator==(const LineState& o) const {
    return machines == o.machines && places == o.places && sources == o.sources && wip == o.wip &&
           wip_area == o.wip_area && wip_last == o.wip_last && stats_since == o.stats_since &&
           released == o.released && out == o.out && scrapped == o.scrapped &&
           out_total == o.out_total && lead_sum == o.lead_sum && lead_sq == o.lead_sq &&
           window_out == o.window_out && window_rate_h == o.window_rate_h &&
           crew_queue == o.crew_queue && crew_busy == o.crew_busy && crew_area == o.crew_area &&
           crew_last == o.crew_last && products == o.products && pools == o.pools &&
           vehicles == o.vehicles && fleets == o.fleets && inbound == o.inbound &&
           room_wait == o.room_wait && vehicle_wait == o.vehicle_wait && turns == o.turns;
  }
};

}  // namespace dtwin::line
