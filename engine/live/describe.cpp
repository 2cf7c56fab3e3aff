#include "engine/live/describe.hpp"
#include "engine/transport/sparkplug.hpp"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "engine/base/format.hpp"

namespace dtwin {

namespace {

// what a value may be: "[0, 20]", "starved | working | ...", "true | false"
std::string accepts(const nlohmann::json& p) {
  const std::string type = p["type"];
  if (type == "enum") {
    std::string s;
    for (const auto& c : p["choices"]) s += (s.empty() ? "" : " | ") + c.get<std::string>();
    return s;
  }
  if (type == "bool") return "true | false";
  if (type == "text") return "text";
  const bool lo = p.contains("min"), hi = p.contains("max");
  if (!lo && !hi) return "any number";
  std::string s = lo ? ">= " + format_number(p["min"].get<double>(), 6) : std::string();
  if (hi) s += (lo ? ", " : "") + std::string("<= ") + format_number(p["max"].get<double>(), 6);
  return s;
}

std::string role(const nlohmann::json& p) {
  if (p.value("derived", false)) return "derived (by the engine)";
  if (p.value("writable", false)) return "reported, writable";
  return "reported";
}

// twins grouped by identical property lists, in first-seen order
std::vector<std::pair<std::vector<std::string>, const nlohmann::json*>> groups(
    const nlohmann::json& d) {
  std::vector<std::pair<std::vector<std::string>, const nlohmann::json*>> out;
  for (const auto& t : d["twins"]) {
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const auto& g) { return *g.second == t["properties"]; });
    if (it == out.end())
      out.push_back({{t["id"].get<std::string>()}, &t["properties"]});
    else
      it->first.push_back(t["id"].get<std::string>());
  }
  return out;
}

