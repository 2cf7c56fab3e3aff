// The live service (engine/live/engine.hpp) with no broker: the LiveEngine and a plant of toy
// twins played by the LiveEmulator, over one in-process Bus (engine/transport/inproc_link.hpp),
// on a clock the test moves (the plant at 60 simulated seconds per second). Each request op answers
// what a client depends on, and a bad request gets the code that says what was wrong.
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "engine/live/emulator.hpp"
#include "engine/live/engine.hpp"
#include "engine/live/settings.hpp"
#include "engine/transport/inproc_link.hpp"
#include "tests/engine/toy_model.hpp"
#include "tests/support/temp_dir.hpp"

using namespace dtwin;
using namespace dtwin::test;
using nlohmann::json;

namespace {

const char* kPlant = R"({"name": "toy plant", "seed": 5, "duration": "8h", "replications": 4,
  "twins": {"t1": {"kind": "toy", "rate": 360}, "t2": {"kind": "toy", "rate": 120}},
  "live": {"plant": "toy", "emulator": {"speed": 60, "report_every": "1s", "full_every": "5s"}},
  "variants": {"fast": {"twins": {"t1": {"rate": 900}}}}})";

// The engine and the emulated plant on one bus; the clock moves only when the test says so.
struct Plant {
  double now = 1.7e9;
  Registry reg = toy_registry();
  Scenario sc = Scenario::parse(kPlant, "plant.json");
  CompiledVariant v = sc.compile(0, reg);
  Bus bus;
  InProcessLink link{bus, "engine"};
  std::unique_ptr<LiveEngine> engine;
  std::unique_ptr<LiveEmulator> emu;

  explicit Plant(const std::string& store = "") {
    LiveOptions o;
    o.store = store;
    o.whatif_jobs = 2;
    engine = std::make_unique<LiveEngine>(sc, reg, link, o, [this] { return now; });
    engine->start();
    emu = std::make_unique<LiveEmulator>(
        v, parse_live(sc), 5,
        [this](const std::string& id) {
          return std::unique_ptr<Link>(new InProcessLink(bus, "asset-" + id));
        },
        [this] { return now; });
    emu->start();
  }
  // one step of the plant: dt of simulated and engine time
  void step(double dt = 0.25) {
    now += dt;
    engine->poll(0);
    emu->poll(0);
  }
  template <class Pred>
  bool run_until(Pred pred, int steps = 200) {
    for (int i = 0; i < steps; ++i) {
      step();
      if (pred()) return true;
    }
    return false;
  }
  // a request and its answer (a what-if's comes from a worker thread: waited for, on the wall
  // clock, without moving the plant's)
  json rpc(const json& req) {
    json out;
    bool got = false;
    engine->request(req, [&](json j) {
      out = std::move(j);
      got = true;
    });
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!got && std::chrono::steady_clock::now() < until) {
      engine->poll(0);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    REQUIRE(got);
    return out;
  }
  bool online() {
    const Mirror& m = engine->mirror();
    for (std::size_t t = 0; t < m.twin_count(); ++t)
      if (!m.state(t).online) return false;
    return true;
  }
  const PropertyState& prop(const std::string& twin, const std::string& p) {
    const Mirror& m = engine->mirror();
    const std::size_t t = m.find_twin(twin);
    return m.state(t).props.at(m.find_property(t, p));
  }
};

// Answers are read through non-const JSON: a member missing after a regression reads as null
// and fails the check (a const lookup of it is undefined).
std::string code(const json& answer) {
  return answer.value("ok", true) ? "ok" : answer.value("code", std::string("?"));
}

}  // namespace

