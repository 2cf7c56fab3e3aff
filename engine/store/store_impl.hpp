// MirrorStore's insides, shared by the files of engine/store: the connection and its prepared
// statements, the attached mirror's layout, and the batch of records waiting for the next flush.
// Which file does what:
//   schema.cpp       the file format: tables, application_id, schema version checks
//   checks.cpp       the checks at open: integrity, the mark of the log's reach, the epoch
//   open.cpp         opening a file: what it holds, WAL and pragmas, the writer's statements
//   attach.cpp       binding a mirror: its layout and series ids; save_all
//   record.cpp       record_*: appending to the in-memory batch
//   flush.cpp        the flush transaction: the log, housekeeping (index pass, current state)
//   load.cpp         load_into: the current state, then the log replayed
//   history.cpp      history queries
//   history_csv.cpp  export_csv
//   stored_text.cpp  values and states as the file spells them
//   statement.hpp    SQLite statements; mirror_store.cpp the small public members
// Internal to engine/store.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "engine/mirror/alerts.hpp"
#include "engine/store/mirror_store.hpp"
#include "engine/store/statement.hpp"
#include "engine/store/stored_text.hpp"

namespace dtwin {

namespace store_detail {

// Log rows per INSERT statement when flushing.
constexpr int kLogRows = 16;

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

// What a flush's transaction wrote: the log up to last_id; housekeeping or not.
struct Flushed {
  std::int64_t last_id = 0;
  bool housekeeping = false;
};

}  // namespace store_detail

struct MirrorStore::Impl {
  using Entry = store_detail::Entry;
  using Stmt = store_detail::Stmt;

  std::string path;
  StoreOptions opt;
  store_detail::DbPtr db;  // declared before the statements: they are finalized first
  Stmt begin, commit, sync_full, sync_normal, put_log, put_log_many, put_index, put_meta, put_prop,
      put_twin, put_alert;

  std::int64_t last_id = 0;  // the log's last row
  std::uint64_t epoch = 0;   // meta.epoch
  int mark_fd = -1;          // <path>.mark, open for writing
  std::string error;         // why the last flush failed; empty when the store writes
  std::chrono::steady_clock::time_point retry_at;
  std::int64_t indexed_upto = 0;  // log rows up to here are in history_index
  std::int64_t state_upto = 0;    // every twin's current state is written as of this row or later

  // the attached mirror
  const Mirror* mirror = nullptr;
  std::vector<std::size_t> first_prop;                  // flat index of twin t's first property
  std::vector<std::int64_t> series;                     // flat index -> series id
  std::vector<std::int64_t> presence_series;            // twin -> series id
  std::vector<store_detail::LastDesired> last_desired;  // flat index
  // twins changed since the last housekeeping: 1 = to write, 2 = listed but written since
  std::vector<std::uint8_t> dirty;
  std::vector<std::uint32_t> dirty_twins;
  // twins whose state is written at the next flush (presence, desired)
  std::vector<std::uint8_t> urgent;
  std::vector<std::uint32_t> urgent_twins;

  // alerts to write at the next flush (one entry per id, the newest)
  std::vector<Alert> alert_rows;
  // the batch: entries [0, n) are pending; the vector only grows, so its strings keep capacity
  std::vector<Entry> batch;
  std::size_t n = 0;
  std::chrono::steady_clock::time_point oldest;
  // a value's text stays bound until its statement has run
  store_detail::JsonBuf json[store_detail::kLogRows];
  Stats stats;

  // flushes what is pending, ignoring errors (close() is the place to see them)
  ~Impl();

  // checks at open (checks.cpp)
  void check_not_emptied() const;
  void check_integrity();
  void read_epoch();
  void check_mark();
  void write_mark(bool sync) noexcept;

  // opening (open.cpp)
  void connect();
  std::int64_t inspect();
  void use_wal();
  void prepare_writes();
  void read_positions();
  void exec(const char* sql) { store_detail::exec(db.get(), path, sql); }
  std::int64_t meta(const char* key);

  // attaching (attach.cpp)
  void lay_out(const Mirror& m);
  void find_series(const Mirror& m);
  void reset_marks(std::size_t twins);

  // recording (record.cpp)
  void writable() const;
  std::size_t flat(std::size_t t, std::size_t p) const;
  void add_desired(std::size_t t, std::size_t p, std::size_t f, const Desired& d, double now);
  void flush_if_full() {
    if (n >= opt.max_batch) try_flush();
  }
  // A flush that does not throw: on failure the store is failing (error set, retried after
  // retry_s); true when it wrote (or had nothing to write).
  bool try_flush() noexcept;
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

  // flushing (flush.cpp)
  void flush(bool sync, bool housekeep_now);
  bool has_work(bool housekeep_now) const;
  store_detail::Flushed write_batch(bool housekeep_now);
  void housekeep(std::int64_t upto);
  void failed(bool sync) noexcept;
  void committed(bool sync, store_detail::Flushed f);
  void write_log();
  void bind_log(Stmt& s, int base, const Entry& e, int slot);
  void write_state(std::size_t t, std::int64_t upto);
  void write_prop_state(std::size_t t, std::size_t p);
  void put_meta_value(const char* key, std::int64_t v);
  void write_alerts();
  std::string_view value_json(std::size_t t, std::size_t p, const Value& v, int slot) {
    return store_detail::value_text(mirror->spec(t).properties[p], v, json[slot]);
  }
};

namespace store_detail {

// Throws UsageError: the store at path is damaged (what was found), with the way out.
[[noreturn]] void damaged(const std::string& path, const std::string& what);

inline MirrorStore::Impl& need(const std::unique_ptr<MirrorStore::Impl>& p) {
  if (!p) throw std::logic_error("MirrorStore: not open");
  return *p;
}

}  // namespace store_detail

}  // namespace dtwin
