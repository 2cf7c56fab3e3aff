// Flow and blocking: machines take parts from their input places, process them (setup first
// when due), and hand them on, or hold them blocked until space opens; sources release parts.
#include <algorithm>
#include <limits>

#include "twins/line/model_detail.hpp"

namespace dtwin::line {

// ---- a machine's events -------------------------------------------------------------------

void LineModel::part_done(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const MachineSpec& spec = spec_.machines[m];
  count_operating(ms, spec, c.now, true);
  if (spec.clocks) {
    ms.wear = ms.wear_end;
    ms.part_proc = 0;
  }
  finish(c, m);
}

void LineModel::failed(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const MachineSpec& spec = spec_.machines[m];
  count_operating(ms, spec, c.now);
  ms.ttf_rem = 0;
  ++ms.failures;
  if (spec.managed) {
    ms.ttf_failure = true;
    request(c, m, kCorrective);
    return;
  }
  set_status(c, m, Status::Down);
  ms.rep_rem = spec.ttr.sample(ms.rng_ttr);
  // a repair that needs operators waits for them (one at work on the part stays)
  if (spec.staffed && (spec.needs.for_mask & kForRepair) && !staff(c, m, kForRepair, kPendRepair))
    return;
  ms.seg_start = c.now;
  c.at(c.now + ms.rep_rem, kModel, m, kRepaired, ++ms.token);
}

void LineModel::repaired(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const MachineSpec& spec = spec_.machines[m];
  ms.rep_rem = 0;
  // operators who came for the repair go; one who works on the part stays
  if (spec.staffed && ms.holds && (ms.part_units == 0 || !(spec.needs.for_mask & kForProcess)))
    free_operators(c, m);
  if (spec.managed) {
    job_done(c, m);
    return;
  }
  ms.ttf_rem = spec.ttf.sample(ms.rng_ttf);
  if (ms.part_units == 0) {  // down without a part (a fork of a live machine that was down)
    set_status(c, m, Status::Starved);
    try_start(c, m);
    return;
  }
  schedule_segment(c, m);
}

void LineModel::setup_done(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const MachineSpec& spec = spec_.machines[m];
  ms.setup_rem = 0;
  process_when_staffed(c, m, process_time(spec, ms));
}

// ---- time integrals -----------------------------------------------------------------------

void LineModel::set_status(Ctx& c, std::uint32_t m, Status st) const {
  MachineState& ms = c.s.machines[m];
  const double el = c.now - ms.status_since;
  ms.time_in[static_cast<std::size_t>(ms.status)] += el;
  if (ms.status == Status::Working) {
    ms.op_total += el;
    ms.work_speed_s += el * ms.part_speed;
  }
  if (ms.status == Status::Down) ms.down_total += el;
  ms.status_since = c.now;
  ms.status = st;
}

void LineModel::level_changed(Ctx& c, std::uint32_t p) const {
  PlaceState& ps = c.s.places[p];
  ps.level_area += static_cast<double>(ps.births.size()) * (c.now - ps.level_last);
  ps.level_last = c.now;
}

void LineModel::wip_changed(Ctx& c) const {
  c.s.wip_area += static_cast<double>(c.s.wip) * (c.now - c.s.wip_last);
  c.s.wip_last = c.now;
}

// ---- flow ---------------------------------------------------------------------------------

// A machine with nothing to do takes parts from its inputs if it can. One switched off while
// idle warms up first; one that stays idle is armed to switch off.
void LineModel::try_start(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  if (ms.status != Status::Starved) return;  // (notify skips a machine waiting for operators)
  if (spec_.machines[m].auto_off)
    powered_start(c, m);
  else
    take_and_begin(c, m);
}

bool LineModel::can_start(const Ctx& c, std::uint32_t m) const {
  const MachineSpec& spec = spec_.machines[m];
  const std::size_t n = spec.inputs.size();
  for (std::size_t k = 0; k < n; ++k) {
    const bool ok = spec.picky && sorted_input(m, k)
                        ? pick(c, m, k) != kNone
                        : available(c, spec.inputs[k], spec.assembly ? spec.input_qty[k] : 1);
    if (spec.assembly && !ok) return false;
    if (!spec.assembly && ok) return true;
  }
  return spec.assembly;
}

bool LineModel::take_and_begin(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const MachineSpec& spec = spec_.machines[m];
  const std::size_t n = spec.inputs.size();
  if (spec.assembly) {
    for (std::size_t k = 0; k < n; ++k)
      if (!available(c, spec.inputs[k], spec.input_qty[k])) return false;
    double birth = std::numeric_limits<double>::infinity();
    std::uint32_t units = 0;
    for (std::size_t k = 0; k < n; ++k)
      for (std::uint32_t q = 0; q < spec.input_qty[k]; ++q) {
        birth = std::min(birth, take(c, spec.inputs[k]).birth);
        ++units;
      }
    ms.part_birth = birth;
    ms.part_order = kNoOrder;
    ms.part_units = units;
    begin_work(c, m);
    for (std::size_t k = 0; k < n; ++k) after_take(c, spec.inputs[k]);
    return true;
  }
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint32_t p = spec.inputs[k];
    Part part;
    if (spec.picky && sorted_input(m, k)) {
      const std::uint32_t i = pick(c, m, k);
      if (i == kNone) continue;
      part = take_at(c, p, i);
    } else {
      if (!available(c, p, 1)) continue;
      part = take(c, p);
    }
    ms.part_birth = part.birth;
    ms.product = part.product;
    ms.part_order = part.order;
    ms.part_units = 1;
    begin_work(c, m);
    after_take(c, p);
    return true;
  }
  return false;
}

