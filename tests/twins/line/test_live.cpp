// The live mirror through a real Mosquitto broker: the engine (LiveEngine) and the emulated plant
// (LiveEmulator, one connection per asset) in this process, pumped by the test. Faults are
// injected on the way (lost, duplicated, reordered messages; the broker killed; an asset gone
// silent) and after each the twins must converge to the emulator's true state with no accepted
// command lost. Engine kill/restart with its store is in tests/cli/test_live_cli.cpp (processes).
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>
#include <tuple>

#include "engine/base/error.hpp"
#include "engine/live/emulator.hpp"
#include "engine/live/engine.hpp"
#include "engine/live/rpc_client.hpp"
#include "engine/live/settings.hpp"
#include "engine/transport/fault_link.hpp"
#include "engine/transport/mqtt_link.hpp"
#include "tests/support/broker.hpp"
#include "tests/support/live_pair.hpp"
#include "twins/register.hpp"

using namespace dtwin;
using dtwin::test::Broker;

namespace {

const char* kLine = R"({"name": "live test line", "seed": 5, "duration": "8h", "replications": 6,
  "twins": {
    "src": {"kind": "source", "saturated": true},
    "m1": {"kind": "machine", "process": {"dist": "exponential", "mean": 40}, "mtbf": "1h", "mttr": "5min"},
    "b1": {"kind": "buffer", "capacity": 5},
    "m2": {"kind": "machine", "process": {"dist": "exponential", "mean": 50}, "mtbf": "2h", "mttr": "10min"},
    "b2": {"kind": "buffer", "capacity": 5},
    "m3": {"kind": "machine", "process": {"dist": "exponential", "mean": 45}},
    "sink": {"kind": "sink"}},
  "flow": [["src", "m1"], ["m1", "b1"], ["b1", "m2"], ["m2", "b2"], ["b2", "m3"], ["m3", "sink"]],
  "live": {"plant": "t", "stale_after": "1s",
           "emulator": {"speed": 120, "report_every": "50ms", "full_every": "400ms"}},
  "variants": {"faster_m2": {"twins": {"m2": {"speed": 1.5}}},
               "bigger_b1": {"twins": {"b1": {"capacity": 12}}}}})";

// The same line with two products: m1 makes them with a changeover between them.
const char* kProducts = R"({"name": "live test line with products", "seed": 5, "duration": "8h",
  "replications": 6, "products": {"A": {}, "B": {}},
  "twins": {
    "src": {"kind": "source", "saturated": true, "sequence": ["A", "A", "B"]},
    "m1": {"kind": "machine", "process": {"by_product": {"A": 40, "B": 30}},
           "changeover": {"A->B": 20, "B->A": 25}},
    "b1": {"kind": "buffer", "capacity": 5},
    "m2": {"kind": "machine", "process": {"dist": "exponential", "mean": 50}},
    "sink": {"kind": "sink"}},
  "flow": [["src", "m1"], ["m1", "b1"], ["b1", "m2"], ["m2", "sink"]],
  "live": {"plant": "t", "stale_after": "1s",
           "emulator": {"speed": 120, "report_every": "50ms", "full_every": "400ms"}},
  "variants": {"faster_m2": {"twins": {"m2": {"speed": 1.5}}}}})";

struct Live {
  Broker& broker;
  Registry reg;
  Scenario sc;
  CompiledVariant v;
  MqttLink elink;
  std::unique_ptr<LiveEngine> engine;
  std::vector<FaultLink*> faults;
  std::unique_ptr<LiveEmulator> emu;

  // users: asset twin id -> password; when set, the broker runs the shipped set-up
  // (assets/mosquitto/dtwin.conf) and every client logs in: the engine as dtwin-engine with
  // password "engine-pw" on the second listener, each asset as its twin id on the first
  std::map<std::string, std::string> users;

