// A machine or assembly twin: process, speed, failures, setup, scrap, calendar, and the
// optional health, signals, maintenance and power (health.hpp).
#include <optional>
#include <utility>

#include "engine/scenario/distribution.hpp"
#include "engine/scenario/duration.hpp"
#include "twins/line/parse_detail.hpp"

namespace dtwin::line {

namespace {

// "process": a distribution, or {"from_cell": ...} resolved by from_twin, which also gives the
// power the twin draws (returned; power.on false: none)
PowerSpec parse_process(const Node& t, const ProcessFromTwin& from_twin, const LineSpec& spec,
                        MachineSpec& m) {
  const Node process = t.at("process");
  PowerSpec twin_power;
  if (is_by_product(process)) {
    parse_by_product(process, spec, "a process time", m.process_by, m.process);
  } else if (process.is_object() && process.has("from_cell")) {
    if (!from_twin) process.fail("\"from_cell\" is not available here");
    ProcessFromTwinResult r = from_twin(process);
    m.process = std::move(r.process);
    twin_power = r.power;
  } else {
    m.process = parse_distribution(process);
  }
  return twin_power;
}

// "mtbf" and "mttr" (exponential), or "failures": {"ttf": ..., "ttr": ...}
void parse_failures(const Node& t, MachineSpec& m) {
  const bool has_mtbf = t.has("mtbf"), has_mttr = t.has("mttr");
  if (t.has("failures") && (has_mtbf || has_mttr))
    t.at("failures").fail("give either \"failures\" or \"mtbf\"/\"mttr\", not both");
  if (has_mtbf != has_mttr)
    t.fail(has_mtbf ? "\"mtbf\" needs \"mttr\" (mean time to repair)"
                    : "\"mttr\" needs \"mtbf\" (mean operating time between failures)");
  if (has_mtbf) {
    const double mtbf = parse_duration(t.at("mtbf"));
    const double mttr = parse_duration(t.at("mttr"));
    if (mtbf <= 0) t.at("mtbf").expected("a duration > 0");
    check_resolution(t.at("mtbf"), mtbf, "a mean time between failures");
    check_resolution(t.at("mttr"), mttr, "a mean time to repair");
    m.fails = true;
    m.ttf = Distribution::exponential(mtbf);
    m.ttr = mttr > 0 ? Distribution::exponential(mttr) : Distribution::constant(0);
  } else if (auto f = t.find("failures")) {
    f->check_keys({"ttf", "ttr"});
    m.fails = true;
    m.ttf = parse_distribution(f->at("ttf"));
    m.ttr = parse_distribution(f->at("ttr"));
    if (m.ttf.mean() <= 0) f->at("ttf").expected("a time to failure with a mean > 0");
    check_resolution(f->at("ttf"), m.ttf.mean(), "a time to failure");
    check_resolution(f->at("ttr"), m.ttr.mean(), "a time to repair");
  }
}

// "setup": a distribution, or {"duration": ..., "every": n parts}
void parse_setup(const Node& t, const LineSpec& spec, MachineSpec& m) {
  auto s = t.find("setup");
  if (!s) return;
  m.has_setup = true;
  if (is_by_product(*s)) {
    parse_by_product(*s, spec, "a setup time", m.setup_by, m.setup);
  } else if (s->is_object() && s->has("duration")) {
    s->check_keys({"duration", "every"});
    const Node d = s->at("duration");
    if (is_by_product(d))
      parse_by_product(d, spec, "a setup time", m.setup_by, m.setup);
    else
      m.setup = parse_distribution(d);
    check_resolution(s->at("duration"), m.setup.mean(), "a setup time");
    if (auto e = s->find("every"))
      m.setup_every = static_cast<std::uint64_t>(e->integer_at_least(1));
  } else {
    m.setup = parse_distribution(*s);
    check_resolution(*s, m.setup.mean(), "a setup time");
  }
}

// the machine's "calendar", else the line's (null: always on)
void parse_machine_calendar(const Node& t, const std::optional<Node>& line_calendar, LineSpec& spec,
                            MachineSpec& m) {
  std::optional<Node> cal = line_calendar;
  if (t.has("calendar")) cal = t.find("calendar");  // null: always on
  if (!cal) return;
  Calendar c = parse_calendar(*cal);
  if (!c.always_on()) {
    m.calendar = static_cast<std::uint32_t>(spec.calendars.size());
    spec.calendars.push_back(std::move(c));
  }
}

// health, maintenance and energy (health.hpp), and the hot-path flags they set
void parse_upkeep(const Node& t, const PowerSpec& twin_power, MachineSpec& m) {
  if (auto h = t.find("health")) m.health = parse_health(*h);
  if (auto s = t.find("signals")) m.signals = parse_signals(*s, m.health);
  if (auto mt = t.find("maintenance")) m.maint = parse_maintenance(*mt, m.health);
  if (auto p = t.find("power"))
    m.power = parse_power(*p);
  else if (twin_power.on)
    m.power = twin_power;
  if (m.health.type != HealthSpec::Type::None && !m.maint.has_corrective && !m.fails)
    t.at("health").fail(
        "a machine that wears out fails: give its repair time, \"maintenance\": {\"policy\": "
        "..., \"duration\": {\"corrective\": ...}}");
  if (m.maint.has_corrective && !m.maint.has_preventive &&
      m.health.type == HealthSpec::Type::None && !m.fails)
    t.at("maintenance")
        .fail(
            "a corrective repair time for a machine that never fails: give it "
            "\"health\" or failures (\"mtbf\"/\"mttr\")");
  if (!m.maint.has_corrective) {
    m.maint.corrective = m.ttr;  // the failures' repair time
    m.maint.has_corrective = m.fails;
  }
  m.clocks = m.health.type != HealthSpec::Type::None ||
             m.maint.policy == MaintenanceSpec::Policy::Preventive;
  m.managed = m.clocks || t.has("maintenance") || m.power.on;
  m.auto_off = m.power.auto_off;
  m.wear = m.health.wear();
}

// what a machine of a line with products reads: its changeover, the means "spt" orders by
void parse_machine_products(const Node& t, const LineSpec& spec, MachineSpec& m) {
  if (auto c = t.find("changeover")) parse_changeover(*c, spec, m);
  if (spec.products.empty()) return;
  if (m.assembly) t.at("kind").fail("an assembly in a line with products is not supported yet");
  m.typed = true;
  for (std::size_t i = 0; i < spec.products.size(); ++i)
    m.process_mean_by.push_back(m.process_by.empty() ? m.process.mean() : m.process_by[i].mean());
}

}  // namespace

MachineSpec parse_machine(const Node& t, const std::string& id, const std::string& kind,
                          const std::optional<Node>& line_calendar,
                          const ProcessFromTwin& from_twin, LineSpec& spec) {
  t.check_keys({"kind",   "process",    "speed",       "mtbf",        "mttr",     "failures",
                "setup",  "changeover", "scrap",       "ideal_cycle", "calendar", "inputs",
                "health", "signals",    "maintenance", "power",       "needs",    "route",
                "layout", "name",       "description"});
  MachineSpec m;
  m.id = id;
  m.kind = kind;
  m.assembly = kind == "assembly";
  const PowerSpec twin_power = parse_process(t, from_twin, spec, m);
  if (auto s = t.find("speed")) {
    m.speed = s->positive();
    check_resolution(*s, m.process.mean() / m.speed, "a process time at this speed");
  }
  check_resolution(t.at("process"), m.process.mean(), "a process time");
  parse_failures(t, m);
  parse_setup(t, spec, m);
  parse_machine_products(t, spec, m);
  m.prepares = m.has_setup || m.typed;  // routed machines too (set with the flow)
  if (auto s = t.find("scrap")) {
    m.scrap = s->number_in(0, 1);
    if (m.scrap >= 1) s->expected("a scrap probability below 1");
  }
  if (auto c = t.find("ideal_cycle")) {
    m.ideal_cycle_s = parse_duration(*c);
    if (m.ideal_cycle_s <= 0) c->expected("a duration > 0");
  } else {
    m.ideal_cycle_s = m.process.mean() / m.speed;
  }
  parse_machine_calendar(t, line_calendar, spec, m);
  if (t.has("inputs") && !m.assembly)
    t.at("inputs").fail("\"inputs\" (parts per input) applies to kind \"assembly\" only");
  parse_upkeep(t, twin_power, m);
  if (auto r = t.find("route")) {
    const std::string v = r->string();
    if (v == "shortest_queue")
      m.routing.rule = Routing::Rule::ShortestQueue;
    else if (v == "round_robin")
      m.routing.rule = Routing::Rule::RoundRobin;
    else
      r->expected("\"shortest_queue\" or \"round_robin\" (how a part chooses among outputs)");
  }
  if (auto n = t.find("needs")) parse_needs(*n, spec, m.managed || spec.crew.size > 0, m);
  return m;
}

}  // namespace dtwin::line
