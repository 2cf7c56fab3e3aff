// MirrorStore's small members: construction, what it holds, flushing on request, and the
// integrity check. The rest is in the files store_impl.hpp lists.
#include "engine/store/mirror_store.hpp"

#include <chrono>

#include "engine/store/store_impl.hpp"

namespace dtwin {

using namespace store_detail;

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

void MirrorStore::flush() {
  need(impl_).flush(false, false);
}

bool MirrorStore::flush_if_due() {
  Impl& s = need(impl_);
  if (s.n == 0 && s.urgent_twins.empty() && s.alert_rows.empty()) return false;
  const std::chrono::duration<double> age = std::chrono::steady_clock::now() - s.oldest;
  if (s.n > 0 && age.count() < s.opt.max_delay_s) return false;
  return s.try_flush();
}

std::uint64_t MirrorStore::epoch() const {
  return need(impl_).epoch;
}

const std::string& MirrorStore::error() const {
  return need(impl_).error;
}

void MirrorStore::set_max_pages(std::int64_t pages) {
  Impl& s = need(impl_);
  s.exec(("PRAGMA max_page_count=" + std::to_string(pages)).c_str());
}

std::size_t MirrorStore::pending() const {
  return impl_ ? impl_->n : 0;
}

std::string MirrorStore::integrity_check() {
  Impl& s = need(impl_);
  Stmt q(s.db.get(), "PRAGMA integrity_check", s.path);
  std::string out;
  while (q.step()) out += (out.empty() ? "" : "\n") + q.col_text(0);
  return out;
}

}  // namespace dtwin
