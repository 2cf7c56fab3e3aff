#include "viewer/inspector_models.hpp"

#include <algorithm>
#include <cmath>

#include "engine/base/format.hpp"
#include "engine/scenario/duration.hpp"

namespace dtwin::viewer {

namespace {

constexpr std::size_t kLabel = 13;  // as the line's inspector
const std::string kDegC =
    " \xc2\xb0"
    "C";
const std::string kDeg = "\xc2\xb0";

struct Text {
  std::string t;
  void heading(const std::string& h) { t += "\n-- " + h + "\n"; }
  void row(const std::string& label, const std::string& value) {
    std::string pad = label;
    pad.resize(std::max(kLabel, label.size() + 1), ' ');
    t += pad + value + "\n";
  }
};

bool has(double v) {
  return !std::isnan(v);
}

std::string pct(double f) {
  return fmt_fixed(100 * f, 0) + "%";
}

void greenhouse(Text& r, const Session& s, const Item& it) {
  const GreenhouseView& v = s.greenhouses()[it.index];
  const GreenhouseNow& n = s.greenhouse_now(it.index);
  const GreenhouseGeom& g = v.geom;
  if (has(n.air_c) || has(n.out_c)) {
    r.heading("climate");
    if (has(n.air_c))
      r.row("air",
            fmt_fixed(n.air_c, 1) + kDegC + (has(n.rh_pct) ? ", RH " + pct(n.rh_pct / 100) : ""));
    if (has(n.co2_ppm)) r.row("CO2", fmt_fixed(n.co2_ppm, 0) + " ppm");
    if (has(n.out_c)) r.row("outside", fmt_fixed(n.out_c, 1) + kDegC);
    if (has(n.rad_w_m2)) r.row("sun", fmt_fixed(n.rad_w_m2, 0) + " W/m2");
  }
  if (has(n.screen)) {
    r.heading("actuators");
    r.row("screen",
          "closed " + pct(n.screen) +
              (has(n.blackout) && n.blackout > 0.005 ? ", blackout " + pct(n.blackout) : ""));
    if (has(n.lamps))
      r.row("lamps", std::string(n.lamps > 0.5 ? "on " : "off ") + pct(n.lamps) + ", " +
                         fmt_fixed(n.lamp_w_m2, 0) + " W/m2");
    r.row("vents", "open " + pct(n.vents));
    r.row("heating", "boiler " + pct(n.boiler) + ", " + fmt_fixed(n.boiler_w_m2, 0) + " W/m2");
    r.row("pipes", fmt_fixed(n.pipe_c, 1) + kDegC);
    if (has(n.par_umol)) r.row("PAR", fmt_fixed(n.par_umol, 0) + " umol/m2/s above the crop");
  }
  r.heading("crop");
  r.row("LAI", fmt_fixed(n.lai, 2) + " m2/m2");
  if (has(n.fruit_kg_m2)) r.row("fruit", fmt_fixed(n.fruit_kg_m2, 2) + " kg/m2 on the plants");
  if (has(n.yield_kg_m2)) r.row("yield", fmt_fixed(n.yield_kg_m2, 2) + " kg/m2 harvested");
  if (has(n.dry_weight_kg_m2)) r.row("dry weight", fmt_num(n.dry_weight_kg_m2, 4) + " kg/m2");
  if (has(n.heating_mj_m2) || has(n.lamp_mj_m2)) {
    r.heading("energy so far");
    if (has(n.heating_mj_m2)) r.row("heating", fmt_fixed(n.heating_mj_m2, 1) + " MJ/m2");
    if (has(n.lamp_mj_m2)) r.row("lamps", fmt_fixed(n.lamp_mj_m2, 1) + " MJ/m2");
  }
  if (!v.twin->kind().empty() && v.twin->kind() != "greenlight_tomato" &&
      !n.metrics.values.empty()) {
    r.heading("model");
    const std::string prefix = it.id + ".";
    for (const auto& m : n.metrics.values) {
      std::string k = m.key.rfind(prefix, 0) == 0 ? m.key.substr(prefix.size()) : m.key;
      r.row(k, fmt_num(m.value, 4) + " " + m.unit);
    }
  }
  r.heading(g.house ? "house" : "bed");
  if (g.area_m2 > 0)
    r.row("floor", fmt_num(g.area_m2, 6) + " m2" +
                       (g.section ? " (drawn: a " + fmt_num(g.length, 3) + " x " +
                                        fmt_num(g.width, 3) + " m section)"
                                  : ""));
  else
    r.row("drawn", fmt_num(g.length, 3) + " x " + fmt_num(g.width, 3) + " m (no geometry given)");
  if (g.house)
    r.row("height", "gutter " + fmt_num(g.gutter, 3) + " m, ridge " + fmt_num(g.ridge, 3) + " m");
}

void cell(Text& r, const Session& s, const Item& it) {
  const CellView& v = s.cells()[it.index];
  const machine::CellSpec& c = v.cell->spec();
  const machine::CellState& st = s.cell_state(it.index);
  Metrics m;
  v.cell->collect(s.world(), v.model, m);
  auto metric = [&](const std::string& k) {
    const auto* x = m.find(c.id + "." + k);
    return x ? x->value : std::nan("");
  };
  r.heading("now");
  r.row("status", std::string(machine::cell_status_name(st.status)) +
                      (st.fault.empty() ? "" : ": " + st.fault));
  if (!c.program.empty() && st.pc < c.program.size()) r.row("step", c.program[st.pc].name);
  r.row("carrying", st.carried >= 0 ? "part " + std::to_string(st.carried) : "nothing");
  r.row("gripper", st.gripper_closed ? "closed" : "open");
  const P3 tp = cell_tool_point(c, st, CellGeom{});
  r.row("tool", "x " + fmt_fixed(tp.x, 3) + ", y " + fmt_fixed(tp.y, 3) + ", z " +
                    fmt_fixed(tp.z, 3) + " m");
  const double mean = metric("cycle_time_s");
  r.row("cycles", std::to_string(st.cycles) +
                      (has(mean) ? ", mean " + fmt_fixed(mean, 2) + " s" : std::string()));
  if (st.last_cycle_s > 0) r.row("last cycle", fmt_fixed(st.last_cycle_s, 2) + " s");
  r.row("delivered", std::to_string(st.delivered) + " parts");
  r.row("parts", std::to_string(st.parts.size()) + " in the cell");
  if (st.missed_picks > 0) r.row("missed picks", std::to_string(st.missed_picks));
  if (st.collision_steps > 0)
    r.row("collisions", fmt_fixed(static_cast<double>(st.collision_steps) * c.dt, 3) + " s");
  if (c.robot.present) {
    r.heading("joints");
    for (std::size_t k = 0; k < c.robot.joints.size() && k < st.q.size(); ++k) {
      const machine::JointSpec& j = c.robot.joints[k];
      if (j.type == machine::JointType::Revolute) {
        const double d = 180 / M_PI;
        r.row(j.name, fmt_fixed(st.q[k] * d, 1) + kDeg + "  (" + fmt_num(j.min * d, 4) + " .. " +
                          fmt_num(j.max * d, 4) + kDeg + ")");
      } else {
        r.row(j.name, fmt_fixed(st.q[k], 3) + " m  (" + fmt_num(j.min, 4) + " .. " +
                          fmt_num(j.max, 4) + " m)");
      }
    }
  }
  r.heading("spec");
  r.row("step", fmt_num(c.dt * 1000, 4) + " ms");
  r.row("speed", "override " + fmt_num(st.override_, 3));
  r.row("bodies", std::to_string(c.bodies.size()) + ", conveyors " +
                      std::to_string(c.conveyors.size()) + ", program " +
                      std::to_string(c.program.size()) + " steps");
  if (v.station >= 0)
    r.row("times", s.layout().items[static_cast<std::size_t>(v.station)].id + " (its process)");
}

}  // namespace

std::string inspect_model(const Session& s, const Item& it) {
  Text r;
  if (it.kind == ItemKind::Greenhouse) {
    r.t = it.id + "  (greenhouse: " + std::string(s.greenhouses()[it.index].twin->kind()) + ")\n";
    greenhouse(r, s, it);
  } else {
    r.t = it.id + "  (work cell)\n";
    cell(r, s, it);
  }
  while (!r.t.empty() && r.t.back() == '\n') r.t.pop_back();
  return r.t;
}

std::string model_kpi_text(const Session& s) {
  std::string t;
  for (std::size_t i = 0; i < s.greenhouses().size(); ++i) {
    const GreenhouseNow& n = s.greenhouse_now(i);
    std::string row = s.greenhouses()[i].twin->id() + ": ";
    if (has(n.yield_kg_m2)) row += "yield " + fmt_fixed(n.yield_kg_m2, 2) + " kg/m2   ";
    row += "LAI " + fmt_fixed(n.lai, 2);
    if (has(n.heating_mj_m2)) row += "   heating " + fmt_fixed(n.heating_mj_m2, 0) + " MJ/m2";
    if (has(n.lamp_mj_m2)) row += "   lamps " + fmt_fixed(n.lamp_mj_m2, 0) + " MJ/m2";
    t += (t.empty() ? "" : "\n") + row;
  }
  for (std::size_t i = 0; i < s.cells().size(); ++i) {
    const CellView& v = s.cells()[i];
    Metrics m;
    v.cell->collect(s.world(), v.model, m);
    const auto* mean = m.find(v.cell->spec().id + ".cycle_time_s");
    std::string row = v.cell->spec().id + ": " + std::to_string(s.cell_state(i).cycles) +
                      " cycles   mean cycle " +
                      (mean && has(mean->value) ? fmt_fixed(mean->value, 2) + " s" : "-");
    t += (t.empty() ? "" : "\n") + row;
  }
  return t;
}

}  // namespace dtwin::viewer
