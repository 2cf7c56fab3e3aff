// MqttLink against a real Mosquitto broker on loopback (tests/support/broker.hpp): no mocks.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/base/error.hpp"
#include "engine/transport/mqtt_link.hpp"
#include "tests/support/broker.hpp"

// libmosquitto 2.0.11 makes an OpenSSL UI_METHOD (UI_create_method) for every TLS context it
// sets up and keeps only the last in a global: 123 bytes per TLS client, not ours to free.
// LeakSanitizer (make test-asan) reads this hook; its fast unwinder stops inside libcrypto,
// which nothing else in this binary uses. Other builds never call it.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libcrypto.so\n";
}

using namespace dtwin;
using Catch::Matchers::Contains;
using dtwin::test::Broker;
using dtwin::test::BrokerOptions;

namespace {

using Clock = std::chrono::steady_clock;

// Short keepalive and reconnect delays keep every test within a few seconds.
MqttOptions options(const Broker& b, const std::string& id) {
  MqttOptions o;
  o.url = b.url();
  o.client_id = id;
  o.keepalive_s = 5;
  o.reconnect_min_ms = 50;
  o.reconnect_max_ms = 400;
  return o;
}

// A link that records what it is given.
struct Client {
  MqttLink link;
  std::vector<Message> got;
  std::vector<bool> conn;  // on_connection events, in order
  explicit Client(MqttOptions o) : link(std::move(o)) {
    link.on_message([this](const Message& m) { got.push_back(m); });
    link.on_connection([this](bool up) { conn.push_back(up); });
  }
  bool up() const { return !conn.empty() && conn.back(); }
  bool down() const { return !conn.empty() && !conn.back(); }
  std::vector<std::string> texts() const {
    std::vector<std::string> v;
    for (const auto& m : got) v.push_back(m.topic + "=" + m.payload);
    return v;
  }
};

// Polls the clients until done() holds or timeout_ms passes; returns done().
template <class Done>
bool pump_until(std::initializer_list<Client*> clients, Done done, int timeout_ms = 3000) {
  const auto end = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if (done()) return true;
    if (Clock::now() >= end) return false;
    for (auto* c : clients) c->link.poll(clients.size() == 1 ? 20 : 5);
  }
}

// Polls for a while, whatever comes (to show that something does not arrive).
void pump_for(std::initializer_list<Client*> clients, int ms) {
  pump_until(
      clients, [] { return false; }, ms);
}

void connect(std::initializer_list<Client*> clients) {
  for (auto* c : clients) c->link.connect();
  REQUIRE(pump_until(clients, [&] {
    return std::all_of(clients.begin(), clients.end(), [](Client* c) { return c->up(); });
  }));
}

// Proves the client's subscriptions so far are in force: the broker handles one connection's
// packets in order, so once the client receives its own probe, the SUBSCRIBEs before it are done.
// probe_topic: a topic the client may publish to; subscribe: false when a filter of the client
// already covers it.
void settle(Client& c, const std::string& probe_topic, bool subscribe = true) {
  const std::string& topic = probe_topic;
  if (subscribe) c.link.subscribe(topic, 1);
  c.link.publish({topic, "probe", 1, false, "", ""});
  REQUIRE(pump_until({&c}, [&] {
    return std::any_of(c.got.begin(), c.got.end(),
                       [&](const Message& m) { return m.topic == topic; });
  }));
  c.got.erase(std::remove_if(c.got.begin(), c.got.end(),
                             [&](const Message& m) { return m.topic == topic; }),
              c.got.end());
}

}  // namespace

TEST_CASE("MQTT URLs", "[mqtt]") {
  auto u = parse_mqtt_url("mqtt://broker.plant.local");
  CHECK_FALSE(u.tls);
  CHECK(u.host == "broker.plant.local");
  CHECK(u.port == 1883);
  u = parse_mqtt_url("mqtts://10.0.0.5");
  CHECK(u.tls);
  CHECK(u.port == 8883);
  u = parse_mqtt_url("mqtt://127.0.0.1:18830");
  CHECK(u.host == "127.0.0.1");
  CHECK(u.port == 18830);
  u = parse_mqtt_url("mqtts://[::1]:8884");
  CHECK(u.host == "::1");
  CHECK(u.port == 8884);
  for (const char* bad : {"tcp://h:1883", "h:1883", "mqtt://", "mqtt://:1883",
                          "mqtt://h:", "mqtt://h:0", "mqtt://h:65536", "mqtt://h:12x",
                          "mqtt://h:1883/x", "mqtt://user:pw@h", "mqtt://[::1", "mqtt://[::1]x"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_mqtt_url(bad), UsageError);
  }
  CHECK_THROWS_WITH(parse_mqtt_url("http://h"), Contains("'http://h'") && Contains("mqtt://"));
}

