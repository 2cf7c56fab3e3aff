#include "engine/store/schema.hpp"

#include "engine/base/error.hpp"
#include "engine/store/statement.hpp"

namespace dtwin::store_detail {

namespace {

// Tables (times in seconds; receive_time, set_time, last_seen and quality_since are the engine's
// clock, s since the Unix epoch):
//  - series: one id per (twin, property) and per twin for presence (prop '').
//  - history_log: the append-only log, in recording order (id). Every flush appends to it.
//  - history_index: (series, receive_time, id) for the log rows up to meta.indexed_upto, added
//    in sorted passes at housekeeping; the rows after it are found by scanning the log's tail.
//  - twins, props: the current state as of the log row twins.log_upto (at least
//    meta.state_upto); load_into replays the reported rows logged after it.
//  - alerts: every alert raised, one row each, rewritten at each step of its lifecycle
//    (schema version 2; a version 1 file gets the table when opened for writing).
//  - history: a view of the log with twin and property names, for sqlite3 users (it has no
//    index of its own: filter on id ranges, or go through history_index for one property).
constexpr const char* kSchema = R"sql(
CREATE TABLE schema_version(version INTEGER NOT NULL);
CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO meta VALUES ('indexed_upto', 0), ('state_upto', 0);
CREATE TABLE series(
  id INTEGER PRIMARY KEY,
  twin TEXT NOT NULL,
  prop TEXT NOT NULL,             -- '' for the twin's presence
  UNIQUE (twin, prop)
);
CREATE TABLE twins(
  id TEXT PRIMARY KEY,
  revision INTEGER NOT NULL,
  online INTEGER NOT NULL,
  session INTEGER NOT NULL,
  last_seen REAL NOT NULL,
  applied INTEGER NOT NULL,
  stale_dropped INTEGER NOT NULL,
  duplicates INTEGER NOT NULL,
  rejected INTEGER NOT NULL,
  log_upto INTEGER NOT NULL       -- this row and the twin's props rows include the log up to here
) WITHOUT ROWID;
CREATE TABLE props(
  twin TEXT NOT NULL,
  prop TEXT NOT NULL,
  kind TEXT NOT NULL,             -- number | bool | enum | text
  unit TEXT NOT NULL,
  present INTEGER NOT NULL,       -- has the asset reported a value
  reported TEXT,                  -- JSON; NULL when not present
  source_time REAL,               -- the asset's clock
  receive_time REAL,
  session INTEGER,
  seq INTEGER,
  quality TEXT NOT NULL,          -- good | stale | uncertain
  quality_since REAL,
  desired_state TEXT NOT NULL,    -- none | pending | applied | rejected | superseded | expired
  desired TEXT,                   -- JSON; NULL when none
  desired_id TEXT,
  desired_version INTEGER NOT NULL,
  set_time REAL,
  expires REAL,                   -- 0: never
  reason TEXT,
  PRIMARY KEY (twin, prop)
) WITHOUT ROWID;
CREATE TABLE history_log(
  id INTEGER PRIMARY KEY,
  series INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('reported', 'desired', 'presence')),
  value TEXT,                     -- JSON; NULL for presence
  state TEXT NOT NULL,            -- quality | desired state | online | offline
  source_time REAL,               -- reported: the asset's clock; desired: set time
  receive_time REAL NOT NULL,
  session INTEGER,
  seq INTEGER,
  version INTEGER
);
CREATE TABLE history_index(
  series INTEGER NOT NULL,
  receive_time REAL NOT NULL,
  id INTEGER NOT NULL,
  PRIMARY KEY (series, receive_time, id)
) WITHOUT ROWID;
CREATE VIEW history AS
  SELECT h.id, s.twin, s.prop, h.kind, h.value, h.state, h.source_time, h.receive_time,
         h.session, h.seq, h.version
  FROM history_log AS h JOIN series AS s ON s.id = h.series;
)sql";

constexpr const char* kAlertsTable = R"sql(
CREATE TABLE alerts(
  id INTEGER PRIMARY KEY,
  twin TEXT NOT NULL,
  rule TEXT NOT NULL,
  state TEXT NOT NULL,            -- raised | acknowledged | cleared
  raised_at REAL NOT NULL,
  cleared_at REAL,                -- NULL while active
  alert TEXT NOT NULL             -- the whole alert as JSON (dtwin alerts --json)
);
)sql";

// The first column of a one-row query.
std::int64_t query_int(sqlite3* db, const std::string& path, const char* sql) {
  Stmt q(db, sql, path);
  q.step();
  const std::int64_t v = q.col_int(0);
  q.reset();
  return v;
}

}  // namespace

void not_a_store(const std::string& path, const std::string& why) {
  throw UsageError(path + ": not a dtwin mirror store (" + why + ")");
}

std::int64_t count_tables(sqlite3* db, const std::string& path) {
  try {
    return query_int(db, path, "SELECT count(*) FROM sqlite_master");
  } catch (const StoreError&) {
    const int code = sqlite3_errcode(db) & 0xff;
    if (code == SQLITE_NOTADB) not_a_store(path, "not an SQLite database");
    throw UsageError(path + ": cannot read the mirror store: " + sqlite3_errmsg(db));
  }
}

void check_store_file(sqlite3* db, const std::string& path) {
  const std::int64_t app_id = query_int(db, path, "PRAGMA application_id");
  const bool versioned = query_int(db, path,
                                   "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                                   "name = 'schema_version'") == 1;
  if (app_id != kApplicationId || !versioned)
    not_a_store(path, "an SQLite database without dtwin's application_id and schema_version");
  const std::int64_t version = query_int(db, path, "SELECT max(version) FROM schema_version");
  if (version > kSchemaVersion)
    throw UsageError(path + ": the mirror store has schema version " + std::to_string(version) +
                     ", newer than this dtwin reads (" + std::to_string(kSchemaVersion) +
                     "); use a newer dtwin");
  if (version < 1) not_a_store(path, "no schema version recorded");
}

namespace {

// Runs f inside BEGIN IMMEDIATE ... COMMIT; rolls back and rethrows when it throws.
template <class F>
void in_transaction(sqlite3* db, const std::string& path, F f) {
  exec(db, path, "BEGIN IMMEDIATE");
  try {
    f();
    exec(db, path, "COMMIT");
  } catch (...) {
    roll_back(db);
    throw;
  }
}

void record_version(sqlite3* db, const std::string& path) {
  exec(db, path,
       ("INSERT INTO schema_version VALUES(" + std::to_string(kSchemaVersion) + ")").c_str());
}

}  // namespace

void migrate_schema(sqlite3* db, const std::string& path) {
  if (query_int(db, path, "SELECT max(version) FROM schema_version") >= kSchemaVersion) return;
  in_transaction(db, path, [&] {
    if (query_int(db, path, "SELECT max(version) FROM schema_version") < 2)
      exec(db, path, kAlertsTable);
    record_version(db, path);
  });
}

void create_schema(sqlite3* db, const std::string& path) {
  in_transaction(db, path, [&] {
    if (query_int(db, path, "SELECT count(*) FROM sqlite_master") == 0) {  // nobody did meanwhile
      exec(db, path, kSchema);
      exec(db, path, kAlertsTable);
      exec(db, path, ("PRAGMA application_id=" + std::to_string(kApplicationId)).c_str());
      record_version(db, path);
    }
  });
}

}  // namespace dtwin::store_detail
