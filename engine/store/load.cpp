// Restart: load_into reads every twin's current state as last written (tables twins, props),
// restores it into the mirror, then replays the reported values logged since through
// Mirror::report, so revisions, applied desired values and qualities come out as they were.
// What the store has and the mirror no longer does (twins, properties, values that no longer fit)
// stays in the file and comes back as warnings naming the path.
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/store/store_impl.hpp"

namespace dtwin {

using namespace store_detail;

namespace {

using PropKey = std::pair<std::size_t, std::size_t>;  // (twin, property) of the mirror

// One load_into: what it has read so far, and what it has to say.
struct Loader {
  Loader(MirrorStore::Impl& store, Mirror& mirror)
      : s(store),
        m(mirror),
        states(mirror.states()),
        log_upto(mirror.twin_count(), 0),
        replayed(mirror.twin_count(), 0) {}

  MirrorStore::Impl& s;
  Mirror& m;
  std::vector<TwinMirrorState> states;
  std::vector<std::int64_t> log_upto;  // twin -> its state includes the log up to here
  std::vector<std::string> warnings;
  std::set<std::string> unknown_twins, unknown_props;
  std::set<PropKey> skipped;                  // not restored: no replay either
  std::map<std::int64_t, PropKey> of_series;  // the log's series that are the mirror's
  std::vector<std::uint8_t> replayed;         // twin -> a logged value was replayed