TEST_CASE("live: status, get and snapshot answer with the plant's twins", "[live]") {
  Plant p;
  auto status = p.rpc({{"op", "status"}});
  REQUIRE(status["ok"] == true);
  CHECK(status["result"]["plant"] == "toy");
  CHECK(status["result"]["scenario"] == "toy plant");
  CHECK(status["result"]["twins"] == 2);
  CHECK(status["result"]["online"] == 0);  // no asset has been heard yet
  CHECK_FALSE(status["result"].contains("store"));
  REQUIRE(p.run_until([&] { return p.online(); }));
  CHECK(p.rpc({{"op", "status"}})["result"]["online"] == 2);

  auto list = p.rpc({{"op", "get"}});
  REQUIRE(list["result"]["twins"].size() == 2);
  CHECK(list["result"]["twins"][0]["id"] == "t1");
  CHECK(list["result"]["twins"][0]["online"] == true);
  auto t1 = p.rpc({{"op", "get"}, {"twin", "t1"}});
  CHECK(t1["result"]["reported"]["rate"]["value"] == 360.0);
  CHECK(t1["result"]["reported"]["level"]["quality"] == "good");
  auto level = p.rpc({{"op", "get"}, {"twin", "t2"}, {"prop", "level"}});
  CHECK(level["result"]["prop"] == "level");
  CHECK(level["result"]["reported"]["value"] == p.prop("t2", "level").reported.value.num);

  // a snapshot of every twin; then, given the revisions held, only the twins that moved since
  auto all = p.rpc({{"op", "snapshot"}});
  REQUIRE(all["result"]["twins"].size() == 2);
  CHECK(all["result"]["unchanged"] == 0);
  json held = json::object();
  for (const auto& t : all["result"]["twins"]) held[t["id"].get<std::string>()] = t["revision"];
  CHECK(p.rpc({{"op", "snapshot"}, {"since", held}})["result"]["twins"].empty());
  REQUIRE(p.rpc({{"op", "set"}, {"twin", "t2"}, {"prop", "rate"}, {"value", 60}})["ok"] == true);
  auto moved = p.rpc({{"op", "snapshot"}, {"since", held}});
  CHECK(moved["result"]["unchanged"] == 1);
  REQUIRE(moved["result"]["twins"].size() == 1);
  CHECK(moved["result"]["twins"][0]["id"] == "t2");
}

TEST_CASE("live: a set is pending until the asset reports the value, then applied", "[live]") {
  Plant p;
  REQUIRE(p.run_until([&] { return p.online(); }));
  auto set = p.rpc({{"op", "set"}, {"twin", "t1"}, {"prop", "rate"}, {"value", 600}});
  REQUIRE(set["ok"] == true);
  CHECK(set["result"]["state"] == "pending");
  CHECK(set["result"]["version"] == 1);
  CHECK(set["result"]["stored"] == false);
  CHECK(p.prop("t1", "rate").desired.state == DesiredState::Pending);
  REQUIRE(p.run_until([&] { return p.prop("t1", "rate").desired.state == DesiredState::Applied; }));
  auto got = p.rpc({{"op", "get"}, {"twin", "t1"}});
  CHECK(got["result"]["desired"]["rate"]["state"] == "applied");
  CHECK(got["result"]["reported"]["rate"]["value"] == 600.0);
  CHECK(got["result"]["delta"].empty());
  Value truth;
  REQUIRE(p.emu->truth("t1", "rate", truth));
  CHECK(truth.num == 600);  // the asset really makes items at 600 per hour
}

