// {"op": "snapshot"}: every twin that changed since the revisions the client holds.
#include <unordered_map>

#include "engine/live/engine.hpp"
#include "engine/live/request.hpp"

namespace dtwin {

using namespace live_detail;

nlohmann::json LiveEngine::op_snapshot(const nlohmann::json& req) {
  const double now = clock_();
  // "since": the revisions the client holds; a twin whose revision is the same is left out
  std::unordered_map<std::string, std::uint64_t> since;
  if (const auto it = req.find("since"); it != req.end() && !it->is_null()) {
    if (!it->is_object())
      throw BadRequest{"\"since\" must be an object of twin id -> revision held"};
    for (const auto& [id, rev] : it->items()) {
      if (!rev.is_number_unsigned())
        throw BadRequest{"\"since\": the revision of \"" + id +
                         "\" must be a non-negative integer"};
      since[id] = rev.get<std::uint64_t>();
    }
  }
  nlohmann::json twins = nlohmann::json::array();
  std::size_t unchanged = 0;
  for (std::size_t t = 0; t < mirror_->twin_count(); ++t) {
    const auto held = since.find(mirror_->spec(t).id);
    if (held != since.end() && held->second == mirror_->state(t).revision) {
      ++unchanged;
      continue;
    }
    twins.push_back(mirror_->twin_json(t, now));
  }
  return ok({{"plant", live_.plant},
             {"time", now},
             {"twin_count", mirror_->twin_count()},
             {"unchanged", unchanged},
             {"twins", std::move(twins)},
             {"alerts", active_alerts_json()}});
}

}  // namespace dtwin
