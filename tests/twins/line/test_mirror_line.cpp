// The live mirror end to end in one process: a line world plays the plant through asset agents,
// the engine's mirror service follows it over the in-process bus. (The same over a real
// Mosquitto broker is in the MQTT tests.)
#include <catch2/catch.hpp>

#include <memory>

#include "engine/live/asset_agent.hpp"
#include "engine/live/mirror_service.hpp"
#include "engine/mirror/binding.hpp"
#include "engine/transport/inproc_link.hpp"
#include "tests/support/run_helpers.hpp"
#include "twins/line/state.hpp"

using namespace dtwin;

namespace {

const char* kLine = R"({"duration": "10h", "twins": {
  "src": {"kind": "source", "saturated": true},
  "m1": {"kind": "machine", "process": {"dist": "exponential", "mean": 30}},
  "b1": {"kind": "buffer", "capacity": 4},
  "m2": {"kind": "machine", "process": {"dist": "exponential", "mean": 25}},
  "sink": {"kind": "sink"}},
  "flow": [["src", "m1"], ["m1", "b1"], ["b1", "m2"], ["m2", "sink"]]})";

struct Plant {
  CompiledVariant v = test::compile_text(kLine);
  World world{v.models};
  Binding binding;
  Bus bus;
  double now = 1.7e9;  // the shared clock, s since the epoch
  std::vector<std::shared_ptr<InProcessLink>> links;
  std::vector<std::unique_ptr<AssetAgent>> agents;

  Plant() {
    world.start({1, 0});
    binding = Binding::of(world);
  }
  void start_agents(std::uint64_t session) {
    agents.clear();
    links.clear();
    for (std::size_t t = 0; t < binding.twins.size(); ++t) {
      links.push_back(bus.link("asset-" + binding.twins[t].id));
      agents.push_back(std::make_unique<AssetAgent>(
          world, binding, t, *links.back(), "p", [this] { return now; }, session));
      agents.back()->start();
    }
  }
  void pump(MirrorService& svc, int rounds = 3) {
    for (int i = 0; i < rounds; ++i) {
      for (auto& a : agents) a->poll(0);
      svc.poll(0);
    }
  }
  void advance(double dt, MirrorService& svc) {
    world.run_until(world.now() + dt);
    now += dt;
    for (auto& a : agents) a->report();
    pump(svc);
  }
  std::size_t twin(const std::string& id) const {
    for (std::size_t t = 0; t < binding.twins.size(); ++t)
      if (binding.twins[t].id == id) return t;
    return 0;
  }
};

}  // namespace

TEST_CASE("the mirror follows the plant and a setpoint is applied and confirmed",
          "[mirror][line]") {
  Plant plant;
  Mirror mirror(plant.binding.twins);
  auto elink = plant.bus.link("dtwin-engine");
  MirrorService svc(mirror, *elink, "p", [&] { return plant.now; });
  svc.start();
  plant.start_agents(1);
  plant.pump(svc);
  const auto m2 = mirror.find_twin("m2");
  REQUIRE(mirror.state(m2).online);
  CHECK(svc.counters().births == plant.binding.twins.size());

  plant.advance(3600, svc);
  const auto parts = mirror.find_property(m2, "parts");
  const auto& rep = mirror.state(m2).props[parts].reported;
  Value truth;
  plant.binding.read(plant.world, plant.twin("m2"), parts, truth);
  CHECK(rep.value.num == truth.num);
  CHECK(rep.value.num > 50);
  CHECK(rep.quality == Quality::Good);

  // the digital side sets a speed: pending, then applied once the asset reports it
  const auto w = svc.set("m2", "speed", 1.25);
  REQUIRE(w.outcome == Outcome::Applied);
  const auto speed = mirror.find_property(m2, "speed");
  CHECK(mirror.state(m2).props[speed].desired.state == DesiredState::Pending);
  CHECK(mirror.twin_json(m2, plant.now)["delta"]["speed"] == 1.25);
  plant.pump(svc);
  CHECK(plant.world.state<line::LineState>(0).machines[1].speed == 1.25);
  CHECK(mirror.state(m2).props[speed].desired.state == DesiredState::Applied);
  CHECK(mirror.twin_json(m2, plant.now)["delta"].empty());
  CHECK(plant.agents[plant.twin("m2")]->setpoints_applied == 1);

  // a write conditional on an old revision is refused
  const auto refused = svc.set("m2", "speed", 1.5, w.revision);
  CHECK(refused.outcome == Outcome::RevisionMismatch);
  CHECK(svc.set("m2", "speed", 50).outcome == Outcome::OutOfRange);
  CHECK(svc.set("m2", "state", "down").outcome == Outcome::NotWritable);
  CHECK(svc.set("m9", "speed", 1).outcome == Outcome::UnknownTwin);
}

