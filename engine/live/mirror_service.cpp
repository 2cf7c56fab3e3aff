#include "engine/live/mirror_service.hpp"
#include "engine/transport/wire_json.hpp"

#include <cmath>
#include <cstdio>

namespace dtwin {

nlohmann::json ServiceCounters::to_json() const {
  return {{"messages", messages},
          {"applied", applied},
          {"malformed", malformed},
          {"oversized", oversized},
          {"unknown_twin", unknown_twin},
          {"unknown_property", unknown_property},
          {"bad_value", bad_value},
          {"stale", stale},
          {"duplicate", duplicate},
          {"births", births},
          {"deaths", deaths},
          {"rejected_by_asset", rejected_by_asset},
          {"disconnects", disconnects},
          {"future_session", future_session},
          {"dead_session", dead_session},
          {"out_of_range", out_of_range}};
}

MirrorService::MirrorService(Mirror& mirror, Link& link, std::string plant, Clock clock)
    : mirror_(mirror),
      link_(link),
      plant_(std::move(plant)),
      prefix_("dtwin/" + plant_ + "/"),
      clock_(std::move(clock)),
      engine_id_(static_cast<std::uint64_t>(clock_() * 1e6)) {
  char hex[24];
  std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(engine_id_));
  id_prefix_ = std::string("d") + hex + "-";
  link_.on_message([this](const Message& m) { handle(m); });
  link_.on_connection([this](bool up) {
    if (up) {
      link_.publish({status_topic(), R"({"online":true})", 1, true, "", ""});
      for (std::size_t t = 0; t < mirror_.twin_count(); ++t) publish_desired(t);
    } else {
      ++counters_.disconnects;
      const double now = clock_();
      for (std::size_t t = 0; t < mirror_.twin_count(); ++t) {
        const auto rev = mirror_.state(t).revision;
        const bool was_online = mirror_.state(t).online;
        mirror_.lost(t, now);
        if (was_online && observer_) observer_->presence(t, false);
        changed(t, rev);
      }
      if (log_) log_("lost the broker: every twin's reported values are stale");
    }
  });
}

std::string MirrorService::topic(const std::string& twin, std::string_view kind) const {
  return prefix_ + twin + "/" + std::string(kind);
}

void MirrorService::start() {
  link_.set_will({status_topic(), R"({"online":false})", 1, true, "", ""});
  for (const char* k : {"reported", "birth", "death", "ack"}) {
    if (!subscribe_per_twin) {
      link_.subscribe(prefix_ + "+/" + k, 1);
      continue;
    }
    for (std::size_t t = 0; t < mirror_.twin_count(); ++t)
      link_.subscribe(topic(mirror_.spec(t).id, k), 1);
  }
  link_.connect();
}

void MirrorService::stop() {
  if (link_.connected()) link_.publish({status_topic(), R"({"online":false})", 1, true, "", ""});
}

int MirrorService::poll(int timeout_ms) {
  const int n = link_.poll(timeout_ms);
  tick();
  return n;
}

std::string MirrorService::future_session(std::uint64_t session, double now) const {
  return "session " + std::to_string(session) + " is ahead of the engine's clock (" +
         std::to_string(static_cast<std::uint64_t>(now * 1000)) + " ms since the epoch) by more " +
         "than " + std::to_string(static_cast<long long>(mirror_.max_session_ahead_s)) +
         " s: refused (a session is a counter or a time in milliseconds)";
}

void MirrorService::refuse(const Message& m, std::uint64_t& counter, const std::string& why) {
  ++counter;
  if (log_) log_("rejected " + m.topic + ": " + why);
}

void MirrorService::changed(std::size_t twin, std::uint64_t old_revision) {
  if (mirror_.state(twin).revision == old_revision) return;
  if (publish_state)
    link_.publish({topic(mirror_.spec(twin).id, "state"), mirror_.twin_json(twin, clock_()).dump(),
                   0, true, "", ""});
  if (change_) change_(twin);
}

