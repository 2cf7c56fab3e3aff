#include "twins/line/model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/format.hpp"

namespace dtwin::line {

const char* status_name(Status s) {
  switch (s) {
    case Status::Starved:
      return "starved";
    case Status::Working:
      return "working";
    case Status::Blocked:
      return "blocked";
    case Status::Down:
      return "down";
    case Status::Setup:
      return "setup";
    case Status::Off:
      return "off";
  }
  return "?";
}

bool MachineState::operator==(const MachineState& o) const {
  return status == o.status && made_total == o.made_total && speed == o.speed &&
         resume == o.resume && restart == o.restart && part_birth == o.part_birth &&
         part_units == o.part_units && seg_start == o.seg_start && proc_rem == o.proc_rem &&
         ttf_rem == o.ttf_rem && rep_rem == o.rep_rem && setup_rem == o.setup_rem &&
         since_setup == o.since_setup && token == o.token && blocked_since == o.blocked_since &&
         status_since == o.status_since && time_in == o.time_in && done == o.done &&
         good == o.good && scrapped == o.scrapped && failures == o.failures &&
         rng_process == o.rng_process && rng_ttf == o.rng_ttf && rng_ttr == o.rng_ttr &&
         rng_scrap == o.rng_scrap && rng_setup == o.rng_setup;
}

namespace {
enum Code : std::uint32_t {
  kDone,           // a machine finished processing a part
  kFail,           // a machine failed
  kRepaired,       // its repair is over
  kSetupDone,      // its setup is over
  kShift,          // its calendar changes between on and off
  kArrival,        // a source releases a part
  kConveyorReady,  // a part reached the end of a conveyor
  kWindow,         // time-series throughput window
};
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

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

// ---- set-up -------------------------------------------------------------------------------

void LineModel::twins(std::vector<TwinInfo>& out) const {
  out.push_back({spec_.id, "line", ""});
  for (const auto& s : spec_.sources) out.push_back({s.id, "source", spec_.id});
  for (const auto& m : spec_.machines) out.push_back({m.id, m.kind, spec_.id});
  for (const auto& p : spec_.places) {
    if (!p.is_twin) continue;
    const char* k = p.kind == PlaceKind::Sink       ? "sink"
                    : p.kind == PlaceKind::Conveyor ? "conveyor"
                                                    : "buffer";
    out.push_back({p.id, k, spec_.id});
  }
}

std::unique_ptr<StateBlock> LineModel::make_state(const RunContext& ctx) const {
  LineState s;
  s.machines.resize(spec_.machines.size());
  for (std::size_t i = 0; i < spec_.machines.size(); ++i) {
    const MachineSpec& m = spec_.machines[i];
    MachineState& ms = s.machines[i];
    ms.rng_process = make_stream(ctx.seed, ctx.replication, m.id, "process");
    ms.rng_ttf = make_stream(ctx.seed, ctx.replication, m.id, "ttf");
    ms.rng_ttr = make_stream(ctx.seed, ctx.replication, m.id, "ttr");
    ms.rng_scrap = make_stream(ctx.seed, ctx.replication, m.id, "scrap");
    ms.rng_setup = make_stream(ctx.seed, ctx.replication, m.id, "setup");
    if (m.fails) ms.ttf_rem = m.ttf.sample(ms.rng_ttf);
    ms.speed = m.speed;
  }
  s.places.resize(spec_.places.size());
  for (std::size_t i = 0; i < spec_.places.size(); ++i) {
    const PlaceSpec& p = spec_.places[i];
    const std::size_t want =
        p.capacity == kUnbounded ? 64 : std::min<std::uint64_t>(p.capacity, 4096);
    if (p.kind != PlaceKind::Sink && p.kind != PlaceKind::Supply) s.places[i].births.reserve(want);
    if (p.kind == PlaceKind::Conveyor) s.places[i].ready.reserve(want);
  }
  s.sources.resize(spec_.sources.size());
  for (std::size_t i = 0; i < spec_.sources.size(); ++i)
    s.sources[i].rng = make_stream(ctx.seed, ctx.replication, spec_.sources[i].id, "arrivals");
  return std::make_unique<StateOf<LineState>>(std::move(s));
}

void LineModel::start(World& w, std::uint32_t self) const {
  Ctx c{w, w.state<LineState>(self), self, w.now()};
  for (std::uint32_t i = 0; i < spec_.sources.size(); ++i) {
    const SourceSpec& src = spec_.sources[i];
    if (!src.saturated)
      c.at(c.now + src.interarrival.sample(c.s.sources[i].rng), kModel, i, kArrival);
  }
  for (std::uint32_t m = 0; m < spec_.machines.size(); ++m) {
    const MachineSpec& ms = spec_.machines[m];
    if (ms.calendar == kNone) continue;
    const Calendar& cal = spec_.calendars[ms.calendar];
    if (!cal.on_at(c.now)) {
      // a machine assimilated as down stays down through the break
      const bool down = c.s.machines[m].status == Status::Down;
      c.s.machines[m].resume = down ? Status::Down : Status::Starved;
      set_status(c, m, Status::Off);
    }
    c.at(cal.next_change(c.now), kDerived, m, kShift);  // after work ending then
  }
  for (std::uint32_t m = 0; m < spec_.machines.size(); ++m) {
    MachineState& ms = c.s.machines[m];
    if (ms.status == Status::Down) {  // assimilated: down at the fork, repair under way
      ms.seg_start = c.now;
      c.at(c.now + ms.rep_rem, kModel, m, kRepaired, ++ms.token);
    } else {
      try_start(c, m);
    }
  }
  if (spec_.window_s > 0) c.at(c.now + spec_.window_s, kDerived, 0, kWindow);
}

// ---- events -------------------------------------------------------------------------------

void LineModel::handle(World& w, const Event& e) const {
  Ctx c{w, w.state<LineState>(e.model), e.model, e.time};
  switch (e.code) {
    case kDone: {
      MachineState& ms = c.s.machines[e.entity];
      if (e.token != ms.token) return;
      if (spec_.machines[e.entity].fails) ms.ttf_rem -= c.now - ms.seg_start;
      ms.proc_rem = 0;
      finish(c, e.entity);
      return;
    }
    case kFail: {
      MachineState& ms = c.s.machines[e.entity];
      if (e.token != ms.token) return;
      ms.proc_rem = std::max(0.0, ms.proc_rem - (c.now - ms.seg_start));
      ms.ttf_rem = 0;
      ++ms.failures;
      set_status(c, e.entity, Status::Down);
      ms.rep_rem = spec_.machines[e.entity].ttr.sample(ms.rng_ttr);
      ms.seg_start = c.now;
      c.at(c.now + ms.rep_rem, kModel, e.entity, kRepaired, ++ms.token);
      return;
    }
    case kRepaired: {
      MachineState& ms = c.s.machines[e.entity];
      if (e.token != ms.token) return;
      ms.rep_rem = 0;
      ms.ttf_rem = spec_.machines[e.entity].ttf.sample(ms.rng_ttf);
      if (ms.part_units == 0) {  // down without a part (a fork of a live machine that was down)
        set_status(c, e.entity, Status::Starved);
        try_start(c, e.entity);
        return;
      }
      schedule_segment(c, e.entity);
      return;
    }
    case kSetupDone: {
      MachineState& ms = c.s.machines[e.entity];
      if (e.token != ms.token) return;
      const MachineSpec& m = spec_.machines[e.entity];
      ms.setup_rem = 0;
      ms.proc_rem = m.process.sample(ms.rng_process) / ms.speed;
      schedule_segment(c, e.entity);
      return;
    }
    case kShift:
      shift_change(c, e.entity);
      return;
    case kArrival:
      arrival(c, e.entity);
      return;
    case kConveyorReady:
      notify(c, e.entity);
      return;
    case kWindow:
      c.s.window_rate_h =
          static_cast<double>(c.s.out_total - c.s.window_out) / spec_.window_s * 3600.0;
      c.s.window_out = c.s.out_total;
      c.at(c.now + spec_.window_s, kDerived, 0, kWindow);
      return;
    default:
      return;
  }
}

void LineModel::set_status(Ctx& c, std::uint32_t m, Status st) const {
  MachineState& ms = c.s.machines[m];
  ms.time_in[static_cast<std::size_t>(ms.status)] += c.now - ms.status_since;
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

// A machine with nothing to do takes parts from its inputs if it can.
void LineModel::try_start(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  if (ms.status != Status::Starved) return;
  const MachineSpec& spec = spec_.machines[m];
  const std::size_t n = spec.inputs.size();
  if (spec.assembly) {
    for (std::size_t k = 0; k < n; ++k)
      if (!available(c, spec.inputs[k], spec.input_qty[k])) return;
    double birth = std::numeric_limits<double>::infinity();
    std::uint32_t units = 0;
    for (std::size_t k = 0; k < n; ++k)
      for (std::uint32_t q = 0; q < spec.input_qty[k]; ++q) {
        birth = std::min(birth, take(c, spec.inputs[k]));
        ++units;
      }
    ms.part_birth = birth;
    ms.part_units = units;
    begin_work(c, m);
    for (std::size_t k = 0; k < n; ++k) after_take(c, spec.inputs[k]);
    return;
  }
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint32_t p = spec.inputs[k];
    if (!available(c, p, 1)) continue;
    ms.part_birth = take(c, p);
    ms.part_units = 1;
    begin_work(c, m);
    after_take(c, p);
    return;
  }
}

void LineModel::begin_work(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const MachineSpec& spec = spec_.machines[m];
  const bool setup = spec.has_setup && ms.since_setup % spec.setup_every == 0;
  ++ms.since_setup;
  if (setup) {
    set_status(c, m, Status::Setup);
    ms.setup_rem = spec.setup.sample(ms.rng_setup);
    ms.seg_start = c.now;
    c.at(c.now + ms.setup_rem, kModel, m, kSetupDone, ++ms.token);
    return;
  }
  ms.proc_rem = spec.process.sample(ms.rng_process) / ms.speed;
  schedule_segment(c, m);
}

// Processing runs until the part is done or the machine fails, whichever is first.
void LineModel::schedule_segment(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  if (ms.status != Status::Working) set_status(c, m, Status::Working);
  ms.seg_start = c.now;
  if (spec_.machines[m].fails && ms.ttf_rem < ms.proc_rem)
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
    ++ms.scrapped;
    ++c.s.scrapped;
    wip_changed(c);
    --c.s.wip;
    ms.part_units = 0;
    set_status(c, m, Status::Starved);
    try_start(c, m);
    return;
  }
  ++ms.good;
  ++ms.made_total;
  deliver(c, m);
}

// Hands the finished part on, or blocks (blocking after service).
void LineModel::deliver(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const std::uint32_t out = spec_.machines[m].output;
  const PlaceSpec& P = spec_.places[out];
  PlaceState& ps = c.s.places[out];
  if (P.kind == PlaceKind::Sink) {
    wip_changed(c);
    --c.s.wip;
    ++c.s.out;
    ++c.s.out_total;
    ++ps.entered;
    const double lead = c.now - ms.part_birth;
    c.s.lead_sum += lead;
    c.s.lead_sq += lead * lead;
    ms.part_units = 0;
    set_status(c, m, Status::Starved);
    try_start(c, m);
    return;
  }
  if (ps.births.size() < P.capacity) {
    put(c, out, ms.part_birth);
    ms.part_units = 0;
    set_status(c, m, Status::Starved);
    notify(c, out);
    try_start(c, m);
    return;
  }
  set_status(c, m, Status::Blocked);
  ms.blocked_since = c.now;
  if (P.capacity == 0) notify(c, out);  // the next machine may take it directly
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
  if (P.capacity == 0) {  // direct hand-over from blocked machines or a waiting source
    for (auto pm : P.producers)
      if (c.s.machines[pm].status == Status::Blocked) ++n;
    if (P.source != kNone && c.s.sources[P.source].blocked) ++n;
  }
  return n >= qty;
}

// The producer of place p blocked the longest (first come, first served), or kNone.
std::uint32_t LineModel::oldest_blocked(const Ctx& c, std::uint32_t p) const {
  std::uint32_t best = kNone;
  for (auto pm : spec_.places[p].producers) {
    const MachineState& x = c.s.machines[pm];
    if (x.status == Status::Blocked &&
        (best == kNone || x.blocked_since < c.s.machines[best].blocked_since))
      best = pm;
  }
  return best;
}

double LineModel::take(Ctx& c, std::uint32_t p) const {
  const PlaceSpec& P = spec_.places[p];
  if (P.kind == PlaceKind::Supply) {
    wip_changed(c);
    ++c.s.wip;
    ++c.s.released;
    return c.now;
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
    return x.part_birth;
  }
  SourceState& ss = c.s.sources[P.source];
  ss.blocked = false;
  c.at(c.now + spec_.sources[P.source].interarrival.sample(ss.rng), kModel, P.source, kArrival);
  return ss.held_birth;
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
    put(c, p, x.part_birth);
    x.part_units = 0;
    set_status(c, best, Status::Starved);
    moved = true;
    try_start(c, best);
  }
  if (P.source != kNone && c.s.sources[P.source].blocked && ps.births.size() < P.capacity) {
    SourceState& ss = c.s.sources[P.source];
    ss.blocked = false;
    put(c, p, ss.held_birth);
    moved = true;
    c.at(c.now + spec_.sources[P.source].interarrival.sample(ss.rng), kModel, P.source, kArrival);
  }
  if (moved) notify(c, p);
}

