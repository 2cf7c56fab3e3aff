// What a running line shows: its time-series columns and rows, and its state as JSON.
#include <cmath>

#include "engine/base/format.hpp"
#include "twins/line/model_detail.hpp"
#include "twins/line/vehicle.hpp"

namespace dtwin::line {

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

namespace {
const char* const kPhaseNames[] = {"idle", "to_pickup", "loading", "carrying", "unloading"};
}  // namespace

// Operator pools (busy, the machines waiting in order) and fleets (each vehicle's phase and
// where it is or goes), for lines that have them.
void LineModel::state_resources(const LineState& s, double now, nlohmann::json& j) const {
  for (std::size_t p = 0; p < spec_.pools.size(); ++p) {
    auto& pj = j["resources"][spec_.pools[p].name];
    pj["busy"] = s.pools[p].busy;
    pj["on_shift"] = s.pools[p].on;
    pj["waiting"] = nlohmann::json::array();
    for (const auto& q : s.pools[p].queue) pj["waiting"].push_back(spec_.machines[q.second].id);
    if (p == spec_.crew.pool)  // the crew's pool: the machines waiting for a technician
      for (auto m : s.crew_queue) pj["waiting"].push_back(spec_.machines[m].id);
  }
  for (const FleetSpec& F : spec_.fleets) {
    auto& vj = j["fleets"][F.id]["vehicles"];
    vj = nlohmann::json::array();
    for (std::uint32_t v = 0; v < F.vehicles; ++v) {
      const VehicleState vs = vehicle_as_of(s.vehicles[F.first_vehicle + v], F, now);
      vj.push_back({{"phase", kPhaseNames[vs.phase]}, {"at", F.nodes[vs.at]}});
    }
  }
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
    if (spec_.typed && x.part_units > 0) mj["product"] = spec_.products[x.product].name;
    if (m.staffed) {
      mj["holds_operators"] = x.holds;
      mj["waiting_for_operators"] = x.pending != 0;
    }
  }
  state_resources(s, w.now(), j);
  if (spec_.crew.size > 0) {
    j["crew_busy"] = s.crew_busy;
    j["crew_queue"] = nlohmann::json::array();
    for (auto q : s.crew_queue) j["crew_queue"].push_back(spec_.machines[q].id);
  }
  auto& ps = j["places"];
  ps = nlohmann::json::object();
  for (std::size_t p = 0; p < spec_.places.size(); ++p) {
    if (spec_.places[p].kind == PlaceKind::Supply) continue;
    const PlaceState& st = s.places[p];
    auto& pj = ps[spec_.places[p].id];
    pj = {{"parts", st.births.size()}, {"entered", st.entered}};
    if (spec_.typed) {  // parts waiting by product
      pj["by_product"] = nlohmann::json::object();
      for (std::size_t i = 0; i < st.births.size(); ++i) {
        auto& n = pj["by_product"][spec_.products[st.births[i].product].name];
        n = n.is_null() ? 1 : n.get<int>() + 1;
      }
    }
  }
  return j;
}

}  // namespace dtwin::line
