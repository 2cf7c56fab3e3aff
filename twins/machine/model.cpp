#include "twins/machine/model.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "engine/base/format.hpp"
#include "engine/scenario/json_node.hpp"
#include "twins/machine/cell.hpp"
#include "twins/machine/kinematics.hpp"
#include "twins/machine/safety.hpp"

namespace dtwin::machine {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double unit_of(const JointSpec& j) {
  return j.type == JointType::Revolute ? 180 / M_PI : 1.0;
}
std::string unit_name(const JointSpec& j) {
  return j.type == JointType::Revolute ? "deg" : "m";
}

// properties: joints..., gripper, speed_override, status, cycles, carrying, tool_x, tool_y, tool_z
enum Extra : std::size_t {
  kGripper,
  kOverride,
  kStatus,
  kCycles,
  kCarrying,
  kToolX,
  kToolY,
  kToolZ,
  kPower,
  kContacts,
  kExtraCount
};
}  // namespace

void CellModel::twins(std::vector<TwinInfo>& out) const {
  out.push_back({spec_.id, "cell", ""});
}

std::unique_ptr<StateBlock> CellModel::make_state(const RunContext& ctx) const {
  return std::make_unique<StateOf<CellState>>(initial_state(spec_, ctx.seed, ctx.replication));
}

void CellModel::start(World& w, std::uint32_t self) const {
  const CellState& s = w.state<CellState>(self);
  w.schedule(static_cast<double>(s.step + 1) * spec_.dt, kModel, self, 0, 0);
}

void CellModel::handle(World& w, const Event& e) const {
  CellState& s = w.state<CellState>(e.model);
  step_cell(spec_, s);
  w.schedule(static_cast<double>(s.step + 1) * spec_.dt, kModel, e.model, 0, 0);
}

void CellModel::reset_stats(World& w, std::uint32_t self) const {
  CellState& s = w.state<CellState>(self);
  s.stats_since = w.now();
  s.cycles = s.picks = s.places = s.delivered = s.missed_picks = s.collision_steps = 0;
  s.cycle_sum = 0;
  s.first_cycle_end = -1;
  s.moving_s = 0;
  s.energy_j = s.mech_j = 0;
}

void CellModel::collect(const World& w, std::uint32_t self, Metrics& out) const {
  const CellState& s = w.state<CellState>(self);
  const double T = w.now() - s.stats_since;
  const std::string& id = spec_.id;
  out.set(id + ".cycle_time_s", mean_cycle_s(s), "s");
  out.set(id + ".cycles", static_cast<double>(s.cycles), "1");
  out.set(id + ".parts_delivered", static_cast<double>(s.delivered), "parts");
  out.set(id + ".throughput_per_h", T > 0 ? static_cast<double>(s.delivered) / T * 3600 : kNaN,
          "parts/h");
  out.set(id + ".moving_frac", T > 0 ? s.moving_s / T : kNaN, "1");
  out.set(id + ".collision_s", static_cast<double>(s.collision_steps) * spec_.dt, "s");
  out.set(id + ".missed_picks", static_cast<double>(s.missed_picks), "1");
  if (spec_.robot.present) {
    out.set(id + ".energy_kwh", s.energy_j / 3.6e6, "kWh");
    out.set(id + ".mechanical_energy_kwh", s.mech_j / 3.6e6, "kWh");
    out.set(id + ".energy_per_cycle_wh",
            s.cycles > 0 ? s.energy_j / 3600 / static_cast<double>(s.cycles) : kNaN, "Wh");
    out.set(id + ".mean_power_kw", T > 0 ? s.energy_j / T / 1000 : kNaN, "kW");
  }
  out.label(id + ".status", cell_status_name(s.status));
}

void CellModel::columns(std::vector<std::string>& out) const {
  for (const auto& j : spec_.robot.joints)
    out.push_back(spec_.id + "." + j.name + "_" + unit_name(j));
  if (spec_.robot.present) {
    out.push_back(spec_.id + ".tool_x_m");
    out.push_back(spec_.id + ".tool_y_m");
    out.push_back(spec_.id + ".tool_z_m");
  }
  out.push_back(spec_.id + ".status");
  out.push_back(spec_.id + ".wip_parts");
  out.push_back(spec_.id + ".delivered_parts");
  out.push_back(spec_.id + ".contacts_pairs");
  if (spec_.robot.present) out.push_back(spec_.id + ".power_kw");
}

