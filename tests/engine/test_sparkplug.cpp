// Sparkplug B: the payload codec and topics (engine/transport/sparkplug.hpp), and the host
// application (engine/live/sparkplug_host.hpp) in front of a mirror service, with an edge node
// written here byte by byte on an in-process bus. The same host against Eclipse Tahu's own edge
// node and a real broker: tests/sparkplug.
#include <catch2/catch.hpp>

#include "engine/live/mirror_service.hpp"
#include "engine/live/sparkplug_edge.hpp"
#include "engine/live/sparkplug_host.hpp"
#include "engine/transport/inproc_link.hpp"
#include "engine/transport/sparkplug.hpp"

using namespace dtwin;
namespace sp = dtwin::sparkplug;

TEST_CASE("Sparkplug payload: every scalar type survives encode and decode", "[sparkplug]") {
  sp::Payload p;
  p.timestamp = 1764230000123;
  p.has_timestamp = true;
  p.seq = 255;
  p.has_seq = true;
  p.metrics.push_back(sp::Metric::number("i8", sp::Int8, -5));
  p.metrics.push_back(sp::Metric::number("i16", sp::Int16, -30000));
  p.metrics.push_back(sp::Metric::number("i32", sp::Int32, -2000000000));
  p.metrics.push_back(sp::Metric::number("i64", sp::Int64, -9e15));
  p.metrics.push_back(sp::Metric::number("u32", sp::UInt32, 4000000000.0));
  p.metrics.push_back(sp::Metric::number("u64", sp::UInt64, 1.5e19));
  p.metrics.push_back(sp::Metric::number("f", sp::Float, 0.25));
  p.metrics.push_back(sp::Metric::number("d", sp::Double, 1.0 / 3));
  p.metrics.push_back(sp::Metric::boolean("b", true));
  p.metrics.push_back(sp::Metric::string("s", "working"));
  sp::Metric alias_only;
  alias_only.alias = 7;
  alias_only.has_alias = true;
  alias_only.is_null = true;
  p.metrics.push_back(alias_only);

  sp::Payload q;
  std::string why;
  REQUIRE(sp::decode(sp::encode(p), q, &why));
  CHECK(q.timestamp == p.timestamp);
  CHECK(q.seq == 255);
  REQUIRE(q.metrics.size() == p.metrics.size());
  const auto v = [&](std::size_t i) { return sp::value_json(q.metrics[i], 0); };
  CHECK(v(0) == -5);
  CHECK(v(1) == -30000);
  CHECK(v(2) == -2000000000);
  CHECK(v(3) == -9000000000000000LL);
  CHECK(v(4) == 4000000000ULL);
  CHECK(v(5) == 15000000000000000000ULL);
  CHECK(v(6) == 0.25);
  CHECK(v(7) == 1.0 / 3);
  CHECK(v(8) == true);
  CHECK(v(9) == "working");
  CHECK(v(10).is_null());
  CHECK_FALSE(q.metrics[10].has_name);
  CHECK(q.metrics[10].alias == 7);
  // signed values written by others in the 32-bit field: -1 as Int8 in int_value, both ways
  sp::Metric m;
  m.field = sp::Metric::Field::Int;
  m.u = 0xFFFFFFFFu;
  CHECK(sp::value_json(m, sp::Int8) == -1);
  m.u = 0xFFu;
  CHECK(sp::value_json(m, sp::Int8) == -1);
  // Tahu writes UInt32 in long_value: read either
  m.field = sp::Metric::Field::Long;
  m.u = 70000;
  CHECK(sp::value_json(m, sp::UInt32) == 70000);
  // what cannot be said in a type is refused, not mangled
  sp::Metric w;
  CHECK_FALSE(sp::set_value(w, sp::Int32, "fast"));
  CHECK_FALSE(sp::set_value(w, sp::DataSet, 1));
  CHECK(sp::set_value(w, sp::Int32, 2.6));
  CHECK(sp::value_json(w, sp::Int32) == 3);
  // not protobuf
  CHECK_FALSE(sp::decode(std::string("\xff\xff\xff\xff", 4), q, &why));
  CHECK(why.find("not a Sparkplug B payload") != std::string::npos);
}

