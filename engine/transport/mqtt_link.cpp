#include "engine/transport/mqtt_link.hpp"

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <system_error>

#include "engine/base/error.hpp"

namespace dtwin {

namespace {

using Clock = std::chrono::steady_clock;
using Ms = std::chrono::milliseconds;

// libmosquitto's process-wide set-up (OpenSSL, sockets). Done once and never undone: other
// links may still be alive, and there is nothing to release that the process exit does not.
void library_init() {
  static const int rc = mosquitto_lib_init();
  (void)rc;
}

// Text for a libmosquitto return code; MOSQ_ERR_ERRNO reads errno, so call it right away.
std::string error_text(int rc) {
  if (rc == MOSQ_ERR_ERRNO) return std::error_code(errno, std::generic_category()).message();
  return mosquitto_strerror(rc);
}

// Text for an MQTT 5 reason code, with the code: "Not authorized (0x87)".
std::string reason_text(int rc) {
  static const char* hex = "0123456789abcdef";
  std::string s = mosquitto_reason_string(rc);
  s += " (0x";
  s += hex[(rc >> 4) & 15];
  s += hex[rc & 15];
  s += ")";
  return s;
}

bool readable(const std::string& path) {
  return std::ifstream(path).good();
}

}  // namespace

MqttUrl parse_mqtt_url(std::string_view url) {
  const auto bad = [&](const std::string& why) {
    return UsageError("MQTT URL '" + std::string(url) + "': " + why +
                      " (expected mqtt://host[:port] or mqtts://host[:port])");
  };
  MqttUrl u;
  std::string_view rest;
  if (url.rfind("mqtt://", 0) == 0) {
    rest = url.substr(7);
    u.port = 1883;
  } else if (url.rfind("mqtts://", 0) == 0) {
    rest = url.substr(8);
    u.tls = true;
    u.port = 8883;
  } else {
    throw bad("unknown scheme");
  }
  if (rest.find_first_of("/?#") != std::string_view::npos) throw bad("no path or query allowed");
  if (rest.find('@') != std::string_view::npos)
    throw bad("credentials go in the username/password options, not the URL");
  std::string_view port;
  if (!rest.empty() && rest[0] == '[') {  // [IPv6]
    const auto close = rest.find(']');
    if (close == std::string_view::npos) throw bad("unclosed '['");
    u.host = std::string(rest.substr(1, close - 1));
    rest = rest.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') throw bad("expected ':' after ']'");
      port = rest.substr(1);
      if (port.empty()) throw bad("empty port");
    }
  } else {
    const auto colon = rest.find(':');
    u.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = rest.substr(colon + 1);
      if (port.empty()) throw bad("empty port");
    }
  }
  if (u.host.empty()) throw bad("no host");
  if (!port.empty()) {
    long p = 0;
    for (const char c : port) {
      if (c < '0' || c > '9' || p > 65535) throw bad("port must be a number in 1..65535");
      p = p * 10 + (c - '0');
    }
    if (p < 1 || p > 65535) throw bad("port must be a number in 1..65535");
    u.port = static_cast<int>(p);
  }
  return u;
}