  void warn(const std::string& what) { warnings.push_back(s.path + ": " + what); }
  void read_twins();
  void read_props();
  void read_prop(const Stmt& pr, std::size_t t, std::size_t p, const std::string& name);
  void read_series();
  void warn_unknown();
  void replay_log();
};

void Loader::read_twins() {
  Stmt tw(s.db.get(),
          "SELECT id, revision, online, session, last_seen, applied, stale_dropped, duplicates, "
          "rejected, log_upto FROM twins ORDER BY id",
          s.path);
  while (tw.step()) {
    const std::string id = tw.col_text(0);
    const std::size_t t = m.find_twin(id);
    if (t == std::string::npos) {
      unknown_twins.insert(id);
      continue;
    }
    TwinMirrorState& st = states[t];
    st.revision = tw.col_u64(1);
    st.online = tw.col_int(2) != 0;
    st.session = tw.col_u64(3);
    st.last_seen = tw.col_real(4);
    st.applied = tw.col_u64(5);
    st.stale_dropped = tw.col_u64(6);
    st.duplicates = tw.col_u64(7);
    st.rejected = tw.col_u64(8);
    log_upto[t] = tw.col_int(9);
  }
}

// Every props row of a twin and property the mirror has, of the kind it has now.
void Loader::read_props() {
  Stmt pr(s.db.get(),
          "SELECT twin, prop, kind, present, reported, source_time, receive_time, session, seq, "
          "quality, quality_since, desired_state, desired, desired_id, desired_version, "
          "set_time, expires, reason FROM props ORDER BY twin, prop",
          s.path);
  while (pr.step()) {
    const std::string twin = pr.col_text(0), prop = pr.col_text(1), kind = pr.col_text(2);
    const std::size_t t = m.find_twin(twin);
    if (t == std::string::npos) {
      unknown_twins.insert(twin);
      continue;
    }
    const std::size_t p = m.find_property(t, prop);
    const std::string name = twin + "." + prop;
    if (p == std::string::npos) {
      unknown_props.insert(name);
      continue;
    }
    const char* kind_now = kind_name(m.spec(t).properties[p].kind);
    if (kind != kind_now) {
      warn(name + " was stored as a " + kind + " property and is now a " + kind_now +
           " property: its reported and desired values are not restored");
      skipped.emplace(t, p);
      continue;
    }
    read_prop(pr, t, p, name);
  }
}

// A props row's reported and desired values, each restored if it fits the property.
void Loader::read_prop(const Stmt& pr, std::size_t t, std::size_t p, const std::string& name) {
  const PropertySpec& ps = m.spec(t).properties[p];
  PropertyState& state = states[t].props[p];
  Reported r;
  r.present = pr.col_int(3) != 0;
  r.source_time = pr.col_real(5);
  r.receive_time = pr.col_real(6);
  r.session = pr.col_u64(7);
  r.seq = pr.col_u64(8);
  r.quality_since = pr.col_real(10);
  const std::string rep = pr.col_text(4), quality = pr.col_text(9);
  bool ok = parse_quality(quality, r.quality);
  if (ok && !pr.is_null(4)) ok = read_value(ps, rep, r.value);
  if (ok) {
    state.reported = std::move(r);
  } else {
    warn(name + ": the stored reported value " + rep + " (quality " + quality +
         ") does not fit the property: not restored");
    skipped.emplace(t, p);
  }

  Desired d;
  const std::string dstate = pr.col_text(11), des = pr.col_text(12);
  d.id = pr.col_text(13);
  d.version = pr.col_u64(14);
  d.set_time = pr.col_real(15);
  d.expires = pr.col_real(16);
  d.reason = pr.col_text(17);
  ok = parse_desired_state(dstate, d.state);
  if (ok && !pr.is_null(12)) ok = read_value(ps, des, d.value);
  if (ok)
    state.desired = std::move(d);
  else
    warn(name + ": the stored desired value " + des + " (" + dstate + ", version " +
         std::to_string(d.version) + ") does not fit the property: not restored");
}

// The log's series: which are this mirror's, and which name what it no longer has.
void Loader::read_series() {
  Stmt se(s.db.get(), "SELECT id, twin, prop FROM series", s.path);
  while (se.step()) {
    const std::string twin = se.col_text(1), prop = se.col_text(2);
    const std::size_t t = m.find_twin(twin);
    if (t == std::string::npos) {
      unknown_twins.insert(twin);
      continue;
    }
    if (prop.empty()) continue;  // presence
    const std::size_t p = m.find_property(t, prop);
    if (p == std::string::npos)
      unknown_props.insert(twin + "." + prop);
    else if (!skipped.count({t, p}))
      of_series[se.col_int(0)] = {t, p};
  }
}

void Loader::warn_unknown() {
  for (const auto& name : unknown_props)
    if (!unknown_twins.count(name.substr(0, name.rfind('.'))))
      warn("property " + name +
           " is in the store but not in the scenario: not restored (its rows stay in the file)");
  for (const auto& id : unknown_twins)
    warn("twin \"" + id +
         "\" is in the store but not in the scenario: not restored (its rows stay in the file)");
}

// The reported values logged after each twin's state was written, through the mirror.
void Loader::replay_log() {
  std::map<PropKey, std::int64_t> refused;
  Stmt lg(s.db.get(),
          "SELECT id, series, value, source_time, receive_time, session, seq FROM history_log "
          "WHERE id > ?1 AND kind = 'reported' ORDER BY id",
          s.path);
  lg.integer(1, s.state_upto);
  while (lg.step()) {
    const auto it = of_series.find(lg.col_int(1));
    if (it == of_series.end()) continue;
    const auto [t, p] = it->second;
    if (lg.col_int(0) <= log_upto[t]) continue;  // in the state written for the twin
    Value v;
    if (!read_value(m.spec(t).properties[p], lg.col_text(2), v)) {
      ++refused[{t, p}];
      continue;
    }
    const Outcome o =
        m.report(t, p, v, lg.col_real(3), lg.col_u64(5), lg.col_u64(6), lg.col_real(4));
    if (o == Outcome::Applied || o == Outcome::Duplicate)
      replayed[t] = 1;
    else
      ++refused[{t, p}];
  }
  for (const auto& [tp, count] : refused)
    warn(m.spec(tp.first).id + "." + m.spec(tp.first).properties[tp.second].name + ": " +
         std::to_string(count) +
         " reported values logged after the last state written do not fit the property: "
         "not restored");
}

}  // namespace

std::vector<std::string> MirrorStore::load_into(Mirror& m) {
  Impl& s = need(impl_);
  s.flush(false, true);  // for the mirror attached until now
  Loader l(s, m);
  l.read_twins();
  l.read_props();
  l.read_series();
  l.warn_unknown();
  m.restore(std::move(l.states));
  l.replay_log();
  attach(m);
  for (std::size_t t = 0; t < m.twin_count(); ++t)
    if (l.replayed[t]) s.mark(t);  // written at the next housekeeping
  return std::move(l.warnings);
}

}  // namespace dtwin
