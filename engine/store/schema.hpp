// The store's file format: its tables, the marks that tell a dtwin store apart from any other
// SQLite file (application_id, schema_version), and the checks a file must pass before the store
// reads or writes it. Internal to engine/store.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>

namespace dtwin::store_detail {

// "dtwi": PRAGMA application_id of every store, so that `file` and we can tell one apart.
constexpr std::int32_t kApplicationId = 0x64747769;
// Bump with a migration when the schema changes; older builds refuse newer files.
constexpr std::int64_t kSchemaVersion = 2;

// Throws UsageError: path is not a dtwin mirror store (why).
[[noreturn]] void not_a_store(const std::string& path, const std::string& why);

// Tables in the file (sqlite_master). The first read of a connection: a file that is not SQLite
// fails here, as UsageError.
std::int64_t count_tables(sqlite3* db, const std::string& path);
// A file with tables must be a store of a version this build reads: dtwin's application_id, a
// schema_version table, a version from 1 to kSchemaVersion. Throws UsageError otherwise.
void check_store_file(sqlite3* db, const std::string& path);
// Creates the schema in an empty file, in one transaction; does nothing if another connection
// created it meanwhile.
void create_schema(sqlite3* db, const std::string& path);
// Brings a store of an older version up to kSchemaVersion (2: the alerts table), in one
// transaction.
void migrate_schema(sqlite3* db, const std::string& path);

}  // namespace dtwin::store_detail
