#include "engine/live/asset_agent.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "engine/mirror/mirror.hpp"
#include "engine/transport/wire_json.hpp"

namespace dtwin {

AssetAgent::AssetAgent(World& world, const Binding& binding, std::size_t twin, Link& link,
                       std::string plant, Clock clock, std::uint64_t session)
    : world_(world),
      binding_(binding),
      twin_(twin),
      link_(link),
      prefix_("dtwin/" + plant + "/" + binding.twins.at(twin).id + "/"),
      status_topic_("dtwin/" + plant + "/engine/status"),
      clock_(std::move(clock)),
      session_(session) {
  const std::size_t n = binding_.twins[twin_].properties.size();
  last_.resize(n);
  sent_.assign(n, false);
  handled_version_.assign(n, 0);
  noise_.assign(n, 0.0);
}

void AssetAgent::set_noise(std::size_t prop, double sigma, Rng* rng) {
  noise_.at(prop) = sigma;
  noise_rng_ = rng;
}

void AssetAgent::start() {
  link_.set_will(
      {prefix_ + "death", nlohmann::json{{"session", session_}}.dump(), 1, false, "", ""});
  link_.on_message([this](const Message& m) {
    if (m.topic == status_topic_ || m.topic.rfind(status_topic_ + "/", 0) == 0) {
      // an engine came (back): it may have missed our birth, so it gets one now
      const auto j = parse_wire_json(m.payload);
      if (j.is_object() && j.value("online", false)) {
        outbox_.clear();
        report(Report::Birth);
      }
      return;
    }
    on_desired(m);
  });
  // The birth goes out when an engine says it is online (its retained status, delivered on
  // every new subscription, or its announcement when it comes back): an engine that is not
  // there could not take it, one that comes later asks by announcing itself.
  link_.on_connection([this](bool up) {
    if (up) outbox_.clear();  // the birth will carry the full state
  });
  link_.subscribe(prefix_ + "desired", 1);
  link_.subscribe(status_topic_ + "/#", 1);  // every partition's, and the plain one
  link_.connect();
}

void AssetAgent::report(Report kind) {
  const TwinSpec& spec = binding_.twins[twin_];
  const bool full = kind != Report::Changes;
  nlohmann::json values = nlohmann::json::object();
  for (std::size_t p = 0; p < spec.properties.size(); ++p) {
    if (spec.properties[p].derived) continue;  // the twin derives it; a machine does not report it
    Value v;
    if (!binding_.read(world_, twin_, p, v)) continue;
    const bool changed = !sent_[p] || !(v == last_[p]);
    if (!full && !changed) continue;
    last_[p] = v;
    sent_[p] = true;
    const PropertySpec& ps = spec.properties[p];
    if (noise_[p] > 0 && noise_rng_ && ps.kind == PropertySpec::Kind::Number && !ps.writable) {
      v.num = std::min(ps.max, std::max(ps.min, v.num + noise_[p] * standard_normal(*noise_rng_)));
    }
    values[ps.name] = value_to_json(ps, v);
  }
  if (!full && values.empty()) return;
  const double now = clock_();
  nlohmann::json j = {{"session", session_}, {"ts", now}, {"values", std::move(values)}};
  j["seq"] = ++seq_;  // a birth too: a rebirth in the same session must not look older
  Message m{prefix_ + (kind == Report::Birth ? "birth" : "reported"), j.dump(), 1, false, "", ""};
  if (delay_s > 0 && kind != Report::Birth) {
    outbox_.emplace_back(now + delay_s, std::move(m));
  } else {
    link_.publish(m);
  }
}

void AssetAgent::send_due() {
  const double now = clock_();
  while (!outbox_.empty() && outbox_.front().first <= now) {
    link_.publish(outbox_.front().second);
    outbox_.pop_front();
  }
}

void AssetAgent::on_desired(const Message& m) {
  const auto j = parse_wire_json(m.payload);
  if (j.is_discarded() || !j.is_object() || !j.contains("values") || !j["values"].is_object())
    return;
  const std::uint64_t engine = j.value("engine", std::uint64_t{0});
  if (engine != engine_) {  // another engine (a restart): its versions count afresh
    engine_ = engine;
    handled_version_.assign(handled_version_.size(), 0);
  }
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
    const PropertySpec& ps = spec.properties[prop];
    Value v;
    std::string why;
    const auto vj = it.value().find("value");
    bool done = false;
    if (vj == it.value().end()) {
      why = "no \"value\"";
    } else if (parse_property_value(ps, *vj, v, &why) == Outcome::Applied) {
      done = binding_.apply_setpoint(world_, twin_, prop, v, &why);
    }
    if (done) {
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