TEST_CASE("live: bad requests get the code that says what was wrong, and change nothing",
          "[live]") {
  Plant p;
  REQUIRE(p.run_until([&] { return p.online(); }));
  const auto rev = p.engine->mirror().state(0).revision;
  const json set = {{"op", "set"}, {"twin", "t1"}, {"prop", "rate"}};
  auto with = [](json j, const char* key, json value) {
    j[key] = std::move(value);
    return j;
  };
  CHECK(code(p.rpc({{"op", "fly"}})) == "bad_request");
  CHECK_THAT(p.rpc({{"op", "fly"}})["error"].get<std::string>(), Catch::Contains("unknown op"));
  CHECK(code(p.rpc(json::object())) == "bad_request");
  CHECK(code(p.rpc({{"op", 7}})) == "bad_request");
  CHECK(code(p.rpc({{"op", "get"}, {"twin", "t9"}})) == "unknown_twin");
  CHECK(code(p.rpc({{"op", "get"}, {"twin", "t1"}, {"prop", "colour"}})) == "unknown_property");
  CHECK(code(p.rpc(with(set, "value", "fast"))) == "wrong_type");
  CHECK(code(p.rpc(with(set, "value", 5000))) == "out_of_range");
  CHECK(code(p.rpc(set)) == "bad_request");  // no value
  CHECK(code(p.rpc(with(with(set, "value", 1), "ttl_s", -1))) == "bad_request");
  CHECK(code(p.rpc(with(with(set, "value", 1), "if_revision", rev + 5))) == "revision_mismatch");
  CHECK(code(p.rpc(with(with(set, "value", 1), "twin", "t9"))) == "unknown_twin");
  CHECK(code(p.rpc(with(with(set, "value", 1), "prop", "speed"))) == "unknown_property");
  CHECK(code(p.rpc(with(with(set, "value", 1), "prop", "level"))) == "not_writable");
  CHECK(code(p.rpc({{"op", "snapshot"}, {"since", 3}})) == "bad_request");
  CHECK(code(p.rpc({{"op", "history"}, {"twin", "t1"}})) == "no_store");
  CHECK(code(p.rpc({{"op", "whatif"}, {"variants", json::array({"faster"})}})) == "bad_request");
  CHECK(code(p.rpc({{"op", "whatif"}, {"horizon_s", -1}})) == "bad_request");
  CHECK(code(p.rpc({{"op", "whatif"}, {"set", {{"t1.level", 5}}}})) == "not_writable");
  CHECK(code(p.rpc({{"op", "whatif"}, {"set", {{"t9.rate", 5}}}})) == "unknown_twin");
  CHECK(code(p.rpc({{"op", "whatif"}, {"set", {{"t1.rate", "x"}}}})) == "wrong_type");
  CHECK(code(p.rpc({{"op", "whatif"}, {"patch", {{"twins", {{"t1", {{"rte", 1}}}}}}}})) ==
        "bad_patch");
  CHECK(p.engine->mirror().state(0).revision == rev);
  CHECK(p.prop("t1", "rate").desired.state == DesiredState::None);
  CHECK(p.engine->whatifs_running() == 0);
}

TEST_CASE("live: requests over the bus are answered on their response topic", "[live]") {
  Plant p;
  InProcessLink client(p.bus, "client");
  std::vector<Message> answers;
  client.on_message([&](const Message& m) { answers.push_back(m); });
  const std::string mine = "dtwin/toy/client/c7/response";
  client.subscribe(mine);
  client.subscribe("client/answers");
  client.connect();
  const std::string topic = p.engine->request_topic();
  CHECK(topic == "dtwin/toy/engine/request");
  client.publish({topic, R"({"op": "status"})", 1, false, mine, "c-1"});
  client.publish({topic, "{not json", 1, false, mine, "c-2"});
  // which twin is set? refused whole, as a scenario naming a member twice is
  client.publish({topic, R"({"op": "set", "twin": "t1", "prop": "rate", "value": 1, "twin": "t2"})",
                  1, false, mine, "c-5"});
  client.publish({topic, R"({"op": "status"})", 1, false, "", "c-3"});  // nowhere to answer
  // not a client's response topic: no answer (engine/MQTT.md)
  client.publish({topic, R"({"op": "status"})", 1, false, "client/answers", "c-4"});
  p.step();
  client.poll(0);
  REQUIRE(answers.size() == 3);
  CHECK(answers[0].correlation == "c-1");
  CHECK(json::parse(answers[0].payload)["result"]["plant"] == "toy");
  CHECK(answers[1].correlation == "c-2");
  CHECK(json::parse(answers[1].payload)["code"] == "bad_request");
  CHECK(answers[2].correlation == "c-5");
  CHECK(json::parse(answers[2].payload)["code"] == "bad_request");
  CHECK_THAT(json::parse(answers[2].payload)["error"].get<std::string>(),
             Catch::Contains("member \"twin\" given twice"));
  CHECK(p.prop("t1", "rate").desired.state == DesiredState::None);
}