  static MqttOptions engine_opts(Broker& b, bool login) {
    MqttOptions o = test::fast_client(b, "engine");
    if (login) {
      o.url = b.url(1);
      o.ca_file = b.file("ca.crt");
      o.username = "dtwin-engine", o.password = "engine-pw";
    }
    return o;
  }
  Live(Broker& b, FaultOptions fo = {}, std::map<std::string, std::string> logins = {},
       const char* text = kLine)
      : broker(b),
        sc(Scenario::parse(text, "live.json")),
        elink(engine_opts(b, !logins.empty())),
        users(std::move(logins)) {
    twins::register_all(reg);
    v = sc.compile(0, reg);
    engine = std::make_unique<LiveEngine>(sc, reg, elink, LiveOptions{});
    engine->start();
    std::uint64_t k = 0;
    emu = std::make_unique<LiveEmulator>(v, parse_live(sc), 5, [&](const std::string& twin) {
      FaultOptions f = fo;
      f.seed = fo.seed + 7919 * ++k;
      MqttOptions o = test::fast_client(broker, "asset-" + twin);
      if (!users.empty()) {
        o.url = broker.url(0);
        o.ca_file = broker.file("ca.crt");
        o.username = twin, o.password = users.at(twin);
      }
      auto fl = std::make_unique<FaultLink>(std::unique_ptr<Link>(new MqttLink(o)), f);
      faults.push_back(fl.get());
      return std::unique_ptr<Link>(std::move(fl));
    });
    emu->start();
  }
  void pump_for(double seconds) {
    const double end = wall_clock() + seconds;
    while (wall_clock() < end) {
      engine->poll(2);
      emu->poll(2);
    }
  }
  template <class Pred>
  bool pump_until(Pred pred, double timeout_s) {
    return test::pump_until(*engine, *emu, pred, timeout_s);
  }
  nlohmann::json rpc(const nlohmann::json& req) { return test::rpc(*engine, *emu, req); }
  // every reported value equals the emulator's, with good quality, every twin online
  std::string mismatch() { return test::mismatch(*engine, *emu); }
  bool converged(double timeout_s) {
    return pump_until([&] { return mismatch().empty(); }, timeout_s);
  }
};

}  // namespace

TEST_CASE("live: the mirror follows the emulated plant, a setpoint goes pending, then applied",
          "[live][mqtt]") {
  Broker b;
  Live L(b);
  L.pump_for(0.5);
  L.emu->pause(true);
  REQUIRE(L.converged(5));

  const auto set = L.rpc({{"op", "set"}, {"twin", "m2"}, {"prop", "speed"}, {"value", 1.25}});
  REQUIRE(set["ok"]);
  CHECK(set["result"]["state"] == "pending");
  const auto version = set["result"]["version"].get<std::uint64_t>();
  REQUIRE(L.pump_until(
      [&] {
        const auto g = L.rpc({{"op", "get"}, {"twin", "m2"}});
        return g["result"]["desired"]["speed"]["state"] == "applied";
      },
      5));
  const auto g = L.rpc({{"op", "get"}, {"twin", "m2"}});
  const auto& j = g["result"];
  CHECK(j["desired"]["speed"]["version"] == version);
  CHECK(j["reported"]["speed"]["value"] == 1.25);
  CHECK(j["reported"]["speed"]["quality"] == "good");
  CHECK(j["delta"].empty());
  Value truth;
  REQUIRE(L.emu->truth("m2", "speed", truth));
  CHECK(truth.num == 1.25);  // the asset really runs at it

  // refusals name the reason and change nothing
  const auto rev = L.engine->mirror().state(L.engine->mirror().find_twin("m2")).revision;
  const auto bad = L.rpc({{"op", "set"}, {"twin", "m2"}, {"prop", "speed"}, {"value", 99}});
  CHECK_FALSE(bad["ok"]);
  CHECK(bad["code"] == "out_of_range");
  CHECK(L.rpc({{"op", "set"}, {"twin", "m2"}, {"prop", "state"}, {"value", "down"}})["code"] ==
        "not_writable");
  CHECK(L.rpc({{"op", "set"}, {"twin", "m9"}, {"prop", "speed"}, {"value", 1}})["code"] ==
        "unknown_twin");
  CHECK(L.rpc({{"op", "set"},
               {"twin", "m2"},
               {"prop", "speed"},
               {"value", 1.1},
               {"if_revision", 1}})["code"] == "revision_mismatch");
  CHECK(L.engine->mirror().state(L.engine->mirror().find_twin("m2")).revision == rev);
}

