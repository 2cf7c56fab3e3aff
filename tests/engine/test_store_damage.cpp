// The store against damage and a full disk (issue: harden the live engine, 5): a damaged file, a
// file that lost committed transactions and an emptied file are refused at open with the way
// out; history never trusts the bytes it reads; a full disk refuses commands while it lasts,
// keeps the mirror's reports in a bounded backlog and catches up when there is room again.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/base/error.hpp"
#include "engine/store/mirror_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace dtwin;
using Catch::Matchers::Contains;

namespace {

constexpr double kT0 = 1.76e9;

Mirror plant() {
  PropertySpec speed;
  speed.name = "speed";
  speed.min = 0;
  speed.max = 10;
  speed.writable = true;
  PropertySpec state;
  state.name = "state";
  state.kind = PropertySpec::Kind::Text;
  return Mirror({TwinSpec{"m1", {speed, state}}, TwinSpec{"m2", {speed, state}}});
}

// A mirror and its store, recording as the engine does.
struct Plant {
  Mirror m = plant();
  MirrorStore store;
  explicit Plant(const std::string& path, StoreOptions o = {}) : store(path, o) { store.attach(m); }
  void report(std::size_t t, double v, std::uint64_t seq) {
    const double at = kT0 + static_cast<double>(seq);
    REQUIRE(m.report(t, 0, Value{v, ""}, at, 1, seq, at) == Outcome::Applied);
    store.record_reported(t, 0, m.state(t).props[0].reported);
  }
  // a desired command: stored (committed, synced) or it throws
  void set(std::size_t t, double v) {
    const WriteResult w = m.set_desired(t, 0, Value{v, ""}, kT0, "op");
    REQUIRE(w.outcome == Outcome::Applied);
    store.commit_desired(t, 0, m.state(t).props[0].desired, kT0);
  }
};

std::string open_error(const std::string& path) {
  try {
    MirrorStore s(path);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

void exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  INFO((err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE("store: a damaged file is refused at open, with the way out", "[mirror_store][damage]") {
  test::TempDir dir;
  const std::string path = dir.file("plant.db");
  {
    Plant p(path);
    for (std::uint64_t i = 1; i <= 3000; ++i) p.report(i % 2, static_cast<double>(i % 10), i);
    p.set(0, 4);
    p.store.close();
  }
  REQUIRE(open_error(path).empty());
  // garbage over a page in the middle of the file (a b-tree page of the log or its index)
  const auto size = std::filesystem::file_size(path);
  REQUIRE(size > 16 * 4096);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 2 / 4096 * 4096));
    const std::string junk(4096, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  const std::string e = open_error(path);
  INFO(e);
  CHECK_THAT(e, Contains("the store is damaged"));
  CHECK_THAT(e, Contains(".recover"));
}

TEST_CASE("store: a store that lost transactions it had committed is refused",
          "[mirror_store][damage]") {
  test::TempDir dir;
  const std::string path = dir.file("plant.db"), copy = dir.file("old.db");
  {
    Plant p(path);
    p.report(0, 1, 1);
    p.set(0, 2);
    p.store.close();
  }
  std::filesystem::copy_file(path, copy);  // last week's copy
  {
    Plant p(path);
    for (std::uint64_t i = 2; i < 40; ++i) p.set(i % 2, static_cast<double>(i % 10));
    p.store.close();
  }
  // the old copy is put back (a -wal rolled back by damage looks the same to the store)
  std::filesystem::copy_file(copy, path, std::filesystem::copy_options::overwrite_existing);
  const std::string e = open_error(path);
  INFO(e);
  CHECK_THAT(e, Contains("lost transactions it had committed"));
  CHECK_THAT(e, Contains("NEW.db"));
  // an emptied file where the store was: refused, not a fresh empty store
  std::filesystem::resize_file(path, 0);
  CHECK_THAT(open_error(path), Contains("is an empty file, but it held"));
  // the same store opened again as it was is fine, and versions go on
  std::filesystem::remove(path + ".mark");
  CHECK_THAT(open_error(path), Contains("empty (0 bytes)"));
}

TEST_CASE("store: history never trusts the bytes it reads: bad rows are skipped and counted",
          "[mirror_store][damage]") {
  test::TempDir dir;
  const std::string path = dir.file("plant.db");
  {
    Plant p(path);
    for (std::uint64_t i = 1; i <= 5; ++i) p.report(0, static_cast<double>(i), i);
    p.store.close();
  }
  // a value that is not JSON, and text that is not UTF-8, written behind the store's back
  exec(path,
       "UPDATE history_log SET value = '{' WHERE id = 2;"
       "UPDATE history_log SET state = CAST(X'676F6FFF64' AS TEXT) WHERE id = 4;");
  MirrorStore s(path, StoreOptions{true});
  std::size_t skipped = 0;
  const auto rows = s.history("m1", "speed", -1e300, 1e300, 0, &skipped);
  CHECK(skipped == 2);
  REQUIRE(rows.size() == 3);
  for (const auto& r : rows) CHECK(r.value != "{");
}

TEST_CASE("store: a full disk refuses commands while it lasts, keeps the reports, catches up",
          "[mirror_store][damage]") {
  test::TempDir dir;
  const std::string path = dir.file("plant.db");
  StoreOptions o;
  o.retry_s = 0.01;
  o.max_delay_s = 0;
  o.max_backlog = 2000;
  Plant p(path, o);
  p.report(0, 1, 1);
  p.store.flush();
  // no room: the file may not grow (what a full disk does to SQLite: SQLITE_FULL)
  exec(path, "PRAGMA wal_checkpoint(TRUNCATE)");
  std::int64_t pages = 0;
  {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &q, nullptr);
    sqlite3_step(q);
    pages = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
  }
  p.store.set_max_pages(pages);
  std::uint64_t seq = 2;
  for (; seq < 1500; ++seq) p.report(seq % 2, static_cast<double>(seq % 10), seq);
  CHECK_FALSE(p.store.flush_if_due());  // no throw: it fails, keeps the batch, retries later
  CHECK_FALSE(p.store.error().empty());
  CHECK(p.store.pending() > 1000);
  // a command is refused while it lasts, and leaves nothing behind
  const std::size_t before = p.store.pending();
  CHECK_THROWS_AS(p.set(1, 7), StoreError);
  CHECK(p.store.pending() == before);
  // the backlog is bounded: beyond it, reports are counted, not kept
  for (; seq < 3000; ++seq) p.report(seq % 2, static_cast<double>(seq % 10), seq);
  CHECK(p.store.pending() == 2000);
  CHECK(p.store.stats().lost > 0);
  // room again: the next flush writes the backlog
  p.store.set_max_pages(1 << 30);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(p.store.flush_if_due());
  CHECK(p.store.error().empty());
  CHECK(p.store.pending() == 0);
  const auto rows = p.store.history("m1", "speed");
  CHECK(rows.size() > 900);
  CHECK(rows.back().source_time >= kT0 + 1400);
  CHECK_NOTHROW(p.set(1, 7));  // commands are taken again
}
