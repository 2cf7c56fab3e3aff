// Transport fleets: vehicles carry parts from the machines that send by them to the places the
// flow names. A job is a part waiting on its machine (blocked at the lane's pickup) whose
// destination has room; the nearest idle vehicle takes the job that waited longest, travels
// empty to it, loads, carries, unloads, and is idle where it unloaded.
#include <algorithm>

#include "twins/line/model_detail.hpp"
#include "twins/line/vehicle.hpp"

namespace dtwin::line {

namespace {

// a vehicle's time on jobs up to now, counted from the later of its start and the stats reset
double open_busy(const VehicleState& v, double now) {
  return v.phase == kVehicleIdle ? 0.0 : now - v.busy_since;
}

}  // namespace

double fleet_utilisation(const FleetSpec& F, std::size_t f, const LineState& s, double now) {
  const double T = now - s.stats_since;
  double busy = s.fleets[f].busy_s;
  for (std::uint32_t v = 0; v < F.vehicles; ++v)
    busy += open_busy(s.vehicles[F.first_vehicle + v], now);
  return T > 0 ? busy / (T * F.vehicles) : kNaN;
}

// Assigns idle vehicles of fleet f to waiting parts, the longest waiting first (ties by lane),
// each to the nearest idle vehicle (ties by vehicle); a part whose destination is full waits.
void LineModel::dispatch(Ctx& c, std::uint32_t f) const {
  const FleetSpec& F = spec_.fleets[f];
  for (;;) {
    std::uint32_t job = kNone, machine = kNone, jobs = 0;
    c.s.room_wait[f] = 0;
    c.s.vehicle_wait[f] = 0;
    for (std::uint32_t l = 0; l < F.lanes.size(); ++l) {
      const Lane& lane = F.lanes[l];
      const std::uint32_t m = oldest_blocked(c, lane.pickup);
      if (m == kNone) continue;
      const PlaceSpec& D = spec_.places[lane.drop];
      if (D.kind != PlaceKind::Sink &&
          c.s.places[lane.drop].births.size() + c.s.inbound[lane.drop] >= D.capacity) {
        c.s.room_wait[f] = 1;
        continue;
      }
      bool taken = false;  // a vehicle is on its way to this part already
      for (std::uint32_t v = 0; v < F.vehicles && !taken; ++v) {
        const VehicleState& vs = c.s.vehicles[F.first_vehicle + v];
        taken = vs.phase == kVehicleToPickup && vs.lane == l;
      }
      if (taken) continue;
      ++jobs;
      if (machine == kNone || c.s.machines[m].blocked_since < c.s.machines[machine].blocked_since)
        job = l, machine = m;
    }
    if (job == kNone) return;
    const std::uint32_t from = F.lanes[job].from;
    std::uint32_t best = kNone;
    for (std::uint32_t v = 0; v < F.vehicles; ++v) {
      const VehicleState& vs = c.s.vehicles[F.first_vehicle + v];
      if (vs.phase != kVehicleIdle) continue;
      if (best == kNone || F.dist(vs.at, from) < F.dist(c.s.vehicles[best].at, from))
        best = F.first_vehicle + v;
    }
    if (best == kNone) {
      c.s.vehicle_wait[f] = 1;
      return;
    }
    VehicleState& vs = c.s.vehicles[best];
    const double d = F.dist(vs.at, from);
    c.s.fleets[f].empty_m += d;
    vs.lane = job;
    vs.from = vs.at;
    vs.at = from;
    vs.busy_since = c.now;
    ++c.s.inbound[F.lanes[job].drop];
    vehicle_go(c, best, kVehicleToPickup, d / F.speed_m_s);
    if (jobs == 1) return;  // the only job: no other can start now (its room only shrank)
  }
}

void LineModel::vehicle_go(Ctx& c, std::uint32_t v, std::uint8_t phase, double duration) const {
  VehicleState& vs = c.s.vehicles[v];
  vs.phase = phase;
  if (phase == kVehicleLoading || phase == kVehicleUnloading) vs.from = vs.at;
  vs.leg_start = c.now;
  vs.leg_end = c.now + duration;
  c.at(c.now + duration, kModel, v, kVehicle);
}

// A vehicle ends a leg: at the pickup it loads the part (the machine is free), carries it and
// unloads it (one event, see state.hpp); then the part goes into its destination.
void LineModel::vehicle_leg(Ctx& c, std::uint32_t v) const {
  VehicleState& vs = c.s.vehicles[v];
  const FleetSpec& F = spec_.fleets[vs.fleet];
  const Lane& lane = F.lanes[vs.lane];
  switch (vs.phase) {
    case kVehicleToPickup: {
      const std::uint32_t m = oldest_blocked(c, lane.pickup);
      if (m == kNone) {  // its machine went off shift: the job waits for it to come back
        vs.phase = kVehicleIdle;
        vs.from = vs.at;
        c.s.fleets[vs.fleet].busy_s += c.now - vs.busy_since;
        --c.s.inbound[lane.drop];
        dispatch(c, vs.fleet);
        return;
      }
      FleetState& fs = c.s.fleets[vs.fleet];
      fs.wait_sum += c.now - c.s.machines[m].blocked_since;
      ++fs.waits;
      vs.part = take(c, lane.pickup);
      // loading, carrying and unloading in one event, at the time the three legs end one after
      // the other; the loaded distance counts from the end of loading (collect_fleets and the
      // reset leave out the vehicles still loading)
      const double d = F.dist(lane.from, lane.to);
      fs.loaded_m += d;
      vs.phase = kVehicleLoading;
      vs.from = vs.at;
      vs.leg_start = c.now;
      vs.leg_end = c.now + F.load_s;
      c.at(vs.leg_end + d / F.speed_m_s + F.unload_s, kModel, v, kVehicle);
      after_take(c, lane.pickup);
      return;
    }
    default:
      unload(c, v);
      return;
  }
}

double LineModel::still_loading_m(const LineState& s, std::size_t f, double now) const {
  const FleetSpec& F = spec_.fleets[f];
  double d = 0;
  for (std::uint32_t k = 0; k < F.vehicles; ++k) {
    const VehicleState& vs = s.vehicles[F.first_vehicle + k];
    if (vs.phase == kVehicleLoading && now < vs.leg_end)
      d += F.dist(F.lanes[vs.lane].from, F.lanes[vs.lane].to);
  }
  return d;
}

VehicleState vehicle_as_of(const VehicleState& v, const FleetSpec& F, double now) {
  if (v.phase != kVehicleLoading || now < v.leg_end) return v;
  const Lane& lane = F.lanes[v.lane];
  VehicleState o = v;
  const double arrive = v.leg_end + F.dist(lane.from, lane.to) / F.speed_m_s;
  o.at = lane.to;
  if (now < arrive) {
    o.phase = kVehicleCarrying;
    o.from = lane.from;
    o.leg_start = v.leg_end;
    o.leg_end = arrive;
  } else {
    o.phase = kVehicleUnloading;
    o.from = lane.to;
    o.leg_start = arrive;
    o.leg_end = arrive + F.unload_s;
  }
  return o;
}

// The part goes into its destination; the vehicle is idle there and takes a part that waited
// for a vehicle, if one did. (Any other part that may go now was sent when it could: a part
// blocking its machine and room made at a destination call the dispatcher themselves.)
void LineModel::unload(Ctx& c, std::uint32_t v) const {
  VehicleState& vs = c.s.vehicles[v];
  const std::uint32_t f = vs.fleet;
  const Lane& lane = spec_.fleets[f].lanes[vs.lane];
  const std::uint32_t drop = lane.drop;
  vs.phase = kVehicleIdle;
  vs.at = lane.to;  // it loaded at lane.from (one event for the three legs)
  vs.from = vs.at;
  c.s.fleets[f].busy_s += c.now - vs.busy_since;
  --c.s.inbound[drop];
  if (spec_.places[drop].kind == PlaceKind::Sink) {
    to_sink(c, drop, vs.part);
  } else {
    put(c, drop, vs.part);
    notify(c, drop);
  }
  if (c.s.vehicle_wait[f]) dispatch(c, f);
}

// Per fleet: the share of vehicle time on jobs, the share of travel driven empty, and the mean
// time a part waited on its machine for a vehicle.
void LineModel::collect_fleets(const LineState& s, double now, Metrics& out) const {
  for (std::size_t f = 0; f < spec_.fleets.size(); ++f) {
    const FleetSpec& F = spec_.fleets[f];
    const FleetState& fs = s.fleets[f];
    const double loaded = fs.loaded_m - still_loading_m(s, f, now);
    const double travel = fs.empty_m + loaded;
    out.set(F.id + ".utilisation", fleet_utilisation(F, f, s, now), "1");
    out.set(F.id + ".empty_travel_frac", travel > 0 ? fs.empty_m / travel : kNaN, "1");
    out.set(F.id + ".wait_s", fs.waits > 0 ? fs.wait_sum / static_cast<double>(fs.waits) : kNaN,
            "s");
  }
}

}  // namespace dtwin::line