void MirrorService::handle(const Message& m) {
  ++counters_.messages;
  if (m.topic.compare(0, prefix_.size(), prefix_) != 0) return;
  const std::string rest = m.topic.substr(prefix_.size());
  const auto slash = rest.find('/');
  if (slash == std::string::npos || rest.find('/', slash + 1) != std::string::npos) return;
  const std::string twin_id = rest.substr(0, slash), kind = rest.substr(slash + 1);
  if (twin_id == "engine") return;
  if (kind != "reported" && kind != "birth" && kind != "death" && kind != "ack") return;
  if (m.payload.size() > max_payload)
    return refuse(m, counters_.oversized,
                  "payload of " + std::to_string(m.payload.size()) + " bytes exceeds " +
                      std::to_string(max_payload));
  const std::size_t twin = mirror_.find_twin(twin_id);
  if (twin == std::string::npos)
    return refuse(m, counters_.unknown_twin, "no twin \"" + twin_id + "\" in this plant");
  if (kind == "reported" || kind == "birth") return reported(twin, m, kind == "birth");

  std::string why;
  nlohmann::json j = parse_wire_json(m.payload, &why);
  if (j.is_discarded()) return refuse(m, counters_.malformed, why);
  if (!j.is_object()) return refuse(m, counters_.malformed, "not a JSON object");
  const auto rev = mirror_.state(twin).revision;
  if (kind == "death") {
    const auto s = j.find("session");
    if (s == j.end() || !s->is_number_unsigned())
      return refuse(m, counters_.malformed, "expected {\"session\": <unsigned integer>}");
    if (s->get<std::uint64_t>() != mirror_.state(twin).session) {
      ++counters_.stale;  // the will of a session already replaced
      return;
    }
    ++counters_.deaths;
    mirror_.death(twin, clock_());
    if (observer_) observer_->presence(twin, false);
    if (log_) log_(twin_id + " went offline: its reported values are stale");
  } else {  // ack
    const auto p = j.find("prop");
    const auto v = j.find("version");
    const auto st = j.find("status");
    if (p == j.end() || !p->is_string() || v == j.end() || !v->is_number_unsigned() ||
        st == j.end() || !st->is_string())
      return refuse(
          m, counters_.malformed,
          "expected {\"prop\": name, \"version\": n, \"status\": \"applied\"|\"rejected\"}");
    const std::string status = st->get<std::string>();
    if (status != "applied" && status != "rejected")
      return refuse(
          m, counters_.malformed,
          "\"status\" is \"applied\" or \"rejected\", not \"" + status.substr(0, 40) + "\"");
    const std::size_t prop = mirror_.find_property(twin, p->get<std::string>());
    if (prop == std::string::npos)
      return refuse(m, counters_.unknown_property, "no property \"" + p->get<std::string>() + "\"");
    if (status == "applied") {
      // taken by the asset; applied in the mirror once its report shows the value
      if (mirror_.ack_desired(twin, prop, v->get<std::uint64_t>()).outcome == Outcome::Applied &&
          log_)
        log_(twin_id + "." + p->get<std::string>() + " desired version " +
             std::to_string(v->get<std::uint64_t>()) +
             " acknowledged by the asset, awaiting its report");
    } else {
      const auto reason = j.value("reason", std::string("refused by the asset"));
      if (mirror_.reject_desired(twin, prop, v->get<std::uint64_t>(), reason).outcome ==
          Outcome::Applied) {
        ++counters_.rejected_by_asset;
        if (observer_) observer_->desired(twin, prop, false);
        if (log_)
          log_(twin_id + "." + p->get<std::string>() + " desired value rejected: " + reason);
        publish_desired(twin);
      }
    }
  }
  changed(twin, rev);
}

