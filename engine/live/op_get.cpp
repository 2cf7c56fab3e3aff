// {"op": "get"}: one twin, one property of it, or the list of every twin.
#include "engine/live/engine.hpp"
#include "engine/live/request.hpp"

namespace dtwin {

using namespace live_detail;

nlohmann::json LiveEngine::op_get(const nlohmann::json& req) {
  const double now = clock_();
  if (!req.contains("twin")) {
    nlohmann::json list = nlohmann::json::array();
    for (std::size_t t = 0; t < mirror_->twin_count(); ++t) {
      const auto& st = mirror_->state(t);
      list.push_back({{"id", mirror_->spec(t).id},
                      {"online", st.online},
                      {"revision", st.revision},
                      {"delta", mirror_->delta(t).size()}});
    }
    return ok({{"plant", live_.plant}, {"twins", std::move(list)}});
  }
  const std::string id = str_member(req, "twin");
  const std::size_t t = mirror_->find_twin(id);
  if (t == std::string::npos)
    return fail("unknown_twin", "no twin \"" + id + "\" in plant " + live_.plant);
  nlohmann::json j = mirror_->twin_json(t, now);
  if (req.contains("prop")) {
    const std::string p = str_member(req, "prop");
    if (mirror_->find_property(t, p) == std::string::npos)
      return fail("unknown_property", "twin \"" + id + "\" has no property \"" + p + "\"");
    nlohmann::json one = {{"id", id}, {"prop", p}, {"revision", j["revision"]}};
    if (j["reported"].contains(p)) one["reported"] = j["reported"][p];
    if (j["desired"].contains(p)) one["desired"] = j["desired"][p];
    if (j["delta"].contains(p)) one["delta"] = j["delta"][p];
    return ok(std::move(one));
  }
  return ok(std::move(j));
}

}  // namespace dtwin
