#include "twins/line/parse.hpp"

#include <cmath>
#include <optional>
#include <utility>

#include "engine/scenario/distribution.hpp"
#include "engine/scenario/duration.hpp"
#include "engine/scenario/json_doc.hpp"
#include "twins/line/parse_detail.hpp"

namespace dtwin::line {

const std::vector<std::string>& line_kinds() {
  static const std::vector<std::string> kinds = {"source",   "machine", "assembly", "buffer",
                                                 "conveyor", "sink",    "fleet"};
  return kinds;
}

std::uint64_t parse_capacity(const Node& n) {
  if (n.is_null()) return kUnbounded;
  return static_cast<std::uint64_t>(n.integer_at_least(0));
}

namespace {

std::string twin_ptr(const std::string& id) {
  return "/twins/" + pointer_escape(id);
}

// "crew" and "costs" at the scenario's root
void parse_line_settings(const Node& root, LineSpec& spec) {
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
}

// a source's "when_full": "block" (the default) or "drop"
void parse_when_full(const Node& t, SourceSpec& s) {
  if (auto w = t.find("when_full")) {
    const std::string v = w->string();
    if (v == "drop")
      s.drop_when_full = true;
    else if (v != "block")
      w->expected("\"block\" (arrivals wait) or \"drop\" (arrivals are lost)");
  }
}

// a source: saturated, or releasing parts at interarrival times (blocking or dropping them
// when its place is full), or releasing an order list (parse_orders.cpp); its "capacity" is read
// with the flow
SourceSpec parse_source(const Node& t, const std::string& id, const FileAccess* files,
                        LineSpec& spec) {
  t.check_keys({"kind", "saturated", "interarrival", "capacity", "when_full", "mix", "sequence",
                "orders", "start", "layout", "name", "description"});
  SourceSpec s;
  s.id = id;
  if (t.has("orders")) {
    parse_orders(t, files, spec, s);
    parse_when_full(t, s);
    return s;
  }
  if (auto st = t.find("start"))
    st->fail("\"start\" dates the times of an order list (\"orders\")");
  if (auto sat = t.find("saturated")) s.saturated = sat->boolean();
  if (s.saturated == t.has("interarrival"))
    t.fail(s.saturated ? "a saturated source has no \"interarrival\""
                       : "a source needs \"saturated\": true or an \"interarrival\" distribution");
  if (!s.saturated) {
    s.interarrival = parse_distribution(t.at("interarrival"));
    if (s.interarrival.mean() <= 0)
      t.at("interarrival").expected("an interarrival distribution with a mean > 0");
    check_resolution(t.at("interarrival"), s.interarrival.mean(), "an interarrival time");
  }
  parse_when_full(t, s);
  parse_source_products(t, spec, s);
  return s;
}

PlaceSpec twin_place(const std::string& id, PlaceKind kind) {
  PlaceSpec p;
  p.id = id;
  p.kind = kind;
  p.is_twin = true;
  return p;
}

PlaceSpec parse_buffer(const Node& t, const std::string& id, const LineSpec& spec) {
  t.check_keys({"kind", "capacity", "discipline", "rule", "layout", "name", "description"});
  PlaceSpec p = twin_place(id, PlaceKind::Buffer);
  if (auto c = t.find("capacity")) p.capacity = parse_capacity(*c);
  if (auto r = t.find("rule")) {
    const std::string v = r->string();
    if (v != "first_free" && v != "round_robin")
      r->expected("\"first_free\" (the first idle station in flow order) or \"round_robin\"");
    if (v == "round_robin") p.extras |= kPlaceRoundRobin;
  }
  if (auto d = t.find("discipline")) p.discipline = parse_discipline(*d, spec);
  return p;
}

// a conveyor: "transit" time or "length" and "speed"; "max_parts" or "pitch" (with length)
PlaceSpec parse_conveyor(const Node& t, const std::string& id) {
  t.check_keys({"kind", "length", "speed", "transit", "max_parts", "pitch", "layout", "name",
                "description"});
  PlaceSpec p = twin_place(id, PlaceKind::Conveyor);
  if (t.has("transit")) {
    if (t.has("speed")) t.at("transit").fail("give either \"transit\" or \"length\" and \"speed\"");
    p.transit_s = parse_duration(t.at("transit"));
    check_resolution(t.at("transit"), p.transit_s, "a transit time");
    if (auto l = t.find("length")) p.length_m = l->positive();
  } else {
    p.length_m = t.at("length").positive();
    p.speed_m_s = t.at("speed").positive();
    p.transit_s = p.length_m / p.speed_m_s;
    check_resolution(t.at("speed"), p.transit_s, "a transit time (length / speed)");
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
  return p;
}

PlaceSpec parse_sink(const Node& t, const std::string& id) {
  t.check_keys({"kind", "layout", "name", "description"});
  return twin_place(id, PlaceKind::Sink);
}

// a machine joins the line; the line has health, power or costs when one of its machines does
void add_machine(const Node& t, MachineSpec m, LineSpec& spec) {
  if (spec.crew.size > 0) m.managed = true;
  spec.has_health = spec.has_health || m.health.type != HealthSpec::Type::None ||
                    t.has("maintenance") || spec.crew.size > 0;
  spec.has_power = spec.has_power || m.power.on;
  spec.has_cost = spec.has_cost || m.maint.preventive_cost > 0 || m.maint.corrective_cost > 0;
  spec.machines.push_back(std::move(m));
}

// The line twins under "/twins", in the order of ids, each by its kind (other kinds are left
// to their own parsers); refs maps their ids for the flow.
void parse_twins(const Node& twins, const std::vector<std::string>& ids,
                 const std::optional<Node>& line_calendar, const ProcessFromTwin& from_twin,
                 const FileAccess* files, LineSpec& spec, NodeRefs& refs) {
  for (const auto& id : ids) {
    const Node t = twins.at(id);
    const std::string kind = t.at("kind").string();
    const std::string ptr = twin_ptr(id);
    auto ref = [&](NodeRef::Kind k, std::size_t index) {
      refs[id] = {k, static_cast<std::uint32_t>(index), ptr};
    };
    auto add_place = [&](PlaceSpec p) {
      ref(NodeRef::Place, spec.places.size());
      spec.places.push_back(std::move(p));
    };
    if (kind == "source") {
      SourceSpec s = parse_source(t, id, files, spec);
      ref(NodeRef::Source, spec.sources.size());
      spec.sources.push_back(std::move(s));
    } else if (kind == "machine" || kind == "assembly") {
      MachineSpec m = parse_machine(t, id, kind, line_calendar, from_twin, spec);
      ref(NodeRef::Machine, spec.machines.size());
      add_machine(t, std::move(m), spec);
    } else if (kind == "buffer") {
      add_place(parse_buffer(t, id, spec));
    } else if (kind == "conveyor") {
      add_place(parse_conveyor(t, id));
    } else if (kind == "sink") {
      add_place(parse_sink(t, id));
    } else if (kind == "fleet") {
      FleetSpec f = parse_fleet(t, id, twins);
      f.first_vehicle = 0;
      for (const auto& g : spec.fleets) f.first_vehicle += g.vehicles;
      ref(NodeRef::Fleet, spec.fleets.size());
      spec.fleets.push_back(std::move(f));
    }
  }
}

}  // namespace

LineSpec parse_line(const Node& root, const std::vector<std::string>& ids, double window_s,
                    const ProcessFromTwin& from_twin, const FileAccess* files) {
  LineSpec spec;
  spec.window_s = window_s;
  parse_line_settings(root, spec);
  parse_products(root, spec);
  parse_resources(root, spec);
  link_crew_pool(root, spec);
  spec.typed = !spec.products.empty();
  const Node twins = root.at("twins");
  NodeRefs refs;
  parse_twins(twins, ids, root.find("calendar"), from_twin, files, spec, refs);
  const Node flow = root.at("flow");
  connect_flow(flow, twins, refs, spec);
  check_connected(root, twins, ids, spec);
  check_link_cycles(flow, spec);
  check_zero_time_paths(twins, spec);
  spec.serial_order = serial_order(spec);
  return spec;
}

}  // namespace dtwin::line