TEST_CASE("MQTT options are checked before any network use", "[mqtt]") {
  MqttOptions o;
  o.url = "mqtt://127.0.0.1:1";
  MqttLink ok(o);  // nothing listens there: constructing does not connect
  CHECK_FALSE(ok.connected());
  auto bad = [&](auto change, const char* says) {
    MqttOptions c = o;
    change(c);
    CHECK_THROWS_WITH(MqttLink(c), Contains(says));
  };
  bad([](MqttOptions& c) { c.url = "mqtt//x"; }, "mqtt://host");
  bad([](MqttOptions& c) { c.keepalive_s = 2; }, "keepalive");
  bad([](MqttOptions& c) { c.ca_file = "/etc/hostname"; }, "not mqtts://");
  bad([](MqttOptions& c) { c.clean_start = false; }, "client id");
  bad(
      [](MqttOptions& c) {
        c.url = "mqtts://127.0.0.1:1";
        c.ca_file = "/nonexistent/ca.crt";
      },
      "cannot read");
  bad(
      [](MqttOptions& c) {
        c.url = "mqtts://127.0.0.1:1";
        c.cert_file = "/etc/hostname";
      },
      "both cert_file and key_file");
}

TEST_CASE("MQTT publish/subscribe through a real broker, with wildcard filters", "[mqtt]") {
  Broker b;
  Client sub(options(b, "sub")), pub(options(b, "pub"));
  connect({&sub});
  sub.link.subscribe("dtwin/p1/+/reported", 1);
  sub.link.subscribe("dtwin/p1/m2/#", 0);
  settle(sub, "probe/sub");
  // published before connect(): sent once connected
  pub.link.publish({"dtwin/p1/m1/reported", "early", 1, false, "", ""});
  connect({&pub});
  const std::string binary("\x00\x01\xff{\"speed\":2}", 14);
  pub.link.publish({"dtwin/p1/m1/reported", binary, 1, false, "", ""});
  pub.link.publish({"dtwin/p1/m1/desired", "not subscribed", 1, false, "", ""});
  pub.link.publish({"dtwin/p2/m1/reported", "other plant", 1, false, "", ""});
  pub.link.publish({"dtwin/p1/m2/birth", "b", 1, false, "", ""});
  pub.link.publish({"dtwin/p1/m2", "parent level", 0, false, "", ""});
  REQUIRE(pub.link.flush(2000));
  CHECK(pub.link.pending_publishes() == 0);
  REQUIRE(pump_until({&sub, &pub}, [&] { return sub.got.size() >= 4; }));
  pump_for({&sub, &pub}, 100);
  REQUIRE(sub.got.size() == 4);
  std::multiset<std::string> topics;
  for (const auto& m : sub.got) topics.insert(m.topic);
  CHECK(topics == std::multiset<std::string>{"dtwin/p1/m1/reported", "dtwin/p1/m1/reported",
                                             "dtwin/p1/m2/birth", "dtwin/p1/m2"});
  // one publisher, one topic: in order; binary payloads intact
  std::vector<std::string> m1;
  for (const auto& m : sub.got)
    if (m.topic == "dtwin/p1/m1/reported") m1.push_back(m.payload);
  CHECK(m1 == std::vector<std::string>{"early", binary});
  for (const auto& m : sub.got) {
    CHECK_FALSE(m.retain);
    // delivered QoS: the lower of the publish's and the subscription's
    CHECK(m.qos == (m.topic == "dtwin/p1/m1/reported" ? 1 : 0));
  }
  CHECK(pub.link.dropped_publishes() == 0);
  CHECK(sub.link.reconnects() == 0);
}