TEST_CASE("live: lost, duplicated and reordered telemetry, the twins converge once it heals",
          "[live][mqtt][faults]") {
  Broker b;
  FaultOptions fo;
  fo.drop = 0.25;
  fo.duplicate = 0.25;
  fo.reorder = 0.25;
  fo.seed = 42;
  Live L(b, fo);
  L.pump_for(2.0);  // four simulated minutes of a bad network
  // a command sent meanwhile: its confirmation travels over the bad network too
  const auto set = L.rpc({{"op", "set"}, {"twin", "m1"}, {"prop", "speed"}, {"value", 0.8}});
  REQUIRE(set["ok"]);
  L.pump_for(1.0);
  std::uint64_t dropped = 0, duplicated = 0, reordered = 0;
  for (auto* f : L.faults)
    dropped += f->dropped, duplicated += f->duplicated, reordered += f->reordered;
  CHECK(dropped > 3);
  CHECK(duplicated > 3);
  CHECK(reordered > 3);
  const auto& c = L.engine->service().counters();
  CHECK(c.duplicate > 0);  // the copies were recognised
  CHECK(c.stale > 0);      // and the late ones dropped
  // the network heals: the periodic full report brings everything back
  L.emu->pause(true);
  for (auto* f : L.faults) {
    f->enabled = false;
    f->release();
  }
  INFO("first mismatch: " << L.mismatch());
  REQUIRE(L.converged(5));
  const auto& m = L.engine->mirror();
  const auto m1 = m.find_twin("m1");
  CHECK(m.state(m1).props[m.find_property(m1, "speed")].desired.state == DesiredState::Applied);
}

TEST_CASE("live: the broker killed and restarted, stale meanwhile, then converged",
          "[live][mqtt][faults]") {
  Broker b;
  Live L(b);
  L.pump_for(0.5);
  REQUIRE(L.converged(5));
  b.kill();
  L.pump_for(0.6);
  const auto& m = L.engine->mirror();
  for (std::size_t t = 0; t < m.twin_count(); ++t) {
    CHECK_FALSE(m.state(t).online);
    for (const auto& p : m.state(t).props)
      if (p.reported.present) CHECK(p.reported.quality == Quality::Stale);
  }
  // a command accepted while the broker is away reaches the asset when it is back
  const auto set = L.rpc({{"op", "set"}, {"twin", "m3"}, {"prop", "speed"}, {"value", 1.3}});
  REQUIRE(set["ok"]);
  b.restart();
  L.pump_for(0.5);
  L.emu->pause(true);
  INFO("first mismatch: " << L.mismatch());
  REQUIRE(L.converged(8));
  const auto m3 = m.find_twin("m3");
  CHECK(m.state(m3).props[m.find_property(m3, "speed")].desired.state == DesiredState::Applied);
  Value truth;
  REQUIRE(L.emu->truth("m3", "speed", truth));
  CHECK(truth.num == 1.3);
}

TEST_CASE("live: an asset that goes silent turns stale, and good again when it is back",
          "[live][mqtt][faults]") {
  Broker b;
  Live L(b);
  L.pump_for(0.3);
  REQUIRE(L.converged(5));
  const auto& m = L.engine->mirror();
  const auto m2 = m.find_twin("m2");
  L.emu->silence("m2", true);
  REQUIRE(L.pump_until([&] { return !m.state(m2).online; }, 3));
  for (const auto& p : m.state(m2).props)
    if (p.reported.present) CHECK(p.reported.quality == Quality::Stale);
  CHECK(m.state(m.find_twin("m1")).online);  // the others are not affected
  L.emu->silence("m2", false);
  L.emu->pause(true);
  REQUIRE(L.converged(5));
}

