#include "engine/live/sparkplug_edge.hpp"
#include "engine/live/sparkplug_host.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "engine/transport/wire_json.hpp"

namespace dtwin {

namespace sp = sparkplug;

namespace {

std::uint64_t ms(double s) {
  return static_cast<std::uint64_t>(std::max(0.0, std::round(s * 1000.0)));
}

}  // namespace

SparkplugEdge::SparkplugEdge(std::unique_ptr<Link> inner, std::string plant, TwinSpec twin,
                             std::string group, std::string node, std::string device,
                             const std::vector<std::pair<std::string, std::string>>& metrics,
                             std::string host_id, std::function<double()> clock)
    : inner_(std::move(inner)),
      prefix_("dtwin/" + plant + "/" + twin.id + "/"),
      status_("dtwin/" + plant + "/engine/status"),
      twin_(std::move(twin)),
      group_(std::move(group)),
      node_(std::move(node)),
      device_(std::move(device)),
      host_(std::move(host_id)),
      clock_(std::move(clock)) {
  version_.assign(twin_.properties.size(), 0);
  for (const auto& ps : twin_.properties) metric_.push_back(ps.name);
  for (const auto& [prop, metric] : metrics)
    for (std::size_t p = 0; p < twin_.properties.size(); ++p)
      if (twin_.properties[p].name == prop) metric_[p] = metric;
  inner_->on_message([this](const Message& m) { on_inner(m); });
}

void SparkplugEdge::set_will(const Message& m) {
  if (m.topic != prefix_ + "death") return inner_->set_will(m);
  sp::Payload p;
  p.timestamp = ms(clock_());
  p.has_timestamp = true;
  p.metrics.push_back(sp::Metric::number("bdSeq", sp::UInt64, static_cast<double>(bdseq_)));
  inner_->set_will({sp::topic(group_, "NDEATH", node_), sp::encode(p), 1, false, "", ""});
}

void SparkplugEdge::connect() {
  if (connected_once_) ++bdseq_;
  connected_once_ = true;
  inner_->connect();
}

void SparkplugEdge::subscribe(const std::string& filter, int qos) {
  if (filter == prefix_ + "desired") {
    inner_->subscribe(sp::topic(group_, "NCMD", node_), qos);
    if (!device_.empty()) inner_->subscribe(sp::topic(group_, "DCMD", node_, device_), qos);
    return;
  }
  if (filter.rfind(status_, 0) == 0) {
    inner_->subscribe(std::string(sp::kNamespace) + "/STATE/" + host_, qos);
    return;
  }
  inner_->subscribe(filter, qos);
}

sp::Payload SparkplugEdge::payload(double ts_s) {
  sp::Payload p;
  p.timestamp = ms(ts_s);
  p.has_timestamp = true;
  return p;
}

void SparkplugEdge::send(const std::string& type, const std::string& device, sp::Payload p) {
  p.seq = static_cast<std::uint64_t>(seq_);
  p.has_seq = true;
  seq_ = (seq_ + 1) % 256;
  inner_->publish({sp::topic(group_, type, node_, device), sp::encode(p), 0, false, "", ""});
}

void SparkplugEdge::publish(const Message& m) {
  if (m.topic.rfind(prefix_, 0) != 0) return inner_->publish(m);
  const std::string kind = m.topic.substr(prefix_.size());
  if (kind == "ack") return;  // Sparkplug has no acknowledgement: the report says it
  if (kind != "birth" && kind != "reported") return inner_->publish(m);
  const auto j = parse_wire_json(m.payload);
  if (!j.is_object() || !j.contains("values") || !j["values"].is_object()) return;
  const double ts = j.value("ts", clock_());
  const bool birth = kind == "birth";
  if (!birth && !born_) return;  // nothing before the births
  sp::Payload values = payload(ts);
  for (std::size_t p = 0; p < twin_.properties.size(); ++p) {
    const PropertySpec& ps = twin_.properties[p];
    const auto v = j["values"].find(ps.name);
    if (v == j["values"].end()) continue;
    sp::Metric mm;
    if (birth) {
      mm.name = metric_[p];
      mm.has_name = true;
    }
    mm.alias = p + 1;
    mm.has_alias = true;
    mm.timestamp = ms(ts);
    mm.has_timestamp = true;
    mm.datatype = sparkplug_datatype(ps);
    if (sp::set_value(mm, mm.datatype, *v)) values.metrics.push_back(std::move(mm));
  }
  if (birth) {
    seq_ = 0;
    sp::Payload nb = payload(ts);
    nb.metrics.push_back(sp::Metric::number("bdSeq", sp::UInt64, static_cast<double>(bdseq_)));
    nb.metrics.push_back(sp::Metric::boolean("Node Control/Rebirth", false));
    if (device_.empty())
      for (auto& mm : values.metrics) nb.metrics.push_back(mm);
    send("NBIRTH", "", std::move(nb));
    if (!device_.empty()) send("DBIRTH", device_, std::move(values));
    born_ = true;
    return;
  }
  if (values.metrics.empty()) return;
  send(device_.empty() ? "NDATA" : "DDATA", device_, std::move(values));
}

void SparkplugEdge::synth(const std::string& topic, const std::string& payload) {
  if (handler_) handler_({topic, payload, 1, false, "", ""});
}

void SparkplugEdge::on_inner(const Message& m) {
  sp::Topic t;
  if (!sp::parse_topic(m.topic, t)) {
    if (handler_) handler_(m);
    return;
  }
  if (t.is_state()) {
    if (t.host != host_) return;
    // the host application is (back) online: births, as the agent gives them to an engine
    const auto j = parse_wire_json(m.payload);
    if (j.is_object() && j.contains("online") && j["online"].is_boolean())
      synth(status_, nlohmann::json{{"online", j["online"].get<bool>()}}.dump());
    return;
  }
  if (t.group != group_ || t.node != node_) return;
  sp::Payload p;
  if (!sp::decode(m.payload, p)) return;
  if (t.type == "NCMD") {
    for (const auto& mm : p.metrics)
      if (mm.has_name && mm.name == "Node Control/Rebirth" &&
          sp::value_json(mm, sp::Boolean) == true)
        return synth(status_, R"({"online":true})");
    if (device_.empty()) command(p, true);
    return;
  }
  if (t.type == "DCMD" && t.device == device_) command(p, false);
}

void SparkplugEdge::command(const sp::Payload& p, bool) {
  nlohmann::json values = nlohmann::json::object();
  for (const auto& mm : p.metrics) {
    std::size_t prop = twin_.properties.size();
    if (mm.has_alias && mm.alias >= 1 && mm.alias <= twin_.properties.size())
      prop = static_cast<std::size_t>(mm.alias - 1);
    else if (mm.has_name)
      for (std::size_t i = 0; i < twin_.properties.size(); ++i)
        if (metric_[i] == mm.name) prop = i;
    if (prop == twin_.properties.size()) continue;
    const PropertySpec& ps = twin_.properties[prop];
    nlohmann::json v = sp::value_json(mm, mm.datatype ? mm.datatype : sparkplug_datatype(ps));
    if (v.is_null()) continue;
    if (ps.kind == PropertySpec::Kind::Enum && (v.is_number_integer() || v.is_number_unsigned())) {
      const auto i = v.get<std::int64_t>();
      if (i >= 0 && static_cast<std::size_t>(i) < ps.choices.size())
        v = ps.choices[static_cast<std::size_t>(i)];
    }
    values[ps.name] = {
        {"value", v}, {"version", ++version_[prop]}, {"id", "spb-" + std::to_string(++writes_)}};
  }
  if (values.empty()) return;
  // the agent takes versions per engine: this edge node is its one "engine"
  synth(prefix_ + "desired",
        nlohmann::json{{"engine", 1}, {"revision", writes_}, {"values", std::move(values)}}.dump());
}

}  // namespace dtwin