void LineModel::begin_work(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const MachineSpec& spec = spec_.machines[m];
  ++ms.since_setup;
  if (!spec.prepares) {  // no setup, products or routes: straight to processing
    start_processing(c, m, spec.process.sample(ms.rng_process) / ms.speed);
    return;
  }
  const bool setup = spec.has_setup && (ms.since_setup - 1) % spec.setup_every == 0;
  if (spec.routed) ms.target = route(c, m);  // where the part will go, chosen as it starts
  if (spec.typed)
    begin_typed(c, m, setup);
  else if (setup)
    start_setup(c, m, spec.setup.sample(ms.rng_setup));
  else
    process_when_staffed(c, m, spec.process.sample(ms.rng_process) / ms.speed);
}

void LineModel::start_setup(Ctx& c, std::uint32_t m, double duration) const {
  MachineState& ms = c.s.machines[m];
  if (spec_.machines[m].staffed) {
    ms.setup_rem = duration;
    if (!staff(c, m, kForSetup, kPendSetup)) return;
  }
  set_status(c, m, Status::Setup);
  ms.setup_rem = duration;
  ms.seg_start = c.now;
  c.at(c.now + ms.setup_rem, kModel, m, kSetupDone, ++ms.token);
}

// Processing, once the machine's operators are there (a staffed machine prepares: its parts
// never take begin_work's straight way to start_processing).
void LineModel::process_when_staffed(Ctx& c, std::uint32_t m, double duration) const {
  if (spec_.machines[m].staffed) {
    c.s.machines[m].proc_rem = duration;
    if (!staff(c, m, kForProcess, kPendProcess)) return;
  }
  start_processing(c, m, duration);
}

void LineModel::start_processing(Ctx& c, std::uint32_t m, double duration) const {
  MachineState& ms = c.s.machines[m];
  ms.proc_rem = duration;
  ms.part_speed = ms.speed;
  if (spec_.machines[m].wear) load_part(c, m);
  schedule_segment(c, m);
}

// Processing runs until the part is done or the machine fails, whichever is first.
void LineModel::schedule_segment(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  if (ms.status != Status::Working) set_status(c, m, Status::Working);
  ms.seg_start = c.now;
  const MachineSpec& spec = spec_.machines[m];
  if (spec.clocks) {  // the earliest of: part done, failure, health transition, maintenance due
    double t = ms.proc_rem;
    std::uint32_t code = kDone;
    if (spec.fails && ms.ttf_rem < t) t = ms.ttf_rem, code = kFail;
    if (ms.deg_rem < t) t = std::max(0.0, ms.deg_rem), code = kDegrade;
    if (ms.pm_rem < t) t = std::max(0.0, ms.pm_rem), code = kPreventive;
    c.at(c.now + t, kModel, m, code, ++ms.token);
    return;
  }
  if (spec.fails && ms.ttf_rem < ms.proc_rem)
    c.at(c.now + ms.ttf_rem, kModel, m, kFail, ++ms.token);
  else
    c.at(c.now + ms.proc_rem, kModel, m, kDone, ++ms.token);
}

void LineModel::finish(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const MachineSpec& spec = spec_.machines[m];
  ++ms.done;
  if (ms.part_units > 1) {  // an assembly's components become one part
    wip_changed(c);
    c.s.wip -= ms.part_units - 1;
    ms.part_units = 1;
  }
  if (spec.scrap > 0 && ms.rng_scrap.uniform() < spec.scrap) {
    scrap(c, m);
    return;
  }
  ++ms.good;
  ++ms.made_total;
  deliver(c, m);
}

