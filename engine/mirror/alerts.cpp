#include "engine/mirror/alerts.hpp"

#include <algorithm>

#include "engine/base/format.hpp"

namespace dtwin {

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::Info:
      return "info";
    case Severity::Warning:
      return "warning";
    case Severity::Critical:
      return "critical";
  }
  return "warning";
}

bool parse_severity(const std::string& name, Severity& out) {
  for (Severity s : {Severity::Info, Severity::Warning, Severity::Critical})
    if (name == severity_name(s)) {
      out = s;
      return true;
    }
  return false;
}

const char* alert_event_name(AlertEvent::Kind k) {
  switch (k) {
    case AlertEvent::Kind::Raised:
      return "raised";
    case AlertEvent::Kind::Acknowledged:
      return "acknowledged";
    case AlertEvent::Kind::Cleared:
      return "cleared";
  }
  return "raised";
}

const char* Alert::state() const {
  if (!active()) return "cleared";
  return acknowledged() ? "acknowledged" : "raised";
}

nlohmann::json Alert::to_json() const {
  auto opt_time = [](double t) { return t == 0 ? nlohmann::json() : nlohmann::json(t); };
  return {{"id", id},
          {"rule", rule},
          {"twin", twin},
          {"prop", prop},
          {"severity", severity_name(severity)},
          {"message", message},
          {"state", state()},
          {"raised_at", raised_at},
          {"raised_value", raised_value},
          {"acked_at", opt_time(acked_at)},
          {"acked_by", acked_by},
          {"ack_note", ack_note},
          {"cleared_at", opt_time(cleared_at)},
          {"cleared_value", cleared_value}};
}

bool Alert::from_json(const nlohmann::json& j, Alert& a) {
  if (!j.is_object()) return false;
  auto num = [&](const char* k, double& out) {
    const auto it = j.find(k);
    if (it == j.end() || it->is_null()) return true;
    if (!it->is_number()) return false;
    out = it->get<double>();
    return true;
  };
  auto text = [&](const char* k, std::string& out) {
    const auto it = j.find(k);
    if (it == j.end()) return true;
    if (!it->is_string()) return false;
    out = it->get<std::string>();
    return true;
  };
  const auto id = j.find("id");
  if (id == j.end() || !id->is_number_unsigned()) return false;
  a.id = id->get<std::uint64_t>();
  std::string sev = "warning";
  if (!text("rule", a.rule) || !text("twin", a.twin) || !text("prop", a.prop) ||
      !text("severity", sev) || !parse_severity(sev, a.severity) || !text("message", a.message) ||
      !num("raised_at", a.raised_at) || !num("acked_at", a.acked_at) ||
      !text("acked_by", a.acked_by) || !text("ack_note", a.ack_note) ||
      !num("cleared_at", a.cleared_at))
    return false;
  a.raised_value = j.value("raised_value", nlohmann::json());
  a.cleared_value = j.value("cleared_value", nlohmann::json());
  return !a.rule.empty() && !a.twin.empty();
}

AlertMonitor::AlertMonitor(const Mirror& m, std::vector<AlertRule> rules, double speed)
    : m_(m), rules_(std::move(rules)), speed_(speed > 0 ? speed : 1) {
  watch_.resize(rules_.size());
  by_twin_.resize(m_.twin_count());
  for (std::size_t r = 0; r < rules_.size(); ++r) {
    const AlertRule& rule = rules_[r];
    for (std::size_t k = 0; k < rule.twins.size(); ++k) {
      Watch w;
      if (!rule.prop.empty()) w.prop = m_.find_property(rule.twins[k], rule.prop);
      watch_[r].push_back(w);
      by_twin_.at(rule.twins[k])
          .emplace_back(static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(k));
    }
  }
}

AlertMonitor::Verdict AlertMonitor::judge(const AlertRule& r, std::size_t twin,
                                          const Watch& w) const {
  const TwinMirrorState& st = m_.state(twin);
  if (r.test == AlertRule::Test::Offline) return st.online ? Verdict::Normal : Verdict::Abnormal;
  if (w.prop == npos) return Verdict::Unknown;
  const Reported& rep = st.props[w.prop].reported;
  if (!rep.present || rep.quality == Quality::Stale) return Verdict::Unknown;
  const Value& v = rep.value;
  const bool active = w.alert != 0;
  switch (r.test) {
    case AlertRule::Test::Above:
      return (active ? v.num > r.clear : v.num > r.threshold) ? Verdict::Abnormal : Verdict::Normal;
    case AlertRule::Test::Below:
      return (active ? v.num < r.clear : v.num < r.threshold) ? Verdict::Abnormal : Verdict::Normal;
    case AlertRule::Test::Is:
    case AlertRule::Test::IsNot: {
      const bool is = std::find(r.values.begin(), r.values.end(), v) != r.values.end();
      return is == (r.test == AlertRule::Test::Is) ? Verdict::Abnormal : Verdict::Normal;
    }
    case AlertRule::Test::Offline:
      break;
  }
  return Verdict::Unknown;
}

void AlertMonitor::evaluate(std::size_t twin, double now, std::vector<AlertEvent>& out) {
  if (twin >= by_twin_.size()) return;
  for (const auto& [r, k] : by_twin_[twin]) step(r, k, now, out);
}

void AlertMonitor::tick(double now, std::vector<AlertEvent>& out) {
  for (std::size_t r = 0; r < rules_.size(); ++r)
    for (std::size_t k = 0; k < watch_[r].size(); ++k) {
      const Watch& w = watch_[r][k];
      if (!ticked_ || (w.since >= 0 && w.alert == 0)) step(r, k, now, out);
    }
  ticked_ = true;
}