TEST_CASE("Sparkplug topics: the namespace's forms and nothing else", "[sparkplug]") {
  sp::Topic t;
  REQUIRE(sp::parse_topic("spBv1.0/plant1/DDATA/gw1/press", t));
  CHECK(t.group == "plant1");
  CHECK(t.type == "DDATA");
  CHECK(t.node == "gw1");
  CHECK(t.device == "press");
  REQUIRE(sp::parse_topic("spBv1.0/plant1/NBIRTH/gw1", t));
  CHECK(t.device.empty());
  REQUIRE(sp::parse_topic("spBv1.0/STATE/host-1", t));
  CHECK(t.is_state());
  CHECK(t.host == "host-1");
  CHECK_FALSE(sp::parse_topic("spBv1.0/plant1/NBIRTH/gw1/dev", t));  // a node message with a device
  CHECK_FALSE(sp::parse_topic("spBv1.0/plant1/DDATA/gw1", t));       // a device message without
  CHECK_FALSE(sp::parse_topic("spBv1.0/plant1/XDATA/gw1", t));
  CHECK_FALSE(sp::parse_topic("spAv1.0/plant1/NDATA/gw1", t));
  CHECK_FALSE(sp::parse_topic("spBv1.0/plant1//gw1", t));
  CHECK_FALSE(sp::parse_topic("spBv1.0/a/DDATA/b/c/d", t));
  CHECK(sp::topic("g", "DCMD", "n", "d") == "spBv1.0/g/DCMD/n/d");
}

namespace {

TwinSpec machine(const std::string& id) {
  PropertySpec state;
  state.name = "state";
  state.kind = PropertySpec::Kind::Enum;
  state.choices = {"starved", "working", "blocked", "down"};
  PropertySpec parts;
  parts.name = "parts";
  parts.unit = "parts";
  parts.min = 0;
  PropertySpec speed;
  speed.name = "speed";
  speed.unit = "1";
  speed.min = 0.05;
  speed.max = 20;
  speed.writable = true;
  PropertySpec health;
  health.name = "health_est";
  health.derived = true;
  return {id, {state, parts, speed, health}};
}

// A host in front of a mirror service on a bus, and an edge node "gw1" whose messages the test
// writes; what the host sends the node is kept in `to_node`.
struct Plant {
  double now = 1764230000;
  Bus bus;
  std::shared_ptr<InProcessLink> engine_link = bus.link("engine"), edge = bus.link("edge"),
                                 watcher = bus.link("watcher");
  Mirror mirror{{machine("m1"), machine("m2")}};
  std::unique_ptr<SparkplugHost> host;
  std::unique_ptr<MirrorService> service;
  std::vector<std::string> log;
  std::vector<std::pair<std::string, sp::Payload>> to_node;
  std::vector<std::string> state;
  std::uint64_t seq = 0;