void LineModel::put(Ctx& c, std::uint32_t p, double birth) const {
  const PlaceSpec& P = spec_.places[p];
  PlaceState& ps = c.s.places[p];
  level_changed(c, p);
  ps.births.push_back(birth);
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
  for (auto m : spec_.places[p].consumers)
    if (c.s.machines[m].status == Status::Starved) try_start(c, m);
}

void LineModel::arrival(Ctx& c, std::uint32_t i) const {
  const SourceSpec& src = spec_.sources[i];
  SourceState& ss = c.s.sources[i];
  const PlaceSpec& P = spec_.places[src.place];
  ++ss.arrivals;
  if (c.s.places[src.place].births.size() < P.capacity) {
    wip_changed(c);
    ++c.s.wip;
    ++c.s.released;
    put(c, src.place, c.now);
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
    if (P.capacity == 0) notify(c, src.place);
  }
}

// Planned downtime freezes a machine; the end of it resumes what was interrupted.
void LineModel::shift_change(Ctx& c, std::uint32_t m) const {
  const Calendar& cal = spec_.calendars[spec_.machines[m].calendar];
  const bool on = cal.on_at(c.now);
  c.at(cal.next_change(c.now), kDerived, m, kShift);  // after work ending then
  MachineState& ms = c.s.machines[m];
  if (!on && ms.status != Status::Off) {
    const double e = c.now - ms.seg_start;
    switch (ms.status) {
      case Status::Working:
        ms.proc_rem = std::max(0.0, ms.proc_rem - e);
        if (spec_.machines[m].fails) ms.ttf_rem -= e;
        ++ms.token;
        break;
      case Status::Setup:
        ms.setup_rem = std::max(0.0, ms.setup_rem - e);
        ++ms.token;
        break;
      case Status::Down:
        ms.rep_rem = std::max(0.0, ms.rep_rem - e);
        ++ms.token;
        break;
      default:
        break;
    }
    ms.resume = ms.status;
    set_status(c, m, Status::Off);
  } else if (on && ms.status == Status::Off) {
    switch (ms.resume) {
      case Status::Working:
        schedule_segment(c, m);
        break;
      case Status::Setup:
        set_status(c, m, Status::Setup);
        ms.seg_start = c.now;
        c.at(c.now + ms.setup_rem, kModel, m, kSetupDone, ++ms.token);
        break;
      case Status::Down:
        set_status(c, m, Status::Down);
        ms.seg_start = c.now;
        c.at(c.now + ms.rep_rem, kModel, m, kRepaired, ++ms.token);
        break;
      case Status::Blocked:
        deliver(c, m);
        break;
      default:
        set_status(c, m, Status::Starved);
        try_start(c, m);
        break;
    }
  }
}