void MirrorService::reported(std::size_t twin, const Message& m, bool is_birth) {
  std::string invalid;
  nlohmann::json j = parse_wire_json(m.payload, &invalid);
  if (j.is_discarded()) return refuse(m, counters_.malformed, invalid);
  if (!j.is_object()) return refuse(m, counters_.malformed, "not a JSON object");
  const auto s = j.find("session");
  const auto q = j.find("seq");
  const auto ts = j.find("ts");
  const auto vals = j.find("values");
  if (s == j.end() || !s->is_number_unsigned())
    return refuse(m, counters_.malformed, "\"session\" must be an unsigned integer");
  if ((!is_birth || q != j.end()) && (q == j.end() || !q->is_number_unsigned()))
    return refuse(m, counters_.malformed, "\"seq\" must be an unsigned integer");
  if (ts == j.end() || !ts->is_number() || !std::isfinite(ts->get<double>()))
    return refuse(m, counters_.malformed, "\"ts\" must be a number (seconds since the epoch)");
  if (vals == j.end() || !vals->is_object())
    return refuse(m, counters_.malformed, "\"values\" must be an object");
  const std::uint64_t session = s->get<std::uint64_t>();
  const std::uint64_t seq = q == j.end() ? 0 : q->get<std::uint64_t>();
  const double source_time = ts->get<double>();
  // validate every value first: a message is applied whole or not at all
  struct Item {
    std::size_t prop;
    Value v;
  };
  std::vector<Item> items;
  items.reserve(vals->size());
  for (auto it = vals->begin(); it != vals->end(); ++it) {
    const std::size_t prop = mirror_.find_property(twin, it.key());
    if (prop == std::string::npos)
      return refuse(m, counters_.unknown_property,
                    "no property \"" + it.key() + "\" on " + mirror_.spec(twin).id);
    // the engine's own estimate (a monitor's, a cell's tool position): no asset speaks for it
    if (mirror_.spec(twin).properties[prop].derived)
      return refuse(m, counters_.unknown_property,
                    "\"" + it.key() + "\" of " + mirror_.spec(twin).id +
                        " is derived by the engine, not reported by the asset");
    Item item{prop, {}};
    std::string why;
    const Outcome parsed = mirror_.parse_value(twin, prop, it.value(), item.v, &why);
    if (parsed == Outcome::OutOfRange &&
        mirror_.spec(twin).properties[prop].kind == PropertySpec::Kind::Number) {
      // kept as uncertain (Mirror::report), counted and said
      ++counters_.out_of_range;
      if (log_) log_(m.topic + ": " + why + ": stored with quality uncertain");
    } else if (parsed != Outcome::Applied) {
      return refuse(m, counters_.bad_value, why);
    }
    items.push_back(std::move(item));
  }
  const double now = clock_();
  const auto rev = mirror_.state(twin).revision;
  if (is_birth) {
    const Outcome b = mirror_.birth(twin, session, now);
    if (b == Outcome::FutureSession)
      return refuse(m, counters_.future_session, future_session(session, now));
    if (b == Outcome::Applied) {
      ++counters_.births;
      if (observer_) observer_->presence(twin, true);
    }
  }
  // the message as a whole: older than the newest taken, or of a dead session, is dropped
  switch (mirror_.admit(twin, session, seq, source_time, now)) {
    case Outcome::Applied:
      break;
    case Outcome::Duplicate:
      ++counters_.duplicate;
      return changed(twin, rev);
    case Outcome::FutureSession:
      return refuse(m, counters_.future_session, future_session(session, now));
    case Outcome::DeadSession:
      ++counters_.dead_session;
      return changed(twin, rev);
    default:
      ++counters_.stale;
      return changed(twin, rev);
  }
  for (const auto& it : items) {
    switch (mirror_.report(twin, it.prop, it.v, source_time, session, seq, now)) {
      case Outcome::Applied:
        ++counters_.applied;
        if (observer_) observer_->reported(twin, it.prop);
        break;
      case Outcome::Duplicate:
        ++counters_.duplicate;
        break;
      case Outcome::Stale:
        ++counters_.stale;
        break;
      default:
        ++counters_.bad_value;
        break;
    }
  }
  // a (re)born asset gets the whole delta again, with what it lost in a restart
  if (is_birth) {
    if (const auto n = mirror_.rearm(twin); n && log_)
      log_(mirror_.spec(twin).id + " came back without " + std::to_string(n) +
           " applied setpoint(s): sent again");
    publish_desired(twin);
  }
  changed(twin, rev);
}

