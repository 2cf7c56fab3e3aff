// Derived properties: a world of the models that derive them, fed by the reports.
#include <algorithm>
#include <tuple>

#include "engine/live/engine.hpp"
#include "engine/live/live_world.hpp"

namespace dtwin {

const World* LiveEngine::live_world() const {
  return live_world_ ? live_world_->world.get() : nullptr;
}

void LiveEngine::feed_live_world() {
  LiveWorld& L = *live_world_;
  for (auto& tw : L.twins) {
    const TwinMirrorState& st = mirror_->state(tw.mirror);
    const TwinSpec& spec = mirror_->spec(tw.mirror);
    std::vector<std::size_t> fresh;
    std::tuple<std::uint64_t, std::uint64_t, double> newest{0, 0, -1e300};
    for (std::size_t p = 0; p < spec.properties.size(); ++p) {
      const Reported& r = st.props[p].reported;
      if (spec.properties[p].derived || !r.present) continue;
      const auto key = std::make_tuple(r.session, r.seq, r.source_time);
      if (!(tw.taken[p] < key)) continue;
      tw.taken[p] = key;
      fresh.push_back(p);
      newest = std::max(newest, key);
    }
    if (fresh.empty()) continue;
    const double source_time = std::get<2>(newest);
    if (L.t0 < 0) L.t0 = source_time;
    const double t = std::max(L.world->now(), (source_time - L.t0) * live_.speed);
    L.world->run_until(t);
    for (std::size_t p : fresh) {
      std::string why;  // what the model does not take (a counter, a status) is left
      L.binding.assimilate(*L.world, tw.bind, p, st.props[p].reported.value, &why);
    }
    const double now = clock_();
    const std::uint64_t revision = st.revision;
    for (std::size_t p = 0; p < spec.properties.size(); ++p) {
      if (!spec.properties[p].derived) continue;
      Value v;
      if (L.binding.read(*L.world, tw.bind, p, v))
        mirror_->report(tw.mirror, p, v, source_time, std::get<0>(newest), std::get<1>(newest),
                        now);
    }
    // the service published the twin's state before the derived values were in: again
    if (st.revision != revision && service_->publish_state)
      link_.publish({service_->topic(spec.id, "state"), mirror_->twin_json(tw.mirror, now).dump(),
                     0, true, "", ""});
    if (st.revision != revision) judge_alerts(tw.mirror);
  }
}

}  // namespace dtwin
