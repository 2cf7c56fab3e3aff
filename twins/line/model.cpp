#include "twins/line/model.hpp"

#include <algorithm>

#include "twins/line/model_detail.hpp"

namespace dtwin::line {

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
  for (const auto& f : spec_.fleets) out.push_back({f.id, "fleet", spec_.id});
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
    ms.target = m.output;
    if (m.routed) ms.rng_route = make_stream(ctx.seed, ctx.replication, m.id, "route");
    if (!m.has_changeover.empty())
      ms.rng_changeover = make_stream(ctx.seed, ctx.replication, m.id, "changeover");
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
  s.products.resize(spec_.products.size());
  s.pools.resize(spec_.pools.size());
  s.fleets.resize(spec_.fleets.size());
  for (std::uint32_t f = 0; f < spec_.fleets.size(); ++f)
    for (std::uint32_t v = 0; v < spec_.fleets[f].vehicles; ++v) {
      VehicleState vs;
      vs.fleet = f;
      vs.at = spec_.fleets[f].lanes[0].from;  // every vehicle starts at the first pickup
      vs.from = vs.at;
      s.vehicles.push_back(vs);
    }
  if (!spec_.fleets.empty()) s.inbound.assign(spec_.places.size(), 0);
  s.room_wait.assign(spec_.fleets.size(), 1);
  s.vehicle_wait.assign(spec_.fleets.size(), 1);
  for (const auto& p : spec_.places)
    if (p.extras & kPlaceRoundRobin) s.turns.assign(spec_.places.size(), 0);
  s.sources.resize(spec_.sources.size());
  for (std::size_t i = 0; i < spec_.sources.size(); ++i) {
    s.sources[i].rng = make_stream(ctx.seed, ctx.replication, spec_.sources[i].id, "arrivals");
    if (!spec_.sources[i].mix_cum.empty())
      s.sources[i].rng_mix = make_stream(ctx.seed, ctx.replication, spec_.sources[i].id, "mix");
  }
  return std::make_unique<StateOf<LineState>>(std::move(s));
}

void LineModel::start(World& w, std::uint32_t self) const {
  Ctx c{w, w.state<LineState>(self), self, w.now()};
  for (std::uint32_t i = 0; i < spec_.sources.size(); ++i) {
    const SourceSpec& src = spec_.sources[i];
    if (src.has_orders())
      start_orders(c, i);
    else if (!src.saturated)
      c.at(c.now + src.interarrival.sample(c.s.sources[i].rng), kModel, i, kArrival);
  }
  for (std::uint32_t p = 0; p < spec_.pools.size(); ++p) {
    c.s.pools[p].last = c.now;
    if (spec_.pools[p].calendar == kNone) continue;
    const Calendar& cal = spec_.calendars[spec_.pools[p].calendar];
    c.s.pools[p].on = cal.on_at(c.now);
    c.at(cal.next_change(c.now), kDerived, p, kPoolShift);
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
  for (const SourceSpec& src : spec_.sources)  // a buffer or conveyor a saturated source fills
    if (src.saturated && spec_.places[src.place].kind != PlaceKind::Supply) refill(c, src.place);
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

// One event: a machine's timed activity (stamped with its token: a bumped token cancelled it),
// a shift change, an arrival, a conveyor delivering, the throughput window, a monitor sample.
void LineModel::handle(World& w, const Event& e) const {
  Ctx c{w, w.state<LineState>(e.model), e.model, e.time};
  const std::uint32_t m = e.entity;
  const auto current = [&] { return e.token == c.s.machines[m].token; };
  switch (e.code) {
    case kDone:
      if (!current()) return;
      // a staffed machine's operators go first (checked here, not in part_done, whose hot path a
      // call would slow down for every machine)
      if (__builtin_expect(c.s.machines[m].holds, false)) free_operators(c, m);
      part_done(c, m);
      return;
    case kFail:
      if (current()) failed(c, m);
      return;
    case kRepaired:
      if (current()) repaired(c, m);
      return;
    case kSetupDone:
      if (current()) setup_done(c, m);
      return;
    case kDegrade:
    case kPreventive:
      if (!current()) return;
      count_operating(c.s.machines[m], spec_.machines[m], c.now);
      if (e.code == kPreventive)
        request(c, m, kPreventiveJob);
      else
        degrade(c, m);
      return;
    case kWarmDone:
      if (current()) warmed_up(c, m);
      return;
    case kSleep:
      if (current()) sleep_due(c, m);
      return;
    case kSignal:
      monitor(c, m);
      c.at(c.now + spec_.machines[m].signals.interval_s, kDerived, m, kSignal);
      return;
    case kShift:
      shift_change(c, m);
      return;
    case kArrival:
      arrival(c, m);
      return;
    case kConveyorReady:
      notify(c, m);
      return;
    case kPoolShift:
      pool_shift(c, m);
      return;
    case kVehicle:
      vehicle_leg(c, m);
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

}  // namespace dtwin::line
