// A robot cell mirrored live through a real Mosquitto broker: `dtwin emulate --variant machine`
// (the cell running its program, reporting only what a controller reports: joints, gripper,
// speed override) and `dtwin serve` (the cell in mirror mode), in this process. The engine keeps
// the cell in a world of its own and derives what the controller does not report: the tool
// position must be the forward kinematics of the reported joints, and the part carried must show
// while the emulated arm carries one.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <memory>

#include "engine/live/emulator.hpp"
#include "engine/live/engine.hpp"
#include "engine/live/settings.hpp"
#include "engine/transport/mqtt_link.hpp"
#include "tests/support/broker.hpp"
#include "twins/machine/kinematics.hpp"
#include "twins/machine/model.hpp"
#include "twins/register.hpp"

using namespace dtwin;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("live cell: the engine derives the tool position and the part carried from the joints",
          "[live][mqtt][cell]") {
  test::Broker broker;
  Registry reg;
  twins::register_all(reg);
  const std::string path = std::string(DTWIN_SOURCE_DIR) + "/scenarios/live/cell.json";
  const Scenario sc = Scenario::parse(read(path), path);
  MqttLink elink(test::fast_client(broker, "engine"));
  LiveEngine engine(sc, reg, elink, LiveOptions{});
  engine.start();
  REQUIRE(engine.live_world() != nullptr);
  const CompiledVariant v = sc.compile(sc.find_variant("machine"), reg);
  LiveEmulator emu(v, parse_live(sc), v.settings.seed, [&](const std::string& twin) {
    return std::unique_ptr<Link>(new MqttLink(test::fast_client(broker, "asset-" + twin)));
  });
  emu.start();
  // a client of the retained <twin>/state topic (what a live viewer reads)
  MqttLink watcher(test::fast_client(broker, "watcher"));
  nlohmann::json last_state;
  watcher.on_message([&](const Message& msg) {
    if (msg.topic == "dtwin/cell/cell1/state") last_state = nlohmann::json::parse(msg.payload);
  });
  watcher.subscribe("dtwin/cell/cell1/state", 1);
  watcher.connect();
  const auto& cell = static_cast<const machine::CellModel&>(*v.models.at(0)).spec();
  REQUIRE_FALSE(cell.mirror);  // the emulator runs the program

  Mirror& m = engine.mirror();
  const std::size_t t = m.find_twin("cell1");
  REQUIRE(t != std::string::npos);
  auto prop = [&](const std::string& name) -> const Reported& {
    const std::size_t p = m.find_property(t, name);
    REQUIRE(p != std::string::npos);
    return m.state(t).props[p].reported;
  };
  auto pump_until = [&](auto pred, double timeout_s) {
    const double end = wall_clock() + timeout_s;
    while (wall_clock() < end) {
      engine.poll(2);
      emu.poll(2);
      watcher.poll(0);
      if (pred()) return true;
    }
    return false;
  };
  // the tool position the engine derived equals the forward kinematics of the joints it holds
  auto tool_matches = [&] {
    std::vector<double> q;
    for (const auto& j : cell.robot.joints) {
      const Reported& r = prop(j.name);
      if (!r.present) return false;
      q.push_back(j.type == machine::JointType::Revolute ? r.value.num / (180 / M_PI)
                                                         : r.value.num);
    }
    const machine::Vec3 p = machine::tool_pose(cell.robot, q).p;
    const Reported &x = prop("tool_x"), &y = prop("tool_y"), &z = prop("tool_z");
    return x.present && std::fabs(x.value.num - p.x) < 1e-6 &&
           std::fabs(y.value.num - p.y) < 1e-6 && std::fabs(z.value.num - p.z) < 1e-6;
  };

  // the arm moves: the derived tool follows the reported joints (checked at many reports)
  int checked = 0;
  const bool moving = pump_until(
      [&] {
        const Reported& j1 = prop(cell.robot.joints[0].name);
        if (j1.present && j1.seq > 0) {
          REQUIRE(tool_matches());
          ++checked;
        }
        return checked > 50 && prop("tool_x").seq > 20;
      },
      20);
  REQUIRE(moving);

  // the emulated arm picks a part: the engine's world picks it too, from the reported gripper
  bool carried_seen = false;
  REQUIRE(pump_until(
      [&] {
        Value truth;
        REQUIRE(emu.truth("cell1", "carrying", truth));
        const Reported& c = prop("carrying");
        if (truth.num == 1 && c.present && c.value.num == 1) carried_seen = true;
        return carried_seen;
      },
      30));
  CHECK(prop("carrying").quality == Quality::Good);
  // and lets it go on the nest
  REQUIRE(pump_until([&] { return prop("carrying").value.num == 0; }, 30));

  // the state the engine publishes (on every change) carries the derived values
  emu.pause(true);
  pump_until([] { return false; }, 0.5);
  REQUIRE(last_state.is_object());
  CHECK(last_state["reported"]["tool_x"]["value"].get<double>() == prop("tool_x").value.num);
  CHECK(last_state["reported"]["tool_y"]["value"].get<double>() == prop("tool_y").value.num);
  CHECK(last_state["reported"]["tool_z"]["value"].get<double>() == prop("tool_z").value.num);
  CHECK(last_state["reported"]["tool_x"]["derived"] == true);

  // `get` marks the derived values; the controller's own are not marked
  nlohmann::json got;
  engine.request({{"op", "get"}, {"twin", "cell1"}}, [&](nlohmann::json j) { got = std::move(j); });
  REQUIRE(got["ok"] == true);
  const auto& rep = got["result"]["reported"];
  CHECK(rep["tool_x"]["derived"] == true);
  CHECK(rep["carrying"]["derived"] == true);
  CHECK(rep["power"]["derived"] == true);
  CHECK_FALSE(rep["j1"].contains("derived"));
  CHECK_FALSE(rep["gripper"].contains("derived"));
  CHECK(rep["power"]["value"].get<double>() > 0);
}
