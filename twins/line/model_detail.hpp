// Inside LineModel: what its source files share and nothing outside twins/line includes.
// The event codes, one event's working set (Ctx), the machine's operating-time clocks, and the
// health helpers that the state, the statistics and the mirror all read.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

#include "twins/line/model.hpp"

namespace dtwin::line {

enum Code : std::uint32_t {
  kDone,           // a machine finished processing a part
  kFail,           // a machine failed
  kRepaired,       // its repair is over
  kSetupDone,      // its setup is over
  kShift,          // its calendar changes between on and off
  kArrival,        // a source releases a part
  kConveyorReady,  // a part reached the end of a conveyor
  kWindow,         // time-series throughput window
  kDegrade,        // a health transition (markov) or a wear threshold is reached
  kPreventive,     // preventive maintenance is due (operating time)
  kWarmDone,       // a machine switched off while idle has warmed up
  kSleep,          // an idle machine switches off
  kSignal,         // the condition monitor samples a machine's signals
  kPoolShift,      // an operator pool's calendar changes between on and off
  kVehicle,        // a vehicle ends a leg of its job (entity: the vehicle)
};
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::uint8_t kCorrective = 1, kPreventiveJob = 2;
constexpr std::uint8_t kPowerOn = 0, kPowerAsleep = 1, kPowerWarming = 2;
// what a machine waiting for operators does when they come (MachineState::pending)
constexpr std::uint8_t kPendSetup = 1, kPendProcess = 2, kPendRepair = 3;

// one event's working set; at() schedules an event of the line
struct LineModel::Ctx {
  World& w;
  LineState& s;
  std::uint32_t self;
  double now;
  void at(double t, std::uint8_t prio, std::uint32_t entity, std::uint32_t code,
          std::uint32_t token = 0) {
    w.schedule(t, prio, self, entity, code, token);
  }
};

// The working time since the current segment started, counted on every operating-time clock:
// the part's processing left, the time to failure, and the health and maintenance clocks.
// A `finished` part has none left: its event came when due, and max(0, left - elapsed) there
// would branch on rounding noise at every part (a misprediction in two, ~15 % in bench_line).
inline void count_operating(MachineState& ms, const MachineSpec& m, double now,
                            bool finished = false) {
  const double el = now - ms.seg_start;
  ms.proc_rem = finished ? 0.0 : std::max(0.0, ms.proc_rem - el);
  if (m.fails) ms.ttf_rem -= el;
  if (m.clocks) {
    ms.deg_rem -= el;
    ms.pm_rem -= el;
  }
}

// A part leaves the line at sink `out` (here to be inlined where machines deliver).
inline void LineModel::to_sink(Ctx& c, std::uint32_t out, Part part) const {
  wip_changed(c);
  --c.s.wip;
  ++c.s.out;
  ++c.s.out_total;
  ++c.s.places[out].entered;
  const double lead = c.now - part.birth;
  c.s.lead_sum += lead;
  c.s.lead_sq += lead * lead;
  if (spec_.typed) product_left(c, part, true);
}

// The producer of place p blocked the longest (first come, first served), or kNone. Inline:
// the fleet's dispatcher asks it of every lane, and taking parts of every input.
inline std::uint32_t LineModel::oldest_blocked(const Ctx& c, std::uint32_t p) const {
  std::uint32_t best = kNone;
  for (auto pm : spec_.places[p].producers) {
    const MachineState& x = c.s.machines[pm];
    if (x.status == Status::Blocked && x.target == p &&
        (best == kNone || x.blocked_since < c.s.machines[best].blocked_since))
      best = pm;
  }
  return best;
}

// The next arrival of source s: after an interarrival time, or its order list's next part.
inline void LineModel::next_arrival(Ctx& c, std::uint32_t s) const {
  const SourceSpec& src = spec_.sources[s];
  if (__builtin_expect(src.has_orders(), 0)) return next_order(c, s);
  c.at(c.now + src.interarrival.sample(c.s.sources[s].rng), kModel, s, kArrival);
}

// a part's processing and setup times (per product when the machine gives them so)
inline double process_time(const MachineSpec& m, MachineState& ms) {
  const Distribution& d = m.typed && !m.process_by.empty() ? m.process_by[ms.product] : m.process;
  return d.sample(ms.rng_process) / ms.speed;
}
inline double setup_time(const MachineSpec& m, MachineState& ms) {
  const Distribution& d = m.typed && !m.setup_by.empty() ? m.setup_by[ms.product] : m.setup;
  return d.sample(ms.rng_setup);
}

// the share of an operator pool's available time (on shift, or finishing a job after it) its
// operators were busy, up to now (NaN: never available) (operators.cpp)
double pool_utilisation(const PoolSpec& P, const PoolState& ps, double now);

// the share of a fleet's vehicle time spent on jobs, up to now (fleet.cpp)
double fleet_utilisation(const FleetSpec& F, std::size_t f, const LineState& s, double now);

// health helpers (maintenance.cpp)
// operating time until the chain leaves `state` (exponential with the row's exit rate)
double sojourn(const HealthSpec& h, std::uint32_t state, Rng& rng);
// the wear index now: the part in progress adds its wear evenly over its processing
double wear_now(const MachineState& ms, double now);
// the wear filter's prior rate, per operating hour
double nominal_wear_rate_h(const MachineSpec& m);
// A machine whose health the live engine monitors from its signals (mirror.cpp).
bool monitored(const MachineSpec& m);
// The name of a machine's k-th configured reading after state, parts and speed (health,
// vibration, temperature, rul, power; "" past the last).
std::string monitor_extra_name(const MachineSpec& m, std::size_t k);

}  // namespace dtwin::line
