#include "engine/live/rpc_client.hpp"

#include <chrono>
#include <random>
#include <sstream>

#include "engine/base/error.hpp"
#include "engine/transport/wire_json.hpp"

namespace dtwin {

RpcClient::RpcClient(Link& link, std::string plant) : link_(link), plant_(std::move(plant)) {
  std::random_device rd;
  std::ostringstream id;
  id << std::hex << rd() << rd();
  response_topic_ = "dtwin/" + plant_ + "/client/" + id.str() + "/response";
  link_.on_message([this](const Message& m) {
    if (m.topic == response_topic_ && m.correlation == waiting_for_) {
      auto j = parse_wire_json(m.payload);
      if (!j.is_discarded()) answer_ = std::move(j);
    }
  });
  link_.subscribe(response_topic_, 1);
}

nlohmann::json RpcClient::call(const nlohmann::json& req, int timeout_ms,
                               const std::function<bool()>& cancelled) {
  waiting_for_ = std::to_string(next_++);
  answer_.reset();
  if (!link_.connected()) link_.connect();
  bool sent = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    // publish once connected and subscribed (the subscription goes out first on connection)
    if (!sent && link_.connected()) {
      link_.publish({"dtwin/" + plant_ + "/engine/request", req.dump(), 1, false, response_topic_,
                     waiting_for_});
      sent = true;
    }
    link_.poll(20);
    if (answer_) return *answer_;
    if (cancelled && cancelled()) throw UsageError("request cancelled");
  }
  const std::string why = link_.last_error();
  throw UsageError(sent ? "no answer from an engine for plant \"" + plant_ + "\" within " +
                              std::to_string(timeout_ms / 1000) + " s (is dtwin serve running?)"
                        : "could not reach the broker within " + std::to_string(timeout_ms / 1000) +
                              " s" + (why.empty() ? std::string() : ": " + why));
}

}  // namespace dtwin
