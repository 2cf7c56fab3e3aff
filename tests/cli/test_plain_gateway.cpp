// A gateway written only from engine/MQTT.md and `dtwin describe`, with Eclipse Paho's Python
// client (tests/gateway/plain_gateway.py), runs a plant against dtwin serve through a real
// Mosquitto: births, heartbeats, setpoints applied and refused, its will, a restart.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <thread>

#include "tests/support/live_cli_env.hpp"

namespace {

using dtwin::test::Child;

const char* kScenario = R"({"name": "plain gateway line", "seed": 9, "duration": "8h",
  "twins": {
    "src": {"kind": "source", "saturated": true},
    "m1": {"kind": "machine", "process": {"dist": "exponential", "mean": 40}},
    "b1": {"kind": "buffer", "capacity": 5},
    "m2": {"kind": "machine", "process": {"dist": "exponential", "mean": 50}},
    "sink": {"kind": "sink"}},
  "flow": [["src", "m1"], ["m1", "b1"], ["b1", "m2"], ["m2", "sink"]],
  "live": {"plant": "gw", "stale_after": "2s"}})";

struct Env : dtwin::test::LiveCliEnv {
  std::string commands, contract;
  std::unique_ptr<Child> gateway;
  Env() : LiveCliEnv(kScenario, "gw", "plain-gateway") {
    commands = (dir / "commands").string();
    contract = (dir / "contract.json").string();
  }
  void start_gateway(const std::string& log) {
    std::ofstream(commands).flush();  // a fresh list of commands
    gateway = std::make_unique<Child>(
        std::vector<std::string>{"/usr/bin/python3",
                                 DTWIN_SOURCE_DIR "/tests/gateway/plain_gateway.py", broker.url(),
                                 "gw", contract, commands, "0.5"},
        (dir / log).string());
  }
  void command(const std::string& line) { std::ofstream(commands, std::ios::app) << line << "\n"; }
  // waits until the gateway's output (its log) holds `what`
  bool gateway_said(const std::string& log_name, const std::string& what, double timeout_s = 10) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (std::chrono::steady_clock::now() < end) {
      if (log(log_name).find(what) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  nlohmann::json status() {
    return json_until(
        "status --json", [](const nlohmann::json& x) { return x.is_object(); }, 5);
  }
};

bool online(const nlohmann::json& j) {
  return j.is_object() && j.value("online", false);
}

}  // namespace

TEST_CASE(
    "a gateway written from engine/MQTT.md and dtwin describe, with Eclipse Paho, runs a "
    "plant against dtwin serve",
    "[live][gateway]") {
  Env e;
  auto serve = e.serve("serve.log");
  // the integrator asks the running engine for the contract
  const auto d = e.json_until(
      "describe --json", [](const nlohmann::json& x) { return x.contains("twins"); }, 20);
  REQUIRE(d.contains("twins"));
  std::ofstream(e.contract) << d.dump();
  const std::size_t n = d["twins"].size();
  e.start_gateway("gateway.log");
  INFO(e.log("serve.log") + e.log("gateway.log"));
  // every twin born, nothing refused: the contract was enough to speak the wire
  auto st = e.json_until(
      "status --json",
      [&](const nlohmann::json& x) { return x.value("online", std::size_t{0}) == n; }, 20);
  REQUIRE(st.value("online", std::size_t{0}) == n);
  for (const char* c : {"malformed", "bad_value", "unknown_property", "unknown_twin", "stale",
                        "future_session", "out_of_range"})
    CHECK(st["counters"].value(c, 1) == 0);
  CHECK(st["counters"].value("births", std::size_t{0}) == n);
  // a setpoint the PLC takes
  auto set = e.dtwin("set m1.speed 1.3 --wait 10s");
  CHECK(set.status == 0);
  CHECK(set.out.find("applied") != std::string::npos);
  // a setpoint the PLC refuses (its own interlock): rejected in the mirror, with its reason
  e.command("interlock m2 on");
  REQUIRE(e.gateway_said("gateway.log", R"("event": "interlock")"));
  set = e.dtwin("set m2.speed 1.2");
  CHECK(set.status == 0);
  auto m2 = e.json_until(
      "get m2",
      [](const nlohmann::json& x) {
        return x.contains("desired") && x["desired"].contains("speed") &&
               x["desired"]["speed"].value("state", std::string()) == "rejected";
      },
      10);
  CHECK(m2["desired"]["speed"]["state"] == "rejected");
  CHECK(m2["desired"]["speed"].value("reason", std::string()).find("interlock") !=
        std::string::npos);
  // a change on the plant's side
  e.command("local m1 state down");
  auto m1 = e.json_until(
      "get m1", [](const nlohmann::json& x) { return x["reported"]["state"]["value"] == "down"; },
      10);
  CHECK(m1["reported"]["state"]["value"] == "down");
  // nothing changes for longer than stale_after: the heartbeats keep every value good
  std::this_thread::sleep_for(std::chrono::milliseconds(3000));
  m1 = e.json_until(
      "get m1", [](const nlohmann::json& x) { return x.is_object(); }, 5);
  CHECK(online(m1));
  CHECK(m1["reported"]["parts"]["quality"] == "good");
  // the gateway dies: the wills make its twins offline
  e.command("crash");
  m1 = e.json_until(
      "get m1", [](const nlohmann::json& x) { return !online(x); }, 10);
  CHECK_FALSE(online(m1));
  // it comes back with a new session (its clock in ms): born again, and the setpoint it lost
  // in the restart is sent again and applied
  e.start_gateway("gateway2.log");
  m1 = e.json_until(
      "get m1",
      [](const nlohmann::json& x) {
        return online(x) && x["reported"]["speed"]["value"] == 1.3 &&
               x["reported"]["speed"]["quality"] == "good";
      },
      15);
  CHECK(online(m1));
  CHECK(m1["reported"]["speed"]["value"] == 1.3);
  st = e.status();
  CHECK(st["counters"].value("future_session", 1) == 0);
  CHECK(st["counters"].value("malformed", 1) == 0);
  e.command("exit");
  CHECK(serve->stop() == 0);
}
