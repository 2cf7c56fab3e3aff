// The mirror's store: every twin's current state and its history in one SQLite file (WAL mode),
// the embedded default. A killed engine (SIGKILL) restarts with every twin's last reported and
// desired state and loses no acknowledged desired command.
//
//  - History: an append-only log (table history_log; view `history` with twin and property
//    names), one row per recorded change: a reported value, a step of a desired value's
//    lifecycle, a birth or death. Values in their JSON form, times in seconds since the Unix
//    epoch (receive_time: the engine's clock).
//  - Batching: record_* append to an in-memory batch (no allocation once the batch has reached
//    its high-water mark); flush() appends the batch to the log in one transaction. Call
//    flush_if_due() from the engine's loop: it flushes a batch older than max_delay_s (5 ms); a
//    full batch (max_batch) flushes by itself.
//  - Housekeeping, every housekeeping_rows log rows (in that flush's transaction): the new rows
//    are added to the per-property index (series, receive_time) in one sorted pass, and the
//    current state of every twin changed since the last time is written (tables twins, props).
//    Indexing row by row in 5 ms transactions would rewrite one index page per property touched
//    per transaction: about 4 KB of WAL per history row at 4,000 properties, against about 100
//    bytes for the append (bench/bench_store.cpp). A twin's birth, death or desired change writes
//    its current state in the same flush, not later.
//  - Restart (load_into): the current state as last written, then the reported values logged
//    since, replayed through Mirror::report (so revisions, applied desired values and qualities
//    come out as they were).
//  - Durability: commit_desired() writes the pending batch, the desired change and the twin's
//    current state in one transaction and returns once it is committed. Acknowledge a desired
//    command after it returns, never before; if it throws, the command is not stored and must be
//    refused. A SIGKILL loses the batch not yet flushed (the reported values of the last
//    max_delay_s, which the asset republishes; a rejection or expiry not yet flushed, which
//    happens again) and the stale/duplicate/rejected counters since the twin's state was last
//    written; every flushed row and every committed desired value stays.
//
//  - Checked at open: a file that is damaged (PRAGMA quick_check), that lost transactions it had
//    committed (its -wal damaged, or an older copy put back: the mark file <path>.mark beside it
//    records how far the log reached at every synced commit), or that is an empty file where a
//    store was, is refused with a UsageError saying what is wrong and the way out (README: "A
//    damaged store"), never used silently.
//  - Failing while running (a full disk, an I/O error): the batch stays in memory and flushes
//    are retried every retry_s; reported values beyond max_backlog are not recorded (counted in
//    Stats::lost); commit_desired throws (the command is refused) until the store writes again.
//    Recording never throws for it, so the engine keeps mirroring, and catches up when the disk
//    has room again.
//  - Reading history never trusts the file: a row whose text is not valid UTF-8 or whose value
//    is not JSON is skipped and counted.
//
// One store per file is written by one process, from one thread (the mirror's). Other processes
// may read the file meanwhile (`dtwin history`, sqlite3): WAL lets readers run beside the writer.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/mirror/alerts.hpp"
#include "engine/mirror/mirror.hpp"

namespace dtwin {

// A store that fails while running (disk full, I/O error, locked for longer than busy_timeout).
// Opening a file that is not a store throws UsageError instead (engine/base/error.hpp).
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct StoreOptions {
  bool read_only = false;                   // open an existing store for queries only
  std::size_t max_batch = 16384;            // records held before a record_* flushes by itself
  double max_delay_s = 0.005;               // flush_if_due() flushes a batch older than this
  std::int64_t housekeeping_rows = 100000;  // index and write the current state this often
  bool sync_desired = true;                 // commit_desired also fsyncs: survives power loss
  int busy_timeout_ms = 5000;               // wait this long for another connection's lock
  std::int64_t cache_kib = 65536;           // SQLite page cache
  std::size_t max_backlog = 1000000;        // records held while the store is failing
  double retry_s = 1;                       // a failing store tries again this often
  std::int64_t max_pages = 0;               // PRAGMA max_page_count (0: as big as the disk)
};

enum class HistoryKind : std::uint8_t { Reported, Desired, Presence };
const char* history_kind_name(HistoryKind k);

struct HistoryRow {
  std::int64_t id = 0;  // order of recording (the row's SQLite rowid)
  std::string twin;
  std::string prop;  // empty for presence
  HistoryKind kind = HistoryKind::Reported;
  std::string value;  // JSON text: 1.25, true, "working"; empty for presence
  std::string state;  // reported: quality; desired: lifecycle state; presence: online | offline
  std::string unit;   // the property's unit as stored
  double source_time = std::numeric_limits<double>::quiet_NaN();  // asset clock; desired: set time
  double receive_time = 0;             // engine clock, s since the Unix epoch
  std::uint64_t session = 0, seq = 0;  // reported, presence
  std::uint64_t version = 0;           // desired
};

class MirrorStore {
 public:
  MirrorStore();
  // Opens (or creates) the store at path; see open().
  explicit MirrorStore(const std::string& path, StoreOptions opt = {});
  // Flushes what is pending and writes the current state, ignoring errors: call close() to
  // see them.
  ~MirrorStore();
  MirrorStore(MirrorStore&&) noexcept;
  MirrorStore& operator=(MirrorStore&&) noexcept;
  MirrorStore(const MirrorStore&) = delete;
  MirrorStore& operator=(const MirrorStore&) = delete;

