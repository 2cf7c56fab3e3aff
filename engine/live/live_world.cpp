// Derived properties: a world of the models that derive them, fed by the reports.
#include <algorithm>
#include <tuple>

#include "engine/live/engine.hpp"
#include "engine/live/live_world.hpp"

namespace dtwin {

const World* LiveEngine::live_world() const {
  return live_world_ ? live_world_->world.get() : nullptr;
}

std::vector<std::size_t> LiveEngine::fresh_reports(std::size_t t, std::vector<ReportKey>& taken,
                                                   bool skip_stale, ReportKey& newest) const {
  const TwinMirrorState& st = mirror_->state(t);
  const TwinSpec& spec = mirror_->spec(t);
  std::vector<std::size_t> fresh;
  newest = ReportKey{0, 0, -1e300};
  for (std::size_t p = 0; p < spec.properties.size(); ++p) {
    const Reported& r = st.props[p].reported;
    if (spec.properties[p].derived || !r.present) continue;
    if (skip_stale && r.quality == Quality::Stale) continue;
    const ReportKey key{r.session, r.seq, r.source_time};
    if (!(taken[p] < key)) continue;
    taken[p] = key;
    fresh.push_back(p);
    newest = std::max(newest, key);
  }
  return fresh;
}

bool LiveEngine::report_derived(std::size_t t, const ReportKey& newest,
                                const std::function<bool(std::size_t, Value&)>& read, bool record) {
  const TwinMirrorState& st = mirror_->state(t);
  const TwinSpec& spec = mirror_->spec(t);
  const double now = clock_();
  const std::uint64_t revision = st.revision;
  for (std::size_t p = 0; p < spec.properties.size(); ++p) {
    if (!spec.properties[p].derived) continue;
    Value v;
    if (!read(p, v)) continue;
    if (mirror_->report(t, p, v, std::get<2>(newest), std::get<0>(newest), std::get<1>(newest),
                        now) == Outcome::Applied &&
        record && store_)
      store_->record_reported(t, p, st.props[p].reported);
  }
  if (st.revision == revision) return false;
  // the service published the twin's state before the derived values were in: again
  if (service_->publish_state)
    link_->publish(
        {service_->topic(spec.id, "state"), mirror_->twin_json(t, now).dump(), 0, true, "", ""});
  return true;
}

void LiveEngine::feed_live_world() {
  LiveWorld& L = *live_world_;
  for (auto& tw : L.twins) {
    const TwinMirrorState& st = mirror_->state(tw.mirror);
    ReportKey newest;
    const std::vector<std::size_t> fresh = fresh_reports(tw.mirror, tw.taken, false, newest);
    if (fresh.empty()) continue;
    const double source_time = std::get<2>(newest);
    if (L.t0 < 0) L.t0 = source_time;
    const double t = std::max(L.world->now(), (source_time - L.t0) * live_.speed);
    L.world->run_until(t);
    for (std::size_t p : fresh) {
      std::string why;  // what the model does not take (a counter, a status) is left
      L.binding.assimilate(*L.world, tw.bind, p, st.props[p].reported.value, &why);
    }
    // derived values are recomputed from what is stored, so not stored themselves
    const auto read = [&](std::size_t p, Value& v) {
      return L.binding.read(*L.world, tw.bind, p, v);
    };
    if (report_derived(tw.mirror, newest, read, false)) judge_alerts(tw.mirror);
  }
}

}  // namespace dtwin
