// The production line's Spec: machines, buffers, conveyors, sources and sinks joined by the
// scenario's "flow", compiled into places where parts wait and machines that move them.
//
// Semantics (also in the README):
//  - A buffer's capacity counts parts waiting between machines, not the part on a machine.
//    No capacity: unbounded. Two machines joined directly have a place of capacity 0.
//  - Blocking after service: a machine that finishes while its output is full keeps the part
//    and is blocked until space opens.
//  - Failures happen only while processing: time to failure counts operating time. The
//    interrupted part resumes after repair.
//  - A conveyor is a FIFO place whose parts become available length/speed after they enter,
//    holding at most max_parts (accumulating at its end when the next machine is busy).
//  - An assembly station takes `inputs[k]` parts from each input place and makes one part.
//  - Setup happens before processing every `every` parts (the first part included).
//  - A scrapped part leaves the line at the machine that scrapped it.
//  - Planned downtime from a shift calendar freezes a machine (see calendar.hpp).
//  - Health, maintenance, the crew and energy: see health.hpp.
//  - Products (optional; a line without them runs as before): sources release them by a mix
//    or a cyclic sequence; a time may be given per product; a machine's changeover is a setup
//    by product pair, before a part of another product than the last; a machine's outputs
//    may be chosen by product or by probability; buffers order parts by a discipline.
//  - Order lists (optional, a source's "orders" CSV): each row releases its quantity of parts of
//    its product at its release time, one after the other; a part's release (lead time) is its
//    row's time even when it waited at a full source, and its due time is the row's "due".
//  - Operator pools (optional, "resources"): a machine that `needs` operators for an activity
//    (processing, setup, repair) holds them from its start to its end; without a free operator
//    the machine waits with its part (repair: down, the repair not started). Requests are
//    served first come, first served (ties by machine id). A machine keeps its operators
//    through a failure in the middle of processing. A pool's calendar gates new assignments
//    only: an operator finishes what it started.
//  - Transport fleets (optional, a "fleet" twin named by flow edges' "via"): a part a machine
//    sends by a fleet waits on the machine (blocking it) until a vehicle comes; the nearest
//    idle vehicle (then the lowest index) takes the part that waited longest whose destination
//    has room (counting parts on their way there), travels empty to it, loads (the machine is
//    free from then), carries it, unloads it into the destination. Travel takes the shortest
//    path through the fleet's distance table at its speed. A machine reached by a fleet has an
//    input place with room for a part per vehicle.
//  - Station rules: a buffer's idle stations take an arriving part first free (in flow order) or
//    in turn ("rule": "round_robin"); a machine with several plain outputs sends each part, as
//    it starts, to the one holding the fewest parts ("route": "shortest_queue"; a machine
//    downstream counts its part) or to each in turn ("round_robin"). A saturated source may feed
//    several machines, or a buffer or conveyor of finite capacity that it keeps full.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "engine/sim/distribution.hpp"
#include "twins/line/calendar.hpp"
#include "twins/line/health.hpp"