void CellModel::sample(const World& w, std::uint32_t self, std::vector<std::string>& out) const {
  const CellState& s = w.state<CellState>(self);
  for (std::size_t k = 0; k < spec_.robot.joints.size(); ++k)
    out.push_back(fmt_num(s.q[k] * unit_of(spec_.robot.joints[k]), 8));
  if (spec_.robot.present) {
    const Pose t = cell_tool(spec_, s);
    out.push_back(fmt_num(t.p.x, 8));
    out.push_back(fmt_num(t.p.y, 8));
    out.push_back(fmt_num(t.p.z, 8));
  }
  out.push_back(cell_status_name(s.status));
  out.push_back(std::to_string(s.parts.size()));
  out.push_back(std::to_string(s.delivered_total));
  out.push_back(std::to_string(s.contacts.size()));
  if (spec_.robot.present) out.push_back(fmt_num(s.power_w / 1000, 8));
}

nlohmann::json CellModel::state_json(const World& w, std::uint32_t self) const {
  const CellState& s = w.state<CellState>(self);
  nlohmann::json j;
  j["id"] = spec_.id;
  j["kind"] = "cell";
  j["time_s"] = cell_time(spec_, s);
  j["status"] = cell_status_name(s.status);
  if (!s.fault.empty()) j["fault"] = s.fault;
  auto& js = j["joints"];
  js = nlohmann::json::object();
  for (std::size_t k = 0; k < spec_.robot.joints.size(); ++k) {
    const JointSpec& jt = spec_.robot.joints[k];
    js[jt.name] = {{"position_" + unit_name(jt), s.q[k] * unit_of(jt)},
                   {"velocity_" + unit_name(jt) + "_s", s.qd[k] * unit_of(jt)}};
  }
  if (spec_.robot.present) {
    // where each link's cylinder is (centre, rotation row-major; its local z along the link)
    std::vector<Pose> frames;
    forward(spec_.robot, s.q, frames);
    auto& links = j["links"];
    links = nlohmann::json::array();
    for (std::size_t k = 0; k < spec_.robot.joints.size(); ++k) {
      const Pose lp = link_geometry_pose(spec_.robot.joints[k], frames[k]);
      links.push_back({{"joint", spec_.robot.joints[k].name},
                       {"centre_m", {lp.p.x, lp.p.y, lp.p.z}},
                       {"rotation", lp.R.m}});
    }
    const Pose t = frames.back();
    j["tool_m"] = {t.p.x, t.p.y, t.p.z};
    j["program_step"] = s.pc;
    if (!spec_.program.empty()) j["program_step_name"] = spec_.program[s.pc].name;
    j["speed_override"] = s.override_;
    j["carrying"] = s.carried;
  }
  auto& ps = j["parts"];
  ps = nlohmann::json::array();
  for (const auto& p : s.parts)
    ps.push_back({{"serial", p.serial},
                  {"position_m", {p.pose.p.x, p.pose.p.y, p.pose.p.z}},
                  {"velocity_m_s", {p.v.x, p.v.y, p.v.z}},
                  {"where", p.where == PartWhere::Free      ? "free"
                            : p.where == PartWhere::Carried ? "carried"
                            : p.where == PartWhere::Placed  ? "placed"
                                                            : "conveyed"}});
  auto& cs = j["contacts"];
  cs = nlohmann::json::array();
  for (const auto& c : s.contacts)
    cs.push_back({{"a", c.a}, {"b", c.b}, {"depth_m", c.depth}, {"unsafe", c.unsafe}});
  j["cycles"] = s.cycles_total;
  j["last_cycle_s"] = s.last_cycle_s;
  j["delivered_parts"] = s.delivered_total;
  j["power_kw"] = s.power_w / 1000;
  j["energy_kwh"] = s.energy_total_j / 3.6e6;
  return j;
}

void CellModel::properties(std::vector<TwinSpec>& out) const {
  std::vector<PropertySpec> props;
  for (const auto& j : spec_.robot.joints) {
    PropertySpec p;
    p.name = j.name;
    p.unit = unit_name(j);
    p.min = j.min * unit_of(j);
    p.max = j.max * unit_of(j);
    p.tolerance = j.type == JointType::Revolute ? 0.01 : 1e-4;
    props.push_back(p);
  }
  PropertySpec grip;
  grip.name = "gripper";
  grip.kind = PropertySpec::Kind::Bool;
  PropertySpec ov;
  ov.name = "speed_override";
  ov.unit = "1";
  ov.min = 0.05;
  ov.max = 2;
  ov.tolerance = 1e-9;
  ov.writable = true;
  PropertySpec st;
  st.name = "status";
  st.kind = PropertySpec::Kind::Enum;
  for (std::size_t k = 0; k < kCellStatusCount; ++k)
    st.choices.push_back(cell_status_name(static_cast<CellStatus>(k)));
  PropertySpec cyc;
  cyc.name = "cycles";
  cyc.unit = "1";
  cyc.min = 0;
  PropertySpec carrying;
  carrying.name = "carrying";
  carrying.kind = PropertySpec::Kind::Bool;
  PropertySpec tx, ty, tz;
  tx.name = "tool_x";
  ty.name = "tool_y";
  tz.name = "tool_z";
  tx.unit = ty.unit = tz.unit = "m";
  PropertySpec pw;
  pw.name = "power";
  pw.unit = "kW";
  PropertySpec ct;
  ct.name = "contacts";
  ct.unit = "pairs";
  ct.min = 0;
  // what a controller does not report: the twin derives it from the joints and the gripper
  for (auto* p : {&carrying, &tx, &ty, &tz, &pw, &ct}) p->derived = true;
  for (auto* p : {&grip, &ov, &st, &cyc, &carrying, &tx, &ty, &tz, &pw, &ct}) props.push_back(*p);
  out.push_back(TwinSpec{spec_.id, std::move(props)});
}

