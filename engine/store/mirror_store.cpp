#include "engine/store/mirror_store.hpp"

#include <sqlite3.h>
#include <time.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <ostream>
#include <set>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "engine/base/error.hpp"
#include "engine/base/format.hpp"

namespace dtwin {

namespace store_detail {

// "dtwi": PRAGMA application_id of every store, so that `file` and we can tell one apart.
constexpr std::int32_t kApplicationId = 0x64747769;
// Bump with a migration in open() when the schema changes; older builds refuse newer files.
constexpr std::int64_t kSchemaVersion = 1;
// Log rows per INSERT statement when flushing.
constexpr int kLogRows = 16;

// Tables (times in seconds; receive_time, set_time, last_seen and quality_since are the engine's
// clock, s since the Unix epoch):
//  - series: one id per (twin, property) and per twin for presence (prop '').
//  - history_log: the append-only log, in recording order (id). Every flush appends to it.
//  - history_index: (series, receive_time, id) for the log rows up to meta.indexed_upto, added
//    in sorted passes at housekeeping; the rows after it are found by scanning the log's tail.
//  - twins, props: the current state as of the log row twins.log_upto (at least
//    meta.state_upto); load_into replays the reported rows logged after it.
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

struct DbClose {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using DbPtr = std::unique_ptr<sqlite3, DbClose>;

struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};

// A prepared statement. Text is bound without a copy: it must stay valid until step() returns.
class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, const char* sql, const std::string& path, bool persistent = false)
      : path_(&path) {
    sqlite3_stmt* s = nullptr;
    const int rc =
        sqlite3_prepare_v3(db, sql, -1, persistent ? SQLITE_PREPARE_PERSISTENT : 0, &s, nullptr);
    s_.reset(s);
    if (rc != SQLITE_OK)
      throw StoreError(path + ": cannot prepare \"" + sql + "\": " + sqlite3_errmsg(db));
  }
  explicit operator bool() const { return s_ != nullptr; }

  void null(int i) { check(sqlite3_bind_null(s_.get(), i)); }
  void real(int i, double v) { check(sqlite3_bind_double(s_.get(), i, v)); }
  void integer(int i, std::int64_t v) { check(sqlite3_bind_int64(s_.get(), i, v)); }
  // uint64 is stored as its int64 bit pattern and read back the same way: exact.
  void u64(int i, std::uint64_t v) { integer(i, static_cast<std::int64_t>(v)); }
  void text(int i, std::string_view v) {
    check(sqlite3_bind_text(s_.get(), i, v.data() ? v.data() : "", static_cast<int>(v.size()),
                            nullptr));  // SQLITE_STATIC
  }

  // true: a row is ready; false: done (and the statement is reset). Throws on error.
  bool step() {
    const int rc = sqlite3_step(s_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) {
      sqlite3_reset(s_.get());
      return false;
    }
    sqlite3* db = sqlite3_db_handle(s_.get());
    std::string msg =
        *path_ + ": " + sqlite3_errmsg(db) + " (in \"" + sqlite3_sql(s_.get()) + "\")";
    sqlite3_reset(s_.get());
    throw StoreError(msg);
  }
  void run() {
    while (step()) {
    }
  }
  void reset() { sqlite3_reset(s_.get()); }

  // columns of the current row
  bool is_null(int i) const { return sqlite3_column_type(s_.get(), i) == SQLITE_NULL; }
  double col_real(int i, double if_null = 0) const {
    return is_null(i) ? if_null : sqlite3_column_double(s_.get(), i);
  }
  std::int64_t col_int(int i) const { return sqlite3_column_int64(s_.get(), i); }
  std::uint64_t col_u64(int i) const { return static_cast<std::uint64_t>(col_int(i)); }
  std::string col_text(int i) const {
    const unsigned char* p = sqlite3_column_text(s_.get(), i);
    if (!p) return {};
    return std::string(reinterpret_cast<const char*>(p),
                       static_cast<std::size_t>(sqlite3_column_bytes(s_.get(), i)));
  }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) throw StoreError(*path_ + ": cannot bind a value: " + sqlite3_errstr(rc));
  }
  std::unique_ptr<sqlite3_stmt, StmtFinalize> s_;
  const std::string* path_ = nullptr;
};

// One recorded change, waiting in the batch.
struct Entry {
  HistoryKind kind = HistoryKind::Reported;
  std::uint8_t state = 0;  // Quality, DesiredState, or online (1) / offline (0)
  std::uint32_t twin = 0, prop = 0;
  Value value;
  double source_time = 0, receive_time = 0;
  std::uint64_t session = 0, seq = 0, version = 0;
};