MqttLink::MqttLink(MqttOptions opts) : opts_(std::move(opts)), url_(parse_mqtt_url(opts_.url)) {
  const auto& o = opts_;
  if (o.keepalive_s < 5 || o.keepalive_s > 65535)
    throw UsageError("MQTT keepalive must be 5..65535 s, got " + std::to_string(o.keepalive_s));
  if (o.max_inflight < 1 || o.max_inflight > 65535)
    throw UsageError("MQTT max_inflight must be 1..65535, got " + std::to_string(o.max_inflight));
  if (o.reconnect_min_ms < 1 || o.reconnect_max_ms < o.reconnect_min_ms)
    throw UsageError("MQTT reconnect delays: need 1 <= min <= max, got " +
                     std::to_string(o.reconnect_min_ms) + " and " +
                     std::to_string(o.reconnect_max_ms) + " ms");
  if (o.client_id.empty() && !o.clean_start)
    throw UsageError("MQTT: a persistent session (clean_start false) needs a client id");
  if (o.password.size() && o.username.empty())
    throw UsageError("MQTT: a password without a username");
  const bool tls_opts = !o.ca_file.empty() || !o.cert_file.empty() || !o.key_file.empty();
  if (tls_opts && !url_.tls)
    throw UsageError("MQTT: TLS files given but the URL '" + o.url + "' is not mqtts://");
  if (o.cert_file.empty() != o.key_file.empty())
    throw UsageError("MQTT: a client certificate needs both cert_file and key_file");
  for (const auto* f : {&o.ca_file, &o.cert_file, &o.key_file})
    if (!f->empty() && !readable(*f)) throw UsageError("MQTT: cannot read TLS file '" + *f + "'");

  library_init();
  mosq_ = mosquitto_new(o.client_id.empty() ? nullptr : o.client_id.c_str(), o.clean_start, this);
  if (!mosq_) throw std::runtime_error("MQTT: cannot create a libmosquitto client");
  const auto check = [&](int rc, const char* what) {
    if (rc == MOSQ_ERR_SUCCESS) return;
    mosquitto_destroy(mosq_);
    mosq_ = nullptr;
    throw UsageError(std::string("MQTT: ") + what + ": " + error_text(rc));
  };
  check(mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5),
        "protocol version 5");
  check(mosquitto_int_option(mosq_, MOSQ_OPT_SEND_MAXIMUM, o.max_inflight), "max_inflight");
  check(mosquitto_int_option(mosq_, MOSQ_OPT_TCP_NODELAY, 1), "TCP_NODELAY");
  if (!o.username.empty())
    check(mosquitto_username_pw_set(mosq_, o.username.c_str(),
                                    o.password.empty() ? nullptr : o.password.c_str()),
          "username/password");
  if (url_.tls) {
    const char* cert = o.cert_file.empty() ? nullptr : o.cert_file.c_str();
    const char* key = o.key_file.empty() ? nullptr : o.key_file.c_str();
    if (!o.ca_file.empty()) {
      check(mosquitto_tls_set(mosq_, o.ca_file.c_str(), nullptr, cert, key, nullptr), "TLS files");
    } else {
      // The system's CAs, named as a file or directory: libmosquitto 2.0's own
      // MOSQ_OPT_TLS_USE_OS_CERTS fails every reconnection with "invalid arguments" (its TLS
      // context check wants a cafile, capath or PSK once the context exists).
      const char* bundle = "/etc/ssl/certs/ca-certificates.crt";
      const bool have_bundle = readable(bundle);
      check(mosquitto_tls_set(mosq_, have_bundle ? bundle : nullptr,
                              have_bundle ? nullptr : "/etc/ssl/certs", cert, key, nullptr),
            "system CA certificates");
    }
    if (o.tls_insecure) check(mosquitto_tls_insecure_set(mosq_, true), "tls_insecure");
  }
  mosquitto_connect_v5_callback_set(mosq_, &MqttLink::cb_connect);
  mosquitto_disconnect_v5_callback_set(mosq_, &MqttLink::cb_disconnect);
  mosquitto_publish_v5_callback_set(mosq_, &MqttLink::cb_publish);
  mosquitto_message_v5_callback_set(mosq_, &MqttLink::cb_message);
  mosquitto_subscribe_v5_callback_set(mosq_, &MqttLink::cb_subscribe);
  mosquitto_log_callback_set(mosq_, &MqttLink::cb_log);
  // our own thread runs the loop; calls from the owner thread only queue packets and wake it
  check(mosquitto_threaded_set(mosq_, true), "threaded mode");
  rng_.seed(std::random_device{}());
}

MqttLink::~MqttLink() {
  stop_thread(MQTT_RC_NORMAL_DISCONNECTION);
  if (mosq_) mosquitto_destroy(mosq_);
}

void MqttLink::set_will(const Message& m) {
  will_ = m;
  has_will_ = true;
}