  explicit Plant(SparkplugSettings s = {}) {
    if (s.group.empty()) s.group = "g";
    if (s.host_id.empty()) s.host_id = "h";
    s.rebirth_interval_s = 5;
    host = std::make_unique<SparkplugHost>(*engine_link, "p", s,
                                           std::vector<TwinSpec>{machine("m1"), machine("m2")},
                                           [this] { return now; });
    host->on_log([this](const std::string& l) { log.push_back(l); });
    service = std::make_unique<MirrorService>(mirror, *host, "p", [this] { return now; });
    edge->on_message([this](const Message& m) {
      sp::Payload p;
      REQUIRE(sp::decode(m.payload, p));
      to_node.emplace_back(m.topic, p);
    });
    edge->connect();
    edge->subscribe("spBv1.0/g/NCMD/gw1");
    edge->subscribe("spBv1.0/g/DCMD/gw1/#");
    watcher->on_message([this](const Message& m) { state.push_back(m.topic + " " + m.payload); });
    watcher->connect();
    watcher->subscribe("spBv1.0/STATE/#");
    service->start();
    poll();
  }
  void poll() {
    for (int i = 0; i < 3; ++i) {
      engine_link->poll(0);
      edge->poll(0);
      watcher->poll(0);
    }
  }
  sp::Payload payload(std::initializer_list<sp::Metric> ms, bool with_seq = true) {
    sp::Payload p;
    p.timestamp = static_cast<std::uint64_t>(now * 1000);
    p.has_timestamp = true;
    if (with_seq) {
      p.seq = seq;
      p.has_seq = true;
      seq = (seq + 1) % 256;
    }
    p.metrics = ms;
    return p;
  }
  void send(const std::string& type, const std::string& device, const sp::Payload& p) {
    edge->publish({sp::topic("g", type, "gw1", device), sp::encode(p), 0, false, "", ""});
    poll();
  }
  void births(std::uint64_t bdseq = 3) {
    seq = 0;
    send("NBIRTH", "",
         payload({sp::Metric::number("bdSeq", sp::UInt64, static_cast<double>(bdseq)),
                  sp::Metric::boolean("Node Control/Rebirth", false)}));
    auto st = sp::Metric::string("state", "working");
    st.alias = 1;
    st.has_alias = true;
    auto parts = sp::Metric::number("parts", sp::Int32, 4);
    parts.alias = 2;
    parts.has_alias = true;
    auto speed = sp::Metric::number("speed", sp::Float, 1);
    speed.alias = 3;
    speed.has_alias = true;
    send("DBIRTH", "m1", payload({st, parts, speed, sp::Metric::number("Temp", sp::Double, 40)}));
  }
  // a metric by alias alone, its value written as `type`; the datatype said only when `declare`
  // (data messages usually leave it to the birth)
  static sp::Metric by_alias(std::uint64_t a, std::uint32_t type, double v, bool declare = false) {
    auto m = sp::Metric::number("", type, v);
    if (!declare) m.datatype = sp::Unknown;
    m.has_name = false;
    m.alias = a;
    m.has_alias = true;
    return m;
  }
  const Reported& reported(const std::string& twin, const std::string& prop) {
    const auto t = mirror.find_twin(twin);
    return mirror.state(t).props[mirror.find_property(t, prop)].reported;
  }
  std::size_t rebirths() const {
    std::size_t n = 0;
    for (const auto& [topic, p] : to_node)
      if (topic == "spBv1.0/g/NCMD/gw1")
        for (const auto& m : p.metrics) n += m.name == "Node Control/Rebirth";
    return n;
  }
};

}  // namespace

TEST_CASE("Sparkplug host: STATE birth and will, births, data by alias, deaths", "[sparkplug]") {
  Plant p;
  // the host's STATE: online, retained, with its timestamp; the will says offline, same time
  REQUIRE_FALSE(p.state.empty());
  CHECK(p.state.back().rfind(R"(spBv1.0/STATE/h {"online":true,"timestamp":1764230000000})", 0) ==
        0);
  p.births();
  const auto m1 = p.mirror.find_twin("m1");
  REQUIRE(p.mirror.state(m1).online);
  CHECK(p.reported("m1", "parts").value.num == 4);
  CHECK(p.reported("m1", "speed").value.num == 1);
  CHECK(p.reported("m1", "state").value.num == 1);  // "working"
  // a metric that is no property (Temp) is counted, and said once at the birth
  CHECK(p.host->counters().unmapped_metrics == 1);
  CHECK(std::any_of(p.log.begin(), p.log.end(), [](const std::string& l) {
    return l.find("metric \"Temp\" is no property of twin m1") != std::string::npos;
  }));
  // data by alias, with the datatype of the birth; an enumeration by index
  p.now += 1;
  p.send("DDATA", "m1",
         p.payload({Plant::by_alias(2, sp::Int32, 9), Plant::by_alias(1, sp::Int32, 3, true)}));
  CHECK(p.reported("m1", "parts").value.num == 9);
  CHECK(p.reported("m1", "state").value.num == 3);  // index 3: "down"
  // a value the property cannot take is dropped alone, with a reason
  p.now += 1;
  auto bad = sp::Metric::string("state", "exploded");
  p.send("DDATA", "m1", p.payload({bad, Plant::by_alias(2, sp::Int32, 10)}));
  CHECK(p.reported("m1", "parts").value.num == 10);
  CHECK(p.reported("m1", "state").value.num == 3);
  CHECK(p.host->counters().bad_value == 1);
  // metrics with two timestamps become two reports, in time order
  p.now += 1;
  auto early = Plant::by_alias(2, sp::Int32, 11);
  early.timestamp = static_cast<std::uint64_t>(p.now * 1000) - 500;
  early.has_timestamp = true;
  auto late = Plant::by_alias(2, sp::Int32, 12);
  late.timestamp = static_cast<std::uint64_t>(p.now * 1000);
  late.has_timestamp = true;
  p.send("DDATA", "m1", p.payload({late, early}));
  CHECK(p.reported("m1", "parts").value.num == 12);
  CHECK(p.reported("m1", "parts").source_time == Approx(p.now));
  // a historical value does not overwrite the present
  auto hist = Plant::by_alias(2, sp::Int32, 1);
  hist.is_historical = true;
  p.send("DDATA", "m1", p.payload({hist}));
  CHECK(p.reported("m1", "parts").value.num == 12);
  CHECK(p.host->counters().historical == 1);
  // no seq gap so far, no rebirth asked
  CHECK(p.host->counters().seq_gaps == 0);
  CHECK(p.rebirths() == 0);
  // DDEATH: the device's twin offline; NDEATH with an old bdSeq: ignored
  p.send("DDEATH", "m1", p.payload({}));
  CHECK_FALSE(p.mirror.state(m1).online);
  p.births(4);
  REQUIRE(p.mirror.state(m1).online);
  p.send("NDEATH", "", p.payload({sp::Metric::number("bdSeq", sp::UInt64, 3)}, false));
  CHECK(p.mirror.state(m1).online);
  CHECK(p.host->counters().stale_ndeath == 1);
  p.send("NDEATH", "", p.payload({sp::Metric::number("bdSeq", sp::UInt64, 4)}, false));
  CHECK_FALSE(p.mirror.state(m1).online);
  CHECK(p.host->counters().deaths == 2);
  // a clean stop: STATE offline, retained, with the same timestamp
  p.service->stop();
  p.poll();
  CHECK(p.state.back().rfind(R"(spBv1.0/STATE/h {"online":false,"timestamp":1764230000000})", 0) ==
        0);
}