// ---- statistics ---------------------------------------------------------------------------

void LineModel::reset_stats(World& w, std::uint32_t self) const {
  LineState& s = w.state<LineState>(self);
  const double now = w.now();
  for (auto& ms : s.machines) {
    ms.time_in.fill(0);
    ms.status_since = now;
    ms.done = ms.good = ms.scrapped = ms.failures = 0;
  }
  for (auto& ps : s.places) {
    ps.level_area = 0;
    ps.level_last = now;
    ps.max_level = ps.births.size();
    ps.entered = 0;
  }
  for (auto& ss : s.sources) ss.arrivals = ss.dropped = 0;
  s.wip_area = 0;
  s.wip_last = now;
  s.stats_since = now;
  s.released = s.out = s.scrapped = 0;
  s.lead_sum = s.lead_sq = 0;
}

void LineModel::collect(const World& w, std::uint32_t self, Metrics& out) const {
  const LineState& s = w.state<LineState>(self);
  const double now = w.now();
  const double T = now - s.stats_since;
  const double wip_area = s.wip_area + static_cast<double>(s.wip) * (now - s.wip_last);
  const double nout = static_cast<double>(s.out);
  out.set("throughput_per_h", T > 0 ? nout / T * 3600.0 : kNaN, "parts/h");
  out.set("lead_time_s", s.out > 0 ? s.lead_sum / nout : kNaN, "s");
  out.set("wip", T > 0 ? wip_area / T : kNaN, "parts");
  out.set("output_parts", nout, "parts");
  out.set("scrap_parts", static_cast<double>(s.scrapped), "parts");

  const std::size_t M = spec_.machines.size();
  std::vector<std::array<double, kStatusCount>> frac(M);
  std::vector<double> active(M, 0);
  for (std::size_t i = 0; i < M; ++i) {
    const MachineSpec& m = spec_.machines[i];
    const MachineState& ms = s.machines[i];
    std::array<double, kStatusCount> t = ms.time_in;
    t[static_cast<std::size_t>(ms.status)] += now - ms.status_since;
    for (std::size_t k = 0; k < kStatusCount; ++k) frac[i][k] = T > 0 ? t[k] / T : kNaN;
    const double off = t[static_cast<std::size_t>(Status::Off)];
    const double down = t[static_cast<std::size_t>(Status::Down)];
    const double setup = t[static_cast<std::size_t>(Status::Setup)];
    const double working = t[static_cast<std::size_t>(Status::Working)];
    const double planned = T - off;
    const double loading = planned - down - setup;  // operating time (Nakajima)
    const double done = static_cast<double>(ms.done), good = static_cast<double>(ms.good);
    active[i] = planned > 0 ? (working + down + setup) / planned : kNaN;
    const std::string& id = m.id;
    out.set(id + ".working_frac", frac[i][static_cast<std::size_t>(Status::Working)], "1");
    out.set(id + ".blocked_frac", frac[i][static_cast<std::size_t>(Status::Blocked)], "1");
    out.set(id + ".starved_frac", frac[i][static_cast<std::size_t>(Status::Starved)], "1");
    out.set(id + ".down_frac", frac[i][static_cast<std::size_t>(Status::Down)], "1");
    out.set(id + ".setup_frac", frac[i][static_cast<std::size_t>(Status::Setup)], "1");
    out.set(id + ".off_frac", frac[i][static_cast<std::size_t>(Status::Off)], "1");
    out.set(id + ".availability", planned > 0 ? loading / planned : kNaN, "1");
    out.set(id + ".performance", loading > 0 ? m.ideal_cycle_s * done / loading : kNaN, "1");
    out.set(id + ".quality", done > 0 ? good / done : kNaN, "1");
    out.set(id + ".oee", planned > 0 ? m.ideal_cycle_s * good / planned : kNaN, "1");
    out.set(id + ".active_frac", active[i], "1");
    out.set(id + ".parts", done, "parts");
    out.set(id + ".failures", static_cast<double>(ms.failures), "1");
  }
  for (std::size_t p = 0; p < spec_.places.size(); ++p) {
    const PlaceSpec& P = spec_.places[p];
    if (!P.is_twin) continue;
    const PlaceState& ps = s.places[p];
    if (P.kind == PlaceKind::Sink) {
      if (std::count_if(spec_.places.begin(), spec_.places.end(),
                        [](const PlaceSpec& x) { return x.kind == PlaceKind::Sink; }) > 1)
        out.set(P.id + ".throughput_per_h",
                T > 0 ? static_cast<double>(ps.entered) / T * 3600.0 : kNaN, "parts/h");
      continue;
    }
    const double area =
        ps.level_area + static_cast<double>(ps.births.size()) * (now - ps.level_last);
    out.set(P.id + ".mean_level", T > 0 ? area / T : kNaN, "parts");
    out.set(P.id + ".max_level", static_cast<double>(ps.max_level), "parts");
  }
  for (std::size_t i = 0; i < spec_.sources.size(); ++i)
    if (spec_.sources[i].drop_when_full)
      out.set(spec_.sources[i].id + ".dropped", static_cast<double>(s.sources[i].dropped), "parts");

  // bottleneck
  if (M == 0) return;
  std::size_t bn = 0;
  const auto& order = spec_.serial_order;
  if (order.size() >= 2) {
    // Arrow-based method (Kuo, Lim & Meerkov 1996; Li & Meerkov 2009, ch. 14): between
    // consecutive machines i and i+1 the arrow points to i+1 when BL_i > ST_{i+1}, else to i.
    // A machine both neighbouring arrows point to is a bottleneck; among several, the one with
    // the largest severity |ST_{i+1} - BL_i| + |BL_{i-1} - ST_i| is the primary one.
    const std::size_t n = order.size();
    auto BL = [&](std::size_t k) {
      return frac[order[k]][static_cast<std::size_t>(Status::Blocked)];
    };
    auto ST = [&](std::size_t k) {
      return frac[order[k]][static_cast<std::size_t>(Status::Starved)];
    };
    double best = -1;
    for (std::size_t k = 0; k < n; ++k) {
      const bool left = k == 0 || BL(k - 1) > ST(k);
      const bool right = k + 1 == n || BL(k) < ST(k + 1);
      if (!left || !right) continue;
      double sev = 0;
      if (k + 1 < n) sev += std::fabs(ST(k + 1) - BL(k));
      if (k > 0) sev += std::fabs(BL(k - 1) - ST(k));
      if (sev > best) best = sev, bn = order[k];
    }
    out.label("bottleneck", spec_.machines[bn].id);
    out.label("bottleneck_method", "arrow-based (blockage and starvation; Li & Meerkov 2009)");
  } else {
    // active-time method (Roser, Nakano & Tanaka 2001): the machine active (working, in setup or
    // down) for the largest fraction of its planned time
    for (std::size_t i = 1; i < M; ++i)
      if (active[i] > active[bn]) bn = i;
    out.label("bottleneck", spec_.machines[bn].id);
    out.label("bottleneck_method",
              "active-time (largest share of planned time active; Roser 2001)");
  }
}

