// {"op": "status"}: counters, twins online, what-ifs running, the store.
#include "engine/live/engine.hpp"
#include "engine/live/request.hpp"
#include "engine/live/sparkplug_host.hpp"

namespace dtwin {

using namespace live_detail;

nlohmann::json LiveEngine::op_status() {
  nlohmann::json s = {{"plant", live_.plant},
                      {"scenario", sc_.name()},
                      {"twins", mirror_->twin_count()},
                      {"uptime_s", clock_() - started_},
                      {"counters", service_->counters().to_json()},
                      {"whatifs_running", whatifs_.size()}};
  std::size_t online = 0;
  for (std::size_t t = 0; t < mirror_->twin_count(); ++t) online += mirror_->state(t).online;
  s["online"] = online;
  if (sparkplug_) {
    nlohmann::json j = sparkplug_->counters().to_json();
    j["host_id"] = sparkplug_->state_topic();
    j["nodes_online"] = sparkplug_->nodes_online();
    s["sparkplug"] = std::move(j);
  }
  if (alerts_)
    s["alerts"] = {{"rules", alerts_->rules().size()},
                   {"active", alerts_->active_count()},
                   {"raised", alerts_->raised_total()}};
  if (store_) {
    const auto& st = store_->stats();
    s["store"] = {{"path", store_->path()},
                  {"records", st.records},
                  {"transactions", st.transactions},
                  {"synced", st.synced},
                  {"writing", store_->error().empty()},
                  {"error", store_->error()},
                  {"backlog", store_->pending()},
                  {"failures", st.failures},
                  {"lost", st.lost}};
  }
  return ok(std::move(s));
}

}  // namespace dtwin
