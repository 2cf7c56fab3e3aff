// The store's thin layer over SQLite's C API: the connection, a prepared statement with typed
// binds and columns, and running plain SQL. Every failure throws StoreError naming the file.
// Internal to engine/store.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/store/mirror_store.hpp"

namespace dtwin::store_detail {

struct DbClose {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using DbPtr = std::unique_ptr<sqlite3, DbClose>;

struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};

// Runs SQL without results (one or more statements).
inline void exec(sqlite3* db, const std::string& path, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = path + ": " + (err ? err : sqlite3_errmsg(db));
    sqlite3_free(err);
    throw StoreError(msg);
  }
}

// Ends a transaction that failed; ignores errors (it may already be over).
inline void roll_back(sqlite3* db) noexcept {
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
}

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

}  // namespace dtwin::store_detail