TEST_CASE("live: bad messages are refused and counted, the twin unchanged", "[live][mqtt]") {
  Broker b;
  Live L(b);
  L.pump_for(0.3);
  L.emu->pause(true);
  REQUIRE(L.converged(5));
  MqttLink raw(test::fast_client(b, "intruder"));
  raw.connect();
  REQUIRE(L.pump_until([&] { return raw.connected(); }, 5));
  const auto& m = L.engine->mirror();
  const auto m2 = m.find_twin("m2");
  const auto rev = m.state(m2).revision;
  const auto before = L.engine->service().counters();
  const std::uint64_t s = m.state(m2).session;
  auto msg = [&](const std::string& topic, const std::string& payload) {
    raw.publish({"dtwin/t/" + topic, payload, 1, false, "", ""});
  };
  msg("m2/reported", "{not json");
  msg("m2/reported", R"({"session": 1, "seq": 1.5, "ts": 1, "values": {}})");
  msg("m2/reported", R"({"session": )" + std::to_string(s) +
                         R"(, "seq": 99999999, "ts": 1, "values": {"speed": "fast"}})");
  msg("m2/reported", R"({"session": )" + std::to_string(s) +
                         R"(, "seq": 99999999, "ts": 1, "values": {"state": "exploded"}})");
  msg("m2/reported", R"({"session": )" + std::to_string(s) +
                         R"(, "seq": 99999999, "ts": 1, "values": {"sped": 1}})");
  msg("m9/reported", R"({"session": 1, "seq": 1, "ts": 1, "values": {}})");
  msg("m2/reported", std::string(70000, ' '));
  raw.flush(2000);
  REQUIRE(L.pump_until(
      [&] {
        const auto& c = L.engine->service().counters();
        return c.malformed + c.bad_value + c.unknown_property + c.unknown_twin + c.oversized >=
               before.malformed + before.bad_value + before.unknown_property + before.unknown_twin +
                   before.oversized + 7;
      },
      5));
  L.pump_for(0.1);
  const auto& c = L.engine->service().counters();
  INFO("before " << before.to_json().dump() << "\nafter " << c.to_json().dump());
  CHECK(c.malformed == before.malformed + 2);
  CHECK(c.bad_value == before.bad_value + 2);
  CHECK(c.unknown_property == before.unknown_property + 1);
  CHECK(c.unknown_twin == before.unknown_twin + 1);
  CHECK(c.oversized == before.oversized + 1);
  CHECK(m.state(m2).revision >= rev);
  CHECK(L.mismatch().empty());  // nothing of it reached the twin

  // a number outside its range is what the asset measured: kept as uncertain, counted, and good
  // again with the next report in range
  const auto speed = m.find_property(m2, "speed");
  const std::uint64_t out_before = c.out_of_range;
  msg("m2/reported", R"({"session": )" + std::to_string(s) + R"(, "seq": )" +
                         std::to_string(m.state(m2).msg_seq + 1) +
                         R"(, "ts": 1, "values": {"speed": -4}})");
  raw.flush(2000);
  bool seen = false;
  REQUIRE(L.pump_until(
      [&] {
        const Reported& r = m.state(m2).props[speed].reported;
        seen = seen || (r.value.num == -4 && r.quality == Quality::Uncertain);
        return L.engine->service().counters().out_of_range == out_before + 1;
      },
      5));
  CHECK(L.converged(5));
  INFO("the uncertain value was " << (seen ? "" : "not ") << "seen held");
  CHECK(m.state(m2).props[speed].reported.quality == Quality::Good);
}