// The last desired value recorded for a property: to see it turn applied inside report(), and
// to record a pending value that a new command supersedes.
struct LastDesired {
  DesiredState state = DesiredState::None;
  std::uint64_t version = 0;
  Value value;
  double set_time = 0;
};

// Room for one value's JSON text; two, since a props row binds reported and desired at once.
struct JsonBuf {
  char num[64];
  std::string text;
};

const char* kind_name(PropertySpec::Kind k) {
  switch (k) {
    case PropertySpec::Kind::Number:
      return "number";
    case PropertySpec::Kind::Bool:
      return "bool";
    case PropertySpec::Kind::Enum:
      return "enum";
    case PropertySpec::Kind::Text:
      return "text";
  }
  return "?";
}

bool parse_quality(const std::string& s, Quality& q) {
  for (Quality c : {Quality::Good, Quality::Stale, Quality::Uncertain})
    if (s == quality_name(c)) {
      q = c;
      return true;
    }
  return false;
}

bool parse_desired_state(const std::string& s, DesiredState& d) {
  for (DesiredState c : {DesiredState::None, DesiredState::Pending, DesiredState::Applied,
                         DesiredState::Rejected, DesiredState::Superseded, DesiredState::Expired})
    if (s == desired_state_name(c)) {
      d = c;
      return true;
    }
  return false;
}

// A value's JSON text back into a Value for the property; false if it does not fit.
bool value_from_json(const PropertySpec& ps, const std::string& text, Value& out) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  out = Value{};
  switch (ps.kind) {
    case PropertySpec::Kind::Number:
      if (!j.is_number()) return false;
      out.num = j.get<double>();  // shortest round-trip text: strtod gives the same double
      return true;
    case PropertySpec::Kind::Bool:
      if (!j.is_boolean()) return false;
      out.num = j.get<bool>() ? 1 : 0;
      return true;
    case PropertySpec::Kind::Enum: {
      if (!j.is_string()) return false;
      const auto s = j.get<std::string>();
      const auto it = std::find(ps.choices.begin(), ps.choices.end(), s);
      if (it == ps.choices.end()) return false;
      out.num = static_cast<double>(it - ps.choices.begin());
      return true;
    }
    case PropertySpec::Kind::Text:
      if (!j.is_string()) return false;
      out.text = j.get<std::string>();
      return true;
  }
  return false;
}

// The shortest text that reads back as the same double, in plain decimals where that is
// readable (1700000000.25, 0.1) and in exponent form otherwise (5e-324, 1e+300). Valid JSON for
// finite values.
char* write_num(char* first, char* last, double v) {
  const double a = std::fabs(v);
  if (a == 0 || (a >= 1e-5 && a < 1e16))
    return std::to_chars(first, last, v, std::chars_format::fixed).ptr;
  return std::to_chars(first, last, v).ptr;
}

std::string num_text(double v) {
  char buf[64];
  return std::string(buf, write_num(buf, buf + sizeof buf, v));
}

void csv_cell(std::ostream& out, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out << s;
    return;
  }
  out << '"';
  for (char c : s) {
    if (c == '"') out << '"';
    out << c;
  }
  out << '"';
}

}  // namespace store_detail

using namespace store_detail;

struct MirrorStore::Impl {
  std::string path;
  StoreOptions opt;
  DbPtr db;  // declared before the statements: they are finalized first
  Stmt begin, commit, sync_full, sync_normal, put_log, put_log_many, put_index, put_meta, put_prop,
      put_twin;

  std::int64_t last_id = 0;       // the log's last row
  std::int64_t indexed_upto = 0;  // log rows up to here are in history_index
  std::int64_t state_upto = 0;    // every twin's current state is written as of this row or later

  // the attached mirror
  const Mirror* mirror = nullptr;
  std::vector<std::size_t> first_prop;              // flat index of twin t's first property
  std::vector<std::int64_t> series;                 // flat index -> series id
  std::vector<std::int64_t> presence_series;        // twin -> series id
  std::vector<std::vector<std::string>> enum_json;  // flat index -> each choice as JSON text
  std::vector<LastDesired> last_desired;            // flat index
  // twins changed since the last housekeeping: 1 = to write, 2 = listed but written since
  std::vector<std::uint8_t> dirty;
  std::vector<std::uint32_t> dirty_twins;
  // twins whose state is written at the next flush (presence, desired)
  std::vector<std::uint8_t> urgent;
  std::vector<std::uint32_t> urgent_twins;

  // the batch: entries [0, n) are pending; the vector only grows, so its strings keep capacity
  std::vector<Entry> batch;
  std::size_t n = 0;
  std::chrono::steady_clock::time_point oldest;
  JsonBuf json[kLogRows];  // a value's text stays bound until its statement has run
  Stats stats;

