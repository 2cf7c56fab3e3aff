// Binding a mirror to the store: the flat layout of its properties, the last desired value of
// each, a series id for every property and every twin's presence (new ones added), and empty
// marks and batch; save_all, which also writes the whole current state.
#include <algorithm>
#include <string>

#include "engine/store/store_impl.hpp"

namespace dtwin {

using namespace store_detail;

void MirrorStore::attach(const Mirror& m) {
  Impl& s = need(impl_);
  // everything recorded so far and the state of the mirror attached until now (still alive)
  s.flush(false, true);
  s.mirror = nullptr;
  s.lay_out(m);
  s.find_series(m);
  s.reset_marks(m.twin_count());
  s.mirror = &m;
}

void MirrorStore::save_all(const Mirror& m) {
  attach(m);
  Impl& s = *impl_;
  s.writable();
  for (std::size_t t = 0; t < m.twin_count(); ++t) s.mark(t);
  s.flush(true, true);
}

// Flat indices (first_prop) and every property's last desired value.
void MirrorStore::Impl::lay_out(const Mirror& m) {
  std::size_t total = 0;
  first_prop.assign(m.twin_count() + 1, 0);
  for (std::size_t t = 0; t < m.twin_count(); ++t) {
    first_prop[t] = total;
    total += m.spec(t).properties.size();
  }
  first_prop[m.twin_count()] = total;
  last_desired.assign(total, {});
  for (std::size_t t = 0; t < m.twin_count(); ++t)
    for (std::size_t p = 0; p < m.spec(t).properties.size(); ++p) {
      const Desired& d = m.state(t).props[p].desired;
      last_desired[first_prop[t] + p] = LastDesired{d.state, d.version, d.value, d.set_time};
    }
}

// A series id for every property and every twin's presence; a writer adds the new ones, in one
// transaction.
void MirrorStore::Impl::find_series(const Mirror& m) {
  series.assign(first_prop[m.twin_count()], 0);
  presence_series.assign(m.twin_count(), 0);
  Stmt get(db.get(), "SELECT id FROM series WHERE twin = ?1 AND prop = ?2", path);
  Stmt add;
  if (!opt.read_only) {
    add = Stmt(db.get(), "INSERT OR IGNORE INTO series(twin, prop) VALUES(?1, ?2)", path);
    exec("BEGIN IMMEDIATE");
  }
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
  try {
    for (std::size_t t = 0; t < m.twin_count(); ++t) {
      const TwinSpec& spec = m.spec(t);
      presence_series[t] = id_of(spec.id, "");
      for (std::size_t p = 0; p < spec.properties.size(); ++p)
        series[first_prop[t] + p] = id_of(spec.id, spec.properties[p].name);
    }
    if (add) exec("COMMIT");
  } catch (...) {
    if (add) roll_back(db.get());
    throw;
  }
}

// No twin marked, an empty batch with room for max_batch records.
void MirrorStore::Impl::reset_marks(std::size_t twins) {
  dirty.assign(twins, 0);
  dirty_twins.clear();
  dirty_twins.reserve(twins);
  urgent.assign(twins, 0);
  urgent_twins.clear();
  urgent_twins.reserve(twins);
  batch.reserve(std::max<std::size_t>(opt.max_batch, 1) + 1);
}

}  // namespace dtwin
