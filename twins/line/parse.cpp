#include "twins/line/parse.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <optional>

#include "engine/scenario/distribution.hpp"
#include "engine/scenario/duration.hpp"
#include "engine/scenario/json_doc.hpp"
#include "engine/scenario/suggest.hpp"

namespace dtwin::line {

const std::vector<std::string>& line_kinds() {
  static const std::vector<std::string> kinds = {"source", "machine",  "assembly",
                                                 "buffer", "conveyor", "sink"};
  return kinds;
}

namespace {

// What the flow refers to: index into sources, machines or places by twin id.
struct NodeRef {
  enum Kind { Source, Machine, Place } kind;
  std::uint32_t index;
  std::string pointer;  // "/twins/<id>"
};

std::string twin_ptr(const std::string& id) {
  return "/twins/" + pointer_escape(id);
}

std::uint64_t parse_capacity(const Node& n) {
  if (n.is_null()) return kUnbounded;
  return static_cast<std::uint64_t>(n.integer_at_least(0));
}

void parse_machine(const Node& t, const std::string& id, const std::string& kind,
                   const std::optional<Node>& line_calendar, const ProcessFromTwin& from_twin,
                   LineSpec& spec, MachineSpec& m) {
  t.check_keys({"kind", "process", "speed", "mtbf", "mttr", "failures", "setup", "scrap",
                "ideal_cycle", "calendar", "inputs", "health", "signals", "maintenance", "power",
                "layout", "name", "description"});
  m.id = id;
  m.kind = kind;
  m.assembly = kind == "assembly";
  const Node process = t.at("process");
  PowerSpec twin_power;
  if (process.is_object() && process.has("from_cell")) {
    if (!from_twin) process.fail("\"from_cell\" is not available here");
    ProcessFromTwinResult r = from_twin(process);
    m.process = std::move(r.process);
    twin_power = r.power;
  } else {
    m.process = parse_distribution(process);
  }
  if (auto s = t.find("speed")) m.speed = s->positive();

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
    m.fails = true;
    m.ttf = Distribution::exponential(mtbf);
    m.ttr = mttr > 0 ? Distribution::exponential(mttr) : Distribution::constant(0);
  } else if (auto f = t.find("failures")) {
    f->check_keys({"ttf", "ttr"});
    m.fails = true;
    m.ttf = parse_distribution(f->at("ttf"));
    m.ttr = parse_distribution(f->at("ttr"));
    if (m.ttf.mean() <= 0) f->at("ttf").expected("a time to failure with a mean > 0");
  }
  if (auto s = t.find("setup")) {
    m.has_setup = true;
    if (s->is_object() && s->has("duration")) {
      s->check_keys({"duration", "every"});
      m.setup = parse_distribution(s->at("duration"));
      if (auto e = s->find("every"))
        m.setup_every = static_cast<std::uint64_t>(e->integer_at_least(1));
    } else {
      m.setup = parse_distribution(*s);
    }
  }
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
  std::optional<Node> cal = line_calendar;
  if (t.has("calendar")) cal = t.find("calendar");  // null: always on
  if (cal) {
    Calendar c = parse_calendar(*cal);
    if (!c.always_on()) {
      m.calendar = static_cast<std::uint32_t>(spec.calendars.size());
      spec.calendars.push_back(std::move(c));
    }
  }
  if (t.has("inputs") && !m.assembly)
    t.at("inputs").fail("\"inputs\" (parts per input) applies to kind \"assembly\" only");