TEST_CASE("MQTT retained messages reach a late subscriber", "[mqtt]") {
  Broker b;
  Client pub(options(b, "pub")), late(options(b, "late")), later(options(b, "later"));
  connect({&pub});
  pub.link.publish({"dtwin/p1/m1/birth", "{\"session\":7}", 1, true, "", ""});
  pub.link.publish({"dtwin/p1/m2/birth", "{\"session\":3}", 1, true, "", ""});
  REQUIRE(pub.link.flush(2000));
  connect({&late});
  late.link.subscribe("dtwin/p1/+/birth");
  REQUIRE(pump_until({&late}, [&] { return late.got.size() == 2; }));
  for (const auto& m : late.got) CHECK(m.retain);
  settle(late, "probe/late");
  // a live message is not marked retained
  pub.link.publish({"dtwin/p1/m3/birth", "{}", 1, false, "", ""});
  REQUIRE(pump_until({&late, &pub}, [&] { return late.got.size() == 3; }));
  CHECK_FALSE(late.got.back().retain);
  // an empty retained message clears the topic
  pub.link.publish({"dtwin/p1/m1/birth", "", 1, true, "", ""});
  REQUIRE(pub.link.flush(2000));
  connect({&later});
  later.link.subscribe("dtwin/p1/+/birth");
  settle(later, "probe/later");
  pump_for({&later}, 100);
  CHECK(later.texts() == std::vector<std::string>{"dtwin/p1/m2/birth={\"session\":3}"});
}

TEST_CASE("MQTT last will: sent when a client crashes, not on a clean disconnect", "[mqtt]") {
  Broker b;
  Client watcher(options(b, "engine")), m1(options(b, "asset-m1")), m2(options(b, "asset-m2"));
  connect({&watcher});
  watcher.link.subscribe("dtwin/p1/+/death");
  settle(watcher, "probe/engine");
  m1.link.set_will({"dtwin/p1/m1/death", "{\"reason\":\"lost\"}", 1, false, "", ""});
  m2.link.set_will({"dtwin/p1/m2/death", "{\"reason\":\"lost\"}", 1, false, "", ""});
  connect({&m1, &m2});

  m1.link.crash_for_test();
  REQUIRE(pump_until({&watcher}, [&] { return !watcher.got.empty(); }));
  CHECK(watcher.texts() == std::vector<std::string>{"dtwin/p1/m1/death={\"reason\":\"lost\"}"});
  CHECK_FALSE(m1.link.connected());
  m1.link.poll(0);
  CHECK(m1.conn == std::vector<bool>{true, false});

  m2.link.disconnect();
  CHECK_FALSE(m2.link.connected());
  pump_for({&watcher, &m2}, 300);
  CHECK(watcher.got.size() == 1);
  CHECK(m2.conn == std::vector<bool>{true});  // a disconnect we asked for is not an event

  // and a link connects again after either
  connect({&m1});
  connect({&m2});
}

TEST_CASE("MQTT 5 response topic and correlation data round trip", "[mqtt]") {
  Broker b;
  Client asker(options(b, "engine")), asset(options(b, "asset-m1"));
  connect({&asker, &asset});
  // the asset answers every command on the topic it is told, echoing the correlation data
  asset.link.on_message([&](const Message& m) {
    asset.got.push_back(m);
    asset.link.publish({m.response_topic, "done:" + m.payload, 1, false, "", m.correlation});
  });
  asset.link.subscribe("dtwin/p1/m1/cmd");
  settle(asset, "probe/asset");
  asset.got.clear();
  asker.link.subscribe("dtwin/p1/engine/replies");
  settle(asker, "probe/asker");
  const std::string corr("\x01\x00req-42", 8);  // binary, with a zero byte
  asker.link.publish({"dtwin/p1/m1/cmd", "stop", 1, false, "dtwin/p1/engine/replies", corr});
  REQUIRE(pump_until({&asker, &asset}, [&] { return !asker.got.empty(); }));
  REQUIRE(asset.got.size() == 1);
  CHECK(asset.got[0].response_topic == "dtwin/p1/engine/replies");
  CHECK(asset.got[0].correlation == corr);
  const Message& reply = asker.got[0];
  CHECK(reply.topic == "dtwin/p1/engine/replies");
  CHECK(reply.payload == "done:stop");
  CHECK(reply.correlation == corr);
  CHECK(reply.response_topic.empty());
}