void LineModel::columns(std::vector<std::string>& out) const {
  out.push_back(spec_.id + ".wip_parts");
  out.push_back(spec_.id + ".output_parts");
  out.push_back(spec_.id + ".throughput_parts_h");
  for (const auto& p : spec_.places)
    if (p.is_twin && p.kind != PlaceKind::Sink) out.push_back(p.id + ".level_parts");
  for (const auto& m : spec_.machines) out.push_back(m.id + ".state");
}

void LineModel::sample(const World& w, std::uint32_t self, std::vector<std::string>& out) const {
  const LineState& s = w.state<LineState>(self);
  out.push_back(std::to_string(s.wip));
  out.push_back(std::to_string(s.out_total));
  out.push_back(fmt_num(s.window_rate_h, 8));
  for (std::size_t p = 0; p < spec_.places.size(); ++p)
    if (spec_.places[p].is_twin && spec_.places[p].kind != PlaceKind::Sink)
      out.push_back(std::to_string(s.places[p].births.size()));
  for (const auto& ms : s.machines) out.push_back(status_name(ms.status));
}

nlohmann::json LineModel::state_json(const World& w, std::uint32_t self) const {
  const LineState& s = w.state<LineState>(self);
  nlohmann::json j;
  j["id"] = spec_.id;
  j["kind"] = "line";
  j["wip_parts"] = s.wip;
  j["output_parts_total"] = s.out_total;
  auto& ms = j["machines"];
  ms = nlohmann::json::object();
  for (std::size_t i = 0; i < spec_.machines.size(); ++i) {
    const MachineState& x = s.machines[i];
    ms[spec_.machines[i].id] = {{"status", status_name(x.status)},
                                {"parts_held", x.part_units},
                                {"processing_left_s", x.proc_rem},
                                {"time_to_failure_s", x.ttf_rem},
                                {"parts_done", x.done},
                                {"failures", x.failures}};
  }
  auto& ps = j["places"];
  ps = nlohmann::json::object();
  for (std::size_t p = 0; p < spec_.places.size(); ++p) {
    if (spec_.places[p].kind == PlaceKind::Supply) continue;
    ps[spec_.places[p].id] = {{"parts", s.places[p].births.size()},
                              {"entered", s.places[p].entered}};
  }
  return j;
}