TEST_CASE("live: a what-if forks the live state, runs variants, and applies the winner guarded",
          "[live][mqtt][whatif]") {
  Broker b;
  Live L(b);
  L.pump_for(1.0);
  L.emu->pause(true);
  REQUIRE(L.converged(5));
  const auto& m = L.engine->mirror();

  const auto r = L.rpc({{"op", "whatif"},
                        {"variants", nlohmann::json::array({"faster_m2", "bigger_b1"})},
                        {"horizon_s", 4 * 3600},
                        {"replications", 8}});
  REQUIRE(r["ok"]);
  const auto& res = r["result"];
  // the fork took the live levels and states
  std::size_t levels = 0;
  for (const auto& a : res["assimilated"]) {
    if (a["prop"] == "level") {
      ++levels;
      CHECK(a["taken"] == true);
      const auto t = m.find_twin(a["twin"].get<std::string>());
      CHECK(a["value"].get<double>() ==
            m.state(t).props[m.find_property(t, "level")].reported.value.num);
    }
    if (a["prop"] == "parts") CHECK(a["taken"] == false);  // counters are not carried
  }
  CHECK(levels == 2);
  CHECK(res["variant_setpoints"]["faster_m2"] == nlohmann::json::array({"m2.speed"}));
  const auto& rep = res["report"];
  REQUIRE(rep["variants"].contains("faster_m2"));
  // m2 1.5x faster must raise throughput on a line it limits (paired, 8 replications)
  const auto& d = rep["variants"]["faster_m2"]["delta_vs_baseline"]["kpis"]["throughput_per_h"];
  INFO(d.dump());
  CHECK(d["ci95"][0].get<double>() > 0);  // the whole interval above zero
  // nothing live was touched
  const auto m2 = m.find_twin("m2");
  CHECK(m.state(m2).props[m.find_property(m2, "speed")].desired.state == DesiredState::None);

  // --apply: the winner's setpoints become desired values, unless someone set them after the fork
  nlohmann::json got;
  bool done = false;
  L.engine->request({{"op", "whatif"},
                     {"variants", nlohmann::json::array({"faster_m2"})},
                     {"horizon_s", 4 * 3600},
                     {"replications", 4},
                     {"apply", true}},
                    [&](nlohmann::json j) {
                      got = std::move(j);
                      done = true;
                    });
  // the operator changes m2's speed while the what-if runs
  const auto s = L.rpc({{"op", "set"}, {"twin", "m2"}, {"prop", "speed"}, {"value", 1.1}});
  REQUIRE(s["ok"]);
  REQUIRE(L.pump_until([&] { return done; }, 60));
  REQUIRE(got["ok"]);
  CHECK(got["result"]["apply"]["applied"] == false);
  CHECK(got["result"]["apply"]["code"] == "conflict");
  CHECK(m.state(m2).props[m.find_property(m2, "speed")].desired.value.num == 1.1);

  const auto again = L.rpc({{"op", "whatif"},
                            {"variants", nlohmann::json::array({"faster_m2"})},
                            {"horizon_s", 4 * 3600},
                            {"replications", 4},
                            {"apply", true}});
  REQUIRE(again["ok"]);
  REQUIRE(again["result"]["apply"]["applied"] == true);
  CHECK(m.state(m2).props[m.find_property(m2, "speed")].desired.value.num == 1.5);
  L.emu->pause(false);
  REQUIRE(L.pump_until(
      [&] {
        return m.state(m2).props[m.find_property(m2, "speed")].desired.state ==
               DesiredState::Applied;
      },
      5));
}

TEST_CASE("live: a line with products mirrors each machine's product and the parts by product",
          "[live][mqtt][whatif][products]") {
  Broker b;
  Live L(b, {}, {}, kProducts);
  L.pump_for(1.0);
  L.emu->pause(true);
  REQUIRE(L.converged(5));  // every reported property, product and level_<product> included
  const auto& m = L.engine->mirror();
  const auto b1 = m.find_twin("b1"), m1 = m.find_twin("m1");
  const auto reported = [&](std::size_t t, const char* prop) {
    return m.state(t).props[m.find_property(t, prop)].reported.value.num;
  };
  CHECK(reported(b1, "level_A") + reported(b1, "level_B") == reported(b1, "level"));
  Value truth;
  REQUIRE(L.emu->truth("m1", "product", truth));
  CHECK(reported(m1, "product") == truth.num);

  // the fork takes the parts by product and m1's setup, not the total
  const auto r = L.rpc({{"op", "whatif"},
                        {"variants", nlohmann::json::array({"faster_m2"})},
                        {"horizon_s", 3600},
                        {"replications", 2}});
  REQUIRE(r["ok"]);
  std::size_t by_product = 0;
  bool product = false;
  for (const auto& a : r["result"]["assimilated"]) {
    const std::string prop = a["prop"];
    if (a["twin"] == "b1" && prop == "level") {
      CHECK(a["taken"] == false);
      CHECK_THAT(a["reason"].get<std::string>(), Catch::Contains("by product"));
    }
    if (prop.rfind("level_", 0) == 0) {
      CHECK(a["taken"] == true);
      ++by_product;
    }
    if (a["twin"] == "m1" && prop == "product") product = a["taken"] == true;
  }
  CHECK(by_product == 2);
  CHECK(product);
}