void MqttLink::connect() {
  if (thread_.joinable()) return;
  if (has_will_) {
    mosquitto_property* props = nullptr;
    if (!will_.response_topic.empty())
      mosquitto_property_add_string(&props, MQTT_PROP_RESPONSE_TOPIC, will_.response_topic.c_str());
    if (!will_.correlation.empty() && will_.correlation.size() <= 65535)
      mosquitto_property_add_binary(&props, MQTT_PROP_CORRELATION_DATA, will_.correlation.data(),
                                    static_cast<std::uint16_t>(will_.correlation.size()));
    const int rc = mosquitto_will_set_v5(
        mosq_, will_.topic.c_str(),
        static_cast<int>(std::min<std::size_t>(will_.payload.size(), INT_MAX)),
        will_.payload.data(), will_.qos, will_.retain, props);
    if (rc != MOSQ_ERR_SUCCESS) {
      mosquitto_property_free_all(&props);
      throw UsageError("MQTT: bad last will on '" + will_.topic + "': " + error_text(rc));
    }
  } else {
    mosquitto_will_clear(mosq_);
  }
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = crash_ = false;
  }
  thread_ = std::thread([this] { run(); });
}

void MqttLink::disconnect() {
  stop_thread(MQTT_RC_NORMAL_DISCONNECTION);
}

void MqttLink::crash_for_test() {
  stop_thread(MQTT_RC_DISCONNECT_WITH_WILL_MSG);
}

void MqttLink::stop_thread(int reason_code) {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = true;
    crash_ = reason_code == MQTT_RC_DISCONNECT_WITH_WILL_MSG;
  }
  stop_cv_.notify_all();
  // queues DISCONNECT and wakes the loop; when not connected the thread sends its own on the way
  // out
  mosquitto_disconnect_v5(mosq_, reason_code, nullptr);
  thread_.join();
  if (connected_.exchange(false) && crash_) push({Event::Kind::Down, {}});
}

// The network thread: connect, run the loop until the connection ends, wait, reconnect.
void MqttLink::run() {
  const Ms min_delay{opts_.reconnect_min_ms}, max_delay{opts_.reconnect_max_ms};
  Ms backoff = min_delay;
  const auto stopping = [&] {
    std::lock_guard<std::mutex> lk(mu_);
    return stop_;
  };
  for (;;) {
    if (stopping()) break;
    if (mosquitto_socket(mosq_) < 0) {
      {
        std::lock_guard<std::mutex> lk(mu_);
        qos0_.clear();  // unsent QoS 0 packets die with the old connection: no callback comes
        sub_mids_.clear();
        last_log_error_.clear();
      }
      came_up_ = refused_ = false;
      int rc;
      if (!started_before_) {
        // the first call sets host, port, keepalive and the CONNECT properties, which
        // libmosquitto keeps for every mosquitto_reconnect()
        mosquitto_property* props = nullptr;
        if (opts_.session_expiry_s > 0)
          mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL,
                                       opts_.session_expiry_s);
        rc = mosquitto_connect_bind_v5(mosq_, url_.host.c_str(), url_.port, opts_.keepalive_s,
                                       nullptr, props);
        const std::string err = rc == MOSQ_ERR_SUCCESS ? "" : connect_error(rc);
        mosquitto_property_free_all(&props);
        started_before_ = true;
        std::lock_guard<std::mutex> lk(mu_);
        ready_ = true;
        for (const auto& m : pre_) {
          int mid = 0;
          track(m, mid, publish_raw(m, &mid));
        }
        pre_.clear();
        acked_cv_.notify_all();
        if (rc != MOSQ_ERR_SUCCESS) last_error_ = err;
      } else {
        rc = mosquitto_reconnect(mosq_);
        if (rc != MOSQ_ERR_SUCCESS) set_error(connect_error(rc));
      }
      if (rc != MOSQ_ERR_SUCCESS) {
        wait_backoff(backoff);
        backoff = std::min(backoff * 2, max_delay);
        continue;
      }
    }
    const int rc = mosquitto_loop(mosq_, 1000, 1);
    if (rc == MOSQ_ERR_SUCCESS && mosquitto_socket(mosq_) >= 0) continue;
    // the connection ended: lost, refused, a TLS failure, or our own DISCONNECT
    if (stopping()) break;
    if (rc == MOSQ_ERR_TLS || rc == MOSQ_ERR_TLS_HANDSHAKE) {
      set_error(connect_error(rc));
    } else if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN && !came_up_ && !refused_) {
      std::string why = error_text(rc);
      {
        std::lock_guard<std::mutex> lk(mu_);
        if (!last_log_error_.empty()) why += " (" + last_log_error_ + ")";
      }
      set_error("connection to " + opts_.url + " failed: " + why);
    }
    // after a connection that held, retry soon; after a flapping one, keep backing off
    if (came_up_ && Clock::now() - up_since_ >= std::chrono::seconds(5)) backoff = min_delay;
    // (an error that left the socket open, e.g. a descriptor above select()'s FD_SETSIZE, is
    // retried on the same socket after the wait: no busy loop)
    wait_backoff(backoff);
    backoff = std::min(backoff * 2, max_delay);
  }
  if (mosquitto_socket(mosq_) >= 0) {
    // the owner's DISCONNECT may have raced with a connect: say goodbye from here
    bool crash;
    {
      std::lock_guard<std::mutex> lk(mu_);
      crash = crash_;
    }
    mosquitto_disconnect_v5(
        mosq_, crash ? MQTT_RC_DISCONNECT_WITH_WILL_MSG : MQTT_RC_NORMAL_DISCONNECTION, nullptr);
    for (int i = 0; i < 20 && mosquitto_socket(mosq_) >= 0; ++i) mosquitto_loop(mosq_, 50, 1);
  }
}

