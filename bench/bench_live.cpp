// End to end through a real Mosquitto broker on loopback: assets publish reported values
// (JSON, QoS 1), the engine's MirrorService applies them. Measures
//  0. the engine against the broker's limit: the messages per second a bare libmosquitto
//     subscriber that only counts them receives, and those the engine (MqttLink +
//     MirrorService, parsing and applying each) takes, from the same publishers through the
//     same broker, in alternating rounds of one run (bare, engine, bare, engine, ...), and
//     their ratio;
//  1. ingest: property updates applied per second with the publishers flat out;
//  2. latency from publish (the payload's ts) to the twin's change, p50/p99/max, at a paced rate
//     (default: half of what 1 reached);
//  3. command round trip: a desired value set on the engine until the asset's report makes it
//     applied (desired -> broker -> asset -> reported -> broker -> engine), p50/p99.
// The broker is started on a free port from tests/support/broker.hpp.
//
//   bench_live [--twins 1000] [--props 4] [--publishers 2] [--seconds 5] [--rate N] [--qos 1]
//              [--rounds 3]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include "engine/live/mirror_service.hpp"
#include "engine/live/settings.hpp"
#include "engine/transport/mqtt_link.hpp"
#include "tests/support/broker.hpp"

using namespace dtwin;

namespace {

struct Args {
  std::size_t twins = 1000, props = 4, publishers = 2;
  double seconds = 5, rate = 0;  // rate: messages/s for the latency phase (0: half the max)
  int qos = 1;
  int rounds = 3;  // of the bare subscriber against the engine
};

MqttOptions opts(const std::string& url, const std::string& id) {
  MqttOptions o;
  o.url = url;
  o.client_id = id;
  o.max_inflight = 1000;
  o.reconnect_min_ms = 50;
  return o;
}

// Records the lag of every applied update (engine receive time - asset publish time).
struct Lag final : MirrorObserver {
  Mirror& m;
  std::vector<double> lags;
  std::atomic<std::uint64_t> applied{0};
  bool record = false;
  explicit Lag(Mirror& mm) : m(mm) { lags.reserve(1 << 22); }
  void reported(std::size_t t, std::size_t p) override {
    ++applied;
    if (record) {
      const Reported& r = m.state(t).props[p].reported;
      lags.push_back(r.receive_time - r.source_time);
    }
  }
  void desired(std::size_t, std::size_t, bool) override {}
  void presence(std::size_t, bool) override {}
};

double pct(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

// Publishers flat out (rate 0) or paced, for `seconds`; returns messages sent.
std::uint64_t publish(const Args& a, const std::string& url, double rate, double seconds,
                      int session) {
  std::atomic<std::uint64_t> sent{0};
  std::vector<std::thread> th;
  for (std::size_t k = 0; k < a.publishers; ++k)
    th.emplace_back([&, k] {
      MqttLink link(opts(url, "pub" + std::to_string(k) + "-" + std::to_string(rate)));
      link.connect();
      while (!link.connected()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      const double per = rate / static_cast<double>(a.publishers);
      const double t0 = wall_clock();
      std::uint64_t n = 0, seq = 0;
      std::string payload;
      while (wall_clock() - t0 < seconds) {
        if (per > 0) {
          const double due = t0 + static_cast<double>(n) / per;
          const double now = wall_clock();
          if (now < due) {
            std::this_thread::sleep_for(std::chrono::duration<double>(due - now));
            continue;
          }
        }
        // flat out: keep a bounded backlog in libmosquitto
        if (per == 0 && link.pending_publishes() > 2000) {
          link.poll(0);
          std::this_thread::sleep_for(std::chrono::microseconds(200));
          continue;
        }
        const std::size_t twin = (n * a.publishers + k) % a.twins;
        ++seq;
        payload = "{\"session\":" + std::to_string(session) +
                  ",\"seq\":" + std::to_string(seq * a.publishers + k) +
                  ",\"ts\":" + std::to_string(wall_clock()) + ",\"values\":{";
        for (std::size_t p = 0; p < a.props; ++p)
          payload += (p ? ",\"p" : "\"p") + std::to_string(p) + "\":" + std::to_string(seq);
        payload += "}}";
        link.publish(
            {"dtwin/bench/m" + std::to_string(twin) + "/reported", payload, a.qos, false, "", ""});
        ++n;
        if ((n & 63) == 0) link.poll(0);
      }
      link.flush(5000);
      sent += n;
    });
  for (auto& t : th) t.join();
  return sent;
}

// Waits until `count` stops moving (300 ms without a change); returns the time of its last
// change.
template <class F>
std::chrono::steady_clock::time_point drained(F count) {
  auto last_change = std::chrono::steady_clock::now();
  std::uint64_t last = count();
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const std::uint64_t now = count();
    if (now != last) {
      last = now;
      last_change = std::chrono::steady_clock::now();
    } else if (std::chrono::steady_clock::now() - last_change > std::chrono::milliseconds(300)) {
      return last_change;
    }
  }
}

// A subscriber that only counts: libmosquitto's own network thread, QoS as the engine's.
struct Bare {
  mosquitto* m = nullptr;
  std::atomic<std::uint64_t> n{0};
  std::atomic<bool> subscribed{false};
  static void on_message(mosquitto*, void* self, const mosquitto_message*) {
    ++static_cast<Bare*>(self)->n;
  }
  static void on_subscribe(mosquitto*, void* self, int, int, const int*) {
    static_cast<Bare*>(self)->subscribed = true;
  }
  Bare(int port, int qos) {
    mosquitto_lib_init();
    m = mosquitto_new("bare", true, this);
    mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
    mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_message_callback_set(m, &Bare::on_message);
    mosquitto_subscribe_callback_set(m, &Bare::on_subscribe);
    if (mosquitto_connect(m, "127.0.0.1", port, 30) != MOSQ_ERR_SUCCESS) std::abort();
    mosquitto_subscribe(m, nullptr, "dtwin/bench/+/reported", qos);
    mosquitto_loop_start(m);
    while (!subscribed) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~Bare() {
    mosquitto_disconnect(m);
    mosquitto_loop_stop(m, false);
    mosquitto_destroy(m);
  }
};

// Messages per second the bare subscriber receives with the publishers flat out.
double bare_round(const Args& a, const std::string& url, int port, int session) {
  Bare b(port, a.qos);
  const auto t0 = std::chrono::steady_clock::now();
  publish(a, url, 0, a.seconds, session);
  const auto end = drained([&] { return b.n.load(); });
  return static_cast<double>(b.n) / std::chrono::duration<double>(end - t0).count();
}

// Messages per second the engine takes (each parsed and applied to the mirror) with the
// publishers flat out: an MqttLink and a MirrorService on a thread of their own, as dtwin serve.
double engine_round(const Args& a, const std::string& url, const std::vector<TwinSpec>& specs,
                    int session) {
  Mirror mirror(specs);
  MqttLink link(opts(url, "engine-round"));
  MirrorService svc(mirror, link, "bench", wall_clock);
  svc.publish_state = false;
  svc.start();
  std::atomic<bool> stop{false};
  std::thread engine([&] {
    while (!stop) svc.poll(1);
  });
  while (!link.connected()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the SUBACK
  const auto messages = [&] {
    const auto& c = svc.counters();
    return c.messages;
  };
  const std::uint64_t before = messages();
  const auto t0 = std::chrono::steady_clock::now();
  publish(a, url, 0, a.seconds, session);
  const auto end = drained(messages);
  stop = true;
  engine.join();
  const auto& c = svc.counters();
  if (c.malformed + c.unknown_twin + c.unknown_property + c.bad_value > 0)
    std::printf("  (engine refused messages: %s)\n", c.to_json().dump().c_str());
  return static_cast<double>(c.messages - before) / std::chrono::duration<double>(end - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const double v = std::strtod(argv[i + 1], nullptr);
    if (k == "--twins") a.twins = static_cast<std::size_t>(v);
    if (k == "--props") a.props = static_cast<std::size_t>(v);
    if (k == "--publishers") a.publishers = static_cast<std::size_t>(v);
    if (k == "--seconds") a.seconds = v;
    if (k == "--rate") a.rate = v;
    if (k == "--qos") a.qos = static_cast<int>(v);
    if (k == "--rounds") a.rounds = static_cast<int>(v);
  }
  test::BrokerOptions bo;
  // Nagle off on the broker too (mosquitto.conf: set_tcp_nodelay true), else ~40 ms stalls
  bo.extra = "max_queued_messages 1000000\nmax_inflight_messages 1000\nset_tcp_nodelay true\n";
  test::Broker broker(bo);
  std::vector<TwinSpec> specs;
  std::vector<PropertySpec> ps;
  for (std::size_t p = 0; p < a.props; ++p) {
    PropertySpec s;
    s.name = "p" + std::to_string(p);
    s.unit = "1";
    s.writable = true;
    ps.push_back(s);
  }
  const PropertyList list(ps);
  for (std::size_t t = 0; t < a.twins; ++t) specs.push_back({"m" + std::to_string(t), list});
  // 0. the bare subscriber against the engine, alternating
  if (a.rounds > 0) {
    std::vector<double> bare, eng;
    for (int r = 0; r < a.rounds; ++r) {
      bare.push_back(bare_round(a, broker.url(), broker.port(), 100 + 2 * r));
      eng.push_back(engine_round(a, broker.url(), specs, 101 + 2 * r));
      std::printf("round %d: bare subscriber %.0f messages/s, engine %.0f messages/s (%.0f %%)\n",
                  r + 1, bare.back(), eng.back(), 100 * eng.back() / bare.back());
    }
    double sb = 0, se = 0;
    for (int r = 0; r < a.rounds; ++r) {
      sb += bare[static_cast<std::size_t>(r)];
      se += eng[static_cast<std::size_t>(r)];
    }
    std::printf(
        "the engine takes %.0f %% of what a bare subscriber receives (mean of %d rounds: "
        "%.0f against %.0f messages/s)\n",
        100 * se / sb, a.rounds, se / a.rounds, sb / a.rounds);
  }

  Mirror mirror(specs);
  MqttLink elink(opts(broker.url(), "engine"));
  MirrorService svc(mirror, elink, "bench", wall_clock);
  svc.publish_state = false;
  Lag lag(mirror);
  svc.set_observer(&lag);
  svc.start();
  std::atomic<bool> stop{false};
  // the engine: its own thread, as in dtwin serve
  std::thread engine([&] {
    while (!stop) svc.poll(1);
  });
  while (!elink.connected()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::printf("broker %s, %zu twins x %zu properties, %zu publishers, QoS %d\n",
              broker.url().c_str(), a.twins, a.props, a.publishers, a.qos);

  // 1. flat out
  auto t0 = std::chrono::steady_clock::now();
  const std::uint64_t before = lag.applied;
  const std::uint64_t sent = publish(a, broker.url(), 0, a.seconds, 1);
  // let the engine drain
  std::uint64_t last = 0;
  while (lag.applied != last) {
    last = lag.applied;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  const double s1 =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() - 0.3;
  const double ups = static_cast<double>(lag.applied - before) / s1;
  std::printf(
      "ingest flat out: %llu messages sent, %llu updates applied in %.2f s: %.0f updates/s "
      "(%.0f messages/s)\n",
      static_cast<unsigned long long>(sent), static_cast<unsigned long long>(lag.applied - before),
      s1, ups, ups / static_cast<double>(a.props));

  // 2. latency at a paced rate
  const double rate = a.rate > 0 ? a.rate : ups / static_cast<double>(a.props) / 2;
  lag.lags.clear();
  lag.record = true;
  publish(a, broker.url(), rate, a.seconds, 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  lag.record = false;
  std::printf(
      "latency at %.0f messages/s (%.0f updates/s): publish -> twin changed p50 %.2f ms, "
      "p99 %.2f ms, max %.2f ms (%zu updates)\n",
      rate, rate * static_cast<double>(a.props), pct(lag.lags, 0.5) * 1e3,
      pct(lag.lags, 0.99) * 1e3, pct(lag.lags, 1.0) * 1e3, lag.lags.size());
  stop = true;
  engine.join();

  // 3. command round trip: the engine sets, a responder applies and reports back
  {
    std::atomic<bool> quit{false}, ready{false};
    std::thread responder([&] {
      // the responder's link lives on this thread (MqttLink has one owner thread)
      MqttLink asset(opts(broker.url(), "asset"));
      std::uint64_t seq = 0;
      asset.on_message([&](const Message& m) {
        const auto j = nlohmann::json::parse(m.payload, nullptr, false);
        if (!j.is_object() || !j.contains("values")) return;
        nlohmann::json values = nlohmann::json::object();
        for (auto it = j["values"].begin(); it != j["values"].end(); ++it)
          values[it.key()] = it.value()["value"];
        if (values.empty()) return;
        const std::size_t b = std::strlen("dtwin/bench/");
        const std::string twin = m.topic.substr(b, m.topic.rfind('/') - b);
        asset.publish({"dtwin/bench/" + twin + "/reported",
                       nlohmann::json{
                           {"session", 3}, {"seq", ++seq}, {"ts", wall_clock()}, {"values", values}}
                           .dump(),
                       1, false, "", ""});
      });
      asset.subscribe("dtwin/bench/+/desired", 1);
      asset.connect();
      while (!quit) {
        asset.poll(1);
        if (asset.connected()) ready = true;
      }
    });
    while (!ready) svc.poll(5);
    svc.poll(200);  // the retained desired messages of every twin reach the responder first
    std::vector<double> rtt;
    for (int k = 0; k < 1000; ++k) {
      const std::size_t t = static_cast<std::size_t>(k) % a.twins;
      const double t_set = wall_clock();
      svc.set("m" + std::to_string(t), "p0", 1e6 + k);
      while (mirror.state(t).props[0].desired.state != DesiredState::Applied) svc.poll(1);
      rtt.push_back(wall_clock() - t_set);
    }
    quit = true;
    responder.join();
    std::printf(
        "command round trip (set -> asset -> applied), 1000 commands one at a time: p50 "
        "%.2f ms, p99 %.2f ms, max %.2f ms\n",
        pct(rtt, 0.5) * 1e3, pct(rtt, 0.99) * 1e3, pct(rtt, 1.0) * 1e3);
  }
  const auto& c = svc.counters();
  std::printf("engine counters: applied %llu, stale %llu, duplicate %llu, malformed %llu\n",
              static_cast<unsigned long long>(c.applied), static_cast<unsigned long long>(c.stale),
              static_cast<unsigned long long>(c.duplicate),
              static_cast<unsigned long long>(c.malformed));
  return 0;
}