TEST_CASE("live: a what-if on a parameter (a merge patch over the scenario)",
          "[live][mqtt][whatif]") {
  Broker b;
  Live L(b);
  L.pump_for(1.0);
  L.emu->pause(true);
  REQUIRE(L.converged(5));
  // m3 (mean 60 s, down 15 min every 4 h) limits the line: a faster process raises throughput
  const auto r = L.rpc({{"op", "whatif"},
                        {"patch", {{"twins", {{"m3", {{"process", {{"mean", 30}}}}}}}}},
                        {"horizon_s", 4 * 3600},
                        {"replications", 12}});
  REQUIRE(r["ok"]);
  const auto& vs = r["result"]["report"]["variants"];
  REQUIRE(vs.size() == 2);  // the baseline and the patch only
  std::string name;
  for (const auto& [n, unused] : vs.items())
    if (n != "baseline") name = n;
  CHECK(name.rfind("patch ", 0) == 0);
  const auto& d = vs[name]["delta_vs_baseline"]["kpis"]["throughput_per_h"];
  INFO(d.dump());
  CHECK(d["ci95"][0].get<double>() > 0);
  // a path the twin rejects: refused with the pointer, nothing run
  const auto bad =
      L.rpc({{"op", "whatif"}, {"patch", {{"twins", {{"m3", {{"process", {{"meen", 40}}}}}}}}}});
  CHECK_FALSE(bad["ok"]);
  CHECK(bad["code"] == "bad_patch");
  CHECK(bad["error"].get<std::string>().find("/twins/m3/process/meen") != std::string::npos);
  CHECK(L.rpc({{"op", "whatif"}, {"patch", 3}})["ok"] == false);
}

TEST_CASE("live: the shipped Mosquitto set-up lets the plant run and keeps assets in their lane",
          "[live][mqtt][acl]") {
  test::BrokerOptions bo;
  bo.shipped = std::string(DTWIN_SOURCE_DIR) + "/assets/mosquitto/dtwin.conf";
  std::map<std::string, std::string> assets;
  for (const char* t : {"line", "m1", "m2", "m3", "b1", "b2"}) assets[t] = std::string(t) + "-pw";
  bo.password_files["dtwin-assets.passwd"] = assets;
  bo.password_files["dtwin.passwd"] = {{"dtwin-engine", "engine-pw"}, {"operator", "op-pw"}};
  Broker b(bo);
  Live L(b, {}, assets);
  L.pump_for(0.5);
  L.emu->pause(true);
  REQUIRE(L.converged(5));  // births, reports, wills and desired all allowed where needed

  // an operator reaches the engine through the request topic
  MqttOptions oo = test::fast_client(b, "op");
  oo.url = b.url(1);
  oo.ca_file = b.file("ca.crt");
  oo.username = "operator";
  oo.password = "op-pw";
  MqttLink op(oo);
  RpcClient client(op, "t");
  nlohmann::json answer;
  std::thread t([&] {
    answer = client.call({{"op", "set"}, {"twin", "m2"}, {"prop", "speed"}, {"value", 1.4}}, 5000);
  });
  L.pump_until([&] { return !answer.is_null(); }, 6);
  t.join();
  REQUIRE(answer["ok"] == true);
  const auto& m = L.engine->mirror();
  const auto m2 = m.find_twin("m2");
  REQUIRE(L.pump_until(
      [&] {
        return m.state(m2).props[m.find_property(m2, "speed")].desired.state ==
               DesiredState::Applied;
      },
      5));

  // asset m1 tries to speak for m2 and to set a desired value: the broker refuses both
  MqttOptions mo = test::fast_client(b, "rogue-m1");
  mo.url = b.url(0);
  mo.ca_file = b.file("ca.crt");
  mo.username = "m1";
  mo.password = "m1-pw";
  MqttLink rogue(mo);
  rogue.connect();
  REQUIRE(L.pump_until([&] { return rogue.connected(); }, 5));
  const auto before = m.state(m2).revision;
  rogue.publish({"dtwin/t/m2/reported",
                 R"({"session": 99999999999999, "seq": 1, "ts": 1, "values": {"speed": 3}})", 1,
                 false, "", ""});
  rogue.publish({"dtwin/t/m2/desired", R"({"values": {"speed": {"value": 3, "version": 99}}})", 1,
                 false, "", ""});
  REQUIRE(rogue.flush(3000));
  L.pump_for(0.3);
  CHECK(rogue.rejected_publishes() == 2);
  CHECK(m.state(m2).props[m.find_property(m2, "speed")].reported.value.num == 1.4);
  Value truth;
  REQUIRE(L.emu->truth("m2", "speed", truth));
  CHECK(truth.num == 1.4);
  CHECK(m.state(m2).revision >= before);
}

