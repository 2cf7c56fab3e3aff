#include "twins/line/model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/base/format.hpp"

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
         rng_scrap == o.rng_scrap && rng_setup == o.rng_setup && health == o.health &&
         wear == o.wear && wear_end == o.wear_end && part_proc == o.part_proc &&
         deg_rem == o.deg_rem && pm_rem == o.pm_rem && op_total == o.op_total &&
         down_total == o.down_total && job == o.job && waiting == o.waiting &&
         ttf_failure == o.ttf_failure && job_since == o.job_since && wait_s == o.wait_s &&
         jobs_done == o.jobs_done && preventive == o.preventive &&
         health_failures == o.health_failures && rng_health == o.rng_health && rng_pm == o.rng_pm &&
         vib == o.vib && temp == o.temp && rul_h == o.rul_h && op_at_sample == o.op_at_sample &&
         belief == o.belief && rul_open == o.rul_open && rul_err_sum == o.rul_err_sum &&
         rul_n == o.rul_n && rng_signal == o.rng_signal && power == o.power &&
         sleep_armed == o.sleep_armed && power_since == o.power_since && sleep_s == o.sleep_s &&
         warm_s == o.warm_s && work_speed_s == o.work_speed_s && part_speed == o.part_speed;
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
  kDegrade,        // a health transition (markov) or a wear threshold is reached
  kPreventive,     // preventive maintenance is due (operating time)
  kWarmDone,       // a machine switched off while idle has warmed up
  kSleep,          // an idle machine switches off
  kSignal,         // the condition monitor samples a machine's signals
};
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::uint8_t kCorrective = 1, kPreventiveJob = 2;
constexpr std::uint8_t kPowerOn = 0, kPowerAsleep = 1, kPowerWarming = 2;

// operating time until the chain leaves `state` (exponential with the row's exit rate)
double sojourn(const HealthSpec& h, std::uint32_t state, Rng& rng) {
  const double q = h.exit_rate_s[state];
  return q > 0 ? -std::log(rng.uniform_pos()) / q : kInf;
}

// the wear index now: the part in progress adds its wear evenly over its processing
double wear_now(const MachineState& ms, double now) {
  if (ms.part_proc <= 0) return ms.wear;
  double rem = ms.proc_rem;
  if (ms.status == Status::Working) rem -= now - ms.seg_start;
  const double done = std::clamp(1 - rem / ms.part_proc, 0.0, 1.0);
  return ms.wear + (ms.wear_end - ms.wear) * done;
}

// The wear filter's prior rate: mean wear per part x speed (the load) / threshold, times the
// parts per operating hour at that speed (process times are divided by the speed).
double nominal_wear_rate_h(const MachineSpec& m) {
  const double per_part = m.health.wear_per_part.mean() * m.speed / m.health.wear_threshold;
  const double proc = m.process.mean() / m.speed;
  return proc > 0 ? per_part * 3600.0 / proc : 0.0;
}

// a machine's mirror properties after state, parts and speed, in this order when configured
enum class Extra { Health, Vibration, Temperature, Rul, Power, None };
Extra extra_prop(const MachineSpec& m, std::size_t k) {
  const bool has[] = {m.health.type != HealthSpec::Type::None, m.signals.vibration.on,
                      m.signals.temperature.on, m.signals.interval_s > 0, m.power.on};
  for (int i = 0; i < 5; ++i)
    if (has[i] && k-- == 0) return static_cast<Extra>(i);
  return Extra::None;
}
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
    ms.speed = ms.part_speed = m.speed;
    if (m.managed) {
      ms.rng_health = make_stream(ctx.seed, ctx.replication, m.id, "health");
      ms.rng_pm = make_stream(ctx.seed, ctx.replication, m.id, "preventive");
      ms.rng_signal = make_stream(ctx.seed, ctx.replication, m.id, "signals");
      ms.deg_rem = m.health.markov() ? sojourn(m.health, 0, ms.rng_health) : kInf;
      ms.pm_rem = m.maint.policy == MaintenanceSpec::Policy::Preventive ? m.maint.every_s : kInf;
      if (m.health.markov() && m.signals.interval_s > 0) {
        ms.belief.assign(m.health.states, 0.0);
        ms.belief[0] = 1;
      }
      if (m.health.wear() && m.signals.interval_s > 0)
        wear_filter_init(nominal_wear_rate_h(m), ms.belief);
    }
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
  for (std::uint32_t m = 0; m < spec_.machines.size(); ++m)
    if (spec_.machines[m].signals.interval_s > 0)
      c.at(c.now + spec_.machines[m].signals.interval_s, kDerived, m, kSignal);
}