std::string escape_bars(std::string s) {
  for (std::size_t at = s.find('|'); at != std::string::npos; at = s.find('|', at + 2))
    s.replace(at, 1, "\\|");
  return s;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

namespace {

// Where a twin is in the Sparkplug namespace, as SparkplugHost finds it (sparkplug_host.hpp).
nlohmann::json sparkplug_place(const TwinSpec& t, const SparkplugSettings& sp) {
  std::string node, device = t.id;
  nlohmann::json metrics = nlohmann::json::object();
  for (const auto& p : t.properties)
    if (!p.derived) metrics[p.name] = p.name;
  const auto it = sp.twins.find(t.id);
  if (it != sp.twins.end()) {
    node = it->second.node;
    device = it->second.device;
    for (const auto& [prop, metric] : it->second.metrics) metrics[prop] = metric;
  }
  const std::string g = std::string(sparkplug::kNamespace) + "/" + sp.group + "/";
  const std::string n = node.empty() ? "+" : node;
  const bool dev = !device.empty();
  return {{"node", node},
          {"device", device},
          {"birth", g + (dev ? "DBIRTH/" : "NBIRTH/") + n + (dev ? "/" + device : "")},
          {"data", g + (dev ? "DDATA/" : "NDATA/") + n + (dev ? "/" + device : "")},
          {"command", g + (dev ? "DCMD/" : "NCMD/") + n + (dev ? "/" + device : "")},
          {"metrics", std::move(metrics)}};
}

}  // namespace

nlohmann::json describe_twins(const std::vector<TwinSpec>& twins, const std::string& plant,
                              const std::string& only, const LiveSettings* live) {
  const bool spb = live != nullptr && live->sparkplug;
  nlohmann::json list = nlohmann::json::array();
  const std::string root = "dtwin/" + plant + "/";
  for (const TwinSpec& t : twins) {
    if (!only.empty() && t.id != only) continue;
    nlohmann::json props = nlohmann::json::array();
    for (const PropertySpec& p : t.properties) {
      nlohmann::json j = {{"name", p.name},
                          {"type", kind_name(p.kind)},
                          {"unit", p.unit},
                          {"writable", p.writable},
                          {"derived", p.derived}};
      if (p.kind == PropertySpec::Kind::Number) {
        if (p.min > -1e299) j["min"] = p.min;
        if (p.max < 1e299) j["max"] = p.max;
        if (p.writable) j["tolerance"] = p.tolerance;
      }
      if (p.kind == PropertySpec::Kind::Enum) j["choices"] = p.choices;
      props.push_back(std::move(j));
    }
    nlohmann::json topics;
    for (const char* k : {"reported", "birth", "death", "ack", "desired", "state"})
      topics[k] = root + t.id + "/" + k;
    list.push_back({{"id", t.id}, {"topics", std::move(topics)}, {"properties", std::move(props)}});
    if (spb) list.back()["sparkplug"] = sparkplug_place(t, live->sp);
  }
  nlohmann::json out = {{"plant", plant}, {"twins", std::move(list)}};
  if (spb)
    out["sparkplug"] = {
        {"group", live->sp.group},
        {"host_state", std::string(sparkplug::kNamespace) + "/STATE/" + live->sp.host_id}};
  return out;
}

std::string describe_text(const nlohmann::json& d) {
  std::ostringstream s;
  const std::string plant = d["plant"];
  s << "plant " << plant << ": an asset publishes dtwin/" << plant
    << "/<twin>/reported (and birth, death, ack); the engine publishes <twin>/desired and "
       "<twin>/state (engine/MQTT.md)\n";
  for (const auto& [ids, props] : groups(d)) {
    s << "\n" << join(ids) << "\n";
    // each column as wide as its longest cell, plus two spaces
    const auto unit_of = [](const nlohmann::json& p) {
      const std::string u = p["unit"].get<std::string>();
      return u.empty() ? std::string("-") : u;
    };
    std::size_t wn = 8, wt = 4, wu = 4, wr = 4;
    for (const auto& p : *props) {
      wn = std::max(wn, p["name"].get<std::string>().size());
      wt = std::max(wt, p["type"].get<std::string>().size());
      wu = std::max(wu, unit_of(p).size());
      wr = std::max(wr, role(p).size());
    }
    const auto w = [](std::size_t n) { return std::setw(static_cast<int>(n + 2)); };
    s << "  " << std::left << w(wn) << "property" << w(wt) << "type" << w(wu) << "unit" << w(wr)
      << "role"
      << "accepts\n";
    for (const auto& p : *props)
      s << "  " << std::left << w(wn) << p["name"].get<std::string>() << w(wt)
        << p["type"].get<std::string>() << w(wu) << unit_of(p) << w(wr) << role(p) << accepts(p)
        << "\n";
  }
  if (d.contains("sparkplug")) {
    const auto& sp = d["sparkplug"];
    s << "\nSparkplug B: group " << sp["group"].get<std::string>() << ", host application "
      << sp["host_state"].get<std::string>()
      << "; a twin not placed is the device named like it under any edge node (+), or the edge "
         "node named like it; a metric is named like its property unless said below "
         "(engine/MQTT.md)\n";
    for (const auto& t : d["twins"]) {
      if (!t.contains("sparkplug")) continue;
      const auto& p = t["sparkplug"];
      s << "  " << std::left << std::setw(12) << t["id"].get<std::string>() << " "
        << p["birth"].get<std::string>() << ", " << p["data"].get<std::string>() << ", "
        << p["command"].get<std::string>();
      std::string renamed;
      for (const auto& [prop, metric] : p["metrics"].items())
        if (metric != prop)
          renamed +=
              (renamed.empty() ? "" : ", ") + prop + " as \"" + metric.get<std::string>() + "\"";
      if (!renamed.empty()) s << "; " << renamed;
      s << "\n";
    }
  }
  return s.str();
}

std::string describe_markdown(const nlohmann::json& d) {
  std::ostringstream s;
  for (const auto& [ids, props] : groups(d)) {
    s << "\n`" << join(ids) << "`\n\n";
    s << "| property | type | unit | role | accepts |\n|---|---|---|---|---|\n";
    for (const auto& p : *props)
      s << "| `" << p["name"].get<std::string>() << "` | " << p["type"].get<std::string>() << " | "
        << (p["unit"].get<std::string>().empty() ? "" : p["unit"].get<std::string>()) << " | "
        << role(p) << " | " << escape_bars(accepts(p)) << " |\n";
  }
  return s.str();
}

}  // namespace dtwin