  ~Impl() {
    try {
      flush(false, true);
    } catch (...) {  // close() is the place to see the error
    }
  }

  void exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db.get(), sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = path + ": " + (err ? err : sqlite3_errmsg(db.get()));
      sqlite3_free(err);
      throw StoreError(msg);
    }
  }

  std::int64_t meta(const char* key) {
    Stmt q(db.get(), "SELECT value FROM meta WHERE key = ?1", path);
    q.text(1, key);
    const std::int64_t v = q.step() ? q.col_int(0) : 0;
    q.reset();
    return v;
  }

  void writable() const {
    if (opt.read_only) throw StoreError(path + ": the store was opened read-only");
    if (!mirror) throw std::logic_error("MirrorStore: attach a Mirror before recording");
  }

  std::size_t flat(std::size_t t, std::size_t p) const {
    if (t >= mirror->twin_count() || p >= mirror->spec(t).properties.size())
      throw std::out_of_range("MirrorStore: no property " + std::to_string(p) + " on twin " +
                              std::to_string(t));
    return first_prop[t] + p;
  }

  Entry& next() {
    if (n == 0) oldest = std::chrono::steady_clock::now();
    if (n == batch.size()) batch.emplace_back();
    ++stats.records;
    return batch[n++];
  }

  void mark(std::size_t t) {
    if (dirty[t] == 0) dirty_twins.push_back(static_cast<std::uint32_t>(t));
    dirty[t] = 1;
  }
  void mark_urgent(std::size_t t) {
    mark(t);
    if (!urgent[t]) {
      urgent[t] = 1;
      urgent_twins.push_back(static_cast<std::uint32_t>(t));
    }
  }

  void add_desired(std::size_t t, std::size_t p, std::size_t f, const Desired& d, double now) {
    LastDesired& last = last_desired[f];
    if (last.state == DesiredState::Pending && d.version > last.version) {
      Entry& e = next();  // the pending value this command replaced
      e.kind = HistoryKind::Desired;
      e.state = static_cast<std::uint8_t>(DesiredState::Superseded);
      e.twin = static_cast<std::uint32_t>(t);
      e.prop = static_cast<std::uint32_t>(p);
      e.value = last.value;
      e.source_time = last.set_time;
      e.receive_time = now;
      e.version = last.version;
    }
    Entry& e = next();
    e.kind = HistoryKind::Desired;
    e.state = static_cast<std::uint8_t>(d.state);
    e.twin = static_cast<std::uint32_t>(t);
    e.prop = static_cast<std::uint32_t>(p);
    e.value = d.value;
    e.source_time = d.set_time;
    e.receive_time = now;
    e.version = d.version;
    last.state = d.state;
    last.version = d.version;
    last.value = d.value;
    last.set_time = d.set_time;
    mark_urgent(t);
  }

  // The value's JSON text, in json[slot] when it has to be formatted.
  std::string_view value_json(std::size_t t, std::size_t p, const Value& v, int slot) {
    const PropertySpec& ps = mirror->spec(t).properties[p];
    JsonBuf& b = json[slot];
    switch (ps.kind) {
      case PropertySpec::Kind::Number: {
        if (!std::isfinite(v.num)) return "null";
        const char* end = write_num(b.num, b.num + sizeof b.num, v.num);
        return std::string_view(b.num, static_cast<std::size_t>(end - b.num));
      }
      case PropertySpec::Kind::Bool:
        return v.num != 0 ? "true" : "false";
      case PropertySpec::Kind::Enum: {
        const auto& names = enum_json[first_prop[t] + p];
        if (!(v.num >= 0 && v.num < static_cast<double>(names.size()))) return "null";
        return names[static_cast<std::size_t>(v.num)];
      }
      case PropertySpec::Kind::Text:
        b.text =
            nlohmann::json(v.text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return b.text;
    }
    return "null";
  }

  // Binds entry e to the parameters base + 1 .. base + 9 of an INSERT INTO history_log; its
  // value's text goes to json[slot].
  void bind_log(Stmt& s, int base, const Entry& e, int slot) {
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

  // The batch, kLogRows rows per statement (a statement's fixed cost is most of a row's).
  void write_log() {
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

  // The twin's current state (its row and every property's) as of log row upto.
  void write_state(std::size_t t, std::int64_t upto) {
    const TwinSpec& spec = mirror->spec(t);
    const TwinMirrorState& st = mirror->state(t);
    for (std::size_t p = 0; p < spec.properties.size(); ++p) {
      const PropertySpec& ps = spec.properties[p];
      const Reported& r = st.props[p].reported;
      const Desired& d = st.props[p].desired;
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

  void put_meta_value(const char* key, std::int64_t v) {
    put_meta.text(1, key);
    put_meta.integer(2, v);
    put_meta.run();
  }

  // One transaction: the batch, then the state of the twins that must not wait (urgent); at
  // housekeeping (every housekeeping_rows log rows, or when asked) also the index pass and the
  // state of every twin changed since the last one. On failure the transaction is rolled back
  // and everything kept as it was, so a later flush writes it all again.
  void flush(bool sync, bool housekeep_now) {
    if (!mirror || opt.read_only) return;
    const bool behind = indexed_upto < last_id || !dirty_twins.empty();
    if (n == 0 && urgent_twins.empty() && !(housekeep_now && behind)) return;
    // In WAL mode synchronous=FULL fsyncs the WAL at commit; NORMAL (the default here) only at
    // checkpoints. The level cannot change inside a transaction, hence around it.
    if (sync) sync_full.run();
    std::int64_t id = last_id;
    bool housekeep = false;
    try {
      begin.run();
      write_log();
      if (n > 0) id = sqlite3_last_insert_rowid(db.get());
      housekeep = housekeep_now || id - indexed_upto >= opt.housekeeping_rows;
      if (housekeep) {
        put_index.integer(1, indexed_upto);
        put_index.integer(2, id);
        put_index.run();
        put_meta_value("indexed_upto", id);
        for (auto t : dirty_twins)
          if (dirty[t] == 1) write_state(t, id);
        put_meta_value("state_upto", id);
      } else {
        for (auto t : urgent_twins) write_state(t, id);
      }
      commit.run();
    } catch (...) {
      sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr);  // may already be over
      if (sync) sqlite3_exec(db.get(), "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
      throw;
    }
    if (sync) {
      sync_normal.run();
      ++stats.synced;
    }
    ++stats.transactions;
    last_id = id;
    n = 0;
    for (auto t : urgent_twins) {
      urgent[t] = 0;
      dirty[t] = 2;  // written; still listed
    }
    urgent_twins.clear();
    if (housekeep) {
      ++stats.housekeeping;
      indexed_upto = id;
      state_upto = id;
      for (auto t : dirty_twins) dirty[t] = 0;
      dirty_twins.clear();
    }
  }
};

namespace {

[[noreturn]] void not_a_store(const std::string& path, const std::string& why) {
  throw UsageError(path + ": not a dtwin mirror store (" + why + ")");
}

MirrorStore::Impl& need(const std::unique_ptr<MirrorStore::Impl>& p) {
  if (!p) throw std::logic_error("MirrorStore: not open");
  return *p;
}

}  // namespace

const char* history_kind_name(HistoryKind k) {
  switch (k) {
    case HistoryKind::Reported:
      return "reported";
    case HistoryKind::Desired:
      return "desired";
    case HistoryKind::Presence:
      return "presence";
  }
  return "?";
}

MirrorStore::MirrorStore() = default;
MirrorStore::MirrorStore(const std::string& path, StoreOptions opt) {
  open(path, opt);
}
MirrorStore::~MirrorStore() = default;
MirrorStore::MirrorStore(MirrorStore&&) noexcept = default;
MirrorStore& MirrorStore::operator=(MirrorStore&&) noexcept = default;

bool MirrorStore::is_open() const {
  return impl_ != nullptr;
}

const std::string& MirrorStore::path() const {
  static const std::string none;
  return impl_ ? impl_->path : none;
}

const MirrorStore::Stats& MirrorStore::stats() const {
  static const Stats none;
  return impl_ ? impl_->stats : none;
}

void MirrorStore::open(const std::string& path, StoreOptions opt) {
  close();
  auto s = std::make_unique<Impl>();
  s->path = path;
  s->opt = opt;
  const int flags =
      (opt.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  s->db.reset(raw);
  if (rc != SQLITE_OK)
    throw UsageError(path + ": cannot open the mirror store: " +
                     (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  sqlite3* db = raw;
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, opt.busy_timeout_ms);

  // What is in the file? Reading the schema is the first read: a file that is not SQLite fails
  // here. A foreign SQLite file is left exactly as it was (no WAL switch, no tables).
  auto count_tables = [&] {
    Stmt q(db, "SELECT count(*) FROM sqlite_master", s->path);
    q.step();
    return q.col_int(0);
  };
  std::int64_t tables = 0;
  try {
    tables = count_tables();
  } catch (const StoreError&) {
    const int code = sqlite3_errcode(db) & 0xff;
    if (code == SQLITE_NOTADB) not_a_store(path, "not an SQLite database");
    throw UsageError(path + ": cannot read the mirror store: " + sqlite3_errmsg(db));
  }
  if (tables == 0 && opt.read_only) not_a_store(path, "the file is empty");
  if (tables > 0) {
    Stmt app(db, "PRAGMA application_id", s->path);
    app.step();
    const std::int64_t app_id = app.col_int(0);
    app.reset();
    Stmt has(db,
             "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
             s->path);
    has.step();
    const bool versioned = has.col_int(0) == 1;
    has.reset();
    if (app_id != kApplicationId || !versioned)
      not_a_store(path, "an SQLite database without dtwin's application_id and schema_version");
    Stmt ver(db, "SELECT max(version) FROM schema_version", s->path);
    ver.step();
    const std::int64_t version = ver.col_int(0);
    ver.reset();
    if (version > kSchemaVersion)
      throw UsageError(path + ": the mirror store has schema version " + std::to_string(version) +
                       ", newer than this dtwin reads (" + std::to_string(kSchemaVersion) +
                       "); use a newer dtwin");
    if (version < 1) not_a_store(path, "no schema version recorded");
  }

  if (!opt.read_only) {
    // WAL: a commit appends the transaction's pages to the -wal file with a commit record;
    // readers (dtwin history) run beside the writer. synchronous=NORMAL: a commit does not
    // fsync, the WAL is synced only at checkpoints. The commit's write() calls have reached the
    // kernel when it returns, so a SIGKILL of the process loses nothing committed: the next
    // open replays every transaction in the WAL that has its commit record and ignores a torn
    // one. Only losing the kernel's page cache (power loss, kernel panic) can drop the last
    // commits before a checkpoint; commit_desired and save_all turn synchronous to FULL for their
    // commit, which survives that too (StoreOptions::sync_desired).
    Stmt wal(db, "PRAGMA journal_mode=WAL", s->path);
    wal.step();
    const std::string mode = wal.col_text(0);
    wal.reset();
    if (mode != "wal")
      throw UsageError(path + ": cannot use WAL mode (journal mode is \"" + mode +
                       "\"); the store needs a local file system");
    s->exec("PRAGMA synchronous=NORMAL");
    s->exec(("PRAGMA cache_size=-" + std::to_string(opt.cache_kib)).c_str());
    if (tables == 0) {
      s->exec("BEGIN IMMEDIATE");
      try {
        if (count_tables() == 0) {  // nobody created it meanwhile
          s->exec(kSchema);
          s->exec(("PRAGMA application_id=" + std::to_string(kApplicationId)).c_str());
          s->exec(("INSERT INTO schema_version VALUES(" + std::to_string(kSchemaVersion) + ")")
                      .c_str());
        }
        s->exec("COMMIT");
      } catch (...) {
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
    }
    const std::string& p = s->path;
    s->begin = Stmt(db, "BEGIN IMMEDIATE", p, true);
    s->commit = Stmt(db, "COMMIT", p, true);
    s->sync_full = Stmt(db, "PRAGMA synchronous=FULL", p, true);
    s->sync_normal = Stmt(db, "PRAGMA synchronous=NORMAL", p, true);
    const std::string insert_log =
        "INSERT INTO history_log(series, kind, value, state, source_time, receive_time, "
        "session, seq, version) VALUES(?,?,?,?,?,?,?,?,?)";
    std::string insert_many = insert_log;
    for (int r = 1; r < kLogRows; ++r) insert_many += ",(?,?,?,?,?,?,?,?,?)";
    s->put_log = Stmt(db, insert_log.c_str(), p, true);
    s->put_log_many = Stmt(db, insert_many.c_str(), p, true);
    s->put_index = Stmt(db,
                        "INSERT INTO history_index(series, receive_time, id) SELECT series, "
                        "receive_time, id FROM history_log WHERE id > ?1 AND id <= ?2 "
                        "ORDER BY series, receive_time, id",
                        p, true);
    s->put_meta = Stmt(db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)", p, true);
    s->put_prop = Stmt(db,
                       "INSERT OR REPLACE INTO props(twin, prop, kind, unit, present, reported, "
                       "source_time, receive_time, session, seq, quality, quality_since, "
                       "desired_state, desired, desired_id, desired_version, set_time, expires, "
                       "reason) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                       p, true);
    s->put_twin = Stmt(db,
                       "INSERT OR REPLACE INTO twins(id, revision, online, session, last_seen, "
                       "applied, stale_dropped, duplicates, rejected, log_upto) "
                       "VALUES(?,?,?,?,?,?,?,?,?,?)",
                       p, true);
  }
  {
    Stmt last(db, "SELECT max(id) FROM history_log", s->path);
    last.step();
    s->last_id = last.col_int(0);
    last.reset();
  }
  s->indexed_upto = s->meta("indexed_upto");
  s->state_upto = s->meta("state_upto");
  impl_ = std::move(s);
}

void MirrorStore::close() {
  if (!impl_) return;
  impl_->flush(false, true);
  impl_.reset();
}

void MirrorStore::attach(const Mirror& m) {
  Impl& s = need(impl_);
  // everything recorded so far and the state of the mirror attached until now (still alive)
  s.flush(false, true);
  s.mirror = nullptr;
  std::size_t total = 0;
  s.first_prop.assign(m.twin_count() + 1, 0);
  for (std::size_t t = 0; t < m.twin_count(); ++t) {
    s.first_prop[t] = total;
    total += m.spec(t).properties.size();
  }
  s.first_prop[m.twin_count()] = total;
  s.enum_json.assign(total, {});
  s.last_desired.assign(total, {});
  for (std::size_t t = 0; t < m.twin_count(); ++t)
    for (std::size_t p = 0; p < m.spec(t).properties.size(); ++p) {
      const std::size_t f = s.first_prop[t] + p;
      for (const auto& c : m.spec(t).properties[p].choices)
        s.enum_json[f].push_back(nlohmann::json(c).dump());
      const Desired& d = m.state(t).props[p].desired;
      s.last_desired[f] = LastDesired{d.state, d.version, d.value, d.set_time};
    }

  // a series id for every property and every twin's presence; new ones are added
  s.series.assign(total, 0);
  s.presence_series.assign(m.twin_count(), 0);
  sqlite3* db = s.db.get();
  Stmt get(db, "SELECT id FROM series WHERE twin = ?1 AND prop = ?2", s.path);
  Stmt add;
  if (!s.opt.read_only) {
    add = Stmt(db, "INSERT OR IGNORE INTO series(twin, prop) VALUES(?1, ?2)", s.path);
    s.exec("BEGIN IMMEDIATE");
  }
  try {
    auto id_of = [&](const std::string& twin, const std::string& prop) -> std::int64_t {
      if (add) {
        add.text(1, twin);
        add.text(2, prop);
        add.run();
      }
      get.text(1, twin);
      get.text(2, prop);
      const std::int64_t id = get.step() ? get.col_int(0) : 0;
      get.reset();
      return id;
    };
    for (std::size_t t = 0; t < m.twin_count(); ++t) {
      const TwinSpec& spec = m.spec(t);
      s.presence_series[t] = id_of(spec.id, "");
      for (std::size_t p = 0; p < spec.properties.size(); ++p)
        s.series[s.first_prop[t] + p] = id_of(spec.id, spec.properties[p].name);
    }
    if (add) s.exec("COMMIT");
  } catch (...) {
    if (add) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }

  s.dirty.assign(m.twin_count(), 0);
  s.dirty_twins.clear();
  s.dirty_twins.reserve(m.twin_count());
  s.urgent.assign(m.twin_count(), 0);
  s.urgent_twins.clear();
  s.urgent_twins.reserve(m.twin_count());
  s.batch.reserve(std::max<std::size_t>(s.opt.max_batch, 1) + 1);
  s.mirror = &m;
}

void MirrorStore::save_all(const Mirror& m) {
  attach(m);
  Impl& s = *impl_;
  s.writable();
  for (std::size_t t = 0; t < m.twin_count(); ++t) s.mark(t);
  s.flush(true, true);
}

std::vector<std::string> MirrorStore::load_into(Mirror& m) {
  Impl& s = need(impl_);
  s.flush(false, true);  // for the mirror attached until now
  sqlite3* db = s.db.get();
  std::vector<TwinMirrorState> states = m.states();
  std::vector<std::int64_t> log_upto(m.twin_count(), 0);
  std::vector<std::string> warnings;
  std::set<std::string> unknown_twins, unknown_props;
  std::set<std::pair<std::size_t, std::size_t>> skipped;  // not restored: no replay either
  auto warn = [&](const std::string& what) { warnings.push_back(s.path + ": " + what); };

  Stmt tw(db,
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

  Stmt pr(db,
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
    const PropertySpec& ps = m.spec(t).properties[p];
    if (kind != kind_name(ps.kind)) {
      warn(name + " was stored as a " + kind + " property and is now a " + kind_name(ps.kind) +
           " property: its reported and desired values are not restored");
      skipped.emplace(t, p);
      continue;
    }
    PropertyState& ps_state = states[t].props[p];

    Reported r;
    r.present = pr.col_int(3) != 0;
    r.source_time = pr.col_real(5);
    r.receive_time = pr.col_real(6);
    r.session = pr.col_u64(7);
    r.seq = pr.col_u64(8);
    r.quality_since = pr.col_real(10);
    const std::string rep = pr.col_text(4), quality = pr.col_text(9);
    bool ok = parse_quality(quality, r.quality);
    if (ok && !pr.is_null(4)) ok = value_from_json(ps, rep, r.value);
    if (ok) {
      ps_state.reported = std::move(r);
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
    if (ok && !pr.is_null(12)) ok = value_from_json(ps, des, d.value);
    if (ok)
      ps_state.desired = std::move(d);
    else
      warn(name + ": the stored desired value " + des + " (" + dstate + ", version " +
           std::to_string(d.version) + ") does not fit the property: not restored");
  }

  // the log's series: which are this mirror's, and which name what it no longer has
  std::map<std::int64_t, std::pair<std::size_t, std::size_t>> of_series;  // -> (twin, prop)
  Stmt se(db, "SELECT id, twin, prop FROM series", s.path);
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
  for (const auto& name : unknown_props)
    if (!unknown_twins.count(name.substr(0, name.rfind('.'))))
      warn("property " + name +
           " is in the store but not in the scenario: not restored (its rows stay in the file)");
  for (const auto& id : unknown_twins)
    warn("twin \"" + id +
         "\" is in the store but not in the scenario: not restored (its rows stay in the file)");

  // the reported values logged after the state was written, through the mirror
  m.restore(std::move(states));
  std::vector<std::uint8_t> replayed(m.twin_count(), 0);
  std::map<std::pair<std::size_t, std::size_t>, std::int64_t> refused;
  Stmt lg(db,
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
    if (!value_from_json(m.spec(t).properties[p], lg.col_text(2), v)) {
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

  attach(m);
  for (std::size_t t = 0; t < m.twin_count(); ++t)
    if (replayed[t]) s.mark(t);  // written at the next housekeeping
  return warnings;
}

void MirrorStore::record_reported(std::size_t twin, std::size_t prop, const Reported& r) {
  Impl& s = need(impl_);
  s.writable();
  const std::size_t f = s.flat(twin, prop);
  Entry& e = s.next();
  e.kind = HistoryKind::Reported;
  e.state = static_cast<std::uint8_t>(r.quality);
  e.twin = static_cast<std::uint32_t>(twin);
  e.prop = static_cast<std::uint32_t>(prop);
  e.value = r.value;  // no allocation for numbers, nor for text within the entry's capacity
  e.source_time = r.source_time;
  e.receive_time = r.receive_time;
  e.session = r.session;
  e.seq = r.seq;
  s.mark(twin);
  // the report may have applied the desired value
  const Desired& d = s.mirror->state(twin).props[prop].desired;
  const LastDesired& last = s.last_desired[f];
  if (d.state != last.state || d.version != last.version)
    s.add_desired(twin, prop, f, d, r.receive_time);
  if (s.n >= s.opt.max_batch) s.flush(false, false);
}

void MirrorStore::record_desired(std::size_t twin, std::size_t prop, const Desired& d, double now) {
  Impl& s = need(impl_);
  s.writable();
  s.add_desired(twin, prop, s.flat(twin, prop), d, now);
  if (s.n >= s.opt.max_batch) s.flush(false, false);
}

void MirrorStore::commit_desired(std::size_t twin, std::size_t prop, const Desired& d, double now) {
  Impl& s = need(impl_);
  s.writable();
  s.add_desired(twin, prop, s.flat(twin, prop), d, now);
  s.flush(s.opt.sync_desired, false);
}

void MirrorStore::record_presence(std::size_t twin, bool online, std::uint64_t session,
                                  double receive_time) {
  Impl& s = need(impl_);
  s.writable();
  if (twin >= s.mirror->twin_count())
    throw std::out_of_range("MirrorStore: no twin " + std::to_string(twin));
  Entry& e = s.next();
  e.kind = HistoryKind::Presence;
  e.state = online ? 1 : 0;
  e.twin = static_cast<std::uint32_t>(twin);
  e.prop = 0;
  e.value = Value{};
  e.source_time = 0;
  e.receive_time = receive_time;
  e.session = session;
  s.mark_urgent(twin);  // a death marks every reported value stale, a birth uncertain
  if (s.n >= s.opt.max_batch) s.flush(false, false);
}

void MirrorStore::flush() {
  need(impl_).flush(false, false);
}

bool MirrorStore::flush_if_due() {
  Impl& s = need(impl_);
  if (s.n == 0) return false;
  const std::chrono::duration<double> age = std::chrono::steady_clock::now() - s.oldest;
  if (age.count() < s.opt.max_delay_s) return false;
  s.flush(false, false);
  return true;
}

std::size_t MirrorStore::pending() const {
  return impl_ ? impl_->n : 0;
}

std::vector<HistoryRow> MirrorStore::history(const std::string& twin, const std::string& prop,
                                             double since, double until, std::size_t limit) {
  Impl& s = need(impl_);
  sqlite3* db = s.db.get();
  // One statement, so one snapshot: the indexed rows, and the log's tail after indexed_upto.
  // Newest first, so that LIMIT keeps the newest.
  Stmt q(db,
         "WITH s(id, prop) AS (SELECT id, prop FROM series WHERE twin = ?1 AND "
         "(?2 IS NULL OR prop = ?2)) "
         "SELECT h.id, s.prop, h.kind, h.value, h.state, h.source_time, h.receive_time, "
         "h.session, h.seq, h.version FROM s JOIN history_index AS i ON i.series = s.id "
         "JOIN history_log AS h ON h.id = i.id "
         "WHERE i.receive_time >= ?3 AND i.receive_time < ?4 "
         "UNION ALL "
         "SELECT h.id, s.prop, h.kind, h.value, h.state, h.source_time, h.receive_time, "
         "h.session, h.seq, h.version FROM s JOIN history_log AS h ON h.series = s.id "
         "WHERE h.id > (SELECT value FROM meta WHERE key = 'indexed_upto') "
         "AND h.receive_time >= ?3 AND h.receive_time < ?4 "
         "ORDER BY 7 DESC, 1 DESC LIMIT ?5",
         s.path);
  q.text(1, twin);
  if (prop.empty())
    q.null(2);
  else
    q.text(2, prop);
  q.real(3, since);
  q.real(4, until);
  q.integer(5, limit == 0 ? -1 : static_cast<std::int64_t>(limit));
  std::map<std::string, std::string> units;
  {
    Stmt u(db, "SELECT prop, unit FROM props WHERE twin = ?1", s.path);
    u.text(1, twin);
    while (u.step()) units[u.col_text(0)] = u.col_text(1);
  }
  std::vector<HistoryRow> rows;
  while (q.step()) {
    HistoryRow r;
    r.id = q.col_int(0);
    r.twin = twin;
    r.prop = q.col_text(1);
    const std::string kind = q.col_text(2);
    r.kind = kind == "desired"    ? HistoryKind::Desired
             : kind == "presence" ? HistoryKind::Presence
                                  : HistoryKind::Reported;
    r.value = q.col_text(3);
    r.state = q.col_text(4);
    r.source_time = q.col_real(5, std::numeric_limits<double>::quiet_NaN());
    r.receive_time = q.col_real(6);
    r.session = q.col_u64(7);
    r.seq = q.col_u64(8);
    r.version = q.col_u64(9);
    if (auto it = units.find(r.prop); it != units.end()) r.unit = it->second;
    rows.push_back(std::move(r));
  }
  std::reverse(rows.begin(), rows.end());
  return rows;
}

void MirrorStore::export_csv(std::ostream& out, const std::vector<HistoryRow>& rows) {
  out << "receive_time_s,receive_time_utc,source_time_s,source_time_utc,twin,property,kind,"
         "value,unit,state,session,seq,version\n";
  for (const auto& r : rows) {
    out << num_text(r.receive_time) << ',' << iso_utc(r.receive_time) << ',';
    if (!std::isnan(r.source_time))
      out << num_text(r.source_time) << ',' << iso_utc(r.source_time);
    else
      out << ',';
    out << ',';
    csv_cell(out, r.twin);
    out << ',';
    csv_cell(out, r.prop);
    out << ',' << history_kind_name(r.kind) << ',';
    // text and enum names as their text, numbers and booleans as JSON spells them
    if (!r.value.empty() && r.value.front() == '"') {
      const auto j = nlohmann::json::parse(r.value, nullptr, false);
      csv_cell(out, j.is_string() ? j.get<std::string>() : r.value);
    } else {
      csv_cell(out, r.value);
    }
    out << ',';
    csv_cell(out, r.unit);
    out << ',';
    csv_cell(out, r.state);
    out << ',';
    if (r.kind != HistoryKind::Desired) out << r.session;
    out << ',';
    if (r.kind == HistoryKind::Reported) out << r.seq;
    out << ',';
    if (r.kind == HistoryKind::Desired) out << r.version;
    out << '\n';
  }
}

std::string MirrorStore::integrity_check() {
  Impl& s = need(impl_);
  Stmt q(s.db.get(), "PRAGMA integrity_check", s.path);
  std::string out;
  while (q.step()) out += (out.empty() ? "" : "\n") + q.col_text(0);
  return out;
}

}  // namespace dtwin
