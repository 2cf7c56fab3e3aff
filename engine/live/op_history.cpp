// {"op": "history"}: a twin's or a property's recorded history from the store.
#include <cmath>

#include "engine/live/engine.hpp"
#include "engine/live/request.hpp"

namespace dtwin {

using namespace live_detail;

nlohmann::json LiveEngine::op_history(const nlohmann::json& req) {
  if (!store_)
    return fail("no_store", "this engine keeps no history (start dtwin serve with --store FILE)");
  const std::string twin = str_member(req, "twin");
  std::string prop;
  if (req.contains("prop")) prop = str_member(req, "prop");
  const std::size_t t = mirror_->find_twin(twin);
  if (t == std::string::npos)
    return fail("unknown_twin", "no twin \"" + twin + "\" in plant " + live_.plant);
  if (!prop.empty() && mirror_->find_property(t, prop) == std::string::npos)
    return fail("unknown_property", "twin \"" + twin + "\" has no property \"" + prop + "\"");
  const double since = num_member(req, "since", -1e300), until = num_member(req, "until", 1e300);
  const std::uint64_t limit = uint_member(req, "limit", 10000);
  try {
    store_->flush();
  } catch (const StoreError&) {  // failing: what the file holds, and how much waits
  }
  std::size_t skipped = 0;
  const auto rows = store_->history(twin, prop, since, until, limit, &skipped);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rows) {
    nlohmann::json row = {{"twin", r.twin},   {"prop", r.prop}, {"kind", history_kind_name(r.kind)},
                          {"state", r.state}, {"unit", r.unit}, {"receive_time", r.receive_time}};
    if (!r.value.empty()) row["value"] = nlohmann::json::parse(r.value, nullptr, false);
    if (std::isfinite(r.source_time)) row["source_time"] = r.source_time;
    if (r.kind == HistoryKind::Desired)
      row["version"] = r.version;
    else
      row["session"] = r.session, row["seq"] = r.seq;
    out.push_back(std::move(row));
  }
  // rows damaged in the file are left out and counted; records not yet written are not there
  return ok({{"rows", std::move(out)}, {"skipped", skipped}, {"pending", store_->pending()}});
}

}  // namespace dtwin
