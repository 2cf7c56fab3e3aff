// The MQTT transport: a Link over a real broker (Mosquitto, or any MQTT 5 broker) through
// libmosquitto. Wire-level notes (URL forms, TLS, auth, QoS, retained, wills, an ACL example)
// are in engine/MQTT.md.
//
// Threads. connect() starts one network thread that owns the socket: it connects, runs
// libmosquitto's loop, and reconnects by itself with exponential backoff whatever went wrong
// (broker gone, refused, TLS failure); subscriptions are re-issued on every connection. (Not
// mosquitto_loop_start(): in libmosquitto 2.0 that thread stops for good after a TLS connection
// is cut or a CONNACK refused; see MQTT.md.)
// Messages and connection changes arriving there are queued and delivered by poll() on the
// caller's thread, in arrival order. The contract: connect, disconnect, subscribe, publish, poll
// and flush from one thread (the owner); connected(), pending_publishes(), reconnects(),
// dropped_publishes(), rejected_publishes() and last_error() from any thread.
//
// Publishing while disconnected: QoS 1/2 messages are kept in memory by libmosquitto (no bound)
// and sent, in order, once connected again (at least once; resent with DUP if the broker had
// not acknowledged them); they count in pending_publishes() until acknowledged, and flush()
// waits for that. QoS 0 messages are dropped and counted in dropped_publishes(). Nothing
// survives the process: a restart loses what was pending.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include "engine/transport/link.hpp"

struct mosquitto;
struct mosquitto_message;
struct mqtt5__property;

namespace dtwin {

// "mqtt://host[:port]" (default port 1883) or "mqtts://host[:port]" (TLS, default 8883);
// an IPv6 host goes in brackets: "mqtt://[::1]:1883".
struct MqttUrl {
  bool tls = false;
  std::string host;
  int port = 0;
};
// Throws UsageError naming the URL and what is wrong.
MqttUrl parse_mqtt_url(std::string_view url);

struct MqttOptions {
  std::string url = "mqtt://127.0.0.1:1883";
  // Empty: the broker assigns one (only with clean_start). Two live clients with the same id
  // throw each other off the broker.
  std::string client_id;
  std::string username, password;  // empty username: none sent
  // TLS, used with mqtts:// only.
  std::string ca_file;              // PEM CA bundle; empty: the system's trusted CAs
  std::string cert_file, key_file;  // client certificate for mutual TLS (both or neither)
  bool tls_insecure = false;        // skip the host name check (the chain is still verified)
  int keepalive_s = 30;             // 5..65535 (libmosquitto refuses less than 5)
  // Clean start discards any session the broker holds for client_id. A persistent session
  // (clean_start false, session_expiry_s > 0) keeps subscriptions and queues QoS 1/2 messages
  // for this client while it is away, for session_expiry_s (0xFFFFFFFF: never expires).
  bool clean_start = true;
  std::uint32_t session_expiry_s = 0;
  int max_inflight = 20;  // unacknowledged QoS 1/2 publishes on the wire; more wait in memory
  // Reconnection: first retry after reconnect_min_ms, doubling up to reconnect_max_ms, +-20%
  // jitter; back to the minimum after a connection that lasted 5 s or more.
  int reconnect_min_ms = 250;
  int reconnect_max_ms = 30000;
};

class MqttLink final : public Link {
 public:
  // Validates the options (URL, TLS files, keepalive) and throws UsageError when wrong; does
  // not touch the network.
  explicit MqttLink(MqttOptions opts);
  // Disconnects cleanly (no will) and stops the network thread.
  ~MqttLink() override;
  MqttLink(const MqttLink&) = delete;
  MqttLink& operator=(const MqttLink&) = delete;

  void on_message(Handler h) override { handler_ = std::move(h); }
  void on_connection(ConnectionHandler h) override { conn_handler_ = std::move(h); }
  // Takes effect at the next connect(). response_topic/correlation travel as will properties.
  void set_will(const Message& m) override;
  // Starts the network thread and returns at once; the connection is made in the background
  // and reported by on_connection(true) from poll(). No-op when already started.
  void connect() override;
  // A clean DISCONNECT (the broker drops the will), then stops the network thread. No
  // on_connection(false) follows. Unacknowledged QoS 1/2 publishes stay pending (call flush()
  // first to be sure) and are sent if connect() is called again. May wait for a TCP connect
  // attempt in progress (immediate on loopback or when refused; the kernel's connect timeout
  // for an unreachable host).
  void disconnect() override;
  // The connection drops without a normal goodbye, so the broker publishes the will: sends
  // DISCONNECT with reason 0x04 ("disconnect with will message") and stops the network thread.
  // on_connection(false) is delivered by the next poll().
  void crash_for_test();
  // Live state of the network thread (may be ahead of the events poll() has delivered).
  bool connected() const override { return connected_.load(); }
  // Kept for every later (re)connection. Retained messages are sent by the broker when the
  // subscription is new (so again after a clean reconnection, not when a session resumes).
  void subscribe(const std::string& filter, int qos = 1) override;
  void publish(const Message& m) override;
  // Delivers queued connection changes and messages on this thread, waiting at most timeout_ms
  // (<= 0: no wait) for the first. Returns the number of messages delivered.
  int poll(int timeout_ms) override;