// Call right after the failing libmosquitto call (errno). mu_ not held.
std::string MqttLink::connect_error(int rc) {
  std::string why = error_text(rc);
  if (rc == MOSQ_ERR_TLS || rc == MOSQ_ERR_TLS_HANDSHAKE) {
    std::lock_guard<std::mutex> lk(mu_);
    if (!last_log_error_.empty()) why = "TLS: " + last_log_error_;
  }
  return "cannot connect to " + opts_.url + ": " + why;
}

void MqttLink::wait_backoff(Ms d) {
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  const auto wait = Ms(static_cast<Ms::rep>(static_cast<double>(d.count()) * jitter(rng_)));
  std::unique_lock<std::mutex> lk(mu_);
  stop_cv_.wait_for(lk, wait, [&] { return stop_; });
}

void MqttLink::set_error(std::string e) {
  std::lock_guard<std::mutex> lk(mu_);
  last_error_ = std::move(e);
}

std::string MqttLink::last_error() const {
  std::lock_guard<std::mutex> lk(mu_);
  return last_error_;
}

void MqttLink::push(Event e) {
  bool was_empty;
  {
    std::lock_guard<std::mutex> lk(mu_);
    was_empty = inbox_.empty();
    inbox_.push_back(std::move(e));
  }
  // poll() waits only on an empty inbox: one wake-up per batch, not per message
  if (was_empty) cv_.notify_one();
}

// ---- owner thread

void MqttLink::subscribe(const std::string& filter, int qos) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    auto it =
        std::find_if(subs_.begin(), subs_.end(), [&](const auto& s) { return s.first == filter; });
    if (it == subs_.end())
      subs_.emplace_back(filter, qos);
    else
      it->second = qos;
    if (!ready_) return;  // the first connection subscribes
  }
  subscribe_now(filter, qos);
}

// Also from cb_connect on the network thread.
void MqttLink::subscribe_now(const std::string& filter, int qos) {
  int mid = 0;
  // retained messages only when the subscription is new: none again when a session resumes
  const int rc = mosquitto_subscribe_v5(mosq_, &mid, filter.c_str(), qos,
                                        MQTT_SUB_OPT_SEND_RETAIN_NEW, nullptr);
  std::lock_guard<std::mutex> lk(mu_);
  if (rc == MOSQ_ERR_SUCCESS)
    sub_mids_[mid] = filter;
  else if (rc != MOSQ_ERR_NO_CONN)  // not connected: done on connection
    last_error_ = "cannot subscribe to '" + filter + "': " + error_text(rc);
}

