// Statistics: the reset at the end of the warm-up, the KPIs of a run (flow, OEE, levels,
// health, energy, cost) and the bottleneck finding.
#include <algorithm>
#include <array>
#include <cmath>

#include "engine/base/format.hpp"
#include "twins/line/model_detail.hpp"

namespace dtwin::line {

namespace {
using Fractions = std::vector<std::array<double, kStatusCount>>;  // per machine, per status

// buffers' and conveyors' levels; sinks' throughput when there are several
void collect_places(const LineSpec& spec, const LineState& s, double now, double T, Metrics& out) {
  for (std::size_t p = 0; p < spec.places.size(); ++p) {
    const PlaceSpec& P = spec.places[p];
    if (!P.is_twin) continue;
    const PlaceState& ps = s.places[p];
    if (P.kind == PlaceKind::Sink) {
      if (std::count_if(spec.places.begin(), spec.places.end(),
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
}

// A resource other than a machine that can limit the flow (an operator pool, a fleet) and the
// share of its available time it is busy.
struct Limiter {
  std::string name;
  double busy;
};

// a conveyor carrying this share of the parts it can names itself the bottleneck
constexpr double kFullNearlyAlways = 0.99;

void find_bottleneck(const LineSpec& spec, const Fractions& frac, const std::vector<double>& active,
                     const std::vector<Limiter>& others, Metrics& out) {
  const std::size_t M = spec.machines.size();
  std::size_t bn = 0;
  const auto& order = spec.serial_order;
  if (!others.empty()) {
    // active-time over machines and the resources they share: the busiest names the bottleneck
    for (std::size_t i = 1; i < M; ++i)
      if (active[i] > active[bn]) bn = i;
    std::string name = spec.machines[bn].id;
    double best = active[bn];
    for (const auto& l : others)
      if (l.busy > best) best = l.busy, name = l.name;
    out.finding("bottleneck", name,
                "active-time over machines, operator pools, conveyors and fleets (largest share "
                "of available time busy, active or full)");
  } else if (order.size() >= 2) {
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
    out.finding("bottleneck", spec.machines[bn].id,
                "arrow-based (blockage and starvation; Li & Meerkov 2009)");
  } else {
    // active-time method (Roser, Nakano & Tanaka 2001): the machine active (working, in setup or
    // down) for the largest fraction of its planned time
    for (std::size_t i = 1; i < M; ++i)
      if (active[i] > active[bn]) bn = i;
    out.finding("bottleneck", spec.machines[bn].id,
                "active-time (largest share of planned time active; Roser 2001)");
  }
}
// a machine's energy since the statistics reset, from its time in each status (t)
struct Energy {
  double kws;      // kW s
  double sleep_s;  // time switched off while idle
};
Energy energy_used(const MachineState& ms, const PowerSpec& p,
                   const std::array<double, kStatusCount>& t, double now) {
  auto at = [&](Status st) { return t[static_cast<std::size_t>(st)]; };
  double sleep = ms.sleep_s, warm = ms.warm_s;
  if (ms.power == kPowerAsleep && ms.status == Status::Starved) sleep += now - ms.power_since;
  if (ms.power == kPowerWarming && ms.status == Status::Setup) warm += now - ms.power_since;
  double speed_s = ms.work_speed_s;  // the load: speed integrated over working time
  if (ms.status == Status::Working) speed_s += (now - ms.status_since) * ms.part_speed;
  const double kws =
      at(Status::Working) * p.working_kw + (speed_s - at(Status::Working)) * p.per_speed_kw +
      at(Status::Setup) * p.setup_kw + (at(Status::Starved) + at(Status::Blocked)) * p.idle_kw +
      at(Status::Down) * p.down_kw + at(Status::Off) * p.off_kw + sleep * (p.off_kw - p.idle_kw) +
      warm * (p.warmup_kw - p.setup_kw);
  return {kws, sleep};
}
}  // namespace

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
  // a vehicle still loading counts its loaded leg after the reset (fleet.cpp)
  for (std::size_t f = 0; f < s.fleets.size(); ++f) {
    s.fleets[f] = FleetState{};
    s.fleets[f].loaded_m = still_loading_m(s, f, now);
  }
  for (auto& vs : s.vehicles) vs.busy_since = now;
  for (auto& ps : s.pools) {
    ps.busy_area = ps.cap_area = ps.wait_sum = 0;
    ps.grants = 0;
    ps.last = now;
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
  for (auto& ps : s.products) {
    ps.wip_area = ps.lead_sum = ps.tardy_sum = 0;
    ps.wip_last = now;
    ps.out = ps.on_time = 0;
  }
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
  Fractions frac(M);
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
  collect_places(spec_, s, now, T, out);
  for (std::size_t i = 0; i < spec_.sources.size(); ++i)
    if (spec_.sources[i].drop_when_full)
      out.set(spec_.sources[i].id + ".dropped", static_cast<double>(s.sources[i].dropped), "parts");
  if (spec_.has_health || spec_.has_power || spec_.has_cost) collect_health(s, now, T, out);
  if (spec_.typed) collect_products(s, now, T, out);
  if (!spec_.pools.empty()) collect_pools(s, now, out);
  if (!spec_.fleets.empty()) collect_fleets(s, now, out);

  std::vector<Limiter> others;  // resources shared by machines
  for (std::size_t p = 0; p < spec_.pools.size(); ++p)
    others.push_back(
        {"resources." + spec_.pools[p].name, pool_utilisation(spec_.pools[p], s.pools[p], now)});
  for (std::size_t f = 0; f < spec_.fleets.size(); ++f)
    others.push_back({spec_.fleets[f].id, fleet_utilisation(spec_.fleets[f], f, s, now)});
  // a conveyor limits the flow when it is full: among the shared resources; or alone, when it
  // carries nearly as many parts as it can (max_parts per transit time), full by its own pace
  // and not because the machine after it is slow (the machines around it then look blocked
  // and starved, and the arrows would point past it)
  std::string saturated;
  double saturated_share = 0;
  for (std::size_t p = 0; p < spec_.places.size(); ++p) {
    const PlaceSpec& P = spec_.places[p];
    if (P.kind != PlaceKind::Conveyor || P.capacity == kUnbounded || T <= 0) continue;
    const PlaceState& ps = s.places[p];
    if (!others.empty()) {
      const double area =
          ps.level_area + static_cast<double>(ps.births.size()) * (now - ps.level_last);
      others.push_back({P.id, area / T / static_cast<double>(P.capacity)});
    } else if (P.transit_s > 0) {
      const double share =
          static_cast<double>(ps.entered) / T / (static_cast<double>(P.capacity) / P.transit_s);
      if (share >= kFullNearlyAlways && share > saturated_share)
        saturated_share = share, saturated = P.id;
    }
  }
  if (!saturated.empty()) {
    out.finding("bottleneck", saturated,
                "a conveyor carrying " + fmt_num(100 * saturated_share, 3) +
                    " % of the parts it can (max_parts per transit time): it sets the pace");
    return;
  }
  if (M > 0) find_bottleneck(spec_, frac, active, others, out);
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
      const Energy e = energy_used(ms, m.power, t, now);
      const double kwh = e.kws / 3600;
      energy_kwh += kwh;
      out.set(id + ".energy_kwh", kwh, "kWh");
      out.set(id + ".switched_off_frac", T > 0 ? e.sleep_s / T : kNaN, "1");
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

}  // namespace dtwin::line
