// Opening a store: the connection, what the file holds (a store of a version we read, or
// nothing yet), WAL and the pragmas, the schema of a new file, the writer's statements, and
// where the log, the index and the current state stand.
#include <string>

#include "engine/base/error.hpp"
#include "engine/store/schema.hpp"
#include "engine/store/store_impl.hpp"

namespace dtwin {

using namespace store_detail;

void MirrorStore::open(const std::string& path, StoreOptions opt) {
  close();
  auto s = std::make_unique<Impl>();
  s->path = path;
  s->opt = opt;
  if (!opt.read_only) s->check_not_emptied();
  s->connect();
  try {
    const std::int64_t tables = s->inspect();
    if (!opt.read_only) {
      if (tables > 0) s->check_integrity();
      s->use_wal();
      if (tables == 0)
        create_schema(s->db.get(), s->path);
      else
        migrate_schema(s->db.get(), s->path);
      if (opt.max_pages > 0)
        s->exec(("PRAGMA max_page_count=" + std::to_string(opt.max_pages)).c_str());
      s->prepare_writes();
    }
    s->read_positions();
    s->read_epoch();
  } catch (const StoreError& e) {  // SQLite found it malformed on the way
    damaged(path, e.what());
  }
  if (!opt.read_only) s->check_mark();
  impl_ = std::move(s);
}

void MirrorStore::close() {
  if (!impl_) return;
  impl_->flush(false, true);
  impl_->write_mark(true);
  impl_.reset();
}

void MirrorStore::Impl::connect() {
  const int flags =
      (opt.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  db.reset(raw);
  if (rc != SQLITE_OK)
    throw UsageError(path + ": cannot open the mirror store: " +
                     (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, opt.busy_timeout_ms);
}

// What is in the file: the number of tables, 0 for a new file. Reading the schema is the first
// read: a file that is not SQLite fails here. A foreign SQLite file is left exactly as it was
// (no WAL switch, no tables).
std::int64_t MirrorStore::Impl::inspect() {
  const std::int64_t tables = count_tables(db.get(), path);
  if (tables == 0 && opt.read_only) not_a_store(path, "the file is empty");
  if (tables > 0) check_store_file(db.get(), path);
  return tables;
}

// WAL: a commit appends the transaction's pages to the -wal file with a commit record; readers
// (dtwin history) run beside the writer. synchronous=NORMAL: a commit does not fsync, the WAL is
// synced only at checkpoints. The commit's write() calls have reached the kernel when it
// returns, so a SIGKILL of the process loses nothing committed: the next open replays every
// transaction in the WAL that has its commit record and ignores a torn one. Only losing the
// kernel's page cache (power loss, kernel panic) can drop the last commits before a checkpoint;
// commit_desired and save_all turn synchronous to FULL for their commit, which survives that too
// (StoreOptions::sync_desired).
void MirrorStore::Impl::use_wal() {
  Stmt wal(db.get(), "PRAGMA journal_mode=WAL", path);
  wal.step();
  const std::string mode = wal.col_text(0);
  wal.reset();
  if (mode != "wal")
    throw UsageError(path + ": cannot use WAL mode (journal mode is \"" + mode +
                     "\"); the store needs a local file system");
  exec("PRAGMA synchronous=NORMAL");
  exec(("PRAGMA cache_size=-" + std::to_string(opt.cache_kib)).c_str());
}

// The statements of every flush, prepared once.
void MirrorStore::Impl::prepare_writes() {
  sqlite3* d = db.get();
  const std::string& p = path;
  begin = Stmt(d, "BEGIN IMMEDIATE", p, true);
  commit = Stmt(d, "COMMIT", p, true);
  sync_full = Stmt(d, "PRAGMA synchronous=FULL", p, true);
  sync_normal = Stmt(d, "PRAGMA synchronous=NORMAL", p, true);
  const std::string insert_log =
      "INSERT INTO history_log(series, kind, value, state, source_time, receive_time, "
      "session, seq, version) VALUES(?,?,?,?,?,?,?,?,?)";
  std::string insert_many = insert_log;
  for (int r = 1; r < kLogRows; ++r) insert_many += ",(?,?,?,?,?,?,?,?,?)";
  put_log = Stmt(d, insert_log.c_str(), p, true);
  put_log_many = Stmt(d, insert_many.c_str(), p, true);
  put_index = Stmt(d,
                   "INSERT INTO history_index(series, receive_time, id) SELECT series, "
                   "receive_time, id FROM history_log WHERE id > ?1 AND id <= ?2 "
                   "ORDER BY series, receive_time, id",
                   p, true);
  put_meta = Stmt(d, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)", p, true);
  put_prop = Stmt(d,
                  "INSERT OR REPLACE INTO props(twin, prop, kind, unit, present, reported, "
                  "source_time, receive_time, session, seq, quality, quality_since, "
                  "desired_state, desired, desired_id, desired_version, set_time, expires, "
                  "reason) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                  p, true);
  put_alert = Stmt(d,
                   "INSERT OR REPLACE INTO alerts(id, twin, rule, state, raised_at, cleared_at, "
                   "alert) VALUES(?,?,?,?,?,?,?)",
                   p, true);
  put_twin = Stmt(d,
                  "INSERT OR REPLACE INTO twins(id, revision, online, session, last_seen, "
                  "applied, stale_dropped, duplicates, rejected, log_upto) "
                  "VALUES(?,?,?,?,?,?,?,?,?,?)",
                  p, true);
}

// The log's last row, and how far the index and the current state reach.
void MirrorStore::Impl::read_positions() {
  Stmt last(db.get(), "SELECT max(id) FROM history_log", path);
  last.step();
  last_id = last.col_int(0);
  last.reset();
  indexed_upto = meta("indexed_upto");
  state_upto = meta("state_upto");
}

std::int64_t MirrorStore::Impl::meta(const char* key) {
  Stmt q(db.get(), "SELECT value FROM meta WHERE key = ?1", path);
  q.text(1, key);
  const std::int64_t v = q.step() ? q.col_int(0) : 0;
  q.reset();
  return v;
}

}  // namespace dtwin