  // QoS 1/2 publishes not yet acknowledged by the broker (including those waiting for a
  // connection).
  std::size_t pending_publishes() const;
  // Waits until every QoS 1/2 publish made so far is acknowledged (PUBACK/PUBCOMP). Returns
  // false on timeout. An acknowledgement with an error reason code (e.g. 0x87 not authorized)
  // counts as acknowledged and in rejected_publishes().
  bool flush(int timeout_ms);

  // Successful connections after the first one.
  std::uint64_t reconnects() const { return reconnects_.load(); }
  // QoS 0 publishes dropped while disconnected, and publishes refused locally (bad topic,
  // too large).
  std::uint64_t dropped_publishes() const { return dropped_.load(); }
  // Publishes the broker acknowledged with an error reason code.
  std::uint64_t rejected_publishes() const { return rejected_.load(); }
  // The last connection or protocol error, for logs and operators ("" when none): refused
  // CONNACKs ("not authorized"), TLS failures (the OpenSSL message), lost connections.
  std::string last_error() const override;
  const MqttOptions& options() const { return opts_; }

 private:
  struct Event {
    enum class Kind : std::uint8_t { Message, Up, Down } kind;
    Message msg;
  };
  // libmosquitto callbacks (network thread)
  static void cb_connect(mosquitto*, void* self, int rc, int flags, const mqtt5__property*);
  static void cb_disconnect(mosquitto*, void* self, int rc, const mqtt5__property*);
  static void cb_publish(mosquitto*, void* self, int mid, int reason, const mqtt5__property*);
  static void cb_message(mosquitto*, void* self, const mosquitto_message* m,
                         const mqtt5__property*);
  static void cb_subscribe(mosquitto*, void* self, int mid, int count, const int* granted,
                           const mqtt5__property*);
  static void cb_log(mosquitto*, void* self, int level, const char* text);

  void run();  // the network thread
  void stop_thread(int reason_code);
  void wait_backoff(std::chrono::milliseconds d);
  int publish_raw(const Message& m, int* mid);    // into libmosquitto
  void track(const Message& m, int mid, int rc);  // bookkeeping, mu_ held
  void subscribe_now(const std::string& filter, int qos);
  void set_error(std::string e);  // mu_ not held
  std::string connect_error(int rc);
  void push(Event e);

  MqttOptions opts_;
  MqttUrl url_;
  mosquitto* mosq_ = nullptr;
  Handler handler_;
  ConnectionHandler conn_handler_;
  Message will_;
  bool has_will_ = false;
  std::thread thread_;
  bool started_before_ = false;  // the first connect call has been made (then reconnect)

  mutable std::mutex mu_;             // guards everything below it
  std::condition_variable cv_;        // inbox_ got an event
  std::condition_variable acked_cv_;  // pending_ shrank
  std::condition_variable stop_cv_;   // stop_ was set (wakes a backoff wait)
  std::vector<Event> inbox_;
  std::vector<Event> batch_;  // poll()'s working copy (owner thread), reused
  bool polling_ = false;      // owner thread: poll() is delivering
  std::vector<std::pair<std::string, int>> subs_;
  std::map<int, std::string> sub_mids_;  // SUBSCRIBE mid -> filter, for SUBACK errors
  // Until the network thread has made its first connect call, publishes wait here (the call
  // sets libmosquitto up and must not race with a publish).
  std::deque<Message> pre_;
  bool ready_ = false;
  bool stop_ = false;
  bool crash_ = false;
  // QoS 1/2 message ids awaiting acknowledgement; acknowledgements that overtook the
  // caller's bookkeeping; QoS 0 ids whose "sent" callback is still to come.
  std::unordered_set<int> pending_, acked_early_, qos0_;
  std::string last_error_;
  std::string last_log_error_;  // libmosquitto's last error log line (OpenSSL's reason)

  std::atomic<bool> connected_{false};
  std::atomic<std::uint64_t> reconnects_{0}, dropped_{0}, rejected_{0};
  // network thread only
  std::uint64_t connections_ = 0;
  bool came_up_ = false, refused_ = false;
  std::chrono::steady_clock::time_point up_since_;
  std::minstd_rand rng_;
};

}  // namespace dtwin