TEST_CASE("live: two engines split one plant by partition, each answers for its own twins",
          "[live][mqtt][partition]") {
  Broker b;
  Registry reg;
  twins::register_all(reg);
  const Scenario sc = Scenario::parse(kLine, "live.json");
  MqttLink l1(test::fast_client(b, "engine-1")), l2(test::fast_client(b, "engine-2"));
  LiveOptions o1, o2;
  o1.part_k = 1, o1.part_n = 2;
  o2.part_k = 2, o2.part_n = 2;
  LiveEngine e1(sc, reg, l1, o1), e2(sc, reg, l2, o2);
  e1.start();
  e2.start();
  const CompiledVariant v = sc.compile(0, reg);
  LiveEmulator emu(v, parse_live(sc), 5, [&](const std::string& twin) {
    return std::unique_ptr<Link>(new MqttLink(test::fast_client(b, "asset-" + twin)));
  });
  emu.start();
  const std::size_t all = emu.binding().twins.size();
  CHECK(e1.mirror().twin_count() + e2.mirror().twin_count() == all);
  CHECK(e1.mirror().twin_count() > 0);
  CHECK(e2.mirror().twin_count() > 0);
  auto pump = [&] {
    e1.poll(2);
    e2.poll(2);
    emu.poll(2);
  };
  auto mismatch = [&](LiveEngine& e) -> std::string {
    Mirror& m = e.mirror();
    for (std::size_t t = 0; t < m.twin_count(); ++t) {
      if (!m.state(t).online) return m.spec(t).id + " offline";
      for (std::size_t p = 0; p < m.spec(t).properties.size(); ++p) {
        Value truth;
        if (!emu.truth(m.spec(t).id, m.spec(t).properties[p].name, truth)) continue;
        const Reported& r = m.state(t).props[p].reported;
        if (!r.present || !(r.value == truth)) return m.spec(t).id;
      }
    }
    return "";
  };
  const double end0 = wall_clock() + 0.5;
  while (wall_clock() < end0) pump();
  emu.pause(true);
  const double end = wall_clock() + 5;
  while (wall_clock() < end && !(mismatch(e1).empty() && mismatch(e2).empty())) pump();
  INFO(mismatch(e1) << " / " << mismatch(e2));
  REQUIRE((mismatch(e1).empty() && mismatch(e2).empty()));
  // each hears only its own twins: nothing refused as unknown
  CHECK(e1.service().counters().unknown_twin == 0);
  CHECK(e2.service().counters().unknown_twin == 0);

  // a client asks about a twin of each partition: exactly its engine answers
  for (const char* twin : {"m1", "m2", "m3", "b1", "b2"}) {
    MqttLink cl(test::fast_client(b, std::string("client-") + twin));
    RpcClient client(cl, "t");
    nlohmann::json answer;
    std::thread t([&] { answer = client.call({{"op", "get"}, {"twin", twin}}, 5000); });
    const double until = wall_clock() + 6;
    while (answer.is_null() && wall_clock() < until) pump();
    t.join();
    REQUIRE(answer["ok"] == true);
    CHECK(answer["result"]["id"] == twin);
  }

  // each partition has its own retained status: one stopping marks only itself offline, and an
  // asset still hears the other's announcements
  auto status = [&](const std::string& topic) {
    MqttLink cl(test::fast_client(b, "status-reader"));
    std::string got;
    cl.on_message([&](const Message& m) { got = m.payload; });
    cl.subscribe(topic, 1);
    cl.connect();
    const double until = wall_clock() + 5;
    while (got.empty() && wall_clock() < until) {
      pump();
      cl.poll(2);
    }
    return got;
  };
  CHECK(status("dtwin/t/engine/status/1of2") == R"({"online":true})");
  CHECK(status("dtwin/t/engine/status/2of2") == R"({"online":true})");
  e2.stop();
  l2.flush(2000);
  CHECK(status("dtwin/t/engine/status/2of2") == R"({"online":false})");
  CHECK(status("dtwin/t/engine/status/1of2") == R"({"online":true})");
}

