// The greenhouse mirrored live through a real Mosquitto broker: the engine (LiveEngine) and the
// emulated greenhouse (LiveEmulator) of scenarios/live/greenhouse.json in this process, pumped
// by the test. The mirror converges to what the emulated greenhouse reports; a controller
// setting set through the engine goes pending, reaches the greenhouse, and is applied.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "engine/transport/mqtt_link.hpp"
#include "tests/support/broker.hpp"
#include "tests/support/live_pair.hpp"
#include "twins/register.hpp"

using namespace dtwin;
using dtwin::test::Broker;

namespace {

struct LiveGreenhouse {
  Registry reg;
  Scenario sc = Scenario::load(std::string(DTWIN_SOURCE_DIR) + "/scenarios/live/greenhouse.json");
  CompiledVariant v;
  MqttLink elink;
  std::unique_ptr<LiveEngine> engine;
  std::unique_ptr<LiveEmulator> emu;

  explicit LiveGreenhouse(Broker& b) : elink(test::fast_client(b, "engine")) {
    twins::register_all(reg);
    v = sc.compile(0, reg);
    engine = std::make_unique<LiveEngine>(sc, reg, elink, LiveOptions{});
    engine->start();
    LiveSettings live = parse_live(sc);
    live.report_every_s = 0.05;  // the scenario's pace, quicker: the test has seconds
    live.full_every_s = 0.4;
    emu = std::make_unique<LiveEmulator>(v, live, 3, [&b](const std::string& twin) {
      return std::unique_ptr<Link>(new MqttLink(test::fast_client(b, "asset-" + twin)));
    });
    emu->start();
  }
  template <class Pred>
  bool pump_until(Pred pred, double timeout_s) {
    return test::pump_until(*engine, *emu, pred, timeout_s);
  }
  void pump_for(double seconds) {
    pump_until([] { return false; }, seconds);
  }
  nlohmann::json rpc(const nlohmann::json& req) { return test::rpc(*engine, *emu, req, 10); }
  std::string mismatch() { return test::mismatch(*engine, *emu); }
  bool converged(double timeout_s) {
    return pump_until([&] { return mismatch().empty(); }, timeout_s);
  }
  double truth(const std::string& prop) {
    Value out;
    REQUIRE(emu->truth("gh", prop, out));
    return out.num;
  }
};

}  // namespace

TEST_CASE("live greenhouse: the mirror follows the emulated greenhouse, tSpNight is set",
          "[greenhouse][live][mqtt]") {
  Broker b;
  LiveGreenhouse L(b);
  REQUIRE(L.engine->mirror().twin_count() == 1);
  L.pump_for(0.5);  // six simulated minutes at 720x
  L.emu->pause(true);
  INFO("first mismatch: " << L.mismatch());
  REQUIRE(L.converged(3));
  CHECK(L.emu->world().now() > 0);
  const auto g0 = L.rpc({{"op", "get"}, {"twin", "gh"}});
  REQUIRE(g0["ok"]);
  CHECK(g0["result"]["reported"]["air_temp"]["value"] == L.truth("air_temp"));
  CHECK(g0["result"]["reported"]["tSpNight"]["value"] == 18.5);

  L.emu->pause(false);
  const auto set = L.rpc({{"op", "set"}, {"twin", "gh"}, {"prop", "tSpNight"}, {"value", 15}});
  REQUIRE(set["ok"]);
  CHECK(set["result"]["state"] == "pending");
  REQUIRE(L.pump_until(
      [&] {
        const auto& m = L.engine->mirror();
        const auto gh = m.find_twin("gh");
        return m.state(gh).props[m.find_property(gh, "tSpNight")].desired.state ==
               DesiredState::Applied;
      },
      3));
  CHECK(L.truth("tSpNight") == 15);  // the emulated greenhouse's controller runs with it
  CHECK(L.emu->setpoints_applied() == 1);
  const auto g = L.rpc({{"op", "get"}, {"twin", "gh"}});
  CHECK(g["result"]["reported"]["tSpNight"]["value"] == 15);
  CHECK(g["result"]["desired"]["tSpNight"]["state"] == "applied");
  CHECK(g["result"]["delta"].empty());

  // out of the declared range or not a setpoint: refused by the engine with the reason
  const auto bad = L.rpc({{"op", "set"}, {"twin", "gh"}, {"prop", "tSpNight"}, {"value", 45}});
  CHECK_FALSE(bad["ok"]);
  CHECK(bad["code"] == "out_of_range");
  CHECK(L.rpc({{"op", "set"}, {"twin", "gh"}, {"prop", "air_temp"}, {"value", 20}})["code"] ==
        "not_writable");

  // the greenhouse runs on under the new setting; the mirror follows it
  L.pump_for(0.3);
  L.emu->pause(true);
  INFO("first mismatch after the setpoint: " << L.mismatch());
  REQUIRE(L.converged(3));
  CHECK(L.truth("tSpNight") == 15);
}
