#include "engine/asset_agent.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "engine/mirror.hpp"

namespace dtwin {

AssetAgent::AssetAgent(World& world, const Binding& binding, std::size_t twin, Link& link,
                       std::string plant, Clock clock, std::uint64_t session)
    : world_(world),
      binding_(binding),
      twin_(twin),
      link_(link),
      prefix_("dtwin/" + plant + "/" + binding.twins.at(twin).id + "/"),
      clock_(std::move(clock)),
      session_(session) {
  const std::size_t n = binding_.twins[twin_].properties.size();
  last_.resize(n);
  sent_.assign(n, false);
  handled_version_.assign(n, 0);
}

void AssetAgent::start() {
  link_.set_will(
      {prefix_ + "death", nlohmann::json{{"session", session_}}.dump(), 1, false, "", ""});
  link_.on_message([this](const Message& m) { on_desired(m); });
  link_.on_connection([this](bool up) {
    if (up) report(true);  // a birth: the full state
  });
  link_.subscribe(prefix_ + "desired", 1);
  link_.connect();
}

void AssetAgent::report(bool full) {
  const TwinSpec& spec = binding_.twins[twin_];
  nlohmann::json values = nlohmann::json::object();
  for (std::size_t p = 0; p < spec.properties.size(); ++p) {
    Value v;
    if (!binding_.read(world_, twin_, p, v)) continue;
    if (!full && sent_[p] && v == last_[p]) continue;
    values[spec.properties[p].name] = value_to_json(spec.properties[p], v);
    last_[p] = v;
    sent_[p] = true;
  }
  if (!full && values.empty()) return;
  nlohmann::json j = {{"session", session_}, {"ts", clock_()}, {"values", std::move(values)}};
  if (!full) j["seq"] = ++seq_;
  link_.publish({prefix_ + (full ? "birth" : "reported"), j.dump(), 1, false, "", ""});
}

void AssetAgent::on_desired(const Message& m) {
  const auto j = nlohmann::json::parse(m.payload, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("values") || !j["values"].is_object())
    return;
  const TwinSpec& spec = binding_.twins[twin_];
  bool any = false;
  for (auto it = j["values"].begin(); it != j["values"].end(); ++it) {
    std::size_t prop = spec.properties.size();
    for (std::size_t p = 0; p < spec.properties.size(); ++p)
      if (spec.properties[p].name == it.key()) prop = p;
    if (prop == spec.properties.size() || !it.value().is_object()) continue;
    const std::uint64_t version = it.value().value("version", std::uint64_t{0});
    if (version <= handled_version_[prop]) continue;  // a retained repeat: already handled
    handled_version_[prop] = version;
    const auto& vj = it.value()["value"];
    Value v;
    const PropertySpec& ps = spec.properties[prop];
    if (ps.kind == PropertySpec::Kind::Number && vj.is_number()) {
      v.num = vj.get<double>();
    } else if (ps.kind == PropertySpec::Kind::Bool && vj.is_boolean()) {
      v.num = vj.get<bool>() ? 1 : 0;
    } else if (ps.kind == PropertySpec::Kind::Text && vj.is_string()) {
      v.text = vj.get<std::string>();
    } else if (ps.kind == PropertySpec::Kind::Enum && vj.is_string()) {
      v.num = -1;
      for (std::size_t c = 0; c < ps.choices.size(); ++c)
        if (ps.choices[c] == vj.get<std::string>()) v.num = static_cast<double>(c);
    } else {
      v.num = std::nan("");
    }
    std::string why;
    if (binding_.apply_setpoint(world_, twin_, prop, v, &why)) {
      ++setpoints_applied;
      any = true;
    } else {
      ++setpoints_refused;
      link_.publish(
          {prefix_ + "ack",
           nlohmann::json{
               {"prop", ps.name}, {"version", version}, {"status", "rejected"}, {"reason", why}}
               .dump(),
           1, false, "", ""});
    }
  }
  if (any) report();  // the new values go back as reported: the engine sees them applied
}

}  // namespace dtwin
