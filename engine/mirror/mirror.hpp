// The mirror: per twin, per property, what the physical asset last reported and what the digital
// side wants, kept in step (after AWS IoT Device Shadow, Eclipse Ditto and Sparkplug B).
//
//  - reported: value, the asset's source time, its session id and sequence number, a quality
//    (good, stale, uncertain) and the engine's receive time. A number outside the property's
//    range is kept (it is what the asset measured) with quality uncertain; a value of the wrong
//    type, or an enumeration name the property does not have, is refused.
//  - desired: value, id, version and a lifecycle pending -> applied | rejected | superseded |
//    expired. A desired value is applied when the asset reports the same value (within the
//    property's tolerance for numbers).
//  - delta: the desired values still pending whose reported value differs.
//  - Stale input never wins: a report older than what is held, ordered by (session, sequence,
//    source time), is dropped and counted; an identical one is a duplicate (idempotent). A
//    message is taken whole or not at all: admit() orders it against the newest message taken.
//  - Sessions: a birth starts the asset's session, whatever its number (a gateway that
//    restarts counting from 1, or whose clock was once ahead, is not locked out); a report of a
//    newer session starts one too. No session number may run ahead of the engine's clock by more
//    than max_session_ahead_s (sessions are counters or times in milliseconds): one that does is
//    refused, so one hostile or confused message cannot lock the asset out. After a death, the
//    dead session's reports are dropped until the asset is born again.
//  - Every change bumps the twin's revision; a write may be conditional on a revision.
//  - Presence: birth starts a session; death (or a lost broker) marks every reported value
//    stale with the engine's receive time.
//
// Property and twin lookups by name happen at the edges (topics, commands); the ingest path
// works on indices and does not allocate.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/mirror/property.hpp"

namespace dtwin {

enum class Quality : std::uint8_t { Good, Stale, Uncertain };
enum class DesiredState : std::uint8_t { None, Pending, Applied, Rejected, Superseded, Expired };
const char* quality_name(Quality q);
const char* desired_state_name(DesiredState s);

struct Reported {
  Value value;
  double source_time = 0;   // the asset's clock, s
  double receive_time = 0;  // the engine's clock, s
  std::uint64_t session = 0, seq = 0;
  Quality quality = Quality::Uncertain;
  double quality_since = 0;  // engine time the quality last changed (stale since ...)
  bool present = false;
};

struct Desired {
  Value value;
  std::string id;  // the writer's request id
  std::uint64_t version = 0;
  DesiredState state = DesiredState::None;
  double set_time = 0, expires = 0;  // expires 0: never
  std::string reason;                // why rejected or expired
  // the asset acknowledged it ("applied" on <twin>/ack) and its report of the value is awaited:
  // still pending, shown as "acknowledged" (not stored: the report settles it)
  bool acked = false;
};

struct PropertyState {
  Reported reported;
  Desired desired;
};

struct TwinMirrorState {
  std::uint64_t revision = 0;
  bool online = false;
  std::uint64_t session = 0;  // current asset session (from its birth)
  bool dead = false;          // its death was received: only a birth brings it back
  double last_seen = 0;
  // the newest message taken from the current session: (seq, source time); taken = any yet
  std::uint64_t msg_seq = 0;
  double msg_time = 0;
  bool msg_taken = false;
  std::vector<PropertyState> props;
  // counters
  std::uint64_t applied = 0, stale_dropped = 0, duplicates = 0, rejected = 0;
};

struct WriteResult {
  Outcome outcome;
  std::uint64_t revision;        // the twin's revision after the call
  std::uint64_t version;         // the desired value's version (when applied)
  std::string reason;            // for refusals: what was wrong, for a log line or a reply
  std::uint64_t superseded = 0;  // the pending version this write replaced, if any
};

class Mirror {
 public:
  explicit Mirror(std::vector<TwinSpec> twins);

  std::size_t twin_count() const { return specs_.size(); }
  const TwinSpec& spec(std::size_t t) const { return specs_[t]; }
  const TwinMirrorState& state(std::size_t t) const { return states_[t]; }
  // npos when unknown
  std::size_t find_twin(const std::string& id) const;
  std::size_t find_property(std::size_t twin, const std::string& name) const;

