// Resources machines share: "/resources" at the root (operator pools) and a machine's "needs".
//   "resources": {"operators": {"kind": "pool", "size": 2, "calendar": {...}}}
//   "needs": {"operators": 1}                                 process, setup and repair
//   "needs": {"operators": {"count": 1, "for": ["process", "setup"]}}
#include <string>
#include <utility>

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

}  // namespace

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
}

}  // namespace dtwin::line
