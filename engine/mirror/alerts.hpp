// Alerts: rules over the mirror's properties, and the alerts they raise, as data (after ISA-18.2
// and IEC 62682 alarm management, kept to what a plant's twin needs).
//
//  - A rule watches one property of one or more twins (or a twin's presence): a threshold with
//    hysteresis (above x, cleared at or below clear; below x, cleared at or above clear), a
//    value it is or is not (an enumeration's state, a flag), or the twin being offline. The
//    condition must hold for `for_s` (plant seconds) before the alert is raised.
//  - Conditions are judged on values as they are reported (derived values included); a stale
//    value raises nothing and clears nothing: an alert stays as it was while its asset is silent.
//  - An alert's lifecycle: raised -> acknowledged (by someone, at a time) -> cleared (the
//    condition returned to normal), or raised -> cleared -> acknowledged. At most one alert of a
//    rule is active per twin: while it is, the rule raises no other for that twin.
//  - Times are the engine's clock (seconds since the Unix epoch). A rule's `for_s` is plant time:
//    the engine's clock runs `speed` times slower than an emulated plant (1 for a real one).
//
// No I/O here: the live engine publishes and stores what the AlertMonitor reports.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/mirror/mirror.hpp"

namespace dtwin {

enum class Severity : std::uint8_t { Info, Warning, Critical };
const char* severity_name(Severity s);
// false when the name is none of info, warning, critical
bool parse_severity(const std::string& name, Severity& out);

struct AlertRule {
  std::string id;                  // unique in the scenario: "m2_hot"
  std::vector<std::size_t> twins;  // the mirror's twin indices it watches
  std::string prop;                // empty: the twin's presence (test Offline)
  enum class Test : std::uint8_t { Above, Below, Is, IsNot, Offline } test = Test::Above;
  double threshold = 0;       // Above, Below
  double clear = 0;           // Above: cleared at or below it; Below: at or above it
  std::vector<Value> values;  // Is, IsNot: any of these (parsed for the property)
  double for_s = 0;           // plant seconds the condition must hold
  Severity severity = Severity::Warning;
  std::string message;  // {twin}, {prop}, {value}, {unit} are filled in when raised
  std::string source;   // where it was written (a JSON pointer), for messages
  // What the engine does when the alert is raised (a policy): desired values for the alert's
  // twin, each property set to a value, or raised by one from its reported value (a count of
  // orders, such as a machine's pm_orders).
  std::vector<std::pair<std::string, nlohmann::json>> act_set;
  std::string act_increment;
};

// One alert, as stored, published and listed.
struct Alert {
  std::uint64_t id = 0;
  std::string rule, twin, prop;  // prop empty: presence
  Severity severity = Severity::Warning;
  std::string message;
  double raised_at = 0;
  nlohmann::json raised_value;  // the value that raised it (null for presence)
  double acked_at = 0;          // 0: not acknowledged
  std::string acked_by, ack_note;
  double cleared_at = 0;  // 0: active
  nlohmann::json cleared_value;
  bool active() const { return cleared_at == 0; }
  bool acknowledged() const { return acked_at != 0; }
  // "raised", "acknowledged" (active, acknowledged) or "cleared"
  const char* state() const;
  nlohmann::json to_json() const;
  // false when j is not an alert as to_json writes it
  static bool from_json(const nlohmann::json& j, Alert& out);
};

// What happened to an alert (to publish and store).
struct AlertEvent {
  enum class Kind : std::uint8_t { Raised, Acknowledged, Cleared } kind;
  Alert alert;  // as it is after the event
};
const char* alert_event_name(AlertEvent::Kind k);

class AlertMonitor {
 public:
  // Rules resolved against the mirror (twin indices, property names it has). speed: plant
  // seconds per engine second.
  AlertMonitor(const Mirror& m, std::vector<AlertRule> rules, double speed = 1);

  const std::vector<AlertRule>& rules() const { return rules_; }
  bool empty() const { return rules_.empty(); }

  // Judges the rules of twin t after it changed (a report, a birth, a death).
  void evaluate(std::size_t twin, double now, std::vector<AlertEvent>& out);
  // Raises what has held for long enough; judges presence. Call a few times a second.
  void tick(double now, std::vector<AlertEvent>& out);
  // Acknowledges an alert it holds by id; false with the reason when it holds none of that id or
  // it is acknowledged already.
  bool acknowledge(std::uint64_t id, const std::string& by, const std::string& note, double now,
                   std::vector<AlertEvent>& out, std::string* why);
  const Alert* find(std::uint64_t id) const;

  // The alerts held: the active ones, and the last keep_cleared cleared ones (the store keeps
  // them all), oldest first.
  const std::vector<Alert>& alerts() const { return alerts_; }
  std::size_t keep_cleared = 1000;
  // Active alerts from a store, after a restart: they stay active until their condition is
  // judged normal again. Alerts of rules or twins the scenario no longer has are returned with
  // cleared_at = now (cleared, "rule removed"), to be stored so.
  std::vector<Alert> restore(std::vector<Alert> active, double now);
  // The first id the next alert may take (ids grow: a store's largest + 1). Alerts are numbered
  // id_first, id_first + id_step, ...: partitions of a plant count apart (k, k + n, ...).
  void set_ids(std::uint64_t first, std::uint64_t step) {
    next_id_ = first;
    id_step_ = step;
  }
  std::uint64_t next_id() const { return next_id_; }

  std::size_t active_count() const;
  std::uint64_t raised_total() const { return raised_total_; }

 private:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  struct Watch {              // one (rule, twin)
    std::size_t prop = npos;  // the property's index in the twin (npos: presence)
    double since = -1;        // engine time the condition began to hold; -1: it does not
    std::uint64_t alert = 0;  // id of its active alert; 0: none
  };
  enum class Verdict : std::uint8_t { Unknown, Normal, Abnormal };
  Verdict judge(const AlertRule& r, std::size_t twin, const Watch& w) const;
  Alert* find_mut(std::uint64_t id);
  void trim();
  void step(std::size_t rule, std::size_t k, double now, std::vector<AlertEvent>& out);
  void raise(std::size_t rule, std::size_t k, double now, std::vector<AlertEvent>& out);

  const Mirror& m_;
  std::vector<AlertRule> rules_;
  double speed_;
  std::vector<std::vector<Watch>> watch_;  // [rule][k]: rules_[rule].twins[k]
  // per twin: the (rule, k) that watch it
  std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> by_twin_;
  std::vector<Alert> alerts_;
  std::uint64_t next_id_ = 1, id_step_ = 1, raised_total_ = 0;
  bool ticked_ = false;  // the first tick judges every watch (presence never reported)
};

}  // namespace dtwin