  // Whether a message from the asset (its session, sequence and source time) may be taken, as a
  // whole: Applied (take it; a newer session than the current one starts), Duplicate (the
  // newest message taken, again), Stale (older than it, or of an older session), DeadSession, or
  // FutureSession (ahead of receive_time by more than max_session_ahead_s). Counted.
  Outcome admit(std::size_t twin, std::uint64_t session, std::uint64_t seq, double source_time,
                double receive_time);
  // The physical side reports a value. The hot path: indices, no allocation for numbers.
  Outcome report(std::size_t twin, std::size_t prop, const Value& v, double source_time,
                 std::uint64_t session, std::uint64_t seq, double receive_time);
  // Parses a JSON value for the property (number, bool, enum name or index, text) with checks.
  Outcome parse_value(std::size_t twin, std::size_t prop, const nlohmann::json& j, Value& out,
                      std::string* reason) const;

  // The digital side asks for a value. if_revision: 0 = unconditional.
  WriteResult set_desired(std::size_t twin, std::size_t prop, const Value& v, double now,
                          const std::string& id, std::uint64_t if_revision = 0, double ttl_s = 0);
  // The asset acknowledges a desired value it applied: still pending until it reports the value
  // (the mirror's word on applied is the report), shown as acknowledged.
  WriteResult ack_desired(std::size_t twin, std::size_t prop, std::uint64_t version);
  // The asset refuses a desired value (e.g. outside what it can do).
  WriteResult reject_desired(std::size_t twin, std::size_t prop, std::uint64_t version,
                             const std::string& reason);

  // Presence. A birth starts a session whatever its number (FutureSession when it is ahead of
  // the clock); the same session born again while online is a Duplicate.
  Outcome birth(std::size_t twin, std::uint64_t session, double receive_time);
  // The asset's death (its will): the session ends, its reports are dropped until a birth.
  void death(std::size_t twin, double receive_time);
  // The asset is not heard (silent for too long, or the broker lost): offline and stale, but
  // its session goes on; its next report brings it back.
  void lost(std::size_t twin, double receive_time);
  // After a birth: applied desired values the asset no longer holds (it restarted with its own
  // defaults) are pending again, to be pushed again. Returns how many.
  std::size_t rearm(std::size_t twin);
  // Every twin lost at once (the broker went away).
  void lost_all(double receive_time);
  // Pending desired values past their expiry become expired.
  void expire(double now);
  // After the engine (re)started from a store: no twin is known to be alive (a death may have
  // been missed meanwhile). Each is offline, its values stale since `now`, until it reports or
  // is born again; a stored session ahead of the clock is forgotten. Returns how many twins had
  // such a session.
  std::size_t restarted(double now);

  // Sessions more than this far ahead of the engine's clock (seconds; the session read as
  // milliseconds since the epoch) are refused. Counters (1, 2, 3 ...) are always behind it.
  double max_session_ahead_s = 3600;

  // Desired values pending whose reported value differs (or is absent).
  std::vector<std::size_t> delta(std::size_t twin) const;
  bool matches(std::size_t twin, std::size_t prop) const;

  // JSON views for get / history / notifications.
  nlohmann::json twin_json(std::size_t twin, double now) const;
  std::string value_text(std::size_t twin, std::size_t prop, const Value& v) const;
  nlohmann::json value_json(std::size_t twin, std::size_t prop, const Value& v) const;

  // Whole mirror state as data (persistence, snapshot of the live plant).
  const std::vector<TwinMirrorState>& states() const { return states_; }
  void restore(std::vector<TwinMirrorState> s);

 private:
  void bump(std::size_t twin) { ++states_[twin].revision; }
  std::vector<TwinSpec> specs_;
  std::vector<TwinMirrorState> states_;
  std::unordered_map<std::string, std::size_t> twin_index_;
  // one name index per distinct schema; twins with equal property lists share the list itself
  std::vector<std::unordered_map<std::string, std::size_t>> schema_index_;
  std::vector<std::uint32_t> schema_of_;  // per twin
  std::vector<PropertyList> schemas_;
};

}  // namespace dtwin