void MqttLink::publish(const Message& m) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (!ready_) {
      pre_.push_back(m);
      return;
    }
  }
  int mid = 0;
  const int rc = publish_raw(m, &mid);
  std::lock_guard<std::mutex> lk(mu_);
  track(m, mid, rc);
}

int MqttLink::publish_raw(const Message& m, int* mid) {
  if (m.payload.size() > 268435455 || m.correlation.size() > 65535) return MOSQ_ERR_PAYLOAD_SIZE;
  mosquitto_property* props = nullptr;
  if (!m.response_topic.empty())
    mosquitto_property_add_string(&props, MQTT_PROP_RESPONSE_TOPIC, m.response_topic.c_str());
  if (!m.correlation.empty())
    mosquitto_property_add_binary(&props, MQTT_PROP_CORRELATION_DATA, m.correlation.data(),
                                  static_cast<std::uint16_t>(m.correlation.size()));
  const int rc =
      mosquitto_publish_v5(mosq_, mid, m.topic.c_str(), static_cast<int>(m.payload.size()),
                           m.payload.data(), m.qos, m.retain, props);
  mosquitto_property_free_all(&props);
  return rc;
}

void MqttLink::track(const Message& m, int mid, int rc) {
  // libmosquitto 2.0 queues a QoS 1/2 message before it tries to send it, and then reports
  // MOSQ_ERR_NO_CONN when it could not: the message is kept and goes out after reconnection.
  const bool queued = rc == MOSQ_ERR_SUCCESS || (m.qos > 0 && rc == MOSQ_ERR_NO_CONN);
  if (!queued) {
    ++dropped_;
    if (rc != MOSQ_ERR_NO_CONN)
      last_error_ = "cannot publish to '" + m.topic + "': " + error_text(rc);
    return;
  }
  // the acknowledgement may have come first (the network thread is quick)
  const bool acked = acked_early_.erase(mid) > 0;
  if (m.qos == 0) {
    if (!acked) qos0_.insert(mid);
  } else if (!acked) {
    pending_.insert(mid);
  }
}

std::size_t MqttLink::pending_publishes() const {
  std::lock_guard<std::mutex> lk(mu_);
  return pending_.size() +
         static_cast<std::size_t>(
             std::count_if(pre_.begin(), pre_.end(), [](const Message& m) { return m.qos > 0; }));
}

bool MqttLink::flush(int timeout_ms) {
  std::unique_lock<std::mutex> lk(mu_);
  return acked_cv_.wait_for(lk, Ms(std::max(timeout_ms, 0)), [&] {
    return pending_.empty() &&
           std::none_of(pre_.begin(), pre_.end(), [](const Message& m) { return m.qos > 0; });
  });
}

int MqttLink::poll(int timeout_ms) {
  if (polling_) return 0;  // a handler called poll(): the outer call delivers
  {
    std::unique_lock<std::mutex> lk(mu_);
    if (inbox_.empty() && timeout_ms > 0)
      cv_.wait_for(lk, Ms(timeout_ms), [&] { return !inbox_.empty(); });
    batch_.swap(inbox_);
  }
  polling_ = true;
  int n = 0;
  std::size_t i = 0;
  try {
    for (; i < batch_.size(); ++i) {
      Event& e = batch_[i];
      if (e.kind == Event::Kind::Message) {
        ++n;
        if (handler_) handler_(e.msg);
      } else if (conn_handler_) {
        conn_handler_(e.kind == Event::Kind::Up);
      }
    }
  } catch (...) {
    // what was not delivered goes back in front of anything newer
    {
      std::lock_guard<std::mutex> lk(mu_);
      inbox_.insert(inbox_.begin(),
                    std::make_move_iterator(batch_.begin() + static_cast<std::ptrdiff_t>(i) + 1),
                    std::make_move_iterator(batch_.end()));
    }
    batch_.clear();
    polling_ = false;
    throw;
  }
  batch_.clear();
  polling_ = false;
  return n;
}

// ---- libmosquitto callbacks, on the network thread