void MirrorService::publish_desired(std::size_t twin) {
  nlohmann::json values = nlohmann::json::object();
  const auto& st = mirror_.state(twin);
  for (auto p : mirror_.delta(twin)) {
    const Desired& d = st.props[p].desired;
    values[mirror_.spec(twin).properties[p].name] = {
        {"value", mirror_.value_json(twin, p, d.value)}, {"version", d.version}, {"id", d.id}};
  }
  const nlohmann::json j = {
      {"engine", engine_id_}, {"revision", st.revision}, {"values", std::move(values)}};
  link_.publish({topic(mirror_.spec(twin).id, "desired"), j.dump(), 1, true, "", ""});
}

WriteResult MirrorService::set(const std::string& twin_id, const std::string& prop_name,
                               const nlohmann::json& value, std::uint64_t if_revision,
                               const std::string& id, double ttl_s) {
  const std::size_t twin = mirror_.find_twin(twin_id);
  if (twin == std::string::npos)
    return {Outcome::UnknownTwin, 0, 0, "no twin \"" + twin_id + "\" in this plant"};
  const std::size_t prop = mirror_.find_property(twin, prop_name);
  if (prop == std::string::npos)
    return {Outcome::UnknownProperty, mirror_.state(twin).revision, 0,
            "twin \"" + twin_id + "\" has no property \"" + prop_name + "\""};
  Value v;
  std::string why;
  const Outcome ok = mirror_.parse_value(twin, prop, value, v, &why);
  if (ok != Outcome::Applied) return {ok, mirror_.state(twin).revision, 0, why};
  const auto rev = mirror_.state(twin).revision;
  const std::string rid = id.empty() ? id_prefix_ + std::to_string(next_id_++) : id;
  WriteResult r = mirror_.set_desired(twin, prop, v, clock_(), rid, if_revision, ttl_s);
  if (r.outcome == Outcome::Applied) {
    if (observer_) {
      try {
        observer_->desired(twin, prop, true);
      } catch (const std::exception& e) {
        // not stored, so not accepted: the asset must not act on it either
        const std::string not_stored = std::string("not stored: ") + e.what();
        mirror_.reject_desired(twin, prop, r.version, not_stored);
        changed(twin, rev);
        return {Outcome::StoreFailed, mirror_.state(twin).revision, r.version, not_stored};
      }
    }
    publish_desired(twin);
    changed(twin, rev);
  }
  return r;
}

void MirrorService::tick() {
  const double now = clock_();
  if (now - last_tick_ < tick_interval_s) return;
  last_tick_ = now;
  for (std::size_t t = 0; t < mirror_.twin_count(); ++t) {
    const auto rev = mirror_.state(t).revision;
    const auto& st = mirror_.state(t);
    if (stale_after_s > 0 && st.online && now - st.last_seen > stale_after_s) {
      mirror_.lost(t, now);
      if (observer_) observer_->presence(t, false);
      if (log_)
        log_(mirror_.spec(t).id + " silent for " + std::to_string(now - st.last_seen) +
             " s: its reported values are stale");
    }
    if (mirror_.state(t).revision != rev) changed(t, rev);
  }
  std::vector<std::uint64_t> revs(mirror_.twin_count());
  for (std::size_t t = 0; t < revs.size(); ++t) revs[t] = mirror_.state(t).revision;
  mirror_.expire(now);
  for (std::size_t t = 0; t < revs.size(); ++t)
    if (mirror_.state(t).revision != revs[t]) {
      if (observer_) {
        const auto& props = mirror_.state(t).props;
        for (std::size_t p = 0; p < props.size(); ++p)
          if (props[p].desired.state == DesiredState::Expired && props[p].desired.set_time <= now &&
              props[p].desired.expires > 0 && props[p].desired.expires <= now &&
              props[p].desired.expires > last_expiry_)
            observer_->desired(t, p, false);
      }
      publish_desired(t);
      changed(t, revs[t]);
    }
  last_expiry_ = now;
}

}  // namespace dtwin