bool CellModel::read_property(const World& w, std::uint32_t self, std::size_t twin,
                              std::size_t prop, Value& out) const {
  if (twin != 0) return false;
  const CellState& s = w.state<CellState>(self);
  const std::size_t nj = spec_.robot.joints.size();
  out = Value{};
  if (prop < nj) {
    out.num = s.q[prop] * unit_of(spec_.robot.joints[prop]);
    return true;
  }
  const Pose tool = spec_.robot.present ? cell_tool(spec_, s) : Pose{};
  switch (prop - nj) {
    case kGripper:
      out.num = s.gripper_closed ? 1 : 0;
      return true;
    case kOverride:
      out.num = s.override_;
      return true;
    case kStatus:
      out.num = static_cast<double>(s.status);
      return true;
    case kCycles:
      out.num = static_cast<double>(s.cycles_total);
      return true;
    case kCarrying:
      out.num = s.carried >= 0 ? 1 : 0;
      return true;
    case kToolX:
      out.num = tool.p.x;
      return true;
    case kToolY:
      out.num = tool.p.y;
      return true;
    case kToolZ:
      out.num = tool.p.z;
      return true;
    case kPower:
      out.num = s.power_w / 1000;
      return true;
    case kContacts:
      out.num = static_cast<double>(s.contacts.size());
      return true;
    default:
      return false;
  }
}

bool CellModel::apply_setpoint(World& w, std::uint32_t self, std::size_t twin, std::size_t prop,
                               const Value& v, std::string* reason) const {
  if (twin != 0 || prop != spec_.robot.joints.size() + kOverride) {
    if (reason) *reason = "only the cell's speed_override is a setpoint";
    return false;
  }
  if (!(v.num >= 0.05 && v.num <= 2)) {
    if (reason) *reason = "speed_override must be between 0.05 and 2";
    return false;
  }
  CellState& s = w.state<CellState>(self);
  // what-if first: the new override from the current state, on a copy
  const Verdict verdict = check_cell(spec_, nullptr, v.num, &s);
  if (!verdict.safe) {
    if (reason) *reason = verdict.describe();
    return false;
  }
  s.override_ = v.num;
  return true;
}

bool CellModel::assimilate(World& w, std::uint32_t self, std::size_t twin, std::size_t prop,
                           const Value& v, std::string* reason) const {
  if (twin != 0) return false;
  const std::size_t nj = spec_.robot.joints.size();
  if (prop == nj + kOverride) {
    if (!spec_.mirror) return apply_setpoint(w, self, twin, prop, v, reason);
    w.state<CellState>(self).override_ = v.num;  // what the machine runs at: a fact
    return true;
  }
  if (!spec_.mirror) {
    if (reason) *reason = "a cell running its program starts from the program's start";
    return false;
  }
  CellState& s = w.state<CellState>(self);
  if (prop < nj) {
    report_joint(spec_, s, w.now(), prop, v.num / unit_of(spec_.robot.joints[prop]));
    return true;
  }
  if (prop == nj + kGripper) {
    report_gripper(spec_, s, w.now(), v.num != 0);
    return true;
  }
  if (reason) *reason = "derived by the twin, not taken from the machine";
  return false;
}

void CellModel::report(World& w, std::uint32_t self, const std::vector<double>& joints,
                       int gripper) const {
  if (joints.size() != spec_.robot.joints.size())
    throw std::invalid_argument("cell " + spec_.id + ": " + std::to_string(joints.size()) +
                                " joint positions reported, the robot has " +
                                std::to_string(spec_.robot.joints.size()));
  CellState& s = w.state<CellState>(self);
  std::vector<double> q(joints.size());
  for (std::size_t k = 0; k < q.size(); ++k) q[k] = joints[k] / unit_of(spec_.robot.joints[k]);
  report_joints(spec_, s, w.now(), q, gripper);
}

}  // namespace dtwin::machine