TEST_CASE("live: history of what was reported and desired, from the store", "[live][store]") {
  TempDir dir("dtwin-live");
  Plant p(dir.file("mirror.db"));
  REQUIRE(p.run_until([&] { return p.online(); }));
  CHECK(p.rpc({{"op", "status"}})["result"]["store"]["path"] == dir.file("mirror.db"));
  auto set = p.rpc({{"op", "set"}, {"twin", "t1"}, {"prop", "rate"}, {"value", 600}});
  REQUIRE(set["ok"] == true);
  CHECK(set["result"]["stored"] == true);
  REQUIRE(p.run_until([&] { return p.prop("t1", "rate").desired.state == DesiredState::Applied; }));
  auto h = p.rpc({{"op", "history"}, {"twin", "t1"}, {"prop", "rate"}});
  REQUIRE(h["ok"] == true);
  bool reported_360 = false, desired_pending = false, reported_600 = false;
  for (const auto& r : h["result"]["rows"]) {
    CHECK(r["twin"] == "t1");
    CHECK(r["prop"] == "rate");
    if (r["kind"] == "reported" && r["value"] == 360.0) reported_360 = true;
    if (r["kind"] == "reported" && r["value"] == 600.0) reported_600 = true;
    if (r["kind"] == "desired" && r["value"] == 600.0 && r["state"] == "pending")
      desired_pending = true;
  }
  CHECK(reported_360);
  CHECK(desired_pending);
  CHECK(reported_600);
  p.run_until([] { return false; }, 20);  // t2's level changes every half second or so
  auto levels = p.rpc({{"op", "history"}, {"twin", "t2"}, {"prop", "level"}, {"limit", 2}});
  CHECK(levels["result"]["rows"].size() == 2);
  CHECK(code(p.rpc({{"op", "history"}, {"twin", "t9"}})) == "unknown_twin");
  CHECK(code(p.rpc({{"op", "history"}, {"twin", "t1"}, {"prop", "speed"}})) == "unknown_property");
  CHECK(code(p.rpc({{"op", "history"}, {"twin", "t1"}, {"limit", -1}})) == "bad_request");
  p.engine->stop();
}

TEST_CASE("live: a what-if forks the mirror, runs the variants, and applies the winner",
          "[live][whatif]") {
  Plant p;
  REQUIRE(p.run_until([&] { return p.online(); }));
  p.emu->pause(true);
  p.run_until([] { return false; }, 12);  // every value reported as it stands
  auto r = p.rpc({{"op", "whatif"},
                  {"variants", json::array({"fast"})},
                  {"set", {{"t2.rate", 0}}},
                  {"horizon_s", 7200},
                  {"replications", 4}});
  REQUIRE(r["ok"] == true);
  auto& res = r["result"];
  CHECK(res["horizon_s"] == 7200.0);
  CHECK(res["replications"] == 4);
  // the fork took the levels and rates the mirror held, and refused the counters
  std::size_t levels = 0;
  for (const auto& a : res["assimilated"]) {
    if (a["prop"] == "level") {
      ++levels;
      CHECK(a["taken"] == true);
      CHECK(a["value"] == p.prop(a["twin"].get<std::string>(), "level").reported.value.num);
    }
    if (a["prop"] == "made") CHECK(a["taken"] == false);
  }
  CHECK(levels == 2);
  CHECK(res["variant_setpoints"]["fast"] == json::array({"t1.rate"}));
  auto& vs = res["report"]["variants"];
  REQUIRE(vs.contains("set t2.rate=0"));
  CHECK(vs["set t2.rate=0"]["twins"]["t2"]["items"]["mean"] == 0.0);  // t2 stopped
  CHECK(res["objective"]["winner"] == "fast");
  CHECK(p.prop("t1", "rate").desired.state == DesiredState::None);  // nothing live touched

  // --apply: the winner's setpoints become desired values, and the asset takes them
  auto applied = p.rpc({{"op", "whatif"},
                        {"variants", json::array({"fast"})},
                        {"horizon_s", 3600},
                        {"replications", 2},
                        {"apply", true}});
  REQUIRE(applied["ok"] == true);
  CHECK(applied["result"]["apply"]["applied"] == true);
  CHECK(p.prop("t1", "rate").desired.value.num == 900);
  p.emu->pause(false);
  REQUIRE(p.run_until([&] { return p.prop("t1", "rate").desired.state == DesiredState::Applied; }));
}

