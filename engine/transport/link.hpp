// A Link carries the mirror's messages between the engine and the assets: in-process (tests,
// an embedded plant), MQTT (a real broker), or the replay of a recorded telemetry file. It is
// the only thing the mirror service knows of the transport, so another wire (Sparkplug B) is
// another Link.
//
// Messages are delivered from poll(), on the caller's thread: the service stays single-threaded
// and deterministic whatever the transport does inside.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dtwin {

struct Message {
  std::string topic;
  std::string payload;
  int qos = 1;
  bool retain = false;
  // MQTT 5 request/response: where to answer and what to echo (empty when unused)
  std::string response_topic;
  std::string correlation;
};

class Link {
 public:
  using Handler = std::function<void(const Message&)>;
  // true on (re)connection, false when the connection is lost
  using ConnectionHandler = std::function<void(bool connected)>;

  virtual ~Link() = default;
  virtual void on_message(Handler h) = 0;
  virtual void on_connection(ConnectionHandler h) = 0;
  // The last will: published by the broker when this side goes away without saying so.
  // Set before connect().
  virtual void set_will(const Message& m) = 0;
  virtual void connect() = 0;
  virtual void disconnect() = 0;
  virtual bool connected() const = 0;
  // Subscriptions survive reconnection.
  virtual void subscribe(const std::string& filter, int qos = 1) = 0;
  virtual void publish(const Message& m) = 0;
  // Delivers what has arrived, waiting at most timeout_ms for the first message. Returns the
  // number delivered.
  virtual int poll(int timeout_ms) = 0;
  // Why the last connection attempt failed or the connection was lost ("certificate verify
  // failed", "not authorised"); empty when nothing has gone wrong or the link cannot tell.
  virtual std::string last_error() const { return {}; }
};

// MQTT topic filter matching: '+' matches one level, '#' the rest ("a/#" also matches "a").
// A shared-subscription filter "$share/<group>/<filter>" matches as <filter>.
bool topic_matches(std::string_view filter, std::string_view topic);

}  // namespace dtwin