  // Creates the schema in a new or empty file. A file that is not SQLite, an SQLite file that is
  // not a dtwin store, or a store with a newer schema throws UsageError naming the path.
  void open(const std::string& path, StoreOptions opt = {});
  // Flushes, indexes what is not yet, writes the current state and closes; throws StoreError
  // if that fails (the store stays open).
  void close();
  bool is_open() const;
  const std::string& path() const;

  // The mirror the store records. It must outlive the store (or until the next attach): twin
  // ids, property names and the current-state rows are read from it at flush time.
  void attach(const Mirror& m);
  // Attaches and writes the whole current state (every twin and property), committed and synced.
  void save_all(const Mirror& m);
  // Restores every twin of m found in the store (Mirror::restore, then the reported values logged
  // since its state was written, through Mirror::report) and attaches. Twins and properties the
  // store has but m does not, and values that no longer fit a property (its kind changed, an
  // enum choice is gone), are left in the file and returned as warnings naming the path.
  std::vector<std::string> load_into(Mirror& m);

  // Recording: call right after the Mirror call that changed the state, with its new value
  // (m.state(t).props[p].reported or .desired). Indices are the attached mirror's.
  void record_reported(std::size_t twin, std::size_t prop, const Reported& r);
  // A step of the desired value's lifecycle (applied, rejected, expired) at engine time now.
  // record_reported records the desired value turning applied by itself.
  void record_desired(std::size_t twin, std::size_t prop, const Desired& d, double now);
  // A new desired command: written with the pending batch and the twin's current state, and
  // committed before returning (fsynced with StoreOptions::sync_desired).
  void commit_desired(std::size_t twin, std::size_t prop, const Desired& d, double now);
  // A birth (online) or death of the twin (after Mirror::birth / death): logged, and the twin's
  // current state (session, qualities) written at the next flush.
  void record_presence(std::size_t twin, bool online, std::uint64_t session, double receive_time);

  // Alerts (engine/mirror/alerts.hpp): written, whole, at the next flush (record_alert), or
  // committed before returning (commit_alert, for an acknowledgement: throws StoreError when it
  // cannot, and the acknowledgement must then be refused).
  void record_alert(const Alert& a);
  void commit_alert(const Alert& a);
  // The active alerts, oldest first; with all, also the newest `limit` cleared ones (0: every
  // one). Rows that are not an alert's JSON are skipped and counted in *skipped.
  std::vector<Alert> alerts(bool all, std::size_t limit = 0, std::size_t* skipped = nullptr);
  // The largest alert id ever stored (0: none).
  std::uint64_t last_alert_id();

  void flush();
  // Flushes if the oldest pending record is older than max_delay_s; true if it did.
  bool flush_if_due();
  std::size_t pending() const;

  // History of one property (prop empty: the whole twin, presence included) with
  // since <= receive_time < until, oldest first. With more than limit rows (0: no limit), the
  // newest limit rows.
  // Rows the file holds damaged (text not UTF-8, a value not JSON) are left out and counted in
  // *skipped when given.
  std::vector<HistoryRow> history(const std::string& twin, const std::string& prop,
                                  double since = -std::numeric_limits<double>::infinity(),
                                  double until = std::numeric_limits<double>::infinity(),
                                  std::size_t limit = 0, std::size_t* skipped = nullptr);
  // CSV with a header; times as seconds since the Unix epoch and as ISO 8601 UTC text.
  static void export_csv(std::ostream& out, const std::vector<HistoryRow>& rows);

  // PRAGMA integrity_check: "ok" or the problems found, one a line.
  std::string integrity_check();

  // The store's own random number, made with the file: desired versions are counted within it,
  // so an asset can tell a restarted engine on the same store (versions go on) from a new one.
  std::uint64_t epoch() const;
  // The last flush failed (a full disk, an I/O error): why, and since when it has been failing;
  // empty when it writes.
  const std::string& error() const;
  // the file's size limit (PRAGMA max_page_count): a full disk, on purpose
  void set_max_pages(std::int64_t pages);

  struct Stats {
    std::uint64_t records = 0;       // history rows recorded
    std::uint64_t transactions = 0;  // committed
    std::uint64_t synced = 0;        // of which fsynced (desired commands, save_all)
    std::uint64_t housekeeping = 0;  // index passes with a state write
    std::uint64_t state_rows = 0;    // current-state rows written (twins and props)
    std::uint64_t failures = 0;      // flushes that failed (a full disk, an I/O error)
    std::uint64_t lost = 0;          // reported values not recorded: the backlog was full
  };
  const Stats& stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace dtwin
