#include "twins/machine/safety.hpp"

#include "engine/scenario/json_node.hpp"
#include "twins/machine/cell.hpp"

namespace dtwin::machine {

nlohmann::json Verdict::to_json() const {
  nlohmann::json j;
  j["safe"] = safe;
  j["kind"] = kind;
  if (!safe) {
    j["time_s"] = time_s;
    j["body_a"] = body_a;
    j["body_b"] = body_b;
    j["step_index"] = step_index;
    j["waypoint"] = waypoint;
    j["reason"] = reason;
  }
  j["checked_s"] = checked_s;
  j["cycles"] = cycles;
  if (cycles > 0) j["cycle_s"] = cycle_s;
  return j;
}

std::string Verdict::describe() const {
  if (safe)
    return "safe: " + std::to_string(cycles) + " cycles in " + format_number(checked_s) +
           " s simulated, mean cycle " + format_number(cycle_s) + " s";
  std::string s = "rejected (" + kind + ") at t = " + format_number(time_s) + " s";
  if (step_index >= 0) s += ", step " + std::to_string(step_index) + " \"" + waypoint + "\"";
  if (!body_a.empty()) s += ", " + body_a + (body_b.empty() ? "" : " and " + body_b);
  return s + ": " + reason;
}

Verdict check_cell(const CellSpec& base, const std::vector<Op>* program,
                   std::optional<double> speed_override, const CellState* from,
                   const CheckOptions& opt) {
  CellSpec spec = base;
  if (program) spec.program = *program;
  CellState s = from ? *from : initial_state(spec, 0, 0);
  if (program) {
    s.pc = 0;
    s.op_begun = false;
    if (s.status == CellStatus::Fault) s.status = CellStatus::Idle, s.fault.clear();
  }
  if (speed_override) {
    spec.speed_override = *speed_override;
    s.override_ = *speed_override;
  }
  Verdict v;
  const double t0 = cell_time(spec, s);
  const std::uint64_t c0 = s.cycles_total;
  auto finish = [&] {
    v.checked_s = cell_time(spec, s) - t0;
    v.cycles = s.cycles_total - c0;
    if (v.cycles > 0) v.cycle_s = (s.last_cycle_end - t0) / static_cast<double>(v.cycles);
    return v;
  };
  auto reject = [&](const char* kind, double t, std::uint32_t op, std::string a, std::string b,
                    std::string reason) {
    v.safe = false;
    v.kind = kind;
    v.time_s = t;
    v.step_index = op;
    v.waypoint = op < spec.program.size() ? spec.program[op].name : "";
    v.body_a = std::move(a);
    v.body_b = std::move(b);
    v.reason = std::move(reason);
    return finish();
  };
  if (spec.program.empty()) {
    v.kind = "ok";
    return finish();
  }
  while (s.cycles_total - c0 < opt.cycles) {
    if (cell_time(spec, s) - t0 >= opt.max_time_s)
      return reject("incomplete", cell_time(spec, s), s.pc, "", "",
                    "the program did not complete " + std::to_string(opt.cycles) + " cycles in " +
                        format_number(opt.max_time_s) + " s (it is " + cell_status_name(s.status) +
                        ")");
    const std::uint32_t pc = s.pc;
    StepEvents ev;
    step_cell(spec, s, &ev);
    if (ev.limit_broken) {
      const std::string joint = ev.limit_what.substr(7, ev.limit_what.find('"', 7) - 7);
      return reject("joint_limit", ev.limit_time, ev.limit_op, "link:" + joint, "", ev.limit_what);
    }
    if (ev.missed_pick)
      return reject("missed_pick", cell_time(spec, s), ev.op, "tool", "", ev.what);
    if (ev.overload) return reject("payload", cell_time(spec, s), ev.op, "tool", "", ev.what);
    for (const Contact& c : s.contacts)
      if (c.unsafe)
        return reject(
            "collision", cell_time(spec, s), s.op_begun ? s.pc : pc, c.a, c.b,
            c.a + " penetrates " + c.b + " by " + format_number(c.depth * 1000, 3) + " mm");
  }
  v.kind = "ok";
  return finish();
}

namespace {
constexpr std::uint64_t kMaxSteps = 2000000;  // what a compile may spend on one cell
}  // namespace

std::optional<CycleMeasure> measure_cycle(const CellSpec& spec, std::uint64_t seed,
                                          std::uint64_t cycles, double max_time_s,
                                          std::string* why) {
  CellState s = initial_state(spec, seed, 0);
  if (spec.program.empty()) {
    if (why) *why = "it has no program";
    return std::nullopt;
  }
  double first = -1, first_j = 0;
  while (s.cycles_total < cycles + 1) {
    if (cell_time(spec, s) >= max_time_s || s.step >= kMaxSteps || s.status == CellStatus::Fault) {
      if (why)
        *why = s.status == CellStatus::Fault
                   ? "its program stopped: " + s.fault
                   : "it completed " + std::to_string(s.cycles_total) + " of " +
                         std::to_string(cycles + 1) + " cycles in " +
                         format_number(cell_time(spec, s)) + " s (it is " +
                         cell_status_name(s.status) + ")";
      return std::nullopt;
    }
    step_cell(spec, s);
    // a cycle ends at the start of a step: the energy is read after that step at both ends
    if (s.cycles_total == 1 && first < 0) first = s.last_cycle_end, first_j = s.energy_total_j;
  }
  const double n = static_cast<double>(cycles);
  return CycleMeasure{(s.last_cycle_end - first) / n, (s.energy_total_j - first_j) / n};
}

std::optional<double> measure_cycle_time(const CellSpec& spec, std::uint64_t seed,
                                         std::uint64_t cycles, double max_time_s,
                                         std::string* why) {
  const auto m = measure_cycle(spec, seed, cycles, max_time_s, why);
  if (!m) return std::nullopt;
  return m->cycle_s;
}

}  // namespace dtwin::machine