// ---- the mirror's view ------------------------------------------------------------------

void LineModel::properties(std::vector<TwinSpec>& out) const {
  PropertySpec state;
  state.name = "state";
  state.kind = PropertySpec::Kind::Enum;
  for (std::size_t k = 0; k < kStatusCount; ++k)
    state.choices.push_back(status_name(static_cast<Status>(k)));
  PropertySpec parts;
  parts.name = "parts";
  parts.unit = "parts";
  parts.min = 0;
  PropertySpec speed;
  speed.name = "speed";
  speed.unit = "1";
  speed.min = 0.05;
  speed.max = 20;
  speed.tolerance = 1e-9;
  speed.writable = true;
  PropertySpec level;
  level.name = "level";
  level.unit = "parts";
  level.min = 0;
  PropertySpec wip = level, output = parts;
  wip.name = "wip";
  output.name = "output";
  out.push_back(TwinSpec{spec_.id, {wip, output}});
  for (const auto& m : spec_.machines) out.push_back(TwinSpec{m.id, {state, parts, speed}});
  for (const auto& p : spec_.places)
    if (p.is_twin && p.kind != PlaceKind::Sink) out.push_back(TwinSpec{p.id, {level}});
}

namespace {
// the twin-th TwinSpec of properties(): 0 the line, then machines, then buffers and conveyors
struct PropTarget {
  enum { Line, Machine, Place } kind;
  std::size_t index;
};
PropTarget target_of(const LineSpec& spec, std::size_t twin) {
  if (twin == 0) return {PropTarget::Line, 0};
  if (twin <= spec.machines.size()) return {PropTarget::Machine, twin - 1};
  std::size_t k = twin - 1 - spec.machines.size();
  for (std::size_t p = 0; p < spec.places.size(); ++p)
    if (spec.places[p].is_twin && spec.places[p].kind != PlaceKind::Sink && k-- == 0)
      return {PropTarget::Place, p};
  return {PropTarget::Place, spec.places.size()};
}
}  // namespace