TEST_CASE("MQTT shared subscriptions split messages between the group", "[mqtt]") {
  Broker b;
  Client e1(options(b, "engine-1")), e2(options(b, "engine-2")), pub(options(b, "asset"));
  connect({&e1, &e2, &pub});
  for (auto* e : {&e1, &e2}) e->link.subscribe("$share/engines/dtwin/+/+/reported");
  settle(e1, "probe/e1");
  settle(e2, "probe/e2");
  const int n = 40;
  for (int i = 0; i < n; ++i)
    pub.link.publish(
        {"dtwin/p1/m" + std::to_string(i) + "/reported", std::to_string(i), 1, false, "", ""});
  REQUIRE(pump_until({&e1, &e2, &pub}, [&] { return e1.got.size() + e2.got.size() >= n; }));
  pump_for({&e1, &e2}, 100);
  CHECK(e1.got.size() + e2.got.size() == n);
  CHECK(e1.got.size() > 0);
  CHECK(e2.got.size() > 0);
  std::set<std::string> all;
  for (auto* e : {&e1, &e2})
    for (const auto& m : e->got) all.insert(m.payload);
  CHECK(all.size() == n);  // each message to exactly one member
}

TEST_CASE("MQTT broker killed and restarted: the link reconnects and resubscribes by itself",
          "[mqtt]") {
  Broker b;
  Client sub(options(b, "engine")), pub(options(b, "asset"));
  connect({&sub, &pub});
  sub.link.subscribe("dtwin/+/+/reported");
  settle(sub, "probe/sub");

  b.kill();
  REQUIRE(pump_until({&sub, &pub}, [&] { return sub.down() && pub.down(); }));
  CHECK_FALSE(sub.link.connected());
  CHECK_THAT(sub.link.last_error(), Contains("lost"));
  pump_for({&sub, &pub}, 200);  // retries meet a closed port: no crash, no event
  CHECK(sub.conn == std::vector<bool>{true, false});

  b.restart();
  REQUIRE(pump_until({&sub, &pub}, [&] { return sub.up() && pub.up(); }));
  CHECK(sub.conn == std::vector<bool>{true, false, true});
  CHECK(sub.link.reconnects() == 1);
  CHECK(pub.link.reconnects() == 1);
  // resubscribed: the new broker knows nothing of the old subscription
  bool got = false;
  for (int i = 0; i < 30 && !got; ++i) {
    pub.link.publish({"dtwin/p1/m1/reported", "again", 0, false, "", ""});
    got = pump_until(
        {&sub, &pub}, [&] { return !sub.got.empty(); }, 100);
  }
  REQUIRE(got);
  CHECK(sub.got.back().payload == "again");
}

TEST_CASE("MQTT QoS 1 publishes made while the broker is away are sent when it is back", "[mqtt]") {
  BrokerOptions bo;
  bo.persistence = true;  // the subscriber's session outlives the restart
  Broker b(bo);
  MqttOptions so = options(b, "engine");
  so.clean_start = false;
  so.session_expiry_s = 60;
  Client sub(so), pub(options(b, "asset"));
  connect({&sub, &pub});
  sub.link.subscribe("q/#", 1);
  settle(sub, "probe/sub");

  b.stop();
  REQUIRE(pump_until({&sub, &pub}, [&] { return sub.down() && pub.down(); }));
  for (int i = 1; i <= 5; ++i) pub.link.publish({"q/" + std::to_string(i), "", 1, false, "", ""});
  pub.link.publish({"q/0", "qos 0 is dropped", 0, false, "", ""});
  CHECK(pub.link.pending_publishes() == 5);
  CHECK(pub.link.dropped_publishes() == 1);
  CHECK_FALSE(pub.link.flush(50));

  b.restart();
  REQUIRE(pub.link.flush(3000));
  CHECK(pub.link.pending_publishes() == 0);
  REQUIRE(pump_until({&sub, &pub}, [&] { return sub.got.size() >= 5; }));
  pump_for({&sub}, 100);
  std::vector<std::string> topics;
  for (const auto& m : sub.got) topics.push_back(m.topic);
  CHECK(topics == std::vector<std::string>{"q/1", "q/2", "q/3", "q/4", "q/5"});
}