void MqttLink::cb_connect(mosquitto*, void* self, int rc, int, const mqtt5__property*) {
  auto* l = static_cast<MqttLink*>(self);
  if (rc != 0) {
    l->refused_ = true;
    l->set_error("broker at " + l->opts_.url + " refused the connection: " + reason_text(rc));
    return;
  }
  l->came_up_ = true;
  l->up_since_ = Clock::now();
  if (++l->connections_ > 1) ++l->reconnects_;
  l->connected_ = true;
  std::vector<std::pair<std::string, int>> subs;
  {
    std::lock_guard<std::mutex> lk(l->mu_);
    subs = l->subs_;
  }
  for (const auto& [filter, qos] : subs) l->subscribe_now(filter, qos);
  l->push({Event::Kind::Up, {}});
}

void MqttLink::cb_disconnect(mosquitto*, void* self, int rc, const mqtt5__property*) {
  auto* l = static_cast<MqttLink*>(self);
  const bool was = l->connected_.exchange(false);
  bool stop, crash;
  {
    std::lock_guard<std::mutex> lk(l->mu_);
    stop = l->stop_;
    crash = l->crash_;
  }
  if (rc != 0 && !l->refused_) {
    // a broker's DISCONNECT carries an MQTT reason code (>= 0x80), libmosquitto's own a MOSQ_ERR
    const std::string why = rc >= 0x80 ? reason_text(rc) : error_text(rc);
    l->set_error((was ? "connection to " : "connection attempt to ") + l->opts_.url +
                 " lost: " + why);
  }
  if (was && (!stop || crash)) l->push({Event::Kind::Down, {}});
}

void MqttLink::cb_publish(mosquitto*, void* self, int mid, int reason, const mqtt5__property*) {
  auto* l = static_cast<MqttLink*>(self);
  {
    std::lock_guard<std::mutex> lk(l->mu_);
    if (reason >= 0x80) {
      ++l->rejected_;
      l->last_error_ = "broker refused a publish: " + reason_text(reason);
    }
    if (l->pending_.erase(mid) == 0 && l->qos0_.erase(mid) == 0) l->acked_early_.insert(mid);
  }
  l->acked_cv_.notify_all();
}

void MqttLink::cb_message(mosquitto*, void* self, const mosquitto_message* msg,
                          const mqtt5__property* props) {
  auto* l = static_cast<MqttLink*>(self);
  Event e{Event::Kind::Message, {}};
  Message& m = e.msg;
  m.topic = msg->topic;
  if (msg->payloadlen > 0)
    m.payload.assign(static_cast<const char*>(msg->payload),
                     static_cast<std::size_t>(msg->payloadlen));
  m.qos = msg->qos;
  m.retain = msg->retain;
  char* topic = nullptr;
  if (mosquitto_property_read_string(props, MQTT_PROP_RESPONSE_TOPIC, &topic, false)) {
    m.response_topic = topic;
    std::free(topic);
  }
  void* data = nullptr;
  std::uint16_t len = 0;
  if (mosquitto_property_read_binary(props, MQTT_PROP_CORRELATION_DATA, &data, &len, false)) {
    m.correlation.assign(static_cast<const char*>(data), len);
    std::free(data);
  }
  l->push(std::move(e));
}

void MqttLink::cb_subscribe(mosquitto*, void* self, int mid, int count, const int* granted,
                            const mqtt5__property*) {
  auto* l = static_cast<MqttLink*>(self);
  std::lock_guard<std::mutex> lk(l->mu_);
  const auto it = l->sub_mids_.find(mid);
  const std::string filter = it == l->sub_mids_.end() ? std::string("?") : it->second;
  if (it != l->sub_mids_.end()) l->sub_mids_.erase(it);
  for (int i = 0; i < count; ++i)
    if (granted[i] >= 0x80)
      l->last_error_ =
          "broker refused the subscription to '" + filter + "': " + reason_text(granted[i]);
}

void MqttLink::cb_log(mosquitto*, void* self, int level, const char* text) {
  if (level != MOSQ_LOG_ERR) return;
  auto* l = static_cast<MqttLink*>(self);
  std::lock_guard<std::mutex> lk(l->mu_);
  l->last_log_error_ = text;
}

}  // namespace dtwin