namespace dtwin::line {

constexpr std::uint64_t kUnbounded = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

enum class PlaceKind : std::uint8_t {
  Buffer,    // a buffer twin
  Conveyor,  // a conveyor twin
  Link,      // two machines joined directly: capacity 0
  Supply,    // a saturated source: a part is always there
  Arrivals,  // the queue in front of a machine fed by a source with interarrival times
  Sink,      // a sink twin: takes every part
};

// The order in which machines take parts from a buffer. Ties go first in, first out.
enum class Discipline : std::uint8_t {
  Fifo,      // first in, first out
  Priority,  // the product's priority, lower first (as SimPy's PriorityResource)
  Spt,       // shortest mean processing time at the machine that takes it
  Edd,       // earliest due time (release + the product's "due"; none: last)
  Setup,     // the product the taking machine made last, first
};

// A product type: attributes a discipline reads. Parts carry the index of theirs.
struct ProductSpec {
  std::string name;
  double priority = 0;                                     // lower is served first
  double due_s = std::numeric_limits<double>::infinity();  // after release; inf: none
  bool due_by_order = false;  // an order list gives some of its parts a due time
};

// PlaceSpec::extras: idle stations take arrivals in turn (buffer "rule": "round_robin"); a
// fleet picks parts up or drops them here (LineSpec::place_fleet says which), and drops them
// here (room made here may send a vehicle); a saturated source keeps it full
constexpr std::uint8_t kPlaceRoundRobin = 1, kPlaceFleet = 2, kPlaceKeptFull = 4,
                       kPlaceFleetDrop = 8;

struct PlaceSpec {
  std::string id;  // the twin id, or "src->m1" for an implicit place
  PlaceKind kind = PlaceKind::Buffer;
  std::uint64_t capacity = kUnbounded;
  double transit_s = 0;                      // conveyor
  double length_m = 0, speed_m_s = 0;        // conveyor, for display
  std::vector<std::uint32_t> producers;      // machines that put parts here
  std::vector<std::uint32_t> consumers;      // machines that take parts from here
  std::uint32_t source = kNone;              // the source feeding it, if any
  bool is_twin = false;                      // buffer, conveyor or sink twin (not implicit)
  Discipline discipline = Discipline::Fifo;  // buffer
  std::uint8_t extras = 0;  // kPlace* bits: what the hot path checks once, in one byte
};

// An operator pool: `size` people on an optional calendar (into LineSpec::calendars).
struct PoolSpec {
  std::string name;
  std::uint32_t size = 1;
  std::uint32_t calendar = kNone;
};

// The activities a machine needs operators for (bits of NeedsSpec::for_mask).
constexpr std::uint8_t kForProcess = 1, kForSetup = 2, kForRepair = 4;

// What a machine needs from a pool: `count` operators of pool `pool` for the activities in
// `for_mask`.
struct NeedsSpec {
  std::uint32_t pool = kNone;
  std::uint32_t count = 0;
  std::uint8_t for_mask = 0;
};

// A fleet's lane: parts picked up at place `pickup` (node `from`) and dropped at place `drop`
// (node `to`); nodes index FleetSpec::nodes.
struct Lane {
  std::uint32_t pickup = kNone, drop = kNone;
  std::uint32_t from = 0, to = 0;
};

// A transport fleet: vehicles that carry parts along the flow edges that name it ("via").
struct FleetSpec {
  std::string id;
  std::uint32_t vehicles = 1;
  double speed_m_s = 1, load_s = 0, unload_s = 0;
  std::vector<std::string> nodes;  // the places it goes to, by twin id (the distance table's)
  std::vector<double> dist_m;      // shortest distances, nodes x nodes (inf: no way)
  std::vector<Lane> lanes;
  std::uint32_t first_vehicle = 0;  // its first vehicle in LineState::vehicles
  bool from_layout = false;  // no "distances": straight lines between the twins' layout positions
  double dist(std::uint32_t a, std::uint32_t b) const { return dist_m[a * nodes.size() + b]; }
};

// A row of an order list: `quantity` parts of `product` released at `release_s`, each due at
// `due_s` (run times in seconds; inf: the product's own "due" after release, or none).
struct OrderSpec {
  double release_s = 0;
  std::uint32_t product = 0;
  std::uint32_t quantity = 1;
  double due_s = std::numeric_limits<double>::infinity();
};

struct SourceSpec {
  std::string id;
  bool saturated = false;
  Distribution interarrival;
  std::uint32_t place = kNone;  // where arrivals go
  bool drop_when_full = false;  // else the source blocks
  // products: cumulative probabilities of "mix", or the cyclic "sequence" (product indices)
  std::vector<double> mix_cum;
  std::vector<std::uint32_t> sequence;
  // an order list ("orders"): its rows are LineSpec::orders[orders_begin, orders_end)
  std::uint32_t orders_begin = 0, orders_end = 0;
  bool has_orders() const { return orders_end != orders_begin; }
};

// Where a machine with several outputs (or a routed one) sends a finished part.
struct Routing {
  enum class Rule : std::uint8_t { None, ShortestQueue, RoundRobin };
  std::vector<double> cum_p;              // by probability: cumulative, per output
  std::vector<std::uint32_t> by_product;  // by product: the place of each product
  Rule rule = Rule::None;  // "route": the output with the fewest parts, or each in turn
};

struct MachineSpec {
  std::string id;
  std::string kind;  // "machine" or "assembly"
  Distribution process;
  double speed = 1;  // initial speed setpoint (the state holds the current one)
  bool fails = false;
  // hot-path flags for what health.hpp adds (kept beside `fails`, in the same cache line):
  bool clocks = false;    // degradation or preventive maintenance runs on operating time
  bool managed = false;   // health, maintenance, power, or the line has a crew
  bool auto_off = false;  // power.auto_off
  bool wear = false;      // health.wear()
  bool typed = false;     // the line has products: the machine reads its parts' products
  bool routed = false;    // its output is chosen per part (`routing`)
  bool picky = false;     // an input filters products or orders parts by a discipline
  bool prepares = false;  // has_setup, typed or routed: more to do than process as a part starts
  bool staffed = false;   // needs operators (`needs`)
  Distribution ttf, ttr;  // time to failure (operating time), time to repair
  bool has_setup = false;
  Distribution setup;
  std::uint64_t setup_every = 1;
  double scrap = 0;                      // probability a finished part is scrapped
  double ideal_cycle_s = 0;              // for OEE performance
  std::uint32_t calendar = kNone;        // index into LineSpec::calendars
  std::vector<std::uint32_t> inputs;     // places
  std::vector<std::uint32_t> input_qty;  // parts taken from each input (assembly); 1 otherwise
  bool assembly = false;  // needs every input; otherwise takes from the first that has a part
  std::uint32_t output = kNone;  // place (the first output when routed)
  // products (all optional): per-product times (empty: `process`, `setup` for every product),
  // the changeover matrix (from * P + to; `has_changeover` says which pairs have one), the
  // products each input accepts (per input; empty: all), the outputs of a routed machine
  std::vector<Distribution> process_by, setup_by, changeover;
  std::vector<char> has_changeover;
  std::vector<double> process_mean_by;  // for "spt"
  std::vector<std::vector<char>> accepts;
  std::vector<std::uint32_t> outputs;  // every output place, `output` first
  Routing routing;
  NeedsSpec needs;  // operators (when `staffed`)
  // health, maintenance and energy (health.hpp); all optional
  HealthSpec health;
  SignalsSpec signals;
  MaintenanceSpec maint;
  PowerSpec power;
};

struct LineSpec {
  std::string id = "line";
  std::vector<SourceSpec> sources;
  std::vector<MachineSpec> machines;
  std::vector<PlaceSpec> places;
  std::vector<Calendar> calendars;
  std::vector<std::uint32_t> serial_order;  // machines in flow order when the line is a chain
  double window_s = 3600;                   // throughput in the time series: mean over this window
  CrewSpec crew;                            // maintenance technicians shared by the machines
  double energy_price_per_kwh = 0;          // "costs": {"energy_per_kwh": ...}
  std::string currency = "EUR";
  bool has_health = false, has_power = false, has_cost = false;
  std::vector<ProductSpec> products;  // "products": none for a line of one kind of part
  std::vector<OrderSpec> orders;      // the rows of every source's order list, in order
  bool typed = false;                 // there are products: parts carry theirs
  std::vector<PoolSpec> pools;        // "resources" of kind "pool"
  std::vector<FleetSpec> fleets;      // "fleet" twins
  // per place, the fleet that picks parts up or drops them there (kNone: none), kept beside
  // the places so that PlaceSpec stays 128 bytes (a shift, not a multiply, on the hot path)
  std::vector<std::uint32_t> place_fleet;
};

}  // namespace dtwin::line