TEST_CASE("MQTT username and password", "[mqtt]") {
  BrokerOptions bo;
  bo.users = {{"dtwin-engine", "s3cret"}};
  Broker b(bo);
  MqttOptions o = options(b, "dtwin-engine");
  o.username = "dtwin-engine";
  o.password = "wrong";
  Client wrong(o), anonymous(options(b, "anon"));
  o.password = "s3cret";
  Client right(o);
  wrong.link.connect();
  anonymous.link.connect();
  connect({&right});
  const auto refused = [](Client& c) {
    return c.link.last_error().find("Not authorized") != std::string::npos;
  };
  REQUIRE(pump_until({&wrong, &anonymous}, [&] { return refused(wrong) && refused(anonymous); }));
  pump_for({&wrong, &anonymous}, 300);  // and the retries are refused too
  CHECK(wrong.conn.empty());
  CHECK_FALSE(wrong.link.connected());
  CHECK_THAT(wrong.link.last_error(), Contains("refused") && Contains("Not authorized"));
  CHECK(anonymous.conn.empty());
  CHECK_THAT(anonymous.link.last_error(), Contains("Not authorized"));
  CHECK(right.link.last_error().empty());
}

// The broker set-up dtwin ships (assets/mosquitto/dtwin.conf with its two ACL files), run as
// shipped: assets on the first listener (their user name is their twin id and becomes their
// client id), the engine and operators on the second.
static BrokerOptions shipped() {
  BrokerOptions bo;
  bo.shipped = std::string(DTWIN_SOURCE_DIR) + "/assets/mosquitto/dtwin.conf";
  bo.password_files["dtwin-assets.passwd"] = {{"m1", "m1-pw"}, {"m2", "m2-pw"}};
  bo.password_files["dtwin.passwd"] = {{"dtwin-engine", "e-pw"}, {"operator", "op-pw"}};
  return bo;
}
static MqttOptions login(const Broker& b, int listener, const std::string& id,
                         const std::string& user, const std::string& pw) {
  MqttOptions o = options(b, id);
  o.url = b.url(listener);
  o.ca_file = b.file("ca.crt");
  o.username = user;
  o.password = pw;
  return o;
}

TEST_CASE("MQTT ACL: an asset publishes only its own topics, only the engine desired", "[mqtt]") {
  Broker b(shipped());
  Client engine(login(b, 1, "dtwin-serve-p1-3f9a2c71d4e8b605", "dtwin-engine", "e-pw"));
  Client asset(login(b, 0, "asset-m1", "m1", "m1-pw"));
  asset.link.set_will({"dtwin/p1/m1/death", "lost", 1, false, "", ""});
  connect({&engine, &asset});
  engine.link.subscribe("dtwin/#");
  settle(engine, "dtwin/probe/engine", false);  // the engine may publish under dtwin/ only
  asset.link.subscribe("dtwin/p1/m1/desired");
  asset.link.subscribe("dtwin/p1/m2/desired");  // not its own: nothing will come

  asset.link.publish({"dtwin/p1/m1/reported", "mine", 1, false, "", ""});
  asset.link.publish({"dtwin/p1/m2/reported", "not mine", 1, false, "", ""});
  asset.link.publish({"dtwin/p1/m1/desired", "only the engine", 1, false, "", ""});
  asset.link.publish({"dtwin/p1/m1/birth", "born", 1, false, "", ""});
  REQUIRE(asset.link.flush(2000));
  REQUIRE(pump_until({&engine, &asset}, [&] { return engine.got.size() >= 2; }));
  engine.link.publish({"dtwin/p1/m1/desired", "{\"speed\":3}", 1, false, "", ""});
  engine.link.publish({"dtwin/p1/m2/desired", "{\"speed\":4}", 1, false, "", ""});
  REQUIRE(pump_until({&engine, &asset}, [&] { return !asset.got.empty(); }));
  pump_for({&engine, &asset}, 200);
  CHECK(asset.texts() == std::vector<std::string>{"dtwin/p1/m1/desired={\"speed\":3}"});
  CHECK(engine.texts() == std::vector<std::string>{"dtwin/p1/m1/reported=mine",
                                                   "dtwin/p1/m1/birth=born",
                                                   "dtwin/p1/m1/desired={\"speed\":3}",
                                                   "dtwin/p1/m2/desired={\"speed\":4}"});
  // MQTT 5: the broker answers a denied QoS 1 publish with PUBACK "not authorized"
  CHECK(asset.link.rejected_publishes() == 2);
  CHECK_THAT(asset.link.last_error(), Contains("Not authorized"));
  // the will goes to the asset's own death topic, which the ACL allows
  engine.got.clear();
  asset.link.crash_for_test();
  REQUIRE(pump_until({&engine}, [&] { return !engine.got.empty(); }));
  CHECK(engine.texts() == std::vector<std::string>{"dtwin/p1/m1/death=lost"});
}

