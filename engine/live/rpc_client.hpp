// The client side of the engine's requests (`dtwin get / set / history / whatif`, the viewer's
// live mode): MQTT 5 request/response on dtwin/<plant>/engine/request, each client on its own
// response topic dtwin/<plant>/client/<random id>/response.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/transport/link.hpp"

namespace dtwin {

// A client of a running engine: sends a request, waits for the answer.
class RpcClient {
 public:
  // `link` must not be connected yet; the client subscribes to its response topic.
  RpcClient(Link& link, std::string plant);
  // Throws UsageError when no answer comes within timeout_ms (no engine for that plant?), or
  // when `cancelled` (checked every 20 ms while waiting) says so.
  nlohmann::json call(const nlohmann::json& req, int timeout_ms,
                      const std::function<bool()>& cancelled = nullptr);

 private:
  Link& link_;
  std::string plant_, response_topic_;
  std::uint64_t next_ = 1;
  std::optional<nlohmann::json> answer_;
  std::string waiting_for_;
};

}  // namespace dtwin