// ---- events -------------------------------------------------------------------------------

void LineModel::handle(World& w, const Event& e) const {
  Ctx c{w, w.state<LineState>(e.model), e.model, e.time};
  switch (e.code) {
    case kDone: {
      MachineState& ms = c.s.machines[e.entity];
      if (e.token != ms.token) return;
      const MachineSpec& m = spec_.machines[e.entity];
      if (m.fails) ms.ttf_rem -= c.now - ms.seg_start;
      if (m.clocks) {
        ms.deg_rem -= c.now - ms.seg_start;
        ms.pm_rem -= c.now - ms.seg_start;
        ms.wear = ms.wear_end;
        ms.part_proc = 0;
      }
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
      const MachineSpec& m = spec_.machines[e.entity];
      if (m.managed) {
        if (m.clocks) {
          ms.deg_rem -= c.now - ms.seg_start;
          ms.pm_rem -= c.now - ms.seg_start;
        }
        ms.ttf_failure = true;
        request(c, e.entity, kCorrective);
        return;
      }
      set_status(c, e.entity, Status::Down);
      ms.rep_rem = m.ttr.sample(ms.rng_ttr);
      ms.seg_start = c.now;
      c.at(c.now + ms.rep_rem, kModel, e.entity, kRepaired, ++ms.token);
      return;
    }
    case kRepaired: {
      MachineState& ms = c.s.machines[e.entity];
      if (e.token != ms.token) return;
      ms.rep_rem = 0;
      if (spec_.machines[e.entity].managed) {
        job_done(c, e.entity);
        return;
      }
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
      ms.part_speed = ms.speed;
      if (m.wear) load_part(c, e.entity);
      schedule_segment(c, e.entity);
      return;
    }
    case kDegrade:
    case kPreventive: {
      MachineState& ms = c.s.machines[e.entity];
      if (e.token != ms.token) return;
      const MachineSpec& m = spec_.machines[e.entity];
      const double el = c.now - ms.seg_start;
      ms.proc_rem = std::max(0.0, ms.proc_rem - el);
      if (m.fails) ms.ttf_rem -= el;
      ms.deg_rem -= el;
      ms.pm_rem -= el;
      if (e.code == kPreventive)
        request(c, e.entity, kPreventiveJob);
      else
        degrade(c, e.entity);
      return;
    }
    case kWarmDone: {
      MachineState& ms = c.s.machines[e.entity];
      if (e.token != ms.token) return;
      ms.setup_rem = 0;
      power_to(c, e.entity, kPowerOn);
      ms.sleep_armed = false;
      set_status(c, e.entity, Status::Starved);
      try_start(c, e.entity);
      return;
    }
    case kSleep: {
      MachineState& ms = c.s.machines[e.entity];
      if (e.token != ms.token) return;
      ms.sleep_armed = false;
      if (ms.status == Status::Starved && ms.power == kPowerOn) power_to(c, e.entity, kPowerAsleep);
      return;
    }
    case kSignal:
      monitor(c, e.entity);
      c.at(c.now + spec_.machines[e.entity].signals.interval_s, kDerived, e.entity, kSignal);
      return;
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

// A machine with nothing to do takes parts from its inputs if it can. One switched off while
// idle warms up first; one that stays idle is armed to switch off.
void LineModel::try_start(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  if (ms.status != Status::Starved) return;
  if (spec_.machines[m].auto_off)
    powered_start(c, m);
  else
    take_and_begin(c, m);
}

// try_start for a machine that switches off when idle
void LineModel::powered_start(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const PowerSpec& pw = spec_.machines[m].power;
  if (ms.power == kPowerAsleep) {
    if (!can_start(c, m)) return;
    power_to(c, m, kPowerWarming);
    set_status(c, m, Status::Setup);  // warm-up shows as setup
    ms.setup_rem = pw.warmup_s;
    ms.seg_start = c.now;
    c.at(c.now + pw.warmup_s, kModel, m, kWarmDone, ++ms.token);
    return;
  }
  if (take_and_begin(c, m)) {
    ms.sleep_armed = false;
  } else if (!ms.sleep_armed) {
    ms.sleep_armed = true;
    c.at(std::max(c.now, ms.status_since + pw.off_after_s), kModel, m, kSleep, ++ms.token);
  }
}

bool LineModel::can_start(const Ctx& c, std::uint32_t m) const {
  const MachineSpec& spec = spec_.machines[m];
  const std::size_t n = spec.inputs.size();
  for (std::size_t k = 0; k < n; ++k) {
    const bool ok = available(c, spec.inputs[k], spec.assembly ? spec.input_qty[k] : 1);
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
        birth = std::min(birth, take(c, spec.inputs[k]));
        ++units;
      }
    ms.part_birth = birth;
    ms.part_units = units;
    begin_work(c, m);
    for (std::size_t k = 0; k < n; ++k) after_take(c, spec.inputs[k]);
    return true;
  }
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint32_t p = spec.inputs[k];
    if (!available(c, p, 1)) continue;
    ms.part_birth = take(c, p);
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
  ms.part_speed = ms.speed;
  if (spec.wear) load_part(c, m);
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
  const MachineSpec& spec = spec_.machines[m];
  if (!on && ms.status != Status::Off) {
    const double e = c.now - ms.seg_start;
    if (spec.power.auto_off) {  // planned downtime ends idle switching-off and pauses warm-up
      if (ms.power == kPowerAsleep) power_to(c, m, kPowerOn);
      if (ms.power == kPowerWarming) power_to(c, m, kPowerWarming);
      if (ms.sleep_armed) ++ms.token;
      ms.sleep_armed = false;
    }
    switch (ms.status) {
      case Status::Working:
        ms.proc_rem = std::max(0.0, ms.proc_rem - e);
        if (spec.fails) ms.ttf_rem -= e;
        if (spec.clocks) ms.deg_rem -= e, ms.pm_rem -= e;
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
        if (ms.power == kPowerWarming) ms.power_since = c.now;
        c.at(c.now + ms.setup_rem, kModel, m, ms.power == kPowerWarming ? kWarmDone : kSetupDone,
             ++ms.token);
        break;
      case Status::Down:
        set_status(c, m, Status::Down);
        ms.seg_start = c.now;
        if (!ms.waiting) c.at(c.now + ms.rep_rem, kModel, m, kRepaired, ++ms.token);
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

// ---- health, maintenance, crew and energy -------------------------------------------------

// Wear model: the part just started adds its wear, spread evenly over its processing; the
// first threshold it crosses (condition-based maintenance, then failure) is the next event.
void LineModel::load_part(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const MachineSpec& spec = spec_.machines[m];
  const double inc = spec.health.wear_per_part.sample(ms.rng_health) * ms.speed;
  ms.wear_end = ms.wear + inc;
  ms.part_proc = ms.proc_rem;
  wear_target(c, m);
}

// Operating time until the wear of the part in progress reaches the next threshold.
void LineModel::wear_target(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const MachineSpec& spec = spec_.machines[m];
  double level = spec.health.wear_threshold;
  if (spec.maint.policy == MaintenanceSpec::Policy::Condition) level = spec.maint.threshold;
  const double inc = ms.wear_end - ms.wear;
  ms.deg_rem =
      ms.wear_end >= level ? (inc > 0 ? (level - ms.wear) / inc * ms.proc_rem : 0.0) : kInf;
}

// A health transition (markov) or a wear threshold reached, while working.
void LineModel::degrade(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const MachineSpec& spec = spec_.machines[m];
  const bool condition = spec.maint.policy == MaintenanceSpec::Policy::Condition;
  bool failed = false;
  if (spec.health.markov()) {
    ms.health = next_health_state(spec.health, ms.health, ms.rng_health.uniform());
    failed = ms.health + 1 == spec.health.states;
    if (!failed && !(condition && ms.health >= spec.maint.threshold)) {
      ms.deg_rem = sojourn(spec.health, ms.health, ms.rng_health);
      schedule_segment(c, m);
      return;
    }
  } else {  // wear: condition-based maintenance comes before failure when configured
    failed = !condition;
    ms.deg_rem = kInf;
  }
  if (failed) {
    ++ms.failures;
    ++ms.health_failures;
    // the truth for every RUL estimate of this life: the time to this failure
    for (const auto& [t, est] : ms.rul_open) {
      ms.rul_err_sum += std::fabs(est - (c.now - t));
      ++ms.rul_n;
    }
    ms.rul_open.clear();
    ms.ttf_failure = false;
    request(c, m, kCorrective);
  } else {
    request(c, m, kPreventiveJob);
  }
}

// The machine stops for a job; a technician takes it now or it waits in the crew's queue.
void LineModel::request(Ctx& c, std::uint32_t m, std::uint8_t job) const {
  MachineState& ms = c.s.machines[m];
  set_status(c, m, Status::Down);
  ms.job = job;
  ms.job_since = c.now;
  ms.rep_rem = 0;
  ++ms.token;
  const CrewSpec& crew = spec_.crew;
  if (crew.size == 0 || c.s.crew_busy < crew.size) {
    assign(c, m);
  } else {
    ms.waiting = true;
    c.s.crew_queue.push_back(m);
  }
}

void LineModel::crew_changed(Ctx& c) const {
  c.s.crew_area += static_cast<double>(c.s.crew_busy) * (c.now - c.s.crew_last);
  c.s.crew_last = c.now;
}

// A technician starts the machine's job (or, when it is off shift, when the shift starts).
void LineModel::assign(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const MachineSpec& spec = spec_.machines[m];
  if (spec_.crew.size > 0) {
    crew_changed(c);
    ++c.s.crew_busy;
  }
  ms.waiting = false;
  ms.wait_s += c.now - ms.job_since;
  ++ms.jobs_done;
  ms.rep_rem = ms.job == kCorrective ? spec.maint.corrective.sample(ms.rng_ttr)
                                     : spec.maint.preventive.sample(ms.rng_pm);
  ms.seg_start = c.now;
  if (ms.status == Status::Down) c.at(c.now + ms.rep_rem, kModel, m, kRepaired, ++ms.token);
}

// The machine as new: health, wear, the preventive clock and the condition monitor.
void LineModel::renew(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const MachineSpec& spec = spec_.machines[m];
  ms.health = 0;
  if (spec.health.wear()) {
    // what is left of the part in progress wears the renewed machine
    const double left = ms.part_proc > 0 ? ms.proc_rem / ms.part_proc : 0.0;
    const double carry = (ms.wear_end - ms.wear) * left;
    ms.wear = 0;
    ms.wear_end = carry;
    ms.part_proc = ms.proc_rem;
    wear_target(c, m);
  }
  if (spec.health.markov()) ms.deg_rem = sojourn(spec.health, 0, ms.rng_health);
  if (spec.maint.policy == MaintenanceSpec::Policy::Preventive) ms.pm_rem = spec.maint.every_s;
  if (!ms.belief.empty() && spec.health.markov()) {
    std::fill(ms.belief.begin(), ms.belief.end(), 0.0);
    ms.belief[0] = 1;
  }
  if (!ms.belief.empty() && spec.health.wear())
    wear_filter_init(nominal_wear_rate_h(spec), ms.belief);
  ms.op_at_sample = ms.op_total;
  ms.rul_open.clear();  // a life cut short by maintenance has no failure time to compare with
}

void LineModel::job_done(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const MachineSpec& spec = spec_.machines[m];
  if (ms.job == kPreventiveJob) ++ms.preventive;
  if (ms.job == kCorrective && ms.ttf_failure) {
    ms.ttf_failure = false;  // a random failure: repaired, health unchanged
    ms.ttf_rem = spec.ttf.sample(ms.rng_ttf);
  } else {
    renew(c, m);
  }
  ms.job = 0;
  schedule_segment(c, m);  // the interrupted part resumes
  if (spec_.crew.size == 0) return;
  crew_changed(c);
  --c.s.crew_busy;
  auto& q = c.s.crew_queue;
  if (q.empty()) return;
  std::size_t pick = 0;
  if (spec_.crew.corrective_first)
    for (std::size_t i = 0; i < q.size(); ++i)
      if (c.s.machines[q[i]].job == kCorrective) {
        pick = i;
        break;
      }
  const std::uint32_t next = q[pick];
  q.erase(q.begin() + static_cast<std::ptrdiff_t>(pick));
  assign(c, next);
}

void LineModel::power_to(Ctx& c, std::uint32_t m, std::uint8_t mode) const {
  MachineState& ms = c.s.machines[m];
  if (ms.power == kPowerAsleep) ms.sleep_s += c.now - ms.power_since;
  if (ms.power == kPowerWarming) ms.warm_s += c.now - ms.power_since;
  ms.power = mode;
  ms.power_since = c.now;
}

double LineModel::power_kw(const MachineState& ms, const MachineSpec& m) const {
  const PowerSpec& p = m.power;
  switch (ms.status) {
    case Status::Working:
      return p.working_kw + p.per_speed_kw * (ms.part_speed - 1);
    case Status::Setup:
      return ms.power == kPowerWarming ? p.warmup_kw : p.setup_kw;
    case Status::Down:
      return p.down_kw;
    case Status::Off:
      return p.off_kw;
    default:
      return ms.power == kPowerAsleep ? p.off_kw : p.idle_kw;
  }
}

// The condition monitor: noisy signals from the true health, the filter, the RUL estimate.
void LineModel::monitor(Ctx& c, std::uint32_t m) const {
  MachineState& ms = c.s.machines[m];
  const MachineSpec& spec = spec_.machines[m];
  const SignalsSpec& sg = spec.signals;
  const double h = spec.health.markov() ? static_cast<double>(ms.health)
                                        : wear_now(ms, c.now) / spec.health.wear_threshold;
  if (sg.vibration.on)
    ms.vib = sg.vibration.base + sg.vibration.slope * h +
             sg.vibration.sd * standard_normal(ms.rng_signal);
  if (sg.temperature.on)
    ms.temp = sg.temperature.base + sg.temperature.slope * h +
              sg.temperature.sd * standard_normal(ms.rng_signal);
  if (ms.job != 0) return;  // no estimate during maintenance
  const double op_now =
      ms.op_total + (ms.status == Status::Working ? c.now - ms.status_since : 0.0);
  const double op_h = (op_now - ms.op_at_sample) / 3600.0;
  ms.op_at_sample = op_now;
  double rul_op;
  if (spec.health.markov()) {
    filter_step(spec.health, sg, op_h, ms.vib, ms.temp, ms.belief);
    rul_op = expected_rul_s(spec.health, ms.belief);
  } else {
    wear_filter_step(sg, op_h, ms.vib, ms.temp, ms.belief);
    rul_op = wear_rul_h(ms.belief) * 3600.0;
  }
  // operating time to calendar time: the machine's operating fraction of its time up so far
  const double up = c.now - ms.down_total;  // not down now: monitor() skips jobs
  const double util = up > 0 ? op_now / up : 0.0;
  const double rul = util > 0 ? rul_op / util : kInf;
  ms.rul_h = rul / 3600.0;
  if (std::isfinite(rul)) ms.rul_open.emplace_back(c.now, rul);
}

// ---- statistics ---------------------------------------------------------------------------

void LineModel::reset_stats(World& w, std::uint32_t self) const {
  LineState& s = w.state<LineState>(self);
  const double now = w.now();
  for (auto& ms : s.machines) {
    ms.time_in.fill(0);
    ms.status_since = now;
    ms.done = ms.good = ms.scrapped = ms.failures = 0;
    ms.wait_s = 0;
    ms.jobs_done = ms.preventive = ms.health_failures = 0;
    ms.rul_err_sum = 0;
    ms.rul_n = 0;
    ms.sleep_s = ms.warm_s = ms.work_speed_s = 0;
    ms.power_since = now;
  }
  s.crew_area = 0;
  s.crew_last = now;
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
  if (spec_.has_health || spec_.has_power || spec_.has_cost) collect_health(s, now, T, out);

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
    out.finding("bottleneck", spec_.machines[bn].id,
                "arrow-based (blockage and starvation; Li & Meerkov 2009)");
  } else {
    // active-time method (Roser, Nakano & Tanaka 2001): the machine active (working, in setup or
    // down) for the largest fraction of its planned time
    for (std::size_t i = 1; i < M; ++i)
      if (active[i] > active[bn]) bn = i;
    out.finding("bottleneck", spec_.machines[bn].id,
                "active-time (largest share of planned time active; Roser 2001)");
  }
}

// KPIs of health, maintenance, the crew, energy and cost, for lines that configure them.
void LineModel::collect_health(const LineState& s, double now, double T, Metrics& out) const {
  double energy_kwh = 0, maint_cost = 0, avail_sum = 0;
  std::size_t avail_n = 0;
  for (std::size_t i = 0; i < spec_.machines.size(); ++i) {
    const MachineSpec& m = spec_.machines[i];
    const MachineState& ms = s.machines[i];
    std::array<double, kStatusCount> t = ms.time_in;
    t[static_cast<std::size_t>(ms.status)] += now - ms.status_since;
    auto at = [&](Status st) { return t[static_cast<std::size_t>(st)]; };
    const double planned = T - at(Status::Off);
    const std::string& id = m.id;
    if (spec_.has_health) {
      if (planned > 0) {
        avail_sum += (planned - at(Status::Down) - at(Status::Setup)) / planned;
        ++avail_n;
      }
      out.set(id + ".preventive", static_cast<double>(ms.preventive), "1");
      if (spec_.crew.size > 0)
        out.set(id + ".crew_wait_s",
                ms.jobs_done > 0 ? ms.wait_s / static_cast<double>(ms.jobs_done) : kNaN, "s");
      if (m.health.type != HealthSpec::Type::None)
        out.set(
            id + ".mtbf_op_h",
            ms.failures > 0 ? at(Status::Working) / static_cast<double>(ms.failures) / 3600 : kNaN,
            "h");
      if (m.signals.interval_s > 0) {
        out.set(id + ".rul_error_h",
                ms.rul_n > 0 ? ms.rul_err_sum / static_cast<double>(ms.rul_n) / 3600 : kNaN, "h");
        out.set(id + ".rul_samples", static_cast<double>(ms.rul_n), "1");
      }
    }
    if (m.power.on) {
      const PowerSpec& p = m.power;
      double sleep = ms.sleep_s, warm = ms.warm_s;
      if (ms.power == kPowerAsleep && ms.status == Status::Starved) sleep += now - ms.power_since;
      if (ms.power == kPowerWarming && ms.status == Status::Setup) warm += now - ms.power_since;
      double speed_s = ms.work_speed_s;  // the load: speed integrated over working time
      if (ms.status == Status::Working) speed_s += (now - ms.status_since) * ms.part_speed;
      const double kws =
          at(Status::Working) * p.working_kw + (speed_s - at(Status::Working)) * p.per_speed_kw +
          at(Status::Setup) * p.setup_kw + (at(Status::Starved) + at(Status::Blocked)) * p.idle_kw +
          at(Status::Down) * p.down_kw + at(Status::Off) * p.off_kw +
          sleep * (p.off_kw - p.idle_kw) + warm * (p.warmup_kw - p.setup_kw);
      const double kwh = kws / 3600;
      energy_kwh += kwh;
      out.set(id + ".energy_kwh", kwh, "kWh");
      out.set(id + ".switched_off_frac", T > 0 ? sleep / T : kNaN, "1");
    }
    if (spec_.has_cost) {
      const double mc = static_cast<double>(ms.failures) * m.maint.corrective_cost +
                        static_cast<double>(ms.preventive) * m.maint.preventive_cost;
      maint_cost += mc;
      out.set(id + ".maintenance_cost", mc, spec_.currency);
    }
  }
  const double good = static_cast<double>(s.out);
  if (spec_.has_health) {
    out.set("availability", avail_n > 0 ? avail_sum / static_cast<double>(avail_n) : kNaN, "1");
    if (spec_.crew.size > 0) {
      const double area = s.crew_area + static_cast<double>(s.crew_busy) * (now - s.crew_last);
      out.set("crew_utilisation", T > 0 ? area / (T * spec_.crew.size) : kNaN, "1");
    }
  }
  if (spec_.has_power) {
    out.set("energy_kwh", energy_kwh, "kWh");
    out.set("energy_per_good_part_kwh", good > 0 ? energy_kwh / good : kNaN, "kWh");
  }
  if (spec_.has_cost) {
    const double ec = energy_kwh * spec_.energy_price_per_kwh;
    out.set("energy_cost", ec, spec_.currency);
    out.set("maintenance_cost", maint_cost, spec_.currency);
    out.set("cost", ec + maint_cost, spec_.currency);
    out.set("cost_per_good_part", good > 0 ? (ec + maint_cost) / good : kNaN, spec_.currency);
  }
}

void LineModel::columns(std::vector<std::string>& out) const {
  out.push_back(spec_.id + ".wip_parts");
  out.push_back(spec_.id + ".output_parts");
  out.push_back(spec_.id + ".throughput_parts_h");
  for (const auto& p : spec_.places)
    if (p.is_twin && p.kind != PlaceKind::Sink) out.push_back(p.id + ".level_parts");
  for (const auto& m : spec_.machines) out.push_back(m.id + ".state");
  for (const auto& m : spec_.machines) {
    if (m.health.type != HealthSpec::Type::None) out.push_back(m.id + ".health");
    if (m.signals.vibration.on) out.push_back(m.id + ".vibration_mm_s");
    if (m.signals.temperature.on) out.push_back(m.id + ".temperature_c");
    if (m.signals.interval_s > 0) out.push_back(m.id + ".rul_h");
    if (m.power.on) out.push_back(m.id + ".power_kw");
  }
  if (spec_.has_power) out.push_back(spec_.id + ".power_kw");
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
  if (!spec_.has_health && !spec_.has_power) return;
  double line_kw = 0;
  for (std::size_t i = 0; i < spec_.machines.size(); ++i) {
    const MachineSpec& m = spec_.machines[i];
    const MachineState& ms = s.machines[i];
    if (m.health.markov()) out.push_back(std::to_string(ms.health));
    if (m.health.wear()) out.push_back(fmt_num(wear_now(ms, w.now()) / m.health.wear_threshold, 6));
    if (m.signals.vibration.on) out.push_back(fmt_num(ms.vib, 6));
    if (m.signals.temperature.on) out.push_back(fmt_num(ms.temp, 6));
    if (m.signals.interval_s > 0) out.push_back(fmt_num(ms.rul_h, 6));
    if (m.power.on) {
      const double kw = power_kw(ms, m);
      line_kw += kw;
      out.push_back(fmt_num(kw, 8));
    }
  }
  if (spec_.has_power) out.push_back(fmt_num(line_kw, 8));
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
    const MachineSpec& m = spec_.machines[i];
    auto& mj = ms[m.id];
    mj = {{"status", status_name(x.status)},
          {"parts_held", x.part_units},
          {"processing_left_s", x.proc_rem},
          {"time_to_failure_s", x.ttf_rem},
          {"parts_done", x.done},
          {"failures", x.failures}};
    if (m.health.markov()) mj["health_state"] = x.health;
    if (m.health.wear()) mj["wear"] = wear_now(x, w.now());
    if (m.clocks && std::isfinite(x.deg_rem)) mj["health_event_in_op_s"] = x.deg_rem;
    if (m.maint.policy == MaintenanceSpec::Policy::Preventive)
      mj["preventive_due_in_op_s"] = x.pm_rem;
    if (m.managed && x.job != 0) {
      mj["job"] = x.job == kCorrective ? "corrective" : "preventive";
      mj["waiting_for_crew"] = x.waiting;
    }
    if (m.signals.vibration.on) mj["vibration_mm_s"] = x.vib;
    if (m.signals.temperature.on) mj["temperature_c"] = x.temp;
    if (m.signals.interval_s > 0) mj["rul_h"] = x.rul_h;
    if (m.power.on) {
      mj["power_kw"] = power_kw(x, m);
      mj["switched_off"] = x.power == kPowerAsleep;
    }
  }
  if (spec_.crew.size > 0) {
    j["crew_busy"] = s.crew_busy;
    j["crew_queue"] = nlohmann::json::array();
    for (auto q : s.crew_queue) j["crew_queue"].push_back(spec_.machines[q].id);
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
  for (const auto& m : spec_.machines) {
    std::vector<PropertySpec> props{state, parts, speed};
    for (std::size_t k = 0;; ++k) {
      const Extra x = extra_prop(m, k);
      if (x == Extra::None) break;
      PropertySpec p;
      p.min = 0;
      switch (x) {
        case Extra::Health:
          p.name = "health";
          p.unit = m.health.markov() ? "state" : "1";
          break;
        case Extra::Vibration:
          p.name = "vibration";
          p.unit = "mm/s";
          p.min = -1e300;
          break;
        case Extra::Temperature:
          p.name = "temperature";
          p.unit = "degC";
          p.min = -1e300;
          break;
        case Extra::Rul:
          p.name = "rul";
          p.unit = "h";
          break;
        default:
          p.name = "power";
          p.unit = "kW";
          break;
      }
      props.push_back(std::move(p));
    }
    out.push_back(TwinSpec{m.id, std::move(props)});  // the mirror shares equal lists
  }
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
      else {
        const MachineSpec& m = spec_.machines[t.index];
        switch (extra_prop(m, prop - 3)) {
          case Extra::Health:
            out.num = m.health.markov() ? static_cast<double>(ms.health)
                                        : wear_now(ms, w.now()) / m.health.wear_threshold;
            break;
          case Extra::Vibration:
            out.num = ms.vib;
            break;
          case Extra::Temperature:
            out.num = ms.temp;
            break;
          case Extra::Rul:
            out.num = ms.rul_h;
            break;
          case Extra::Power:
            out.num = power_kw(ms, m);
            break;
          default:
            return false;
        }
      }
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
      if (m.managed) return refuse("its repairs go through the shared crew: not carried yet");
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
