#include "engine/live/alert_rules.hpp"

#include <set>
#include <unordered_map>

#include "engine/scenario/duration.hpp"
#include "engine/scenario/json_node.hpp"

namespace dtwin {

namespace {

std::string list_names(const std::vector<std::string>& names) {
  std::string s;
  for (std::size_t i = 0; i < names.size() && i < 12; ++i) s += (i ? ", " : "") + names[i];
  if (names.size() > 12) s += ", ...";
  return s;
}

// The twins a rule names: an id, a list of ids, or "*".
std::vector<std::size_t> rule_twins(const Node& n, const std::vector<TwinSpec>& twins,
                                    const std::unordered_map<std::string, std::size_t>& index,
                                    const std::string& prop) {
  std::vector<std::size_t> out;
  auto one = [&](const Node& id) {
    const std::string name = id.string();
    const auto it = index.find(name);
    if (it == index.end()) {
      std::vector<std::string> ids;
      for (const auto& t : twins) ids.push_back(t.id);
      id.fail("no twin \"" + name + "\" in the scenario (twins: " + list_names(ids) + ")");
    }
    out.push_back(it->second);
  };
  if (n.is_string() && n.string() == "*") {
    for (std::size_t t = 0; t < twins.size(); ++t) {
      if (prop.empty()) {
        out.push_back(t);
        continue;
      }
      for (const auto& p : twins[t].properties)
        if (p.name == prop) {
          out.push_back(t);
          break;
        }
    }
    if (out.empty()) n.fail("no twin of the scenario has a property \"" + prop + "\"");
  } else if (n.is_string()) {
    one(n);
  } else if (n.is_array()) {
    for (const auto& id : n.items()) one(id);
    if (out.empty()) n.expected("a twin id, a non-empty list of ids, or \"*\"");
  } else {
    n.expected("a twin id, a list of ids, or \"*\"");
  }
  return out;
}

const PropertySpec& rule_property(const Node& at, const TwinSpec& twin, const std::string& prop) {
  for (const auto& p : twin.properties)
    if (p.name == prop) return p;
  std::vector<std::string> names;
  for (const auto& p : twin.properties) names.push_back(p.name);
  at.fail("twin \"" + twin.id + "\" has no property \"" + prop +
          "\" (it has: " + list_names(names) + ")");
}

bool same_kind(const PropertySpec& a, const PropertySpec& b) {
  return a.kind == b.kind && a.choices == b.choices;
}

// "act": {"set": {"prop": value, ...}} and/or {"increment": "prop"}: writable properties of
// every twin of the rule, values they accept.
void parse_act(const Node& act, const std::vector<TwinSpec>& twins, AlertRule& r) {
  if (!act.is_object()) act.expected("an object: {\"set\": {...}} or {\"increment\": \"prop\"}");
  act.check_keys({"set", "increment"});
  auto writable = [&](const Node& at, const std::string& prop) -> const PropertySpec& {
    const PropertySpec* first = nullptr;
    for (std::size_t t : r.twins) {
      const PropertySpec& p = rule_property(at, twins[t], prop);
      if (!p.writable)
        at.fail("\"" + prop + "\" of twin \"" + twins[t].id +
                "\" is not writable: an alert can only set what the digital side may set");
      if (!first) first = &p;
    }
    return *first;
  };
  if (const auto s = act.find("set")) {
    if (!s->is_object() || s->size() == 0) s->expected("an object of property -> value");
    for (const auto& [prop, val] : s->members()) {
      const PropertySpec& p = writable(val, prop);
      Value v;
      std::string why;
      if (parse_property_value(p, val.json(), v, &why) != Outcome::Applied) val.fail(why);
      r.act_set.emplace_back(prop, val.json());
    }
  }
  if (const auto inc = act.find("increment")) {
    r.act_increment = inc->string();
    if (writable(*inc, r.act_increment).kind != PropertySpec::Kind::Number)
      inc->fail("\"increment\" needs a number property; \"" + r.act_increment + "\" is not one");
  }
}

AlertRule parse_rule(const Node& n, const std::vector<TwinSpec>& twins,
                     const std::unordered_map<std::string, std::size_t>& index,
                     std::set<std::string>& ids) {
  if (!n.is_object()) n.expected("an alert rule (an object with \"id\", \"twin\" and a test)");
  n.check_keys({"id", "twin", "prop", "above", "below", "clear", "is", "is_not", "offline", "for",
                "severity", "message", "act"});
  AlertRule r;
  r.source = n.pointer();
  const Node id = n.at("id");
  r.id = id.string();
  if (r.id.empty() || r.id.find_first_of("/+#$ \t\"") != std::string::npos)
    id.fail("an alert id is a non-empty name without '/', '+', '#', '$', quotes or spaces");
  if (!ids.insert(r.id).second) id.fail("alert id \"" + r.id + "\" is used twice");

  int tests = 0;
  for (const char* k : {"above", "below", "is", "is_not", "offline"}) tests += n.has(k);
  if (tests != 1)
    n.fail(std::string(tests == 0 ? "no test" : "more than one test") +
           ": an alert rule has exactly one of \"above\", \"below\", \"is\", \"is_not\", "
           "\"offline\"");
  if (const auto off = n.find("offline")) {
    if (!off->boolean()) off->fail("\"offline\" is true (a rule for a twin being offline)");
    if (n.has("prop")) n.at("prop").fail("an \"offline\" rule watches a twin, not a property");
    r.test = AlertRule::Test::Offline;
  } else {
    r.prop = n.at("prop").string();
  }
  r.twins = rule_twins(n.at("twin"), twins, index, r.prop);

  const PropertySpec* first = nullptr;
  if (!r.prop.empty()) {
    for (std::size_t t : r.twins) {
      const PropertySpec& p = rule_property(n.at("prop"), twins[t], r.prop);
      if (first && !same_kind(*first, p))
        n.at("twin").fail("twins \"" + twins[r.twins[0]].id + "\" and \"" + twins[t].id +
                          "\" differ in the type or choices of \"" + r.prop +
                          "\": write a rule for each");
      if (!first) first = &p;
    }
  }
  for (const char* k : {"above", "below"}) {
    const auto t = n.find(k);
    if (!t) continue;
    if (first->kind != PropertySpec::Kind::Number)
      n.at("prop").fail("\"" + std::string(k) + "\" needs a number property; \"" + r.prop +
                        "\" is not one (use \"is\" or \"is_not\")");
    r.test = std::string(k) == "above" ? AlertRule::Test::Above : AlertRule::Test::Below;
    r.threshold = t->number();
    r.clear = r.threshold;
    if (const auto c = n.find("clear")) {
      r.clear = c->number();
      if (r.test == AlertRule::Test::Above && r.clear > r.threshold)
        c->fail("\"clear\" of an \"above\" rule is at most its threshold (" +
                std::to_string(r.threshold) + "): the alert clears when the value falls to it");
      if (r.test == AlertRule::Test::Below && r.clear < r.threshold)
        c->fail("\"clear\" of a \"below\" rule is at least its threshold (" +
                std::to_string(r.threshold) + "): the alert clears when the value rises to it");
    }
  }
  if (r.test != AlertRule::Test::Above && r.test != AlertRule::Test::Below && n.has("clear"))
    n.at("clear").fail("\"clear\" goes with \"above\" or \"below\"");
  for (const char* k : {"is", "is_not"}) {
    const auto t = n.find(k);
    if (!t) continue;
    r.test = std::string(k) == "is" ? AlertRule::Test::Is : AlertRule::Test::IsNot;
    std::vector<Node> vals;
    if (t->is_array())
      vals = t->items();
    else
      vals.push_back(*t);
    if (vals.empty()) t->expected("a value of \"" + r.prop + "\" or a non-empty list of them");
    for (const Node& v : vals) {
      Value val;
      std::string why;
      if (parse_property_value(*first, v.json(), val, &why) != Outcome::Applied) v.fail(why);
      r.values.push_back(val);
    }
  }
  if (const auto f = n.find("for")) r.for_s = parse_duration(*f);
  if (const auto s = n.find("severity"))
    if (!parse_severity(s->string(), r.severity))
      s->fail("severity is \"info\", \"warning\" or \"critical\", not \"" + s->string() + "\"");
  if (const auto act = n.find("act")) parse_act(*act, twins, r);
  if (const auto m = n.find("message")) {
    r.message = m->string();
  } else {
    switch (r.test) {
      case AlertRule::Test::Above:
        r.message = "{twin}." + r.prop + " above " + n.at("above").preview() + ": {value} {unit}";
        break;
      case AlertRule::Test::Below:
        r.message = "{twin}." + r.prop + " below " + n.at("below").preview() + ": {value} {unit}";
        break;
      case AlertRule::Test::Is:
        r.message = "{twin}." + r.prop + " is {value}";
        break;
      case AlertRule::Test::IsNot:
        r.message = "{twin}." + r.prop + " is {value}, not " + n.at("is_not").preview();
        break;
      case AlertRule::Test::Offline:
        r.message = "{twin} is offline";
        break;
    }
  }
  return r;
}

}  // namespace

std::vector<AlertRule> parse_alert_rules(const Scenario& sc, const std::vector<TwinSpec>& twins) {
  std::vector<AlertRule> out;
  const Node root(sc.doc());
  const auto alerts = root.find("alerts");
  if (!alerts) return out;
  if (!alerts->is_array()) alerts->expected("an array of alert rules");
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t t = 0; t < twins.size(); ++t) index.emplace(twins[t].id, t);
  std::set<std::string> ids;
  for (const Node& n : alerts->items()) out.push_back(parse_rule(n, twins, index, ids));
  return out;
}

}  // namespace dtwin
