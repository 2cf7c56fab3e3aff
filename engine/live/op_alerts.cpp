// Alerts live: the scenario's rules judged as the mirror changes, each step of an alert's
// lifecycle stored, logged and published; {"op": "alerts"} and {"op": "ack"}.
#include "engine/base/error.hpp"
#include "engine/live/alert_rules.hpp"
#include "engine/live/engine.hpp"
#include "engine/live/request.hpp"

namespace dtwin {

using namespace live_detail;

void LiveEngine::make_alerts() {
  // parsed against every twin of the scenario (a rule may name another partition's), then kept
  // to this engine's
  const std::vector<TwinSpec> all = mirror_specs(base_);
  std::vector<AlertRule> rules = parse_alert_rules(sc_, all);
  if (rules.empty()) return;
  for (AlertRule& r : rules) {
    std::vector<std::size_t> mine;
    for (std::size_t t : r.twins)
      if (const std::size_t m = mirror_->find_twin(all[t].id); m != std::string::npos)
        mine.push_back(m);
    r.twins = std::move(mine);
  }
  alerts_ = std::make_unique<AlertMonitor>(*mirror_, std::move(rules), live_.speed);
  alerts_->set_ids(opt_.part_k, opt_.part_n);
}

// After a restart: ids go on from the store's, and its active alerts are active again.
void LiveEngine::restore_alerts() {
  if (!alerts_ || !store_) return;
  const std::uint64_t last = store_->last_alert_id();
  std::uint64_t first = opt_.part_k;
  if (last >= first) first += ((last - first) / opt_.part_n + 1) * opt_.part_n;
  alerts_->set_ids(first, opt_.part_n);
  const double now = clock_();
  for (const Alert& gone : alerts_->restore(store_->alerts(false), now)) {
    store_->record_alert(gone);
    alert_events_.push_back({AlertEvent::Kind::Cleared, gone});
  }
  publish_alerts();
}

void LiveEngine::judge_alerts(std::size_t twin) {
  if (!alerts_) return;
  alerts_->evaluate(twin, clock_(), alert_events_);
  publish_alerts();
}

void LiveEngine::tick_alerts() {
  if (!alerts_) return;
  const double now = clock_();
  if (now - last_alert_tick_ < service_->tick_interval_s) return;
  last_alert_tick_ = now;
  alerts_->tick(now, alert_events_);
  publish_alerts();
}

void LiveEngine::publish_alerts() {
  if (alert_events_.empty()) return;  // the usual case: called after every change of the mirror
  const std::string root = "dtwin/" + live_.plant + "/alerts/";
  // a raised alert's "act": desired values of its twin (after the loop: set() may judge again)
  std::vector<Alert> to_act;
  for (const AlertEvent& e : alert_events_) {
    const Alert& a = e.alert;
    if (e.kind == AlertEvent::Kind::Raised) to_act.push_back(a);
    if (store_ && e.kind != AlertEvent::Kind::Acknowledged) store_->record_alert(a);
    const nlohmann::json j = a.to_json();
    // retained while active; emptied when it clears (an old alert acknowledged after it cleared
    // leaves the topic alone: a newer one of the same rule and twin may be there)
    if (a.active() || e.kind == AlertEvent::Kind::Cleared)
      link_->publish({root + "active/" + a.twin + "/" + a.rule,
                      a.active() ? j.dump() : std::string(), 1, true, "", ""});
    link_->publish({root + "events",
                    nlohmann::json{{"event", alert_event_name(e.kind)}, {"alert", j}}.dump(), 1,
                    false, "", ""});
    if (log_) {
      std::string line = "alert " + std::to_string(a.id) + " " + alert_event_name(e.kind) + " (" +
                         severity_name(a.severity) + ", " + a.rule + "): " + a.message;
      if (e.kind == AlertEvent::Kind::Acknowledged) line += " - by " + a.acked_by;
      log_(line);
    }
  }
  alert_events_.clear();
  for (const Alert& a : to_act) act_on(a);
}

void LiveEngine::act_on(const Alert& a) {
  const AlertRule* rule = nullptr;
  for (const AlertRule& r : alerts_->rules())
    if (r.id == a.rule) rule = &r;
  if (!rule) return;
  const std::string id = "alert-" + std::to_string(a.id);
  auto send = [&](const std::string& prop, const nlohmann::json& value) {
    WriteResult w;
    try {
      w = service_->set(a.twin, prop, value, 0, id);
    } catch (const StoreError& e) {
      if (log_)
        log_("alert " + std::to_string(a.id) + ": " + a.twin + "." + prop +
             " not set: " + e.what());
      return;
    }
    if (log_)
      log_("alert " + std::to_string(a.id) + " acts: " + a.twin + "." + prop + " = " +
           value.dump() + " (" +
           (w.outcome == Outcome::Applied ? "desired version " + std::to_string(w.version)
                                          : w.reason) +
           ")");
  };
  for (const auto& [prop, value] : rule->act_set) send(prop, value);
  if (!rule->act_increment.empty()) {
    const std::size_t t = mirror_->find_twin(a.twin);
    const std::size_t p =
        t == std::string::npos ? t : mirror_->find_property(t, rule->act_increment);
    if (p == std::string::npos) return;
    const PropertyState& ps = mirror_->state(t).props[p];
    // one order at a time: while one is pending (not yet taken by the asset) no other is made
    if (ps.desired.state == DesiredState::Pending) {
      if (log_)
        log_("alert " + std::to_string(a.id) + ": " + a.twin + "." + rule->act_increment +
             " not raised again: the last order is still pending");
      return;
    }
    send(rule->act_increment, (ps.reported.present ? ps.reported.value.num : 0) + 1);
  }
}

nlohmann::json LiveEngine::active_alerts_json() const {
  nlohmann::json out = nlohmann::json::array();
  if (!alerts_) return out;
  for (const Alert& a : alerts_->alerts())
    if (a.active()) out.push_back(a.to_json());
  return out;
}

nlohmann::json LiveEngine::op_alerts(const nlohmann::json& req) {
  const bool all = req.value("all", false);
  const double limit_n = num_member(req, "limit", 100);
  if (!(limit_n >= 0 && limit_n <= 1e6)) throw BadRequest{"\"limit\" must be from 0 to 1000000"};
  const auto limit = static_cast<std::size_t>(limit_n);
  nlohmann::json list = nlohmann::json::array();
  std::size_t skipped = 0;
  if (all && store_) {
    for (const Alert& a : store_->alerts(true, limit, &skipped)) list.push_back(a.to_json());
  } else if (alerts_) {
    std::vector<const Alert*> held;
    for (const Alert& a : alerts_->alerts())
      if (all || a.active()) held.push_back(&a);
    // the newest `limit` cleared ones and every active one
    std::size_t cleared = 0;
    for (const Alert* a : held) cleared += !a->active();
    std::size_t drop = limit > 0 && cleared > limit ? cleared - limit : 0;
    for (const Alert* a : held) {
      if (!a->active() && drop > 0) {
        --drop;
        continue;
      }
      list.push_back(a->to_json());
    }
  }
  nlohmann::json rules = nlohmann::json::array();
  if (alerts_)
    for (const AlertRule& r : alerts_->rules())
      rules.push_back({{"id", r.id}, {"severity", severity_name(r.severity)}, {"prop", r.prop}});
  nlohmann::json res = {{"plant", live_.plant}, {"alerts", std::move(list)}, {"rules", rules}};
  if (skipped > 0) res["skipped"] = skipped;
  return ok(std::move(res));
}

nlohmann::json LiveEngine::op_ack(const nlohmann::json& req) {
  const auto& id_j = member(req, "id");
  if (!id_j.is_number_unsigned()) throw BadRequest{"\"id\" must be an alert id (an integer)"};
  const std::uint64_t id = id_j.get<std::uint64_t>();
  const std::string by = str_member(req, "by");
  if (by.empty() || by.size() > 200)
    throw BadRequest{"\"by\" names who acknowledges: 1 to 200 characters"};
  std::string note;
  if (req.contains("note")) note = str_member(req, "note");
  if (note.size() > 2000) throw BadRequest{"\"note\" is at most 2000 characters"};
  const double now = clock_();
  // the alert as held: in memory, or (cleared long ago) in the store
  Alert a;
  if (const Alert* held = alerts_ ? alerts_->find(id) : nullptr) {
    a = *held;
  } else {
    bool found = false;
    if (store_)
      for (const Alert& s : store_->alerts(true))
        if (s.id == id) {
          a = s;
          found = true;
        }
    if (!found) return fail("unknown_alert", "no alert " + std::to_string(id));
  }
  if (a.acknowledged())
    return fail("conflict",
                "alert " + std::to_string(id) + " was acknowledged already by " + a.acked_by);
  a.acked_at = now;
  a.acked_by = by;
  a.ack_note = note;
  if (store_) store_->commit_alert(a);  // durable before it is answered; throws: refused
  std::string why;
  if (!alerts_ || !alerts_->acknowledge(id, by, note, now, alert_events_, &why))
    alert_events_.push_back({AlertEvent::Kind::Acknowledged, a});  // one the monitor let go
  publish_alerts();
  return ok(a.to_json());
}

}  // namespace dtwin
