// The checks a store passes before it is used, and the mark that makes a lost transaction
// visible. SQLite replays a -wal file only up to its first damaged frame and says nothing of the
// rest, and a file copied back from last week opens as well as today's: both would start the
// engine silently on an older state (desired versions counted again from lower numbers). So at
// every synced commit (a desired command, save_all, housekeeping, close) the store writes, beside
// the file, how far its log reached (<path>.mark: its epoch and the log's last row); at open, a
// store whose log ends before its mark is refused.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "engine/base/error.hpp"
#include "engine/store/store_impl.hpp"

namespace dtwin {

using namespace store_detail;

namespace {

std::string way_out(const std::string& path) {
  return " The store is left as it is and not used. To go on: keep it for inspection, and either "
         "start with a new store (--store NEW.db), or copy what is readable into one: sqlite3 " +
         path + " .recover | sqlite3 NEW.db (README, \"A damaged store\").";
}

std::string mark_path(const std::string& path) {
  return path + ".mark";
}

// "dtwin-store-mark <epoch> <last log row>"; false when the file is absent or not a mark
bool read_mark(const std::string& path, std::uint64_t& epoch, std::int64_t& last) {
  std::FILE* f = std::fopen(mark_path(path).c_str(), "r");
  if (!f) return false;
  unsigned long long e = 0;
  long long l = 0;
  const bool ok = std::fscanf(f, "dtwin-store-mark %llu %lld", &e, &l) == 2;
  std::fclose(f);
  epoch = e;
  last = l;
  return ok;
}

}  // namespace

// A file that exists but holds nothing where a store was (truncated, or emptied by a failed
// copy) would open as a new, empty store.
void MirrorStore::Impl::check_not_emptied() const {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || st.st_size != 0) return;
  std::uint64_t e = 0;
  std::int64_t last = 0;
  if (read_mark(path, e, last))
    throw UsageError(path + ": the store is an empty file, but it held " + std::to_string(last) +
                     " history rows (" + mark_path(path) + ")." + way_out(path));
  throw UsageError(path +
                   ": the file exists and is empty (0 bytes): not a store. Remove it to "
                   "start a new store there.");
}

namespace store_detail {
void damaged(const std::string& path, const std::string& what) {
  throw UsageError(path + ": the store is damaged (" + what + ")." + way_out(path));
}
}  // namespace store_detail

void MirrorStore::Impl::check_integrity() {
  std::string problems;
  try {
    Stmt q(db.get(), "PRAGMA quick_check(20)", path);
    while (q.step()) {
      const std::string line = q.col_text(0);
      if (line != "ok") problems += (problems.empty() ? "" : "; ") + line.substr(0, 200);
    }
  } catch (const StoreError& e) {
    problems = e.what();
  }
  if (!problems.empty()) damaged(path, "PRAGMA quick_check: " + problems);
}

// meta.epoch, made (random) when a writable store has none yet
void MirrorStore::Impl::read_epoch() {
  epoch = static_cast<std::uint64_t>(meta("epoch"));
  if (epoch != 0 || opt.read_only) return;
  std::random_device rd;
  const std::uint64_t e = ((static_cast<std::uint64_t>(rd()) << 32) ^ rd()) & 0x3fffffffffffffffULL;
  Stmt put(db.get(), "INSERT OR IGNORE INTO meta(key, value) VALUES('epoch', ?1)", path);
  put.integer(1, static_cast<std::int64_t>(e == 0 ? 1 : e));
  put.run();
  epoch = static_cast<std::uint64_t>(meta("epoch"));
}

// The log must reach as far as the mark says it did; then the mark is ours to write.
void MirrorStore::Impl::check_mark() {
  std::uint64_t e = 0;
  std::int64_t last = 0;
  if (read_mark(path, e, last) && e == epoch && last > last_id)
    throw UsageError(path +
                     ": the store lost transactions it had committed: its history log "
                     "ends at row " +
                     std::to_string(last_id) + ", but it had reached row " + std::to_string(last) +
                     " (" + mark_path(path) +
                     "): its -wal file was damaged, or an older copy was put back." +
                     way_out(path));
  mark_fd = ::open(mark_path(path).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (mark_fd < 0)
    throw UsageError(mark_path(path) + ": cannot write the store's mark: " + std::strerror(errno));
  write_mark(true);
}

void MirrorStore::Impl::write_mark(bool sync) noexcept {
  if (mark_fd < 0) return;
  char buf[64];
  const int len =
      std::snprintf(buf, sizeof buf, "dtwin-store-mark %llu %lld\n",
                    static_cast<unsigned long long>(epoch), static_cast<long long>(last_id));
  if (len <= 0) return;
  if (::pwrite(mark_fd, buf, static_cast<std::size_t>(len), 0) == len) {
    if (::ftruncate(mark_fd, len) != 0) return;
    if (sync) (void)::fdatasync(mark_fd);
  }
}

}  // namespace dtwin
