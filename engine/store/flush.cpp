// The flush: one transaction with the batch appended to the log, then the current state of the
// twins that must not wait (urgent: births, deaths, desired changes); at housekeeping (every
// housekeeping_rows log rows, or when asked) also the index pass and the state of every twin
// changed since the last one. On failure the transaction is rolled back and everything kept as
// it was, so a later flush writes it all again.
#include <unistd.h>

#include "engine/store/store_impl.hpp"

namespace dtwin {

using namespace store_detail;

MirrorStore::Impl::~Impl() {
  try {
    flush(false, true);
  } catch (...) {  // close() is the place to see the error
  }
  if (mark_fd >= 0) ::close(mark_fd);
}

bool MirrorStore::Impl::try_flush() noexcept {
  if (!error.empty() && std::chrono::steady_clock::now() < retry_at) return false;
  try {
    flush(false, false);
    return true;
  } catch (const std::exception&) {  // error and retry_at set by failed()
    return false;
  }
}

void MirrorStore::Impl::flush(bool sync, bool housekeep_now) {
  if (!mirror || opt.read_only || !has_work(housekeep_now)) return;
  // In WAL mode synchronous=FULL fsyncs the WAL at commit; NORMAL (the default here) only at
  // checkpoints. The level cannot change inside a transaction, hence around it.
  if (sync) sync_full.run();
  Flushed f;
  try {
    begin.run();
    f = write_batch(housekeep_now);
    commit.run();
  } catch (const std::exception& e) {
    failed(sync);
    if (error.empty()) error = e.what();
    ++stats.failures;
    retry_at = std::chrono::steady_clock::now() +
               std::chrono::milliseconds(static_cast<std::int64_t>(opt.retry_s * 1000));
    throw;
  }
  error.clear();
  committed(sync, f);
  if (sync || f.housekeeping) write_mark(sync);
}

// Records pending, twins to write, or (asked to housekeep) rows not yet indexed.
bool MirrorStore::Impl::has_work(bool housekeep_now) const {
  const bool behind = indexed_upto < last_id || !dirty_twins.empty();
  return n > 0 || !urgent_twins.empty() || !alert_rows.empty() || (housekeep_now && behind);
}

// Inside the transaction: the log, then housekeeping or the urgent twins' state.
Flushed MirrorStore::Impl::write_batch(bool housekeep_now) {
  Flushed f;
  f.last_id = last_id;
  write_log();
  if (n > 0) f.last_id = sqlite3_last_insert_rowid(db.get());
  write_alerts();
  f.housekeeping = housekeep_now || f.last_id - indexed_upto >= opt.housekeeping_rows;
  if (f.housekeeping) {
    housekeep(f.last_id);
  } else {
    for (auto t : urgent_twins) write_state(t, f.last_id);
  }
  return f;
}

// The log rows after indexed_upto into the index in one sorted pass, and the current state of
// every twin changed since the last housekeeping, as of log row upto.
void MirrorStore::Impl::housekeep(std::int64_t upto) {
  put_index.integer(1, indexed_upto);
  put_index.integer(2, upto);
  put_index.run();
  put_meta_value("indexed_upto", upto);
  for (auto t : dirty_twins)
    if (dirty[t] == 1) write_state(t, upto);
  put_meta_value("state_upto", upto);
}

// The transaction failed: nothing of it is in the file, the batch and the marks stay.
void MirrorStore::Impl::failed(bool sync) noexcept {
  roll_back(db.get());
  if (sync) sqlite3_exec(db.get(), "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
}

// The transaction is in the file: the batch is empty, the marks cleared as far as it wrote.
void MirrorStore::Impl::committed(bool sync, Flushed f) {
  if (sync) {
    sync_normal.run();
    ++stats.synced;
  }
  ++stats.transactions;
  last_id = f.last_id;
  n = 0;
  for (auto t : urgent_twins) {
    urgent[t] = 0;
    dirty[t] = 2;  // written; still listed
  }
  urgent_twins.clear();
  alert_rows.clear();
  if (f.housekeeping) {
    ++stats.housekeeping;
    indexed_upto = f.last_id;
    state_upto = f.last_id;
    for (auto t : dirty_twins) dirty[t] = 0;
    dirty_twins.clear();
  }
}

// The batch, kLogRows rows per statement (a statement's fixed cost is most of a row's).
void MirrorStore::Impl::write_log() {
  std::size_t i = 0;
  for (; i + kLogRows <= n; i += kLogRows) {
    for (int r = 0; r < kLogRows; ++r)
      bind_log(put_log_many, 9 * r, batch[i + static_cast<std::size_t>(r)], r);
    put_log_many.run();
  }
  for (; i < n; ++i) {
    bind_log(put_log, 0, batch[i], 0);
    put_log.run();
  }
}

// Binds entry e to the parameters base + 1 .. base + 9 of an INSERT INTO history_log; its
// value's text goes to json[slot].
void MirrorStore::Impl::bind_log(Stmt& s, int base, const Entry& e, int slot) {
  switch (e.kind) {
    case HistoryKind::Reported:
      s.integer(base + 1, series[first_prop[e.twin] + e.prop]);
      s.text(base + 2, "reported");
      s.text(base + 3, value_json(e.twin, e.prop, e.value, slot));
      s.text(base + 4, quality_name(static_cast<Quality>(e.state)));
      s.real(base + 5, e.source_time);
      s.u64(base + 7, e.session);
      s.u64(base + 8, e.seq);
      s.null(base + 9);
      break;
    case HistoryKind::Desired:
      s.integer(base + 1, series[first_prop[e.twin] + e.prop]);
      s.text(base + 2, "desired");
      s.text(base + 3, value_json(e.twin, e.prop, e.value, slot));
      s.text(base + 4, desired_state_name(static_cast<DesiredState>(e.state)));
      s.real(base + 5, e.source_time);
      s.null(base + 7);
      s.null(base + 8);
      s.u64(base + 9, e.version);
      break;
    case HistoryKind::Presence:
      s.integer(base + 1, presence_series[e.twin]);
      s.text(base + 2, "presence");
      s.null(base + 3);
      s.text(base + 4, e.state ? "online" : "offline");
      s.null(base + 5);
      s.u64(base + 7, e.session);
      s.null(base + 8);
      s.null(base + 9);
      break;
  }
  s.real(base + 6, e.receive_time);
}

// The twin's current state (every property's row, then its own) as of log row upto.
void MirrorStore::Impl::write_state(std::size_t t, std::int64_t upto) {
  const TwinSpec& spec = mirror->spec(t);
  const TwinMirrorState& st = mirror->state(t);
  for (std::size_t p = 0; p < spec.properties.size(); ++p) write_prop_state(t, p);
  Stmt& s = put_twin;
  s.text(1, spec.id);
  s.u64(2, st.revision);
  s.integer(3, st.online ? 1 : 0);
  s.u64(4, st.session);
  s.real(5, st.last_seen);
  s.u64(6, st.applied);
  s.u64(7, st.stale_dropped);
  s.u64(8, st.duplicates);
  s.u64(9, st.rejected);
  s.integer(10, upto);
  s.run();
  stats.state_rows += spec.properties.size() + 1;
}

// One props row: the property's reported and desired values.
void MirrorStore::Impl::write_prop_state(std::size_t t, std::size_t p) {
  const TwinSpec& spec = mirror->spec(t);
  const PropertySpec& ps = spec.properties[p];
  const Reported& r = mirror->state(t).props[p].reported;
  const Desired& d = mirror->state(t).props[p].desired;
  Stmt& s = put_prop;
  s.text(1, spec.id);
  s.text(2, ps.name);
  s.text(3, kind_name(ps.kind));
  s.text(4, ps.unit);
  s.integer(5, r.present ? 1 : 0);
  if (r.present)
    s.text(6, value_json(t, p, r.value, 0));
  else
    s.null(6);
  s.real(7, r.source_time);
  s.real(8, r.receive_time);
  s.u64(9, r.session);
  s.u64(10, r.seq);
  s.text(11, quality_name(r.quality));
  s.real(12, r.quality_since);
  s.text(13, desired_state_name(d.state));
  if (d.state != DesiredState::None)
    s.text(14, value_json(t, p, d.value, 1));
  else
    s.null(14);
  s.text(15, d.id);
  s.u64(16, d.version);
  s.real(17, d.set_time);
  s.real(18, d.expires);
  s.text(19, d.reason);
  s.run();
}

void MirrorStore::Impl::put_meta_value(const char* key, std::int64_t v) {
  put_meta.text(1, key);
  put_meta.integer(2, v);
  put_meta.run();
}

}  // namespace dtwin