  // health, maintenance and energy (health.hpp)
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

}  // namespace

LineSpec parse_line(const Node& root, const std::vector<std::string>& ids, double window_s,
                    const ProcessFromTwin& from_twin) {
  LineSpec spec;
  spec.window_s = window_s;
  if (auto c = root.find("crew")) spec.crew = parse_crew(*c);
  if (auto c = root.find("costs")) {
    c->check_keys({"energy_per_kwh", "currency"});
    spec.has_cost = true;
    if (auto e = c->find("energy_per_kwh")) spec.energy_price_per_kwh = e->non_negative();
    if (auto e = c->find("currency")) {
      spec.currency = e->string();
      if (spec.currency.empty()) e->expected("a currency name such as \"EUR\"");
    }
  }
  const Node twins = root.at("twins");
  const std::optional<Node> line_calendar = root.find("calendar");
  std::map<std::string, NodeRef> refs;

  // 1. the twins themselves
  for (const auto& id : ids) {
    const Node t = twins.at(id);
    const std::string kind = t.at("kind").string();
    const std::string ptr = twin_ptr(id);
    if (kind == "source") {
      t.check_keys({"kind", "saturated", "interarrival", "capacity", "when_full", "layout", "name",
                    "description"});
      SourceSpec s;
      s.id = id;
      if (auto sat = t.find("saturated")) s.saturated = sat->boolean();
      if (s.saturated == t.has("interarrival"))
        t.fail(s.saturated
                   ? "a saturated source has no \"interarrival\""
                   : "a source needs \"saturated\": true or an \"interarrival\" distribution");
      if (!s.saturated) {
        s.interarrival = parse_distribution(t.at("interarrival"));
        if (s.interarrival.mean() <= 0)
          t.at("interarrival").expected("an interarrival distribution with a mean > 0");
      }
      if (auto w = t.find("when_full")) {
        const std::string v = w->string();
        if (v == "drop")
          s.drop_when_full = true;
        else if (v != "block")
          w->expected("\"block\" (arrivals wait) or \"drop\" (arrivals are lost)");
      }
      refs[id] = {NodeRef::Source, static_cast<std::uint32_t>(spec.sources.size()), ptr};
      spec.sources.push_back(std::move(s));
    } else if (kind == "machine" || kind == "assembly") {
      MachineSpec m;
      parse_machine(t, id, kind, line_calendar, from_twin, spec, m);
      if (spec.crew.size > 0) m.managed = true;
      spec.has_health = spec.has_health || m.health.type != HealthSpec::Type::None ||
                        t.has("maintenance") || spec.crew.size > 0;
      spec.has_power = spec.has_power || m.power.on;
      spec.has_cost = spec.has_cost || m.maint.preventive_cost > 0 || m.maint.corrective_cost > 0;
      refs[id] = {NodeRef::Machine, static_cast<std::uint32_t>(spec.machines.size()), ptr};
      spec.machines.push_back(std::move(m));
    } else if (kind == "buffer") {
      t.check_keys({"kind", "capacity", "layout", "name", "description"});
      PlaceSpec p;
      p.id = id;
      p.kind = PlaceKind::Buffer;
      p.is_twin = true;
      if (auto c = t.find("capacity")) p.capacity = parse_capacity(*c);
      refs[id] = {NodeRef::Place, static_cast<std::uint32_t>(spec.places.size()), ptr};
      spec.places.push_back(std::move(p));
    } else if (kind == "conveyor") {
      t.check_keys({"kind", "length", "speed", "transit", "max_parts", "pitch", "layout", "name",
                    "description"});
      PlaceSpec p;
      p.id = id;
      p.kind = PlaceKind::Conveyor;
      p.is_twin = true;
      if (t.has("transit")) {
        if (t.has("speed"))
          t.at("transit").fail("give either \"transit\" or \"length\" and \"speed\"");
        p.transit_s = parse_duration(t.at("transit"));
        if (auto l = t.find("length")) p.length_m = l->positive();
      } else {
        p.length_m = t.at("length").positive();
        p.speed_m_s = t.at("speed").positive();
        p.transit_s = p.length_m / p.speed_m_s;
      }
      if (auto mp = t.find("max_parts")) {
        p.capacity = static_cast<std::uint64_t>(mp->integer_at_least(1));
        if (t.has("pitch")) t.at("pitch").fail("give either \"max_parts\" or \"pitch\"");
      } else if (auto pitch = t.find("pitch")) {
        if (p.length_m <= 0) pitch->fail("\"pitch\" needs the conveyor's \"length\"");
        const double n = std::floor(p.length_m / pitch->positive());
        if (n < 1) pitch->fail("pitch is longer than the conveyor: no part fits");
        p.capacity = static_cast<std::uint64_t>(n);
      }
      refs[id] = {NodeRef::Place, static_cast<std::uint32_t>(spec.places.size()), ptr};
      spec.places.push_back(std::move(p));
    } else if (kind == "sink") {
      t.check_keys({"kind", "layout", "name", "description"});
      PlaceSpec p;
      p.id = id;
      p.kind = PlaceKind::Sink;
      p.is_twin = true;
      refs[id] = {NodeRef::Place, static_cast<std::uint32_t>(spec.places.size()), ptr};
      spec.places.push_back(std::move(p));
    }
  }

  // 2. the flow
  const Node flow = root.at("flow");
  std::vector<std::string> known;
  for (const auto& kv : refs) known.push_back(kv.first);
  auto lookup = [&](const Node& n) -> NodeRef& {
    const std::string id = n.string();
    auto it = refs.find(id);
    if (it != refs.end()) return it->second;
    if (twins.has(id))
      n.fail("\"" + id + "\" is not a line twin (kind " + twins.at(id).at("kind").string() + ")");
    const std::string hint = did_you_mean(id, known);
    n.fail("unknown twin \"" + id + "\" in flow" +
           (hint.empty() ? "; the line's twins are defined under /twins" : hint));
  };

  auto link_place = [&](const std::string& name, PlaceKind kind, std::uint64_t cap) {
    PlaceSpec p;
    p.id = name;
    p.kind = kind;
    p.capacity = cap;
    spec.places.push_back(std::move(p));
    return static_cast<std::uint32_t>(spec.places.size() - 1);
  };

  std::vector<int> source_out(spec.sources.size(), 0);
  std::vector<std::string> machine_out_ptr(spec.machines.size());
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::string> seen_edge;
  for (const auto& e : flow.items()) {
    if (!e.is_array() || e.size() != 2) e.expected("an edge [\"from\", \"to\"]");
    const Node fn = e.at(std::size_t{0}), tn = e.at(std::size_t{1});
    NodeRef from = lookup(fn), to = lookup(tn);
    const std::string fid = fn.string(), tid = tn.string();
    if (fid == tid) e.fail("an edge from \"" + fid + "\" to itself");
    if (from.kind == NodeRef::Place && spec.places[from.index].kind == PlaceKind::Sink)
      fn.fail("a sink has no outgoing edges");
    if (to.kind == NodeRef::Source) tn.fail("a source has no incoming edges");

    if (from.kind == NodeRef::Source) {
      SourceSpec& s = spec.sources[from.index];
      if (++source_out[from.index] > 1)
        e.fail("source \"" + fid + "\" already has an outgoing edge");
      if (to.kind == NodeRef::Machine) {
        const std::uint32_t p = link_place(
            fid + "->" + tid, s.saturated ? PlaceKind::Supply : PlaceKind::Arrivals, kUnbounded);
        if (!s.saturated) {
          const Node st = twins.at(fid);
          if (auto c = st.find("capacity")) spec.places[p].capacity = parse_capacity(*c);
        }
        spec.places[p].source = from.index;
        s.place = p;
        spec.machines[to.index].inputs.push_back(p);
        spec.places[p].consumers.push_back(to.index);
      } else if (to.kind == NodeRef::Place && spec.places[to.index].kind != PlaceKind::Sink) {
        if (s.saturated)
          e.fail("a saturated source must feed a machine directly (its supply never runs out)");
        if (spec.places[to.index].source != kNone)
          e.fail("\"" + tid + "\" is already fed by another source");
        if (twins.at(fid).has("capacity"))
          twins.at(fid)
              .at("capacity")
              .fail("a source feeding a buffer or conveyor uses its capacity");
        s.place = to.index;
        spec.places[to.index].source = from.index;
      } else {
        e.fail("a source must feed a machine, a buffer or a conveyor");
      }
    } else if (from.kind == NodeRef::Machine) {
      MachineSpec& m = spec.machines[from.index];
      if (m.output != kNone)
        e.fail("machine \"" + fid + "\" already has an output (" + machine_out_ptr[from.index] +
               "); a machine sends its parts to one place");
      machine_out_ptr[from.index] = e.pointer();
      std::uint32_t p;
      if (to.kind == NodeRef::Machine) {
        p = link_place(fid + "->" + tid, PlaceKind::Link, 0);
        spec.machines[to.index].inputs.push_back(p);
        spec.places[p].consumers.push_back(to.index);
      } else {
        p = to.index;
      }
      m.output = p;
      spec.places[p].producers.push_back(from.index);
    } else {  // from a buffer or conveyor
      if (to.kind != NodeRef::Machine)
        e.fail(
            "a " +
            std::string(spec.places[from.index].kind == PlaceKind::Buffer ? "buffer" : "conveyor") +
            " must feed a machine (got \"" + tid + "\")");
      const auto key = std::make_pair(from.index, to.index);
      if (seen_edge.count(key)) e.fail("duplicate edge (first at " + seen_edge[key] + ")");
      seen_edge[key] = e.pointer();
      spec.machines[to.index].inputs.push_back(from.index);
      spec.places[from.index].consumers.push_back(to.index);
    }
  }

  // 3. every twin connected, assembly quantities
  for (std::uint32_t i = 0; i < spec.sources.size(); ++i)
    if (spec.sources[i].place == kNone)
      twins.at(spec.sources[i].id)
          .fail("source \"" + spec.sources[i].id + "\" feeds nothing: add a flow edge from it");
  for (auto& m : spec.machines) {
    const Node t = twins.at(m.id);
    if (m.inputs.empty()) t.fail("machine \"" + m.id + "\" has no input: add a flow edge into it");
    if (m.output == kNone)
      t.fail("machine \"" + m.id + "\" has no output: add a flow edge from it");
    m.input_qty.assign(m.inputs.size(), 1);
    if (m.assembly) {
      if (auto in = t.find("inputs")) {
        in->check_keys([&] {
          std::vector<std::string> names;
          for (auto p : m.inputs) names.push_back(spec.places[p].id);
          for (auto p : m.inputs)
            if (spec.places[p].kind == PlaceKind::Link ||
                spec.places[p].kind == PlaceKind::Supply ||
                spec.places[p].kind == PlaceKind::Arrivals) {
              // implicit place: named after the upstream twin
              const std::string& pid = spec.places[p].id;
              names.push_back(pid.substr(0, pid.find("->")));
            }
          return names;
        }());
        for (const auto& [name, q] : in->members()) {
          for (std::size_t k = 0; k < m.inputs.size(); ++k) {
            const std::string& pid = spec.places[m.inputs[k]].id;
            if (pid == name || pid.substr(0, pid.find("->")) == name)
              m.input_qty[k] = static_cast<std::uint32_t>(q.integer_at_least(1));
          }
        }
      }
    }
  }
  for (auto& p : spec.places) {
    if (!p.is_twin) continue;
    const Node t = twins.at(p.id);
    if (p.kind == PlaceKind::Sink) {
      if (p.producers.empty())
        t.fail("sink \"" + p.id + "\" receives nothing: add a flow edge into it");
      continue;
    }
    if (p.producers.empty() && p.source == kNone)
      t.fail("\"" + p.id + "\" has no input: add a flow edge into it");
    if (p.consumers.empty()) t.fail("\"" + p.id + "\" feeds nothing: add a flow edge from it");
  }
  if (spec.machines.empty() && !ids.empty())
    root.at("twins").fail("a line needs at least one machine");

  // 4. a cycle through direct machine-to-machine links only would deadlock
  {
    const std::size_t n = spec.machines.size();
    std::vector<int> color(n, 0);  // 0 new, 1 on stack, 2 done
    std::vector<std::uint32_t> stack;
    std::function<void(std::uint32_t)> dfs = [&](std::uint32_t u) {
      color[u] = 1;
      stack.push_back(u);
      const PlaceSpec& out = spec.places[spec.machines[u].output];
      if (out.kind == PlaceKind::Link) {
        for (auto v : out.consumers) {
          if (color[v] == 1) {
            std::string cyc;
            auto it = std::find(stack.begin(), stack.end(), v);
            for (; it != stack.end(); ++it) cyc += spec.machines[*it].id + " -> ";
            cyc += spec.machines[v].id;
            flow.fail("cycle " + cyc + " has no buffer: its machines would block each other " +
                      "for ever; put a buffer in the loop");
          }
          if (color[v] == 0) dfs(v);
        }
      }
      stack.pop_back();
      color[u] = 2;
    };
    for (std::uint32_t i = 0; i < n; ++i)
      if (color[i] == 0) dfs(i);
  }

  // 5. a serial line (one chain of machines) gets the arrow-based bottleneck method
  {
    bool serial = !spec.machines.empty();
    for (const auto& m : spec.machines)
      if (m.inputs.size() != 1) serial = false;
    for (const auto& p : spec.places)
      if (p.producers.size() > 1 || p.consumers.size() > 1) serial = false;
    if (serial) {
      // the first machine takes from a place no machine feeds
      std::uint32_t first = kNone;
      for (std::uint32_t i = 0; i < spec.machines.size(); ++i)
        if (spec.places[spec.machines[i].inputs[0]].producers.empty()) {
          if (first != kNone) serial = false;
          first = i;
        }
      std::vector<std::uint32_t> order;
      for (std::uint32_t m = first; serial && m != kNone && order.size() <= spec.machines.size();) {
        order.push_back(m);
        const PlaceSpec& out = spec.places[spec.machines[m].output];
        m = out.consumers.empty() ? kNone : out.consumers[0];
      }
      if (serial && order.size() == spec.machines.size()) spec.serial_order = std::move(order);
    }
  }
  return spec;
}

}  // namespace dtwin::line
