// The engine's side of the live mirror: takes the assets' messages from a Link into the Mirror,
// publishes what the digital side wants, and answers for presence.
//
// Wire format (JSON over MQTT or any Link; topics under dtwin/<plant>/):
//   <twin>/reported  asset -> engine  {"session": 3, "seq": 17, "ts": 1764230000.25,
//                                      "values": {"speed": 1.2, "state": "working"}}
//   <twin>/birth     asset -> engine  same shape, the asset's full state, on (re)connect
//   <twin>/death     asset's will     {"session": 3}
//   <twin>/ack       asset -> engine  {"prop": "speed", "version": 4, "status": "rejected",
//                                      "reason": "..."}
//   <twin>/desired   engine -> asset  retained: {"engine": 1764230000123456, "revision": 12,
//                                      "values": {"speed":
//                                      {"value": 1.2, "version": 4, "id": "..."}}} (the delta)
//   <twin>/state     engine -> anyone retained: the twin as `dtwin get` prints it
//   engine/status    engine -> anyone retained: {"online": true|false} (false is the will);
//                    engine/status/<k>of<n> for partition k of n (serve --partition)
// Times are seconds since the Unix epoch. A message is applied whole or not at all: one bad
// value (a wrong type, an enumeration name the property does not have) rejects it, with a log
// line naming the topic and the reason, and a counter. A number outside its property's range is
// not bad: it is what the asset measured, kept with quality uncertain, logged and counted
// (out_of_range).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/mirror/mirror.hpp"
#include "engine/transport/link.hpp"

namespace dtwin {

struct ServiceCounters {
  std::uint64_t messages = 0, applied = 0, malformed = 0, oversized = 0, unknown_twin = 0,
                unknown_property = 0, bad_value = 0, stale = 0, duplicate = 0, births = 0,
                deaths = 0, rejected_by_asset = 0, disconnects = 0, future_session = 0,
                dead_session = 0,
                out_of_range = 0;  // reported numbers outside their range: kept as uncertain
  nlohmann::json to_json() const;
};

// What the service changes, property by property, as it happens (a MirrorStore records it).
struct MirrorObserver {
  virtual ~MirrorObserver() = default;
  // A reported value was applied (it may have turned a desired value applied).
  virtual void reported(std::size_t twin, std::size_t prop) = 0;
  // command: a new desired value, to be made durable before it is acknowledged (throwing
  // refuses the command: it is then rejected with the reason). Otherwise a step of its
  // lifecycle (rejected by the asset, expired).
  virtual void desired(std::size_t twin, std::size_t prop, bool command) = 0;
  // A birth (online) or a death, a silence or the broker's loss (offline).
  virtual void presence(std::size_t twin, bool online) = 0;
};

class MirrorService {
 public:
  using Clock = std::function<double()>;  // engine time, seconds since the Unix epoch
  using Log = std::function<void(const std::string&)>;

  MirrorService(Mirror& mirror, Link& link, std::string plant, Clock clock);

  // Subscribes, announces the engine (its will says offline) and publishes every twin's
  // desired values.
  void start();
  // Announces the engine offline (the retained engine/status, as its will would) before a
  // clean shutdown.
  void stop();
  // Handles what the link has received, waiting at most timeout_ms; then tick().
  int poll(int timeout_ms);
  void handle(const Message& m);
  // Expiry of desired values; assets silent for longer than stale_after_s turn stale. Runs at
  // most every tick_interval_s (it visits every twin).
  void tick();
  double tick_interval_s = 0.1;

  // The digital side sets a desired value (the CLI, a controller, the viewer).
  WriteResult set(const std::string& twin, const std::string& prop, const nlohmann::json& value,
                  std::uint64_t if_revision = 0, const std::string& id = "", double ttl_s = 0);

  const ServiceCounters& counters() const { return counters_; }
  Mirror& mirror() { return mirror_; }
  std::string topic(const std::string& twin, std::string_view kind) const;

  void on_log(Log f) { log_ = std::move(f); }
  // The number desired versions are counted within ("engine" in <twin>/desired): a store's
  // epoch when the engine keeps one, so an asset goes on counting across engine restarts and
  // applies no version twice; by default this process's start (versions start over with it).
  void set_epoch(std::uint64_t epoch) { engine_id_ = epoch; }
  // Called after every change of a twin (its revision moved): persistence, notifications.
  void on_change(std::function<void(std::size_t twin)> f) { change_ = std::move(f); }
  void set_observer(MirrorObserver* o) { observer_ = o; }

  double stale_after_s = 0;             // 0: only deaths make values stale
  std::size_t max_payload = 64 * 1024;  // bytes; larger messages are rejected
  bool publish_state = true;            // publish <twin>/state on every change
  // Subscribe to each twin's topics rather than to dtwin/<plant>/+/...: an engine that mirrors
  // a partition of the plant's twins hears only its own.
  bool subscribe_per_twin = false;
  // The engine's retained status (and will): engine/status, or engine/status/<k>of<n> for
  // partition k of n, so that one partition going away does not mark the others offline.
  // Assets listen to engine/status/# (which matches engine/status itself too).
  std::string status_level;  // "" or "2of4"
  std::string status_topic() const {
    return prefix_ + "engine/status" + (status_level.empty() ? "" : "/" + status_level);
  }

 private:
  void reported(std::size_t twin, const Message& m, bool is_birth);
  void publish_desired(std::size_t twin);
  void changed(std::size_t twin, std::uint64_t old_revision);
  void refuse(const Message& m, std::uint64_t& counter, const std::string& why);
  std::string future_session(std::uint64_t session, double now) const;

  Mirror& mirror_;
  Link& link_;
  std::string plant_, prefix_;
  Clock clock_;
  Log log_;
  std::function<void(std::size_t)> change_;
  MirrorObserver* observer_ = nullptr;
  ServiceCounters counters_;
  std::uint64_t next_id_ = 1;
  double last_tick_ = -1e300;
  double last_expiry_ = -1e300;
  // what desired versions are counted within (set_epoch); by default this engine process (its
  // start time in microseconds)
  std::uint64_t engine_id_;
  // desired ids made here ("d<process start, hex>-<n>"): unique across restarts, so an asset
  // can drop a command it has seen
  std::string id_prefix_;
};

}  // namespace dtwin