TEST_CASE("presence: a lost asset turns stale, its rebirth gets the delta again",
          "[mirror][line]") {
  Plant plant;
  Mirror mirror(plant.binding.twins);
  auto elink = plant.bus.link("dtwin-engine");
  MirrorService svc(mirror, *elink, "p", [&] { return plant.now; });
  svc.start();
  plant.start_agents(1);
  plant.pump(svc);
  plant.advance(600, svc);
  const auto m2 = mirror.find_twin("m2");
  const auto speed = mirror.find_property(m2, "speed");

  // the asset drops off; the broker publishes its will
  plant.links[plant.twin("m2")]->crash();
  plant.now += 5;
  plant.pump(svc);
  CHECK_FALSE(mirror.state(m2).online);
  CHECK(mirror.state(m2).props[speed].reported.quality == Quality::Stale);
  CHECK(mirror.state(m2).props[speed].reported.quality_since == plant.now);
  CHECK(svc.counters().deaths == 1);

  // a setpoint made while it is away stays pending
  svc.set("m2", "speed", 0.8);
  plant.pump(svc);
  CHECK(mirror.state(m2).props[speed].desired.state == DesiredState::Pending);

  // it comes back in a new session: birth, full state, the delta pushed again, applied
  auto again = plant.bus.link("asset-m2-again");
  AssetAgent agent(
      plant.world, plant.binding, plant.twin("m2"), *again, "p", [&] { return plant.now; }, 2);
  agent.start();
  for (int i = 0; i < 4; ++i) {
    agent.poll(0);
    svc.poll(0);
  }
  CHECK(mirror.state(m2).online);
  CHECK(mirror.state(m2).session == 2);
  CHECK(mirror.state(m2).props[speed].reported.quality == Quality::Good);
  CHECK(mirror.state(m2).props[speed].desired.state == DesiredState::Applied);
  CHECK(plant.world.state<line::LineState>(0).machines[1].speed == 0.8);
}

TEST_CASE("bad messages are rejected with a reason and leave the twin untouched",
          "[mirror][line]") {
  Plant plant;
  Mirror mirror(plant.binding.twins);
  auto elink = plant.bus.link("dtwin-engine");
  MirrorService svc(mirror, *elink, "p", [&] { return plant.now; });
  std::vector<std::string> log;
  svc.on_log([&](const std::string& s) { log.push_back(s); });
  svc.max_payload = 512;
  svc.start();
  auto raw = plant.bus.link("intruder");
  raw->connect();
  const auto m2 = mirror.find_twin("m2");
  const auto send = [&](const std::string& topic, const std::string& payload) {
    raw->publish({topic, payload, 1, false, "", ""});
    svc.poll(0);
  };
  send("dtwin/p/m2/reported", R"({"session": 1, "seq": 5, "ts": 1, "values": {"parts": 7}})");
  const auto rev = mirror.state(m2).revision;
  send("dtwin/p/m2/reported", "not json");
  send("dtwin/p/m2/reported", R"({"session": 1, "seq": 6, "ts": 2})");
  send("dtwin/p/m2/reported", R"({"session": 1, "seq": 6, "ts": 2, "values": {"parts": "many"}})");
  send("dtwin/p/m2/reported",
       R"({"session": 1, "seq": 6, "ts": 2, "values": {"parts": 8, "colour": 1}})");
  send("dtwin/p/m2/reported",
       R"({"session": 1, "seq": 6, "ts": 2, "values": {"state": "exploded"}})");
  send("dtwin/p/m9/reported", R"({"session": 1, "seq": 6, "ts": 2, "values": {}})");
  send("dtwin/p/m2/reported", std::string(600, ' '));
  send("dtwin/p/m2/reported", R"({"session": 1, "seq": 4, "ts": 0.5, "values": {"parts": 3}})");
  send("dtwin/p/m2/reported", R"({"session": 1, "seq": 5, "ts": 1, "values": {"parts": 7}})");
  CHECK(mirror.state(m2).revision == rev);
  CHECK(mirror.state(m2).props[mirror.find_property(m2, "parts")].reported.value.num == 7);
  const auto& c = svc.counters();
  CHECK(c.malformed == 2);
  CHECK(c.bad_value == 2);
  CHECK(c.unknown_property == 1);
  CHECK(c.unknown_twin == 1);
  CHECK(c.oversized == 1);
  CHECK(c.stale == 1);
  CHECK(c.duplicate == 1);
  REQUIRE(log.size() == 7);
  CHECK_THAT(log[0], Catch::Contains("dtwin/p/m2/reported") && Catch::Contains("JSON"));
  CHECK_THAT(log[2], Catch::Contains("parts"));
  CHECK_THAT(log[4], Catch::Contains("exploded"));
}