TEST_CASE(
    "live: after an engine restart on its store, desired ids are new and no setpoint is "
    "applied twice",
    "[live][store][hostile]") {
  TempDir dir("dtwin-live");
  const std::string store = dir.file("mirror.db");
  Plant p(store);
  REQUIRE(p.run_until([&] { return p.online(); }));
  auto first = p.rpc({{"op", "set"}, {"twin", "t1"}, {"prop", "rate"}, {"value", 600}});
  REQUIRE(first["ok"] == true);
  const std::string id1 = first["result"]["id"];
  REQUIRE(p.run_until([&] { return p.prop("t1", "rate").desired.state == DesiredState::Applied; }));
  // a second command; the engine dies before it hears the asset apply it: the asset applies
  // it, the engine's store still says pending
  auto second = p.rpc({{"op", "set"}, {"twin", "t2"}, {"prop", "rate"}, {"value", 240}});
  REQUIRE(second["ok"] == true);
  const std::uint64_t version = second["result"]["version"];
  p.emu->poll(0);
  p.emu->poll(0);
  p.engine.reset();  // gone (its store holds the pending command)
  for (int i = 0; i < 20; ++i) {
    p.now += 0.25;
    p.emu->poll(0);
  }
  const std::uint64_t applied_before = p.emu->setpoints_applied();
  CHECK(applied_before == 2);
  // the engine starts again on its store, on a new connection
  InProcessLink link2{p.bus, "engine-2"};
  LiveOptions o;
  o.store = store;
  o.whatif_jobs = 2;
  p.engine = std::make_unique<LiveEngine>(p.sc, p.reg, link2, o, [&p] { return p.now; });
  p.engine->start();
  REQUIRE(p.run_until([&] { return p.online(); }));
  REQUIRE(p.run_until([&] { return p.prop("t2", "rate").desired.state == DesiredState::Applied; }));
  for (int i = 0; i < 40; ++i) p.step();
  // the asset saw version `version` again with the same epoch: not applied twice
  CHECK(p.emu->setpoints_applied() == applied_before);
  CHECK(p.prop("t2", "rate").desired.version == version);
  // a new command after the restart has an id never used before
  auto third = p.rpc({{"op", "set"}, {"twin", "t1"}, {"prop", "rate"}, {"value", 300}});
  REQUIRE(third["ok"] == true);
  CHECK(third["result"]["id"] != id1);
  CHECK(third["result"]["id"] != second["result"]["id"]);
}

TEST_CASE("live engine: an asset's ack, applied (awaiting its report) or rejected, or malformed",
          "[live]") {
  double now = 1.7e9;
  Registry reg = toy_registry();
  const Scenario sc = Scenario::parse(kPlant, "plant.json");
  Bus bus;
  InProcessLink link{bus, "engine"}, asset{bus, "asset"};
  LiveEngine engine(sc, reg, link, LiveOptions{}, [&] { return now; });
  engine.start();
  asset.connect();
  auto send = [&](const std::string& kind, const json& j) {
    asset.publish({"dtwin/toy/t1/" + kind, j.dump(), 1, false, "", ""});
    engine.poll(0);
  };
  send("birth", {{"session", 1}, {"ts", now}, {"values", {{"rate", 360}}}});
  json answer;
  engine.request({{"op", "set"}, {"twin", "t1"}, {"prop", "rate"}, {"value", 500}},
                 [&](json j) { answer = std::move(j); });
  REQUIRE(answer["ok"] == true);
  const auto version = answer["result"]["version"].get<std::uint64_t>();
  auto desired = [&] {
    json g;
    engine.request({{"op", "get"}, {"twin", "t1"}, {"prop", "rate"}}, [&](json j) { g = j; });
    return g["result"]["desired"];
  };
  // applied by the asset's word, but the mirror waits for its report
  send("ack", {{"prop", "rate"}, {"version", version}, {"status", "applied"}});
  CHECK(desired()["state"] == "pending");
  CHECK(desired()["acknowledged"] == true);
  // a status that is neither is malformed, and changes nothing
  const auto malformed = engine.service().counters().malformed;
  send("ack", {{"prop", "rate"}, {"version", version}, {"status", "done"}});
  CHECK(engine.service().counters().malformed == malformed + 1);
  // the report settles it
  send("reported", {{"session", 1}, {"seq", 1}, {"ts", now + 1}, {"values", {{"rate", 500}}}});
  CHECK(desired()["state"] == "applied");
  CHECK_FALSE(desired().contains("acknowledged"));
  // a rejection rejects
  engine.request({{"op", "set"}, {"twin", "t1"}, {"prop", "rate"}, {"value", 700}},
                 [&](json j) { answer = std::move(j); });
  send("ack", {{"prop", "rate"},
               {"version", answer["result"]["version"]},
               {"status", "rejected"},
               {"reason", "over the motor's rating"}});
  CHECK(desired()["state"] == "rejected");
  CHECK(desired()["reason"] == "over the motor's rating");
}
