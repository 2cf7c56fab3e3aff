// Condition monitors: derived properties from what an asset reports, with no simulated world.
#include "engine/live/monitors.hpp"

#include <algorithm>

#include "engine/mirror/binding.hpp"

namespace dtwin {

void LiveEngine::make_monitors() {
  const Binding b = Binding::of(base_.models);
  auto m = std::make_unique<Monitors>();
  m->of.assign(mirror_->twin_count(), -1);
  for (std::size_t i = 0; i < b.twins.size(); ++i) {
    const std::size_t t = mirror_->find_twin(b.twins[i].id);
    if (t == std::string::npos) continue;  // another partition's
    auto mon = b.where[i].m->make_monitor(b.where[i].local);
    if (!mon) continue;
    Monitors::One one;
    one.mirror = t;
    one.mon = std::move(mon);
    one.taken.assign(mirror_->spec(t).properties.size(), {0, 0, -1e300});
    m->of[t] = static_cast<std::int32_t>(m->list.size());
    m->list.push_back(std::move(one));
  }
  if (!m->list.empty()) monitors_ = std::move(m);
}

void LiveEngine::feed_monitor(std::size_t twin) {
  if (!monitors_ || twin >= monitors_->of.size() || monitors_->of[twin] < 0) return;
  Monitors& M = *monitors_;
  Monitors::One& one = M.list[static_cast<std::size_t>(M.of[twin])];
  const TwinMirrorState& st = mirror_->state(twin);
  ReportKey newest;
  std::vector<std::size_t> fresh = fresh_reports(twin, one.taken, true, newest);
  if (fresh.empty()) return;
  std::stable_sort(fresh.begin(), fresh.end(), [&](std::size_t a, std::size_t b) {
    return st.props[a].reported.source_time < st.props[b].reported.source_time;
  });
  for (std::size_t p : fresh) {
    const Reported& r = st.props[p].reported;
    if (M.t0 < 0) M.t0 = r.source_time;
    one.mon->observe(p, r.value, (r.source_time - M.t0) * live_.speed);
  }
  one.mon->commit();
  // a monitor's estimates depend on the whole history: stored, so `history` shows them
  report_derived(
      twin, newest, [&](std::size_t p, Value& v) { return one.mon->read(p, v); }, true);
}

// After a restart: each monitor takes its twin's reported history again, message by message, so
// its estimate goes on from where it was (the derived values themselves came back from the store).
void LiveEngine::replay_monitors() {
  if (!monitors_ || !store_) return;
  Monitors& M = *monitors_;
  for (Monitors::One& one : M.list) {
    const TwinSpec& spec = mirror_->spec(one.mirror);
    const auto rows = store_->history(spec.id, "");
    std::uint64_t session = 0, seq = 0;
    bool open = false;
    for (const HistoryRow& row : rows) {
      if (row.kind != HistoryKind::Reported) continue;
      const std::size_t p = mirror_->find_property(one.mirror, row.prop);
      if (p == std::string::npos || spec.properties[p].derived) continue;
      const auto j = nlohmann::json::parse(row.value, nullptr, false);
      Value v;
      if (j.is_discarded() ||
          mirror_->parse_value(one.mirror, p, j, v, nullptr) != Outcome::Applied)
        continue;
      if (open && (row.session != session || row.seq != seq)) one.mon->commit();
      session = row.session;
      seq = row.seq;
      open = true;
      if (M.t0 < 0) M.t0 = row.source_time;
      one.mon->observe(p, v, (row.source_time - M.t0) * live_.speed);
    }
    if (open) one.mon->commit();
    const TwinMirrorState& st = mirror_->state(one.mirror);
    for (std::size_t p = 0; p < spec.properties.size(); ++p) {
      const Reported& r = st.props[p].reported;
      if (r.present) one.taken[p] = {r.session, r.seq, r.source_time};
    }
  }
}

}  // namespace dtwin