// The finished part is scrapped: it leaves the line here.
void LineModel::scrap(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  ++ms.scrapped;
  ++ms.scrapped_total;
  ++c.s.scrapped;
  wip_changed(c);
  --c.s.wip;
  if (spec_.typed) product_left(c, {ms.part_birth, ms.product, ms.part_order}, false);
  ms.part_units = 0;
  set_status(c, m, Status::Starved);
  try_start(c, m);
}

// Hands the finished part on, or blocks (blocking after service).
void LineModel::deliver(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const std::uint32_t out = ms.target;  // the machine's output, or the part's route
  const PlaceSpec& P = spec_.places[out];
  PlaceState& ps = c.s.places[out];
  if (P.kind == PlaceKind::Sink) {
    to_sink(c, out, {ms.part_birth, ms.product, ms.part_order});
    ms.part_units = 0;
    set_status(c, m, Status::Starved);
    try_start(c, m);
    return;
  }
  if (ps.births.size() < P.capacity) {
    put(c, out, {ms.part_birth, ms.product, ms.part_order});
    ms.part_units = 0;
    set_status(c, m, Status::Starved);
    notify(c, out);
    try_start(c, m);
    return;
  }
  set_status(c, m, Status::Blocked);
  ms.blocked_since = c.now;
  if (P.capacity == 0) {
    // a vehicle comes for it (a fleet's pickup has no machine to take it), or the next machine
    // may take it directly
    if (__builtin_expect(P.extras & kPlaceFleet, 0)) return dispatch(c, spec_.place_fleet[out]);
    notify(c, out);
  }
}

bool LineModel::available(const Ctx& c, std::uint32_t p, std::uint32_t qty) const {
  const PlaceSpec& P = spec_.places[p];
  if (P.kind == PlaceKind::Supply) return true;
  const PlaceState& ps = c.s.places[p];
  std::size_t n = ps.births.size();
  if (P.kind == PlaceKind::Conveyor) {
    // parts reach the end in order: the qty-th part must have arrived
    if (n < qty) return false;
    return ps.ready[qty - 1] <= c.now;
  }
  if (n >= qty) return true;
  if (P.capacity == 0) n += held_for(c, p);  // direct hand-over
  return n >= qty;
}

// Parts held for place p (of capacity 0) by blocked machines and a waiting source. Out of line:
// inlined, the check of each machine's target costs `available` a register on every call.
[[gnu::noinline]] std::size_t LineModel::held_for(const Ctx& c, std::uint32_t p) const {
  const PlaceSpec& P = spec_.places[p];
  std::size_t n = 0;
  for (auto pm : P.producers) {
    const MachineState& x = c.s.machines[pm];
    if (x.status == Status::Blocked && x.target == p) ++n;
  }
  if (P.source != kNone && c.s.sources[P.source].blocked) ++n;
  return n;
}

Part LineModel::take(Ctx& c, std::uint32_t p) const {
  const PlaceSpec& P = spec_.places[p];
  if (P.kind == PlaceKind::Supply) {
    wip_changed(c);
    ++c.s.wip;
    ++c.s.released;
    return {c.now, spec_.typed ? release(c, P.source) : 0};
  }
  PlaceState& ps = c.s.places[p];
  if (!ps.births.empty()) {
    level_changed(c, p);
    if (P.kind == PlaceKind::Conveyor) ps.ready.pop_front();
    return ps.births.pop_front();
  }
  // capacity 0: straight from the machine that has waited longest
  const std::uint32_t best = oldest_blocked(c, p);
  if (best != kNone) {
    MachineState& x = c.s.machines[best];
    x.part_units = 0;
    set_status(c, best, Status::Starved);
    x.restart = true;
    return {x.part_birth, x.product, x.part_order};
  }
  SourceState& ss = c.s.sources[P.source];
  ss.blocked = false;
  next_arrival(c, P.source);
  return {ss.held_birth, ss.held_product, ss.held_order};
}

// After parts were taken from p: machines whose part went straight on start again, and blocked
// machines (oldest first) and a blocked source move their parts into the space.
void LineModel::after_take(Ctx& c, std::uint32_t p) const {
  const PlaceSpec& P = spec_.places[p];
  if (P.kind == PlaceKind::Supply) return;
  if (P.capacity == 0) {  // only a direct hand-over leaves a producer to restart
    for (auto pm : P.producers) {
      MachineState& x = c.s.machines[pm];
      if (x.restart) {
        x.restart = false;
        try_start(c, pm);
      }
    }
  }
  PlaceState& ps = c.s.places[p];
  bool moved = false;
  while (ps.births.size() < P.capacity) {
    const std::uint32_t best = oldest_blocked(c, p);
    if (best == kNone) break;
    MachineState& x = c.s.machines[best];
    put(c, p, {x.part_birth, x.product, x.part_order});
    x.part_units = 0;
    set_status(c, best, Status::Starved);
    moved = true;
    try_start(c, best);
  }
  if (P.source != kNone && c.s.sources[P.source].blocked && ps.births.size() < P.capacity) {
    SourceState& ss = c.s.sources[P.source];
    ss.blocked = false;
    put(c, p, {ss.held_birth, ss.held_product, ss.held_order});
    moved = true;
    next_arrival(c, P.source);
  }
  if (moved) notify(c, p);
  // (a part taken from a fleet's pickup makes no room a vehicle waits for)
  if (__builtin_expect(P.extras & (kPlaceKeptFull | kPlaceFleetDrop), 0)) room_made(c, p);
}

