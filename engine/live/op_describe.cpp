// {"op": "describe"}: the wire contract of the plant's twins (engine/live/describe.hpp).
#include "engine/live/describe.hpp"
#include "engine/live/engine.hpp"
#include "engine/live/request.hpp"

namespace dtwin {

using namespace live_detail;

nlohmann::json LiveEngine::op_describe(const nlohmann::json& req) {
  std::string only;
  if (req.contains("twin")) {
    only = str_member(req, "twin");
    if (mirror_->find_twin(only) == std::string::npos)
      return fail("unknown_twin", "no twin \"" + only + "\" in plant " + live_.plant);
  }
  // the whole plant's contract, whichever partition answers: it is the scenario's
  return ok(describe_twins(mirror_specs(base_), live_.plant, only, &live_));
}

}  // namespace dtwin
