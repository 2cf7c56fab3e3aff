// {"op": "set"}: a desired value, acknowledged once the store has made it durable.
#include "engine/live/engine.hpp"
#include "engine/live/request.hpp"

namespace dtwin {

using namespace live_detail;

nlohmann::json LiveEngine::op_set(const nlohmann::json& req) {
  const std::string twin = str_member(req, "twin"), prop = str_member(req, "prop");
  const nlohmann::json& value = member(req, "value");
  const std::uint64_t if_rev = uint_member(req, "if_revision", 0);
  const double ttl = num_member(req, "ttl_s", 0);
  if (ttl < 0) throw BadRequest{"\"ttl_s\" must not be negative"};
  std::string id;
  if (req.contains("id")) id = str_member(req, "id");
  // answered after the store has committed it (MirrorObserver::desired with command = true)
  const WriteResult r = service_->set(twin, prop, value, if_rev, id, ttl);
  if (r.outcome != Outcome::Applied) {
    nlohmann::json f = fail(outcome_code(r.outcome), r.reason);
    f["revision"] = r.revision;
    return f;
  }
  const std::size_t t = mirror_->find_twin(twin);
  const std::size_t p = mirror_->find_property(t, prop);
  const Desired& d = mirror_->state(t).props[p].desired;
  nlohmann::json res = {{"twin", twin},
                        {"prop", prop},
                        {"version", r.version},
                        {"revision", r.revision},
                        {"id", d.id},
                        {"state", desired_state_name(d.state)},
                        {"stored", store_ != nullptr}};
  if (r.superseded) res["superseded"] = r.superseded;
  return ok(std::move(res));
}

}  // namespace dtwin