// Room opened at place p: a saturated source fills it, or a vehicle may bring a part.
[[gnu::noinline]] void LineModel::room_made(Ctx& c, std::uint32_t p) const {
  const PlaceSpec& P = spec_.places[p];
  if (P.extras & kPlaceKeptFull) refill(c, p);
  // (only a part waiting for room there may go now: the last dispatch took all others)
  if ((P.extras & kPlaceFleetDrop) && c.s.room_wait[spec_.place_fleet[p]])
    dispatch(c, spec_.place_fleet[p]);
}

// A saturated source fills its buffer or conveyor p up to its capacity.
[[gnu::noinline]] void LineModel::refill(Ctx& c, std::uint32_t p) const {
  const PlaceSpec& P = spec_.places[p];
  if (c.s.places[p].births.size() >= P.capacity) return;
  wip_changed(c);
  while (c.s.places[p].births.size() < P.capacity) {
    ++c.s.wip;
    ++c.s.released;
    ++c.s.sources[P.source].arrivals;
    put(c, p, {c.now, spec_.typed ? release(c, P.source) : 0});
  }
  notify(c, p);
}

void LineModel::put(Ctx& c, std::uint32_t p, Part part) const {
  const PlaceSpec& P = spec_.places[p];
  PlaceState& ps = c.s.places[p];
  level_changed(c, p);
  ps.births.push_back(part);
  ++ps.entered;
  if (ps.births.size() > ps.max_level) ps.max_level = ps.births.size();
  if (P.kind == PlaceKind::Conveyor) {
    double r = c.now + P.transit_s;
    if (!ps.ready.empty()) r = std::max(r, ps.ready.back());
    ps.ready.push_back(r);
    c.at(r, kModel, p, kConveyorReady);
  }
}

void LineModel::notify(Ctx& c, std::uint32_t p) const {
  const PlaceSpec& P = spec_.places[p];
  if (__builtin_expect(P.extras & kPlaceRoundRobin, 0)) {
    notify_in_turn(c, p);
    return;
  }
  for (auto m : P.consumers)  // not one waiting for operators with its part (pending)
    if (c.s.machines[m].status == Status::Starved && c.s.machines[m].pending == 0) try_start(c, m);
}

// Idle stations take parts in turn, starting after the one that took the last.
[[gnu::noinline]] void LineModel::notify_in_turn(Ctx& c, std::uint32_t p) const {
  const auto& cons = spec_.places[p].consumers;
  const std::size_t n = cons.size();
  const std::size_t first = c.s.turns[p];
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = (first + k) % n;
    const MachineState& ms = c.s.machines[cons[i]];
    if (ms.status != Status::Starved || ms.pending != 0) continue;
    try_start(c, cons[i]);
    if (ms.status != Status::Starved || ms.pending != 0)
      c.s.turns[p] = static_cast<std::uint32_t>((i + 1) % n);
  }
}

void LineModel::arrival(Ctx& c, std::uint32_t i) const {
  const SourceSpec& src = spec_.sources[i];
  SourceState& ss = c.s.sources[i];
  const PlaceSpec& P = spec_.places[src.place];
  if (__builtin_expect(src.has_orders(), 0)) return order_arrival(c, i);
  ++ss.arrivals;
  if (c.s.places[src.place].births.size() < P.capacity) {
    wip_changed(c);
    ++c.s.wip;
    ++c.s.released;
    put(c, src.place, {c.now, spec_.typed ? release(c, i) : 0});
    c.at(c.now + src.interarrival.sample(ss.rng), kModel, i, kArrival);
    notify(c, src.place);
  } else if (src.drop_when_full) {
    ++ss.dropped;
    c.at(c.now + src.interarrival.sample(ss.rng), kModel, i, kArrival);
  } else {
    wip_changed(c);
    ++c.s.wip;
    ++c.s.released;
    ss.blocked = true;
    ss.held_birth = c.now;
    if (spec_.typed) ss.held_product = release(c, i);
    if (P.capacity == 0) notify(c, src.place);
  }
}

}  // namespace dtwin::line
