// Alerts in the store: one row per alert, rewritten whole at each step of its lifecycle, in the
// flush's transaction (or at once for an acknowledgement).
#include <algorithm>

#include "engine/store/store_impl.hpp"

namespace dtwin {

using namespace store_detail;

void MirrorStore::record_alert(const Alert& a) {
  Impl& s = need(impl_);
  s.writable();
  for (Alert& held : s.alert_rows)
    if (held.id == a.id) {
      held = a;
      return;
    }
  s.alert_rows.push_back(a);
}

void MirrorStore::commit_alert(const Alert& a) {
  Impl& s = need(impl_);
  s.writable();
  const std::vector<Alert> before = s.alert_rows;
  record_alert(a);
  try {
    s.flush(s.opt.sync_desired, false);
  } catch (const StoreError& e) {
    s.alert_rows = before;
    throw StoreError(std::string("the store cannot write (") + e.what() + ")");
  }
}

void MirrorStore::Impl::write_alerts() {
  for (const Alert& a : alert_rows) {
    const std::string text = a.to_json().dump();
    Stmt& s = put_alert;
    s.u64(1, a.id);
    s.text(2, a.twin);
    s.text(3, a.rule);
    s.text(4, a.state());
    s.real(5, a.raised_at);
    if (a.active())
      s.null(6);
    else
      s.real(6, a.cleared_at);
    s.text(7, text);
    s.run();
  }
}

namespace {

bool has_alerts_table(sqlite3* db, const std::string& path) {
  Stmt q(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alerts'", path);
  q.step();
  const bool yes = q.col_int(0) == 1;
  q.reset();
  return yes;
}

}  // namespace

std::vector<Alert> MirrorStore::alerts(bool all, std::size_t limit, std::size_t* skipped) {
  Impl& s = need(impl_);
  std::vector<Alert> out;
  if (!has_alerts_table(s.db.get(), s.path)) return out;  // a version 1 file, read only
  auto read = [&](Stmt& q) {
    while (q.step()) {
      Alert a;
      const auto j = nlohmann::json::parse(q.col_text(0), nullptr, false);
      if (j.is_discarded() || !Alert::from_json(j, a)) {
        if (skipped) ++*skipped;
        continue;
      }
      out.push_back(std::move(a));
    }
  };
  if (all) {
    Stmt q(s.db.get(),
           "SELECT alert FROM (SELECT id, alert FROM alerts WHERE cleared_at IS NOT NULL "
           "ORDER BY id DESC LIMIT ?1) ORDER BY id",
           s.path);
    q.integer(1, limit == 0 ? -1 : static_cast<std::int64_t>(limit));
    read(q);
  }
  Stmt q(s.db.get(), "SELECT alert FROM alerts WHERE cleared_at IS NULL ORDER BY id", s.path);
  read(q);
  // what is waiting to be written is newer than the file
  for (const Alert& p : s.alert_rows) {
    const auto it =
        std::find_if(out.begin(), out.end(), [&](const Alert& a) { return a.id == p.id; });
    if (it != out.end())
      *it = p;
    else if (all || p.active())
      out.push_back(p);
  }
  if (!all)
    out.erase(std::remove_if(out.begin(), out.end(), [](const Alert& a) { return !a.active(); }),
              out.end());
  std::sort(out.begin(), out.end(), [](const Alert& a, const Alert& b) { return a.id < b.id; });
  return out;
}

std::uint64_t MirrorStore::last_alert_id() {
  Impl& s = need(impl_);
  std::uint64_t last = 0;
  if (has_alerts_table(s.db.get(), s.path)) {
    Stmt q(s.db.get(), "SELECT max(id) FROM alerts", s.path);
    if (q.step()) last = q.col_u64(0);
    q.reset();
  }
  for (const Alert& a : s.alert_rows) last = std::max(last, a.id);
  return last;
}

}  // namespace dtwin
