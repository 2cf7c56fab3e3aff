#include "engine/live/sparkplug_host.hpp"

#include <algorithm>
#include <cmath>

#include "engine/base/error.hpp"
#include "engine/transport/wire_json.hpp"

namespace dtwin {

namespace sp = sparkplug;

namespace {

constexpr std::size_t kNpos = static_cast<std::size_t>(-1);
constexpr std::size_t kMaxNodes = 100000;             // edge nodes tracked before births
constexpr std::size_t kMaxPlaces = 4096;              // devices of one node that are no twin
constexpr std::size_t kMaxPayload = 4 * 1024 * 1024;  // a large gateway's NBIRTH fits

bool is_control(const std::string& name) {
  return name == "bdSeq" || name.rfind("Node Control/", 0) == 0 ||
         name.rfind("Device Control/", 0) == 0 || name.rfind("Properties/", 0) == 0;
}

// A Sparkplug value as the property takes it; discarded (with the reason) when it cannot be.
nlohmann::json as_property(const PropertySpec& p, const nlohmann::json& raw, std::string& why) {
  using K = PropertySpec::Kind;
  switch (p.kind) {
    case K::Number:
      if (raw.is_number()) return raw;
      if (raw.is_boolean()) return raw.get<bool>() ? 1 : 0;
      why = "expected a number";
      break;
    case K::Bool:
      if (raw.is_boolean()) return raw;
      if (raw.is_number_integer() || raw.is_number_unsigned()) return raw.get<double>() != 0;
      why = "expected a Boolean";
      break;
    case K::Enum:
      if (raw.is_string()) {
        const auto s = raw.get<std::string>();
        if (std::find(p.choices.begin(), p.choices.end(), s) != p.choices.end()) return raw;
        why = "\"" + s.substr(0, 40) + "\" is not one of its values";
        break;
      }
      if (raw.is_number_integer() || raw.is_number_unsigned()) {
        const auto i = raw.get<std::int64_t>();
        if (i >= 0 && static_cast<std::size_t>(i) < p.choices.size())
          return p.choices[static_cast<std::size_t>(i)];
        why = "index " + std::to_string(i) + " is not one of its " +
              std::to_string(p.choices.size()) + " values";
        break;
      }
      why = "expected a name or an index of its values";
      break;
    case K::Text:
      if (raw.is_string()) return raw;
      return raw.dump();
  }
  return nlohmann::json(nlohmann::json::value_t::discarded);
}

}  // namespace

std::uint32_t sparkplug_datatype(const PropertySpec& p) {
  switch (p.kind) {
    case PropertySpec::Kind::Number:
      return sp::Double;
    case PropertySpec::Kind::Bool:
      return sp::Boolean;
    default:
      return sp::String;
  }
}

nlohmann::json SparkplugCounters::to_json() const {
  return {{"messages", messages},
          {"births", births},
          {"deaths", deaths},
          {"stale_ndeath", stale_ndeath},
          {"seq_gaps", seq_gaps},
          {"rebirth_requests", rebirth_requests},
          {"before_birth", before_birth},
          {"unknown_device", unknown_device},
          {"unmapped_metrics", unmapped_metrics},
          {"historical", historical},
          {"bad_payload", bad_payload},
          {"bad_value", bad_value},
          {"conflicts", conflicts},
          {"commands", commands}};
}

SparkplugHost::SparkplugHost(Link& inner, std::string plant, SparkplugSettings settings,
                             const std::vector<TwinSpec>& twins, Clock clock)
    : inner_(inner),
      prefix_("dtwin/" + plant + "/"),
      s_(std::move(settings)),
      clock_(std::move(clock)) {
  for (const auto& t : twins) {
    Twin tw;
    tw.id = t.id;
    tw.props = t.properties;
    tw.metric_of.resize(t.properties.size());
    for (std::size_t p = 0; p < t.properties.size(); ++p) {
      tw.metric_of[p] = t.properties[p].name;
      if (!t.properties[p].derived) tw.by_metric[t.properties[p].name] = p;
    }
    tw.sent.assign(t.properties.size(), 0);
    twin_index_[t.id] = twins_.size();
    twins_.push_back(std::move(tw));
  }
  for (const auto& [id, place] : s_.twins) {
    const auto it = twin_index_.find(id);
    if (it == twin_index_.end())
      throw UsageError(place.pointer + ": no twin \"" + id + "\" in this plant's mirror");
    Twin& tw = twins_[it->second];
    tw.node = place.node;
    tw.device = place.device;
    tw.placed = true;
    const auto key = std::make_pair(place.node, place.device);
    if (placed_.count(key))
      throw UsageError(place.pointer + ": edge node \"" + place.node + "\"" +
                       (place.device.empty() ? "" : " device \"" + place.device + "\"") +
                       " already holds twin \"" + twins_[placed_[key]].id + "\"");
    placed_[key] = it->second;
    for (const auto& [prop, metric] : place.metrics) {
      std::size_t p = kNpos;
      for (std::size_t i = 0; i < tw.props.size(); ++i)
        if (tw.props[i].name == prop) p = i;
      if (p == kNpos)
        throw UsageError(place.pointer + "/metrics/" + prop + ": twin \"" + id +
                         "\" has no property \"" + prop + "\"");
      if (tw.props[p].derived)
        throw UsageError(place.pointer + "/metrics/" + prop + ": \"" + prop +
                         "\" is derived by the engine, no metric reports it");
      tw.by_metric.erase(tw.metric_of[p]);
      tw.metric_of[p] = metric;
      tw.by_metric[metric] = p;
    }
  }
  state_ts_ = now_ms();
  inner_.on_message([this](const Message& m) { on_inner(m); });
  inner_.on_connection([this](bool up) {
    if (!up) {
      // the broker is gone: every node's session is unknown until its next birth
      for (auto& [id, node] : nodes_) node.born = false;
      for (auto& tw : twins_) tw.online = false;
      announced_ = false;
    }
    if (conn_handler_) conn_handler_(up);  // the service: engine/status, desired values
    if (!up) return;
    if (!announced_) publish_state(true);
    if (was_connected_)
      for (auto& [id, node] : nodes_) request_rebirth(node, id, "the host is back on the broker");
    was_connected_ = true;
  });
}

std::uint64_t SparkplugHost::now_ms() const {
  return static_cast<std::uint64_t>(std::max(0.0, clock_() * 1000.0));
}

std::string SparkplugHost::state_topic() const {
  return std::string(sp::kNamespace) + "/STATE/" + s_.host_id;
}

std::size_t SparkplugHost::nodes_online() const {
  return static_cast<std::size_t>(
      std::count_if(nodes_.begin(), nodes_.end(), [](const auto& n) { return n.second.born; }));
}

void SparkplugHost::set_will(const Message& m) {
  if (m.topic.rfind(prefix_ + "engine/status", 0) == 0) {
    // Sparkplug's host death: the STATE topic, with the birth's timestamp
    const nlohmann::json j = {{"online", false}, {"timestamp", state_ts_}};
    inner_.set_will({state_topic(), j.dump(), 1, true, "", ""});
    return;
  }
  inner_.set_will(m);
}

void SparkplugHost::connect() {
  const std::string g = std::string(sp::kNamespace) + "/" + s_.group + "/";
  for (const char* t : {"NBIRTH/+", "NDEATH/+", "NDATA/+", "DBIRTH/+/+", "DDEATH/+/+", "DDATA/+/+"})
    inner_.subscribe(g + t, 1);
  inner_.subscribe(state_topic(), 1);
  inner_.connect();
}

void SparkplugHost::publish_state(bool online) {
  const nlohmann::json j = {{"online", online}, {"timestamp", state_ts_}};
  inner_.publish({state_topic(), j.dump(), 1, true, "", ""});
  announced_ = online;
}

void SparkplugHost::publish(const Message& m) {
  inner_.publish(m);
  if (m.topic.rfind(prefix_, 0) != 0) return;
  if (m.topic.rfind(prefix_ + "engine/status", 0) == 0) {
    const auto j = parse_wire_json(m.payload);
    if (j.is_object() && j.contains("online") && j["online"].is_boolean())
      publish_state(j["online"].get<bool>());
    return;
  }
  static const std::string kDesired = "/desired";
  if (m.topic.size() > kDesired.size() &&
      m.topic.compare(m.topic.size() - kDesired.size(), kDesired.size(), kDesired) == 0)
    send_commands(m);
}

void SparkplugHost::on_inner(const Message& m) {
  if (m.topic.rfind(sp::kNamespace, 0) != 0) {
    if (handler_) handler_(m);
    return;
  }
  sp::Topic t;
  if (!sp::parse_topic(m.topic, t)) return;
  if (t.is_state()) {
    if (t.host != s_.host_id) return;
    // an "online": false of this process or a later one (not an earlier run's death, which the
    // broker hands over as retained before this run's birth)
    const auto j = parse_wire_json(m.payload);
    const bool offline = j.is_object() && j.contains("online") && j["online"] == false;
    const bool ours = j.is_object() && j.contains("timestamp") &&
                      j["timestamp"].is_number_unsigned() &&
                      j["timestamp"].get<std::uint64_t>() >= state_ts_;
    if (offline && ours && inner_.connected() && announced_) {
      log("found " + m.topic + " offline while this host is online: published online again");
      publish_state(true);
    }
    return;
  }
  if (t.group != s_.group) return;
  handle(t, m);
}

void SparkplugHost::handle(const sp::Topic& t, const Message& m) {
  ++counters_.messages;
  sp::Payload p;
  std::string why;
  if (m.payload.size() > kMaxPayload) {
    ++counters_.bad_payload;
    return log("rejected " + m.topic + ": payload of " + std::to_string(m.payload.size()) +
               " bytes exceeds " + std::to_string(kMaxPayload));
  }
  if (!sp::decode(m.payload, p, &why)) {
    ++counters_.bad_payload;
    return log("rejected " + m.topic + ": " + why);
  }
  auto it = nodes_.find(t.node);
  if (it == nodes_.end()) {
    if (t.type == "NDEATH" || nodes_.size() >= kMaxNodes) return;
    it = nodes_.emplace(t.node, Node{}).first;
  }
  Node& node = it->second;
  if (t.type == "NBIRTH") {
    const double last_rebirth = node.last_rebirth;
    node = Node{};
    node.last_rebirth = last_rebirth;
    node.born = true;
    for (const auto& mm : p.metrics)
      if (mm.has_name && mm.name == "bdSeq") {
        const auto v = sp::value_json(mm, mm.datatype ? mm.datatype : sp::UInt64);
        if (v.is_number_integer() || v.is_number_unsigned()) {
          node.bdseq = v.get<std::uint64_t>();
          node.has_bdseq = true;
        }
      }
    if (!node.has_bdseq)
      log(m.topic + ": NBIRTH without a bdSeq metric: its NDEATH cannot be told");
    node.next_seq = static_cast<int>((p.seq + 1) % 256);
    return birth(node, t.node, "", p);
  }
  if (t.type == "NDEATH") {
    std::uint64_t bd = 0;
    bool has = false;
    for (const auto& mm : p.metrics)
      if (mm.has_name && mm.name == "bdSeq") {
        const auto v = sp::value_json(mm, mm.datatype ? mm.datatype : sp::UInt64);
        if (v.is_number_integer() || v.is_number_unsigned()) {
          bd = v.get<std::uint64_t>();
          has = true;
        }
      }
    if (!node.born || !has || !node.has_bdseq || bd != node.bdseq) {
      ++counters_.stale_ndeath;
      return log("ignored " + m.topic + ": bdSeq " + (has ? std::to_string(bd) : "missing") +
                 " is not the one of the node's current birth (" +
                 (node.born && node.has_bdseq ? std::to_string(node.bdseq) : "none") + ")");
    }
    node.born = false;
    for (auto& [dev, place] : node.places) death(t.node, dev);
    return;
  }
  if (!node.born) {
    ++counters_.before_birth;
    if (!node.told_unborn)
      log(m.topic + ": data from an edge node whose birth this host has not seen: dropped");
    node.told_unborn = true;
    return request_rebirth(node, t.node, "data before its birth");
  }
  check_seq(node, t.node, p);
  if (t.type == "DBIRTH") return birth(node, t.node, t.device, p);
  if (t.type == "DDEATH") return death(t.node, t.device);
  if (t.type == "NDATA" || t.type == "DDATA") {
    const std::string device = t.type == "DDATA" ? t.device : std::string();
    const auto pl = node.places.find(device);
    if (pl == node.places.end() || !pl->second.born) {
      ++counters_.before_birth;
      return request_rebirth(node, t.node, "data from device \"" + device + "\" before its birth");
    }
    return data(node, t.node, device, p);
  }
}

bool SparkplugHost::check_seq(Node& node, const std::string& node_id, const sp::Payload& p) {
  const int got = p.has_seq ? static_cast<int>(p.seq % 256) : -1;
  const bool ok = got == node.next_seq;
  if (!ok) {
    ++counters_.seq_gaps;
    log("edge node " + node_id + ": seq " + (p.has_seq ? std::to_string(p.seq) : "missing") +
        " where " + std::to_string(node.next_seq) + " was due");
    request_rebirth(node, node_id, "a seq gap");
  }
  if (p.has_seq) node.next_seq = static_cast<int>((p.seq + 1) % 256);
  return ok;
}

void SparkplugHost::request_rebirth(Node& node, const std::string& node_id,
                                    const std::string& why) {
  const double now = clock_();
  if (now - node.last_rebirth < s_.rebirth_interval_s || !inner_.connected()) return;
  node.last_rebirth = now;
  sp::Payload p;
  p.timestamp = now_ms();
  p.has_timestamp = true;
  p.metrics.push_back(sp::Metric::boolean("Node Control/Rebirth", true));
  inner_.publish({sp::topic(s_.group, "NCMD", node_id), sp::encode(p), 0, false, "", ""});
  ++counters_.rebirth_requests;
  log("asked edge node " + node_id + " for a rebirth (" + why + ")");
}

std::size_t SparkplugHost::twin_at(const std::string& node, const std::string& device) const {
  const auto p = placed_.find({node, device});
  if (p != placed_.end()) return p->second;
  const auto it = twin_index_.find(device.empty() ? node : device);
  if (it == twin_index_.end() || twins_[it->second].placed) return kNpos;
  return it->second;
}

void SparkplugHost::birth(Node& node, const std::string& node_id, const std::string& device,
                          const sp::Payload& p) {
  const std::string where =
      device.empty() ? "edge node " + node_id : "device " + node_id + "/" + device;
  const std::size_t twin = twin_at(node_id, device);
  if (twin == kNpos && !node.places.count(device) && node.places.size() >= kMaxPlaces) {
    ++counters_.unknown_device;  // a node inventing devices: no more memory for them
    return;
  }
  Place& pl = node.places[device];
  pl = Place{};
  pl.device = device;
  pl.born = true;
  pl.twin = twin;
  // what the birth says of its metrics: kept for the twins only (their aliases and datatypes)
  if (twin != kNpos)
    for (const auto& mm : p.metrics) {
      if (!mm.has_name) continue;
      Metric d{mm.name, mm.datatype, mm.alias, mm.has_alias};
      if (mm.has_alias) node.aliases[mm.alias] = {device, mm.name};
      pl.metrics[mm.name] = std::move(d);
    }
  if (pl.twin == kNpos) {
    // a node's own metrics may be only its controls: not a twin, and nothing to say
    const bool only_controls =
        std::all_of(p.metrics.begin(), p.metrics.end(),
                    [](const sp::Metric& mm) { return mm.has_name && is_control(mm.name); });
    if (!device.empty() || !only_controls) {
      ++counters_.unknown_device;
      log(where + " is no twin of this plant (name the twin in live.sparkplug.twins): ignored");
    }
    return;
  }
  Twin& tw = twins_[pl.twin];
  if (tw.online && (tw.node != node_id || tw.device != device)) {
    // the twin is alive elsewhere: a second place does not take it over (nor lock it out)
    ++counters_.conflicts;
    log(where + " claims twin " + tw.id + ", online as " + tw.node +
        (tw.device.empty() ? "" : "/" + tw.device) +
        ": refused (name its place in live.sparkplug.twins, and let the broker's ACL keep each "
        "node to its own topics)");
    pl.twin = kNpos;
    return;
  }
  tw.node = node_id;
  tw.device = device;
  tw.online = true;
  tw.session = std::max(tw.session + 1, now_ms());
  tw.seq = 0;
  std::fill(tw.sent.begin(), tw.sent.end(), 0);
  auto groups = values(tw, pl, node, where, p, true);
  nlohmann::json vals = nlohmann::json::object();
  std::uint64_t ts = p.has_timestamp ? p.timestamp : now_ms();
  for (auto& [t, v] : groups) {
    ts = std::max(ts, t);
    vals.update(v);
  }
  ++counters_.births;
  log(where + " born: twin " + tw.id + ", session " + std::to_string(tw.session));
  deliver(tw.id, "birth",
          {{"session", tw.session},
           {"seq", 0},
           {"ts", static_cast<double>(ts) / 1000.0},
           {"values", std::move(vals)}});
}

void SparkplugHost::data(Node& node, const std::string& node_id, const std::string& device,
                         const sp::Payload& p) {
  Place& pl = node.places[device];
  if (pl.twin == kNpos) return;  // said at its birth
  Twin& tw = twins_[pl.twin];
  if (tw.node != node_id || tw.device != device) return;  // the twin has moved since
  const std::string where =
      device.empty() ? "edge node " + node_id : "device " + node_id + "/" + device;
  for (auto& [t, v] : values(tw, pl, node, where, p, false))
    deliver(tw.id, "reported",
            {{"session", tw.session},
             {"seq", ++tw.seq},
             {"ts", static_cast<double>(t) / 1000.0},
             {"values", std::move(v)}});
}

void SparkplugHost::death(const std::string& node_id, const std::string& device) {
  auto n = nodes_.find(node_id);
  if (n == nodes_.end()) return;
  auto pl = n->second.places.find(device);
  if (pl == n->second.places.end() || !pl->second.born) return;
  pl->second.born = false;
  if (pl->second.twin == kNpos) return;
  Twin& tw = twins_[pl->second.twin];
  if (!tw.online || tw.node != node_id || tw.device != device) return;
  tw.online = false;
  ++counters_.deaths;
  deliver(tw.id, "death", {{"session", tw.session}});
}

std::map<std::uint64_t, nlohmann::json> SparkplugHost::values(Twin& tw, Place& place, Node& node,
                                                              const std::string& where,
                                                              const sp::Payload& p, bool birth) {
  std::map<std::uint64_t, nlohmann::json> out;
  const std::uint64_t now = now_ms();
  for (const auto& mm : p.metrics) {
    const std::string* name = nullptr;
    if (mm.has_name) {
      name = &mm.name;
    } else if (mm.has_alias) {
      const auto a = node.aliases.find(mm.alias);
      if (a != node.aliases.end() && a->second.first == place.device) name = &a->second.second;
    }
    if (name == nullptr) {
      ++counters_.unmapped_metrics;
      continue;
    }
    if (is_control(*name)) continue;
    if (mm.is_historical) {
      ++counters_.historical;
      continue;
    }
    const auto pi = tw.by_metric.find(*name);
    if (pi == tw.by_metric.end()) {
      ++counters_.unmapped_metrics;
      if (birth) log(where + ": metric \"" + *name + "\" is no property of twin " + tw.id);
      continue;
    }
    std::uint32_t dt = mm.datatype;
    if (dt == sp::Unknown) {
      const auto d = place.metrics.find(*name);
      if (d != place.metrics.end()) dt = d->second.datatype;
    }
    const nlohmann::json raw = sp::value_json(mm, dt);
    if (raw.is_null()) continue;  // null: the gateway does not know the value
    const PropertySpec& ps = tw.props[pi->second];
    std::string why;
    nlohmann::json v = as_property(ps, raw, why);
    if (v.is_discarded()) {
      ++counters_.bad_value;
      log(where + ": metric \"" + *name + "\" (" + sp::datatype_name(dt) + " " + raw.dump() +
          ") for " + tw.id + "." + ps.name + ": " + why + ": dropped");
      continue;
    }
    const std::uint64_t ts = mm.has_timestamp ? mm.timestamp : p.has_timestamp ? p.timestamp : now;
    auto& g = out[ts];
    if (g.is_null()) g = nlohmann::json::object();
    g[ps.name] = std::move(v);
  }
  return out;
}

void SparkplugHost::deliver(const std::string& twin, const char* kind, const nlohmann::json& body) {
  if (!handler_) return;
  handler_({prefix_ + twin + "/" + kind, body.dump(), 1, false, "", ""});
}

void SparkplugHost::send_commands(const Message& desired) {
  const std::string id = desired.topic.substr(
      prefix_.size(), desired.topic.size() - prefix_.size() - std::string("/desired").size());
  const auto ti = twin_index_.find(id);
  if (ti == twin_index_.end()) return;
  Twin& tw = twins_[ti->second];
  if (!tw.online) return;  // sent after its next birth
  const auto j = parse_wire_json(desired.payload);
  if (!j.is_object() || !j.contains("values") || !j["values"].is_object()) return;
  Node& node = nodes_[tw.node];
  Place& pl = node.places[tw.device];
  sp::Payload out;
  out.timestamp = now_ms();
  out.has_timestamp = true;
  std::vector<std::size_t> sent;
  for (const auto& [name, d] : j["values"].items()) {
    std::size_t p = kNpos;
    for (std::size_t i = 0; i < tw.props.size(); ++i)
      if (tw.props[i].name == name) p = i;
    if (p == kNpos || !d.is_object() || !d.contains("version") || !d.contains("value")) continue;
    const auto version = d["version"].get<std::uint64_t>();
    if (version <= tw.sent[p]) continue;
    const PropertySpec& ps = tw.props[p];
    const std::string& metric = tw.metric_of[p];
    sp::Metric mm;
    std::uint32_t dt = sparkplug_datatype(ps);
    const auto known = pl.metrics.find(metric);
    if (known != pl.metrics.end() && known->second.datatype != sp::Unknown)
      dt = known->second.datatype;
    if (known != pl.metrics.end() && known->second.has_alias) {
      mm.alias = known->second.alias;
      mm.has_alias = true;
    } else {
      mm.name = metric;
      mm.has_name = true;
    }
    mm.datatype = dt;
    nlohmann::json v = d["value"];
    if (ps.kind == PropertySpec::Kind::Enum && sp::is_integer(dt) && v.is_string()) {
      const auto c = std::find(ps.choices.begin(), ps.choices.end(), v.get<std::string>());
      v = static_cast<std::int64_t>(c - ps.choices.begin());
    }
    mm.timestamp = out.timestamp;
    mm.has_timestamp = true;
    if (!sp::set_value(mm, dt, v)) {
      ++counters_.bad_value;
      log(tw.id + "." + name + ": " + v.dump() + " cannot be written as the " +
          sp::datatype_name(dt) + " metric \"" + metric + "\"");
      continue;
    }
    tw.sent[p] = version;
    out.metrics.push_back(std::move(mm));
    sent.push_back(p);
  }
  if (out.metrics.empty()) return;
  const bool on_node = tw.device.empty();
  inner_.publish({sp::topic(s_.group, on_node ? "NCMD" : "DCMD", tw.node, tw.device),
                  sp::encode(out), 0, false, "", ""});
  ++counters_.commands;
  std::string what;
  for (auto p : sent) what += (what.empty() ? "" : ", ") + tw.metric_of[p];
  log(std::string(on_node ? "NCMD to " : "DCMD to ") + tw.node + (on_node ? "" : "/" + tw.device) +
      ": " + what);
}

}  // namespace dtwin