TEST_CASE("live: a recording of the telemetry replays into the same mirror, without a broker",
          "[live][mqtt][replay]") {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("dtwin-rec-" + std::to_string(::getpid()) + ".jsonl"))
                               .string();
  std::filesystem::remove(path);
  Broker b;
  std::vector<std::tuple<std::string, std::string, Value, std::uint64_t, std::uint64_t>> held;
  {
    Live L(b);
    Recorder rec(path);
    L.engine->record_to(&rec);
    L.pump_for(1.0);
    L.emu->pause(true);
    REQUIRE(L.converged(5));
    L.engine->record_to(nullptr);
    rec.flush();
    CHECK(rec.written() > 20);
    const Mirror& m = L.engine->mirror();
    for (std::size_t t = 0; t < m.twin_count(); ++t)
      for (std::size_t p = 0; p < m.spec(t).properties.size(); ++p) {
        const Reported& r = m.state(t).props[p].reported;
        held.emplace_back(m.spec(t).id, m.spec(t).properties[p].name, r.value, r.session, r.seq);
      }
  }
  // no broker now: the recording is the transport
  Registry reg;
  twins::register_all(reg);
  const Scenario sc = Scenario::parse(kLine, "live.json");
  ReplayLink replay(path, 0, wall_clock);
  LiveEngine e(sc, reg, replay, LiveOptions{}, [&] { return replay.now(); });
  e.start();
  for (int i = 0; i < 1000 && !replay.finished(); ++i) e.poll(0);
  REQUIRE(replay.finished());
  const Mirror& m = e.mirror();
  for (const auto& [twin, prop, value, session, seq] : held) {
    const auto t = m.find_twin(twin);
    const Reported& r = m.state(t).props[m.find_property(t, prop)].reported;
    INFO(twin << "." << prop);
    CHECK(r.value == value);
    CHECK(r.session == session);
    CHECK(r.seq == seq);
  }
  // a recording that is not one: the file and line
  {
    std::ofstream(path) << R"({"t": 1, "topic": "dtwin/t/m1/reported", "payload": "{}"})"
                        << "\n# a comment\n"
                        << R"({"t": 0.5, "topic": "dtwin/t/m1/reported", "payload": "{}"})"
                        << "\n";
  }
  try {
    ReplayLink bad(path, 0, wall_clock);
    FAIL("no error");
  } catch (const UsageError& err) {
    CHECK_THAT(err.what(), Catch::Matchers::Contains(path + ":3: time goes backwards"));
  }
  std::filesystem::remove(path);
}
