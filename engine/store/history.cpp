// History queries: one property's rows, or a whole twin's, in a time window, oldest first; the
// indexed part of the log through history_index, its tail after indexed_upto by a scan.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/store/store_impl.hpp"

namespace dtwin {

using namespace store_detail;

namespace {

// One statement, so one snapshot: the indexed rows, and the log's tail after indexed_upto.
// Newest first, so that LIMIT keeps the newest.
constexpr const char* kHistoryQuery =
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
    "ORDER BY 7 DESC, 1 DESC LIMIT ?5";

// Every property's unit as stored for the twin.
std::map<std::string, std::string> units_of(sqlite3* db, const std::string& path,
                                            const std::string& twin) {
  std::map<std::string, std::string> units;
  Stmt u(db, "SELECT prop, unit FROM props WHERE twin = ?1", path);
  u.text(1, twin);
  while (u.step()) units[u.col_text(0)] = u.col_text(1);
  return units;
}

// The current row of kHistoryQuery.
HistoryRow read_row(const Stmt& q, const std::string& twin) {
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
  return r;
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

namespace {

bool utf8(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80         ? 1
                          : (c >> 5) == 6  ? 2
                          : (c >> 4) == 14 ? 3
                          : (c >> 3) == 30 ? 4
                                           : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

// a row as the file holds it may be damaged: its text not UTF-8, its value not JSON
bool sound(const HistoryRow& r) {
  if (!utf8(r.prop) || !utf8(r.value) || !utf8(r.state) || !utf8(r.unit)) return false;
  if (r.value.empty()) return r.kind == HistoryKind::Presence;
  return !nlohmann::json::parse(r.value, nullptr, false).is_discarded();
}

}  // namespace

std::vector<HistoryRow> MirrorStore::history(const std::string& twin, const std::string& prop,
                                             double since, double until, std::size_t limit,
                                             std::size_t* skipped) {
  if (skipped) *skipped = 0;
  Impl& s = need(impl_);
  Stmt q(s.db.get(), kHistoryQuery, s.path);
  q.text(1, twin);
  if (prop.empty())
    q.null(2);
  else
    q.text(2, prop);
  q.real(3, since);
  q.real(4, until);
  q.integer(5, limit == 0 ? -1 : static_cast<std::int64_t>(limit));
  const auto units = units_of(s.db.get(), s.path, twin);
  std::vector<HistoryRow> rows;
  while (q.step()) {
    HistoryRow r = read_row(q, twin);
    if (auto it = units.find(r.prop); it != units.end()) r.unit = it->second;
    if (!sound(r)) {
      if (skipped) ++*skipped;
      continue;
    }
    rows.push_back(std::move(r));
  }
  std::reverse(rows.begin(), rows.end());
  return rows;
}

}  // namespace dtwin