TEST_CASE(
    "MQTT set-up as shipped: client ids are bound to who logs in, so no asset can take "
    "over the engine's or another asset's connection",
    "[mqtt][hostile]") {
  Broker b(shipped());  // the shipped file loads (comments, paths) or this throws with the log
  const std::string engine_id = "dtwin-serve-p1-3f9a2c71d4e8b605";
  Client engine(login(b, 1, engine_id, "dtwin-engine", "e-pw"));
  Client m1(login(b, 0, "m1", "m1", "m1-pw"));
  connect({&engine, &m1});
  // asset m2 connects with the engine's client id, then with m1's, on its listener: the broker
  // replaces its client id with its user name, so nobody is thrown off
  Client as_engine(login(b, 0, engine_id, "m2", "m2-pw"));
  Client as_m1(login(b, 0, "m1", "m2", "m2-pw"));
  connect({&as_engine});
  as_m1.link.connect();
  pump_for({&engine, &m1, &as_engine, &as_m1}, 500);
  CHECK(engine.conn == std::vector<bool>{true});
  CHECK(m1.conn == std::vector<bool>{true});
  // an asset is no user of the engine's listener, and the engine none of the assets'
  Client asset_on_engines(login(b, 1, engine_id, "m2", "m2-pw"));
  Client engine_on_assets(login(b, 0, "dtwin-engine", "dtwin-engine", "e-pw"));
  asset_on_engines.link.connect();
  engine_on_assets.link.connect();
  REQUIRE(pump_until({&asset_on_engines, &engine_on_assets}, [&] {
    return !asset_on_engines.link.last_error().empty() &&
           !engine_on_assets.link.last_error().empty();
  }));
  CHECK(asset_on_engines.conn.empty());
  CHECK_THAT(asset_on_engines.link.last_error(), Contains("Not authorized"));
  CHECK(engine_on_assets.conn.empty());
  pump_for({&engine, &m1}, 200);
  CHECK(engine.conn == std::vector<bool>{true});
  CHECK(m1.conn == std::vector<bool>{true});
}

TEST_CASE("MQTT over TLS with a throwaway CA", "[mqtt]") {
  BrokerOptions bo;
  bo.tls = true;
  Broker b(bo);
  MqttOptions o = options(b, "engine");
  o.ca_file = b.file("ca.crt");
  Client sub(o), pub([&] {
    MqttOptions p = o;
    p.client_id = "asset";
    return p;
  }());
  MqttOptions no_ca = options(b, "stranger");  // the system's CAs do not know ours
  Client stranger(no_ca);
  stranger.link.connect();
  connect({&sub, &pub});
  sub.link.subscribe("dtwin/#");
  settle(sub, "probe/sub");
  pub.link.publish({"dtwin/p1/m1/reported", "secret", 1, false, "", ""});
  REQUIRE(pump_until({&sub, &pub}, [&] { return !sub.got.empty(); }));
  CHECK(sub.texts() == std::vector<std::string>{"dtwin/p1/m1/reported=secret"});

  REQUIRE(pump_until({&stranger}, [&] { return !stranger.link.last_error().empty(); }));
  CHECK(stranger.conn.empty());
  CHECK_THAT(stranger.link.last_error(), Contains("certificate verify failed"));

  // a TLS connection lost to a dead broker is retried like any other
  b.kill();
  REQUIRE(pump_until({&sub, &pub}, [&] { return sub.down() && pub.down(); }));
  b.restart();
  REQUIRE(pump_until({&sub, &pub}, [&] { return sub.up() && pub.up(); }));
}

TEST_CASE("MQTT mutual TLS: the broker asks for a client certificate", "[mqtt]") {
  BrokerOptions bo;
  bo.tls = true;
  bo.require_client_cert = true;
  Broker b(bo);
  MqttOptions o = options(b, "asset-m1");
  o.ca_file = b.file("ca.crt");
  Client anonymous(o);
  o.cert_file = b.file("client.crt");
  o.key_file = b.file("client.key");
  Client with_cert(o);
  anonymous.link.connect();
  connect({&with_cert});
  REQUIRE(pump_until({&anonymous}, [&] { return !anonymous.link.last_error().empty(); }));
  pump_for({&anonymous}, 200);  // several attempts
  CHECK(anonymous.conn.empty());
  CHECK_THAT(anonymous.link.last_error(), Contains("certificate required"));
}