void AlertMonitor::step(std::size_t r, std::size_t k, double now, std::vector<AlertEvent>& out) {
  const AlertRule& rule = rules_[r];
  Watch& w = watch_[r][k];
  const std::size_t twin = rule.twins[k];
  switch (judge(rule, twin, w)) {
    case Verdict::Unknown:
      return;
    case Verdict::Abnormal:
      if (w.alert != 0) return;
      if (w.since < 0) w.since = now;
      if ((now - w.since) * speed_ >= rule.for_s - 1e-9) raise(r, k, now, out);
      return;
    case Verdict::Normal:
      w.since = -1;
      if (w.alert == 0) return;
      if (Alert* a = find_mut(w.alert)) {
        a->cleared_at = now;
        if (w.prop != npos)
          a->cleared_value =
              m_.value_json(twin, w.prop, m_.state(twin).props[w.prop].reported.value);
        out.push_back({AlertEvent::Kind::Cleared, *a});
      }
      w.alert = 0;
      trim();
      return;
  }
}

namespace {

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

}  // namespace

void AlertMonitor::raise(std::size_t r, std::size_t k, double now, std::vector<AlertEvent>& out) {
  const AlertRule& rule = rules_[r];
  Watch& w = watch_[r][k];
  const std::size_t twin = rule.twins[k];
  Alert a;
  a.id = next_id_;
  next_id_ += id_step_;
  a.rule = rule.id;
  a.twin = m_.spec(twin).id;
  a.prop = rule.prop;
  a.severity = rule.severity;
  a.raised_at = now;
  std::string value_text = "offline", unit;
  if (w.prop != npos) {
    const Value& v = m_.state(twin).props[w.prop].reported.value;
    a.raised_value = m_.value_json(twin, w.prop, v);
    value_text = m_.spec(twin).properties[w.prop].kind == PropertySpec::Kind::Number
                     ? format_number(v.num, 3)
                     : m_.value_text(twin, w.prop, v);
    unit = m_.spec(twin).properties[w.prop].unit;
  }
  a.message = rule.message;
  replace_all(a.message, "{twin}", a.twin);
  replace_all(a.message, "{prop}", a.prop);
  replace_all(a.message, "{value}", value_text);
  replace_all(a.message, "{unit}", unit);
  w.alert = a.id;
  ++raised_total_;
  alerts_.push_back(a);
  out.push_back({AlertEvent::Kind::Raised, std::move(a)});
}

bool AlertMonitor::acknowledge(std::uint64_t id, const std::string& by, const std::string& note,
                               double now, std::vector<AlertEvent>& out, std::string* why) {
  Alert* a = find_mut(id);
  if (!a) {
    if (why) *why = "no alert " + std::to_string(id);
    return false;
  }
  if (a->acknowledged()) {
    if (why)
      *why = "alert " + std::to_string(id) + " was acknowledged already by " +
             (a->acked_by.empty() ? std::string("someone") : a->acked_by);
    return false;
  }
  a->acked_at = now;
  a->acked_by = by;
  a->ack_note = note;
  out.push_back({AlertEvent::Kind::Acknowledged, *a});
  return true;
}

const Alert* AlertMonitor::find(std::uint64_t id) const {
  for (const Alert& a : alerts_)
    if (a.id == id) return &a;
  return nullptr;
}

Alert* AlertMonitor::find_mut(std::uint64_t id) {
  return const_cast<Alert*>(static_cast<const AlertMonitor*>(this)->find(id));
}

// Keeps the active alerts and the newest keep_cleared cleared ones.
void AlertMonitor::trim() {
  std::size_t cleared = 0;
  for (const Alert& a : alerts_) cleared += !a.active();
  if (cleared <= keep_cleared) return;
  std::size_t drop = cleared - keep_cleared;
  std::vector<Alert> kept;
  kept.reserve(alerts_.size() - drop);
  for (Alert& a : alerts_) {
    if (!a.active() && drop > 0) {
      --drop;
      continue;
    }
    kept.push_back(std::move(a));
  }
  alerts_ = std::move(kept);
}

std::vector<Alert> AlertMonitor::restore(std::vector<Alert> held, double now) {
  std::vector<Alert> gone;
  for (Alert& a : held) {
    if (a.id >= next_id_) next_id_ = a.id + id_step_;
    if (!a.active()) {
      alerts_.push_back(std::move(a));
      continue;
    }
    bool placed = false;
    const std::size_t twin = m_.find_twin(a.twin);
    for (std::size_t r = 0; r < rules_.size() && !placed; ++r) {
      if (rules_[r].id != a.rule || rules_[r].prop != a.prop) continue;
      for (std::size_t k = 0; k < rules_[r].twins.size(); ++k)
        if (rules_[r].twins[k] == twin && watch_[r][k].alert == 0) {
          watch_[r][k].alert = a.id;
          placed = true;
          break;
        }
    }
    if (placed) {
      alerts_.push_back(std::move(a));
    } else {
      a.cleared_at = now;
      a.cleared_value = "rule removed";
      alerts_.push_back(a);
      gone.push_back(std::move(a));
    }
  }
  trim();
  return gone;
}

std::size_t AlertMonitor::active_count() const {
  std::size_t n = 0;
  for (const Alert& a : alerts_) n += a.active();
  return n;
}

}  // namespace dtwin