bool LineModel::read_property(const World& w, std::uint32_t self, std::size_t twin,
                              std::size_t prop, Value& out) const {
  const LineState& s = w.state<LineState>(self);
  const PropTarget t = target_of(spec_, twin);
  out = Value{};
  switch (t.kind) {
    case PropTarget::Line:
      if (prop > 1) return false;
      out.num = static_cast<double>(prop == 0 ? s.wip : s.out_total);
      return true;
    case PropTarget::Machine: {
      const MachineState& ms = s.machines[t.index];
      if (prop == 0)
        out.num = static_cast<double>(ms.status);
      else if (prop == 1)
        out.num = static_cast<double>(ms.made_total);
      else if (prop == 2)
        out.num = ms.speed;
      else
        return false;
      return true;
    }
    case PropTarget::Place:
      if (t.index >= spec_.places.size() || prop != 0) return false;
      out.num = static_cast<double>(s.places[t.index].births.size());
      return true;
  }
  return false;
}

bool LineModel::apply_setpoint(World& w, std::uint32_t self, std::size_t twin, std::size_t prop,
                               const Value& v, std::string* reason) const {
  const PropTarget t = target_of(spec_, twin);
  if (t.kind != PropTarget::Machine || prop != 2) {
    if (reason) *reason = "only a machine's speed is a setpoint";
    return false;
  }
  if (!(v.num >= 0.05 && v.num <= 20)) {
    if (reason) *reason = "speed must be between 0.05 and 20";
    return false;
  }
  // takes effect from the next part (or setup) the machine starts
  w.state<LineState>(self).machines[t.index].speed = v.num;
  return true;
}