TEST_CASE(
    "Sparkplug host: a seq gap or data before a birth asks for a rebirth, at most every "
    "rebirth_interval",
    "[sparkplug]") {
  Plant p;
  // data from a node the host has never seen born (it started after the node): dropped, rebirth
  p.send("DDATA", "m1", p.payload({Plant::by_alias(2, sp::Int32, 9)}));
  CHECK(p.host->counters().before_birth == 1);
  CHECK(p.rebirths() == 1);
  CHECK(p.mirror.state(p.mirror.find_twin("m1")).props[1].reported.present == false);
  p.now += 10;
  p.births();
  p.seq += 4;  // four messages lost
  p.now += 1;
  p.send("DDATA", "m1", p.payload({Plant::by_alias(2, sp::Int32, 9)}));
  CHECK(p.host->counters().seq_gaps == 1);
  CHECK(p.rebirths() == 2);
  CHECK(p.reported("m1", "parts").value.num == 9);  // the data itself is still taken
  // another gap within the interval: counted, not asked again
  p.seq += 2;
  p.send("DDATA", "m1", p.payload({Plant::by_alias(2, sp::Int32, 10)}));
  CHECK(p.host->counters().seq_gaps == 2);
  CHECK(p.rebirths() == 2);
  // seq wraps after 255 without a gap
  p.now += 10;
  p.births();
  p.seq = 255;
  const auto gaps = p.host->counters().seq_gaps;
  for (int i = 0; i < 3; ++i)
    p.send("DDATA", "m1", p.payload({Plant::by_alias(2, sp::Int32, 20 + i)}));
  CHECK(p.host->counters().seq_gaps == gaps + 1);  // 2 -> 255 is one gap, 255 -> 0 -> 1 none
}

