// Resources machines share: "/resources" at the root (operator pools), a machine's "needs",
// and transport fleets (a twin of kind "fleet", named by flow edges' "via").
//   "resources": {"operators": {"kind": "pool", "size": 2, "calendar": {...}}}
//   "needs": {"operators": 1}                                 process, setup and repair
//   "needs": {"operators": {"count": 1, "for": ["process", "setup"]}}
//   "crew": {"pool": "techs"}                                 the crew is that pool's members
//   "agv": {"kind": "fleet", "vehicles": 2, "speed": 1.2, "load": "20s", "unload": "20s",
//           "distances": {"m1": {"m2": 60, "m3": 40}}}        metres; symmetric unless both given
//           (without "distances": straight lines between the twins' "layout" x, y)
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "engine/scenario/duration.hpp"

#include "engine/scenario/suggest.hpp"
#include "twins/line/parse_detail.hpp"

namespace dtwin::line {

namespace {

PoolSpec parse_pool(const Node& n, const std::string& name, LineSpec& spec) {
  n.check_keys({"kind", "size", "calendar", "name", "description"});
  const std::string kind = n.at("kind").string();
  if (kind != "pool") n.at("kind").expected("\"pool\" (a pool of operators)");
  PoolSpec p;
  p.name = name;
  p.size = static_cast<std::uint32_t>(n.at("size").integer_at_least(1));
  if (auto c = n.find("calendar"); c && !c->is_null()) {
    Calendar cal = parse_calendar(*c);
    if (!cal.always_on()) {
      p.calendar = static_cast<std::uint32_t>(spec.calendars.size());
      spec.calendars.push_back(std::move(cal));
    }
  }
  return p;
}

// "for": the activities, as a mask of kFor* bits
std::uint8_t parse_activities(const Node& list) {
  static const std::vector<std::string> names = {"process", "setup", "repair"};
  if (!list.is_array() || list.size() == 0)
    list.expected("a non-empty array of activities: \"process\", \"setup\", \"repair\"");
  std::uint8_t mask = 0;
  for (const auto& x : list.items()) {
    const std::string v = x.string();
    std::size_t i = 0;
    while (i < names.size() && names[i] != v) ++i;
    if (i == names.size()) {
      const std::string hint = did_you_mean(v, names);
      x.fail("unknown activity \"" + v + "\"" +
             (hint.empty() ? "; one of process, setup, repair" : hint));
    }
    mask = static_cast<std::uint8_t>(mask | (1u << i));
  }
  return mask;
}

// a duration >= 0
double parse_time(const Node& n, const std::string& what) {
  const double s = parse_duration(n);
  if (s < 0) n.expected("a " + what + " >= 0");
  check_resolution(n, s, "a " + what);
  return s;
}

// "distances": {"a": {"b": metres, ...}, ...}: the nodes, and the shortest distances between
// them (a pair given one way only is the same both ways)
void parse_distances(const Node& d, FleetSpec& f) {
  if (!d.is_object() || d.size() == 0)
    d.expected("an object of distances in metres, such as {\"m1\": {\"m2\": 60}}");
  const auto node = [&](const std::string& name) {
    auto it = std::find(f.nodes.begin(), f.nodes.end(), name);
    if (it != f.nodes.end()) return static_cast<std::uint32_t>(it - f.nodes.begin());
    f.nodes.push_back(name);
    return static_cast<std::uint32_t>(f.nodes.size() - 1);
  };
  std::vector<std::pair<std::pair<std::uint32_t, std::uint32_t>, double>> given;
  for (const auto& [from, row] : d.members()) {
    if (!row.is_object()) row.expected("an object {\"<to>\": metres, ...}");
    for (const auto& [to, x] : row.members()) {
      if (to == from) x.fail("a distance from \"" + from + "\" to itself");
      given.push_back({{node(from), node(to)}, x.non_negative()});
    }
  }
  const std::size_t n = f.nodes.size();
  const double inf = std::numeric_limits<double>::infinity();
  f.dist_m.assign(n * n, inf);
  for (std::size_t i = 0; i < n; ++i) f.dist_m[i * n + i] = 0;
  for (const auto& [ab, x] : given) f.dist_m[ab.second * n + ab.first] = x;  // the way back
  for (const auto& [ab, x] : given) f.dist_m[ab.first * n + ab.second] = x;  // given: wins
  for (std::size_t k = 0; k < n; ++k)  // shortest paths (Floyd-Warshall)
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j)
        f.dist_m[i * n + j] =
            std::min(f.dist_m[i * n + j], f.dist_m[i * n + k] + f.dist_m[k * n + j]);
}

// Without "distances": the twins placed on the floor ("layout": {"x", "y"} in metres, as the
// viewer reads it) are the nodes, a straight line between each two their distance.
void layout_distances(const Node& twins, FleetSpec& f) {
  std::vector<std::pair<double, double>> at;
  for (const auto& [name, tw] : twins.members()) {
    if (!tw.is_object()) continue;
    const auto lay = tw.find("layout");
    if (!lay || !lay->is_object() || !lay->has("x") || !lay->has("y")) continue;
    f.nodes.push_back(name);
    at.emplace_back(lay->at("x").number(), lay->at("y").number());
  }
  const std::size_t n = f.nodes.size();
  f.dist_m.assign(n * n, 0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      f.dist_m[i * n + j] = std::hypot(at[i].first - at[j].first, at[i].second - at[j].second);
  f.from_layout = true;
}

}  // namespace

FleetSpec parse_fleet(const Node& t, const std::string& id, const Node& twins) {
  t.check_keys({"kind", "vehicles", "speed", "load", "unload", "distances", "layout", "name",
                "description"});
  FleetSpec f;
  f.id = id;
  if (auto v = t.find("vehicles")) f.vehicles = static_cast<std::uint32_t>(v->integer_at_least(1));
  f.speed_m_s = t.at("speed").positive();
  if (auto l = t.find("load")) f.load_s = parse_time(*l, "loading time");
  if (auto u = t.find("unload")) f.unload_s = parse_time(*u, "unloading time");
  if (auto d = t.find("distances"))
    parse_distances(*d, f);
  else
    layout_distances(twins, f);
  return f;
}

std::uint32_t fleet_node(const FleetSpec& f, const std::string& name) {
  for (std::uint32_t i = 0; i < f.nodes.size(); ++i)
    if (f.nodes[i] == name) return i;
  return kNone;
}

void parse_resources(const Node& root, LineSpec& spec) {
  auto r = root.find("resources");
  if (!r) return;
  if (!r->is_object())
    r->expected(
        "an object of resources, such as {\"operators\": {\"kind\": \"pool\", \"size\": 2}}");
  for (const auto& [name, n] : r->members()) {
    if (name.empty()) n.fail("a resource's name is not empty");
    if (!n.is_object()) n.expected("a resource, {\"kind\": \"pool\", \"size\": n}");
    spec.pools.push_back(parse_pool(n, name, spec));
  }
}

void link_crew_pool(const Node& root, LineSpec& spec) {
  CrewSpec& crew = spec.crew;
  if (crew.pool_name.empty()) return;
  std::vector<std::string> names;
  for (std::uint32_t i = 0; i < spec.pools.size(); ++i) {
    names.push_back(spec.pools[i].name);
    if (spec.pools[i].name == crew.pool_name) crew.pool = i;
  }
  if (crew.pool == kNone) {
    const std::string hint = did_you_mean(crew.pool_name, names);
    root.at("crew").at("pool").fail("no operator pool \"" + crew.pool_name + "\"" +
                                    (hint.empty() ? "; pools are defined under /resources, {\"" +
                                                        crew.pool_name +
                                                        "\": {\"kind\": \"pool\", \"size\": n}}"
                                                  : hint));
  }
  crew.size = spec.pools[crew.pool].size;
}

void parse_needs(const Node& n, const LineSpec& spec, bool crew_repairs, MachineSpec& m) {
  if (!n.is_object() || n.size() != 1)
    n.expected("one resource a machine needs, such as {\"operators\": 1}");
  const auto [name, v] = n.members()[0];
  std::vector<std::string> names;
  for (std::uint32_t i = 0; i < spec.pools.size(); ++i) {
    names.push_back(spec.pools[i].name);
    if (spec.pools[i].name == name) m.needs.pool = i;
  }
  if (m.needs.pool == kNone) {
    const std::string hint = did_you_mean(name, names);
    v.fail("no operator pool \"" + name + "\"" +
           (hint.empty() ? "; pools are defined under /resources, {\"" + name +
                               "\": {\"kind\": \"pool\", \"size\": n}}"
                         : hint));
  }
  // the crew's pool: its members are technicians, busy and counted by the crew alone
  if (m.needs.pool == spec.crew.pool)
    v.fail("pool \"" + name +
           "\" is the maintenance crew (/crew/pool): its members repair machines, a machine "
           "cannot also need them as operators");
  // by default every activity; a machine the crew repairs needs operators for the others
  m.needs.for_mask = crew_repairs ? kForProcess | kForSetup : kForProcess | kForSetup | kForRepair;
  Node count = v;
  if (v.is_object()) {
    v.check_keys({"count", "for"});
    count = v.at("count");
    if (auto f = v.find("for")) {
      m.needs.for_mask = parse_activities(*f);
      if (crew_repairs && (m.needs.for_mask & kForRepair))
        f->fail("the maintenance crew repairs \"" + m.id +
                "\": its operators are needed for \"process\" or \"setup\"");
    }
  }
  m.needs.count = static_cast<std::uint32_t>(count.integer_at_least(1));
  const std::uint32_t size = spec.pools[m.needs.pool].size;
  if (m.needs.count > size)
    count.fail("needs " + std::to_string(m.needs.count) + " operators from pool \"" + name +
               "\" of " + std::to_string(size) + ": it would wait for ever");
  m.staffed = true;
  m.prepares = true;  // its parts start through the operators (flow.cpp, begin_work)
}

}  // namespace dtwin::line
