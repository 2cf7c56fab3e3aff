#include "engine/mirror/mirror.hpp"

#include <cmath>
#include <stdexcept>

#include "engine/base/format.hpp"

namespace dtwin {

const char* quality_name(Quality q) {
  switch (q) {
    case Quality::Good:
      return "good";
    case Quality::Stale:
      return "stale";
    case Quality::Uncertain:
      return "uncertain";
  }
  return "?";
}

const char* desired_state_name(DesiredState s) {
  switch (s) {
    case DesiredState::None:
      return "none";
    case DesiredState::Pending:
      return "pending";
    case DesiredState::Applied:
      return "applied";
    case DesiredState::Rejected:
      return "rejected";
    case DesiredState::Superseded:
      return "superseded";
    case DesiredState::Expired:
      return "expired";
  }
  return "?";
}

Mirror::Mirror(std::vector<TwinSpec> twins) : specs_(std::move(twins)) {
  states_.resize(specs_.size());
  schema_of_.resize(specs_.size());
  twin_index_.reserve(specs_.size());
  // intern the property lists: twins whose lists are equal share one (and one name index)
  std::vector<PropertyList>& schemas = schemas_;
  std::unordered_map<std::string, std::vector<std::uint32_t>> by_names;
  for (std::size_t t = 0; t < specs_.size(); ++t) {
    if (!twin_index_.emplace(specs_[t].id, t).second)
      throw std::invalid_argument("Mirror: twin \"" + specs_[t].id + "\" listed twice");
    const PropertyList& props = specs_[t].properties;
    std::string key;
    for (const auto& p : props) key += p.name + '\0';
    auto& candidates = by_names[key];
    std::uint32_t found = static_cast<std::uint32_t>(schemas.size());
    for (auto c : candidates)
      if (schemas[c].same_as(props) || schemas[c].vec() == props.vec()) {
        found = c;
        break;
      }
    if (found == schemas.size()) {
      std::unordered_map<std::string, std::size_t> index;
      for (std::size_t p = 0; p < props.size(); ++p)
        if (!index.emplace(props[p].name, p).second)
          throw std::invalid_argument("Mirror: property \"" + props[p].name +
                                      "\" listed twice on " + specs_[t].id);
      schemas.push_back(props);
      schema_index_.push_back(std::move(index));
      candidates.push_back(found);
    }
    specs_[t].properties = schemas[found];
    schema_of_[t] = found;
    states_[t].props.resize(props.size());
  }
}

std::size_t Mirror::find_twin(const std::string& id) const {
  auto it = twin_index_.find(id);
  return it == twin_index_.end() ? std::string::npos : it->second;
}

std::size_t Mirror::find_property(std::size_t twin, const std::string& name) const {
  if (twin >= specs_.size()) return std::string::npos;
  const auto& index = schema_index_[schema_of_[twin]];
  auto it = index.find(name);
  return it == index.end() ? std::string::npos : it->second;
}

namespace {
// a session number ahead of the engine's clock `now` (s) by more than `bound_s`, read as
// milliseconds since the epoch
bool ahead_of_clock(std::uint64_t session, double now, double bound_s) {
  return static_cast<double>(session) > (now + bound_s) * 1000.0;
}
}  // namespace

Outcome Mirror::admit(std::size_t twin, std::uint64_t session, std::uint64_t seq,
                      double source_time, double receive_time) {
  if (twin >= specs_.size()) return Outcome::UnknownTwin;
  TwinMirrorState& st = states_[twin];
  if (ahead_of_clock(session, receive_time, max_session_ahead_s)) {
    ++st.rejected;
    return Outcome::FutureSession;
  }
  if (session < st.session) {  // a session the asset has left behind
    ++st.stale_dropped;
    return Outcome::Stale;
  }
  if (session == st.session) {
    if (st.dead) {
      ++st.stale_dropped;
      return Outcome::DeadSession;
    }
    if (st.msg_taken) {
      if (seq == st.msg_seq && source_time == st.msg_time) {
        ++st.duplicates;
        return Outcome::Duplicate;
      }
      if (seq < st.msg_seq || (seq == st.msg_seq && source_time < st.msg_time)) {
        ++st.stale_dropped;
        return Outcome::Stale;
      }
    }
  } else {  // a newer session without a birth: take it as one
    st.session = session;
    st.dead = false;
  }
  st.msg_seq = seq;
  st.msg_time = source_time;
  st.msg_taken = true;
  return Outcome::Applied;
}

Outcome Mirror::report(std::size_t twin, std::size_t prop, const Value& v, double source_time,
                       std::uint64_t session, std::uint64_t seq, double receive_time) {
  if (twin >= specs_.size()) return Outcome::UnknownTwin;
  TwinMirrorState& st = states_[twin];
  if (prop >= st.props.size()) {
    ++st.rejected;
    return Outcome::UnknownProperty;
  }
  const PropertySpec& spec = schemas_[schema_of_[twin]][prop];  // shared: stays in cache
  const Outcome ok = check_value(spec, v);
  // a number outside the property's range is what the asset measured: kept, as uncertain
  const bool uncertain = ok == Outcome::OutOfRange && spec.kind == PropertySpec::Kind::Number;
  if (ok != Outcome::Applied && !uncertain) {
    ++st.rejected;
    return ok;
  }
  if (ahead_of_clock(session, receive_time, max_session_ahead_s)) {
    ++st.rejected;
    return Outcome::FutureSession;
  }
  Reported& r = st.props[prop].reported;
  if (session < st.session) {  // from a session the asset has left behind
    ++st.stale_dropped;
    return Outcome::Stale;
  }
  if (session == st.session && st.dead) {  // its death was received: only a birth revives it
    ++st.stale_dropped;
    return Outcome::DeadSession;
  }
  if (r.present && r.session == session) {
    // within a session, order by (sequence, source time); a value of another session (an
    // earlier one, or one a birth has replaced) gives way to the current session's
    const bool older = seq < r.seq || (seq == r.seq && source_time < r.source_time);
    const bool same = seq == r.seq && source_time == r.source_time;
    if (older || (same && !(r.value == v))) {
      ++st.stale_dropped;
      return Outcome::Stale;
    }
    if (same) {
      ++st.duplicates;
      return Outcome::Duplicate;
    }
  }
  if (session > st.session) {  // a new session without a birth: take it as one
    st.session = session;
    st.dead = false;
    st.online = true;
  } else if (!st.online) {  // the current session speaks again after a silence: it is alive
    st.online = true;
  }
  const Quality quality = uncertain ? Quality::Uncertain : Quality::Good;
  const bool changed = !r.present || !(r.value == v) || r.quality != quality;
  r.value = v;
  r.source_time = source_time;
  r.receive_time = receive_time;
  r.session = session;
  r.seq = seq;
  if (r.quality != quality || !r.present) r.quality_since = receive_time;
  r.quality = quality;
  r.present = true;
  st.last_seen = receive_time;
  ++st.applied;
  Desired& d = st.props[prop].desired;
  bool desired_changed = false;
  if (d.state == DesiredState::Pending && same_value(spec, d.value, v)) {
    d.state = DesiredState::Applied;
    desired_changed = true;
  }
  if (changed || desired_changed) bump(twin);
  return Outcome::Applied;
}

Outcome Mirror::parse_value(std::size_t twin, std::size_t prop, const nlohmann::json& j, Value& out,
                            std::string* reason) const {
  if (twin >= specs_.size()) return Outcome::UnknownTwin;
  if (prop >= specs_[twin].properties.size()) return Outcome::UnknownProperty;
  return parse_property_value(specs_[twin].properties[prop], j, out, reason);
}

WriteResult Mirror::set_desired(std::size_t twin, std::size_t prop, const Value& v, double now,
                                const std::string& id, std::uint64_t if_revision, double ttl_s) {
  if (twin >= specs_.size()) return {Outcome::UnknownTwin, 0, 0, "no such twin"};
  TwinMirrorState& st = states_[twin];
  if (prop >= st.props.size())
    return {Outcome::UnknownProperty, st.revision, 0,
            "twin " + specs_[twin].id + " has no such property"};
  const PropertySpec& spec = specs_[twin].properties[prop];
  if (!spec.writable)
    return {Outcome::NotWritable, st.revision, 0,
            specs_[twin].id + "." + spec.name + " is reported by the asset, not set"};
  const Outcome ok = check_value(spec, v);
  if (ok != Outcome::Applied)
    return {ok, st.revision, 0,
            specs_[twin].id + "." + spec.name + ": " + outcome_name(ok) + " (accepts " +
                fmt_num(spec.min) + " to " + fmt_num(spec.max) + " " + spec.unit + ")"};
  if (if_revision != 0 && if_revision != st.revision)
    return {Outcome::RevisionMismatch, st.revision, 0,
            "twin " + specs_[twin].id + " is at revision " + std::to_string(st.revision) +
                ", the write expected " + std::to_string(if_revision)};
  Desired& d = st.props[prop].desired;
  const std::uint64_t version = d.version + 1;
  const std::uint64_t superseded = d.state == DesiredState::Pending ? d.version : 0;
  d = Desired{v, id, version, DesiredState::Pending, now, ttl_s > 0 ? now + ttl_s : 0, ""};
  const Reported& r = st.props[prop].reported;
  if (r.present && r.quality == Quality::Good && same_value(spec, v, r.value))
    d.state = DesiredState::Applied;
  bump(twin);
  return {Outcome::Applied, st.revision, version, "", superseded};
}

WriteResult Mirror::reject_desired(std::size_t twin, std::size_t prop, std::uint64_t version,
                                   const std::string& reason) {
  if (twin >= specs_.size()) return {Outcome::UnknownTwin, 0, 0, "no such twin"};
  TwinMirrorState& st = states_[twin];
  if (prop >= st.props.size())
    return {Outcome::UnknownProperty, st.revision, 0, "no such property"};
  Desired& d = st.props[prop].desired;
  if (d.version != version || d.state != DesiredState::Pending)
    return {Outcome::Stale, st.revision, d.version, "not the pending version"};
  d.state = DesiredState::Rejected;
  d.reason = reason;
  bump(twin);
  return {Outcome::Applied, st.revision, version, ""};
}

WriteResult Mirror::ack_desired(std::size_t twin, std::size_t prop, std::uint64_t version) {
  if (twin >= specs_.size()) return {Outcome::UnknownTwin, 0, 0, "no such twin"};
  TwinMirrorState& st = states_[twin];
  if (prop >= st.props.size())
    return {Outcome::UnknownProperty, st.revision, 0, "no such property"};
  Desired& d = st.props[prop].desired;
  if (d.version != version || d.state != DesiredState::Pending || d.acked)
    return {Outcome::Stale, st.revision, d.version, "not the pending version"};
  d.acked = true;
  bump(twin);
  return {Outcome::Applied, st.revision, version, ""};
}

Outcome Mirror::birth(std::size_t twin, std::uint64_t session, double receive_time) {
  if (twin >= specs_.size()) return Outcome::UnknownTwin;
  TwinMirrorState& st = states_[twin];
  if (ahead_of_clock(session, receive_time, max_session_ahead_s)) {
    ++st.rejected;
    return Outcome::FutureSession;
  }
  if (session == st.session && st.online && !st.dead) {
    ++st.duplicates;
    return Outcome::Duplicate;
  }
  // a birth starts the session, whatever its number: the asset says who it is now
  st.session = session;
  st.online = true;
  st.dead = false;
  st.msg_taken = false;
  st.last_seen = receive_time;
  // values from another session stand until the asset republishes them
  for (auto& p : st.props)
    if (p.reported.present && p.reported.session != session &&
        p.reported.quality != Quality::Uncertain) {
      p.reported.quality = Quality::Uncertain;
      p.reported.quality_since = receive_time;
    }
  bump(twin);
  return Outcome::Applied;
}

void Mirror::death(std::size_t twin, double receive_time) {
  if (twin >= specs_.size()) return;
  states_[twin].dead = true;
  lost(twin, receive_time);
}

void Mirror::lost(std::size_t twin, double receive_time) {
  if (twin >= specs_.size()) return;
  TwinMirrorState& st = states_[twin];
  if (!st.online) return;
  st.online = false;
  for (auto& p : st.props)
    if (p.reported.present && p.reported.quality != Quality::Stale) {
      p.reported.quality = Quality::Stale;
      p.reported.quality_since = receive_time;
    }
  bump(twin);
}

std::size_t Mirror::rearm(std::size_t twin) {
  if (twin >= specs_.size()) return 0;
  TwinMirrorState& st = states_[twin];
  std::size_t n = 0;
  for (std::size_t p = 0; p < st.props.size(); ++p) {
    Desired& d = st.props[p].desired;
    const Reported& r = st.props[p].reported;
    if (d.state == DesiredState::Applied && r.present &&
        !same_value(specs_[twin].properties[p], d.value, r.value)) {
      d.state = DesiredState::Pending;
      ++n;
    }
  }
  if (n) bump(twin);
  return n;
}

void Mirror::lost_all(double receive_time) {
  for (std::size_t t = 0; t < specs_.size(); ++t) lost(t, receive_time);
}

void Mirror::expire(double now) {
  for (std::size_t t = 0; t < specs_.size(); ++t) {
    bool changed = false;
    for (auto& p : states_[t].props) {
      Desired& d = p.desired;
      if (d.state == DesiredState::Pending && d.expires > 0 && now >= d.expires) {
        d.state = DesiredState::Expired;
        d.reason = "not applied by the asset within its time to live";
        changed = true;
      }
    }
    if (changed) bump(t);
  }
}

bool Mirror::matches(std::size_t twin, std::size_t prop) const {
  const PropertyState& p = states_[twin].props[prop];
  return p.reported.present &&
         same_value(specs_[twin].properties[prop], p.desired.value, p.reported.value);
}

std::vector<std::size_t> Mirror::delta(std::size_t twin) const {
  std::vector<std::size_t> out;
  for (std::size_t p = 0; p < states_[twin].props.size(); ++p)
    if (states_[twin].props[p].desired.state == DesiredState::Pending && !matches(twin, p))
      out.push_back(p);
  return out;
}

nlohmann::json Mirror::value_json(std::size_t twin, std::size_t prop, const Value& v) const {
  return value_to_json(specs_[twin].properties[prop], v);
}

std::string Mirror::value_text(std::size_t twin, std::size_t prop, const Value& v) const {
  const nlohmann::json j = value_json(twin, prop, v);
  return j.is_string() ? j.get<std::string>() : j.dump();
}

nlohmann::json Mirror::twin_json(std::size_t twin, double now) const {
  const TwinSpec& spec = specs_[twin];
  const TwinMirrorState& st = states_[twin];
  nlohmann::json j;
  j["id"] = spec.id;
  j["revision"] = st.revision;
  j["online"] = st.online;
  j["session"] = st.session;
  nlohmann::json rep = nlohmann::json::object(), des = nlohmann::json::object(),
                 delta_j = nlohmann::json::object();
  for (std::size_t p = 0; p < spec.properties.size(); ++p) {
    const PropertySpec& ps = spec.properties[p];
    const PropertyState& s = st.props[p];
    if (s.reported.present)
      rep[ps.name] = {{"value", value_json(twin, p, s.reported.value)},
                      {"unit", ps.unit},
                      {"quality", quality_name(s.reported.quality)},
                      {"age_s", now - s.reported.receive_time},
                      {"source_time", s.reported.source_time},
                      {"session", s.reported.session},
                      {"seq", s.reported.seq}};
    if (s.reported.present && ps.derived) rep[ps.name]["derived"] = true;
    if (s.desired.state != DesiredState::None) {
      nlohmann::json d = {{"value", value_json(twin, p, s.desired.value)},
                          {"unit", ps.unit},
                          {"state", desired_state_name(s.desired.state)},
                          {"version", s.desired.version},
                          {"id", s.desired.id},
                          {"age_s", now - s.desired.set_time}};
      if (!s.desired.reason.empty()) d["reason"] = s.desired.reason;
      if (s.desired.acked && s.desired.state == DesiredState::Pending)
        d["acknowledged"] = true;  // the asset took it; its report of the value is awaited
      des[ps.name] = std::move(d);
    }
  }
  for (auto p : delta(twin))
    delta_j[spec.properties[p].name] = value_json(twin, p, st.props[p].desired.value);
  j["reported"] = std::move(rep);
  j["desired"] = std::move(des);
  j["delta"] = std::move(delta_j);
  j["counters"] = {{"applied", st.applied},
                   {"stale_dropped", st.stale_dropped},
                   {"duplicates", st.duplicates},
                   {"rejected", st.rejected}};
  return j;
}

void Mirror::restore(std::vector<TwinMirrorState> s) {
  if (s.size() != states_.size())
    throw std::invalid_argument("Mirror::restore: twin count differs");
  for (std::size_t t = 0; t < s.size(); ++t)
    if (s[t].props.size() != states_[t].props.size())
      throw std::invalid_argument("Mirror::restore: property count differs for " + specs_[t].id);
  // the newest message taken of each twin's session: its newest reported value's
  for (auto& st : s) {
    st.msg_taken = false;
    for (const auto& p : st.props) {
      const Reported& r = p.reported;
      if (!r.present || r.session != st.session) continue;
      if (!st.msg_taken || r.seq > st.msg_seq ||
          (r.seq == st.msg_seq && r.source_time > st.msg_time)) {
        st.msg_seq = r.seq;
        st.msg_time = r.source_time;
        st.msg_taken = true;
      }
    }
  }
  states_ = std::move(s);
}

std::size_t Mirror::restarted(double now) {
  std::size_t forgotten = 0;
  for (std::size_t t = 0; t < states_.size(); ++t) {
    TwinMirrorState& st = states_[t];
    bool changed = false;
    if (ahead_of_clock(st.session, now, max_session_ahead_s)) {
      st.session = 0;
      st.msg_taken = false;
      ++forgotten;
      changed = true;
    }
    if (st.online) {
      st.online = false;
      changed = true;
    }
    for (auto& p : st.props)
      if (p.reported.present && p.reported.quality != Quality::Stale) {
        p.reported.quality = Quality::Stale;
        p.reported.quality_since = now;
        changed = true;
      }
    if (changed) bump(t);
  }
  return forgotten;
}

}  // namespace dtwin