TEST_CASE(
    "Sparkplug host: a desired value becomes a DCMD by alias with the birth's datatype, "
    "applied when the device reports it",
    "[sparkplug]") {
  Plant p;
  p.births();
  p.to_node.clear();
  const auto r = p.service->set("m1", "speed", 1.5);
  REQUIRE(r.outcome == Outcome::Applied);
  p.poll();
  REQUIRE(p.to_node.size() == 1);
  CHECK(p.to_node[0].first == "spBv1.0/g/DCMD/gw1/m1");
  const sp::Metric& w = p.to_node[0].second.metrics.at(0);
  CHECK_FALSE(w.has_name);  // the birth gave an alias: the alias alone
  CHECK(w.alias == 3);
  CHECK(w.datatype == sp::Float);
  CHECK(sp::value_json(w, sp::Float) == 1.5);
  const auto m1 = p.mirror.find_twin("m1");
  CHECK(p.mirror.state(m1).props[2].desired.state == DesiredState::Pending);
  // the same version is not sent twice when the service publishes the delta again
  p.service->set("m1", "parts", 3);  // not writable: refused, nothing sent
  p.poll();
  CHECK(p.to_node.size() == 1);
  // the device applies it and says so
  p.now += 1;
  p.send("DDATA", "m1", p.payload({Plant::by_alias(3, sp::Float, 1.5)}));
  CHECK(p.mirror.state(m1).props[2].desired.state == DesiredState::Applied);
  // a pending value goes again after the device's next birth
  p.service->set("m1", "speed", 2);
  p.poll();
  CHECK(p.to_node.size() == 2);
  p.now += 1;
  p.births();
  REQUIRE(p.to_node.size() == 3);
  CHECK(sp::value_json(p.to_node.back().second.metrics.at(0), sp::Float) == 2);
  // an offline twin gets nothing until it is born
  p.send("DDEATH", "m1", p.payload({}));
  p.service->set("m1", "speed", 3);
  p.poll();
  CHECK(p.to_node.size() == 3);
}

TEST_CASE("Sparkplug host: the settings place twins, name metrics, and are checked",
          "[sparkplug]") {
  SparkplugSettings s;
  SparkplugSettings::Place place;
  place.node = "gw1";
  place.device = "press-7";
  place.metrics = {{"parts", "Counters/Good"}};
  place.pointer = "/live/sparkplug/twins/m2";
  s.twins["m2"] = place;
  Plant p(s);
  p.seq = 0;
  p.send("NBIRTH", "", p.payload({sp::Metric::number("bdSeq", sp::UInt64, 0)}));
  auto good = sp::Metric::number("Counters/Good", sp::Int64, 17);
  good.alias = 10;
  good.has_alias = true;
  p.send("DBIRTH", "press-7", p.payload({good}));
  CHECK(p.reported("m2", "parts").value.num == 17);
  // m1 by the default placement (a device named like it, under any node): born on gw1; another
  // node's device "m1" cannot take it over nor kill it while it is online
  p.births();
  REQUIRE(p.mirror.state(p.mirror.find_twin("m1")).online);
  auto other = p.bus.link("other");
  other->connect();
  const auto from_other = [&](const std::string& type, const std::string& dev,
                              const sp::Payload& pl) {
    other->publish({sp::topic("g", type, "gw9", dev), sp::encode(pl), 0, false, "", ""});
    p.poll();
  };
  sp::Payload nb;
  nb.has_seq = true;
  nb.metrics = {sp::Metric::number("bdSeq", sp::UInt64, 0)};
  from_other("NBIRTH", "", nb);
  sp::Payload db;
  db.has_seq = true;
  db.seq = 1;
  db.metrics = {sp::Metric::number("parts", sp::Int64, 999)};
  from_other("DBIRTH", "m1", db);
  CHECK(p.host->counters().conflicts == 1);
  CHECK(p.reported("m1", "parts").value.num == 4);
  db.seq = 2;
  from_other("DDEATH", "m1", db);
  CHECK(p.mirror.state(p.mirror.find_twin("m1")).online);
  // a device the plant does not know: counted and said, nothing mirrored
  p.send("DBIRTH", "lathe", p.payload({sp::Metric::number("parts", sp::Int64, 1)}));
  CHECK(p.host->counters().unknown_device == 1);
  // a twin that is not in the mirror, a property that is not the twin's, a derived one
  const auto bad = [](const std::string& twin, const std::string& prop) {
    SparkplugSettings s2;
    SparkplugSettings::Place pl;
    pl.node = "n";
    pl.metrics = {{prop, "x"}};
    pl.pointer = "/live/sparkplug/twins/" + twin;
    s2.twins[twin] = pl;
    Bus bus;
    auto l = bus.link("e");
    try {
      SparkplugHost h(*l, "p", s2, {machine("m1")}, [] { return 0.0; });
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(bad("m9", "parts").find("/live/sparkplug/twins/m9: no twin \"m9\"") != std::string::npos);
  CHECK(bad("m1", "volts")
            .find("/live/sparkplug/twins/m1/metrics/volts: twin \"m1\" has no "
                  "property") != std::string::npos);
  CHECK(bad("m1", "health_est").find("derived") != std::string::npos);
}