bool LineModel::assimilate(World& w, std::uint32_t self, std::size_t twin, std::size_t prop,
                           const Value& v, std::string* reason) const {
  LineState& s = w.state<LineState>(self);
  const PropTarget t = target_of(spec_, twin);
  auto refuse = [&](const char* why) {
    if (reason) *reason = why;
    return false;
  };
  switch (t.kind) {
    case PropTarget::Line:
      return refuse("a counter: a fork counts from zero");
    case PropTarget::Machine: {
      if (prop == 2) return apply_setpoint(w, self, twin, prop, v, reason);
      if (prop != 0) return refuse("a counter: a fork counts from zero");
      const auto st = static_cast<Status>(static_cast<std::size_t>(v.num));
      if (st != Status::Down) return refuse("only \"down\" is carried into a fork");
      const MachineSpec& m = spec_.machines[t.index];
      if (!m.fails) return refuse("the scenario gives this machine no repair time");
      // the repair's elapsed part is not reported: a fresh repair time (exact for exponential
      // repairs, which are memoryless)
      MachineState& ms = s.machines[t.index];
      ms.status = Status::Down;
      ms.rep_rem = m.ttr.sample(ms.rng_ttr);
      return true;
    }
    case PropTarget::Place: {
      if (t.index >= spec_.places.size() || prop != 0) return refuse("no such property");
      const PlaceSpec& P = spec_.places[t.index];
      if (!(v.num >= 0) || v.num != std::floor(v.num)) return refuse("a level is a whole number");
      const auto n = static_cast<std::uint64_t>(v.num);
      if (n > P.capacity) return refuse("more parts than the place holds");
      PlaceState& ps = s.places[t.index];
      if (!ps.births.empty()) return refuse("the place was already filled");
      // parts waiting at the fork: released at time 0, at the conveyor's end already
      for (std::uint64_t k = 0; k < n; ++k) {
        ps.births.push_back(0.0);
        if (P.kind == PlaceKind::Conveyor) ps.ready.push_back(0.0);
      }
      ps.max_level = std::max(ps.max_level, n);
      s.wip += n;
      return true;
    }
  }
  return refuse("no such property");
}

}  // namespace dtwin::line
