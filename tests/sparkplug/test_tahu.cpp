// dtwin serve as a Sparkplug B host application against someone else's edge node: Eclipse Tahu's
// JavaScript client (sparkplug-client from the npm registry, installed by the fixture
// sparkplug/npm_ci_tahu), driven by tests/sparkplug/tahu_edge.js, through a real Mosquitto.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <thread>

#include "tests/support/live_cli_env.hpp"

namespace {

using dtwin::test::Child;

const char* kScenario = R"({"name": "tahu", "seed": 1, "duration": "1h",
  "twins": {"src": {"kind": "source", "saturated": true},
    "m1": {"kind": "machine", "process": {"dist": "exponential", "mean": 40}},
    "sink": {"kind": "sink"}},
  "flow": [["src", "m1"], ["m1", "sink"]],
  "live": {"plant": "tahu", "wire": "sparkplug",
    "sparkplug": {"group": "g1", "host_id": "dtwin-test", "rebirth_interval": "1s",
                  "twins": {"m1": {"node": "gw1", "device": "press"}}}}})";

struct Env : dtwin::test::LiveCliEnv {
  std::string commands;
  std::unique_ptr<Child> serve_child, node;
  Env() : LiveCliEnv(kScenario, "tahu", "tahu") {
    commands = (dir / "commands").string();
    std::ofstream(commands).flush();
  }
  void start_node() {
    node = std::make_unique<Child>(
        std::vector<std::string>{"/usr/bin/env", "NODE_PATH=" DTWIN_TAHU_MODULES, DTWIN_NODE,
                                 DTWIN_SOURCE_DIR "/tests/sparkplug/tahu_edge.js", broker.url(),
                                 "g1", "gw1", "press", commands},
        (dir / "tahu.log").string());
  }
  void command(const std::string& line) { std::ofstream(commands, std::ios::app) << line << "\n"; }
  // waits until the node's output holds `what` at least n times
  bool node_said(const std::string& what, std::size_t n = 1, double timeout_s = 15) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (std::chrono::steady_clock::now() < end) {
      const std::string s = log("tahu.log");
      std::size_t count = 0;
      for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++count;
      if (count >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  nlohmann::json sparkplug_status() {
    const auto j = json_until(
        "status --json", [](const nlohmann::json& x) { return x.contains("sparkplug"); }, 10);
    return j.value("sparkplug", nlohmann::json::object());
  }
};

bool online(const nlohmann::json& j) {
  return j.is_object() && j.value("online", false);
}

}  // namespace

TEST_CASE(
    "Eclipse Tahu's edge node runs a twin through dtwin serve: birth, data by alias, a DCMD "
    "from dtwin set, a seq gap, a stale NDEATH, death and rebirth",
    "[sparkplug][tahu]") {
  Env e;
  e.serve_child = e.serve("serve.log");
  e.start_node();
  e.command("start");
  REQUIRE(e.node_said(R"("event":"born")"));
  // the device's birth makes the twin: online, its metrics as the properties
  auto j = e.json_until(
      "get m1",
      [](const nlohmann::json& x) {
        return online(x) && x["reported"].contains("state") && x["reported"].contains("speed");
      },
      15);
  INFO(e.log("serve.log"));
  REQUIRE(online(j));
  CHECK(j["reported"]["state"]["value"] == "working");
  CHECK(j["reported"]["speed"]["value"] == 1.0);
  // DDATA by alias alone
  e.command("data parts 5");
  j = e.json_until(
      "get m1",
      [](const nlohmann::json& x) {
        return x["reported"].contains("parts") && x["reported"]["parts"]["value"] == 5.0;
      },
      15);
  CHECK(j["reported"]["parts"]["value"] == 5.0);
  CHECK(j["reported"]["parts"]["quality"] == "good");
  // dtwin set: a DCMD the node receives by alias, applies and reports: applied in the mirror
  const auto set = e.dtwin("set m1.speed 1.3 --wait 15s");
  INFO(set.out);
  CHECK(set.status == 0);
  CHECK(set.out.find("applied") != std::string::npos);
  CHECK(e.node_said(R"({"event":"dcmd","name":"speed","value":1.3,"alias":3})"));
  // a seq gap: the host asks for a rebirth (NCMD Node Control/Rebirth) and the node gives one
  e.command("gap");
  CHECK(e.node_said(R"("event":"rebirth")"));
  CHECK(e.node_said(R"("event":"born")", 2));
  auto st = e.sparkplug_status();
  CHECK(st.value("seq_gaps", 0) >= 1);
  CHECK(st.value("rebirth_requests", 0) >= 1);
  // an NDEATH whose bdSeq is not the node's current birth's: ignored, the twin stays online
  e.command("stale_ndeath");
  REQUIRE(e.node_said("ndeath_bdseq"));
  st = e.json_until(
      "status --json",
      [](const nlohmann::json& x) {
        return x.contains("sparkplug") && x["sparkplug"].value("stale_ndeath", 0) >= 1;
      },
      10)["sparkplug"];
  CHECK(st.value("stale_ndeath", 0) == 1);
  CHECK(online(e.json_until("get m1", online, 2)));
  // the node stops (NDEATH with its bdSeq): offline
  e.command("stop");
  REQUIRE(e.node_said(R"("event":"stopped")"));
  j = e.json_until(
      "get m1", [](const nlohmann::json& x) { return !online(x); }, 15);
  CHECK_FALSE(online(j));
  CHECK(j["reported"]["parts"]["quality"] == "stale");
  // and is born again in a new session, with the speed it was given
  e.command("start");
  j = e.json_until(
      "get m1",
      [](const nlohmann::json& x) {
        return online(x) && x["reported"]["speed"]["quality"] == "good";
      },
      15);
  CHECK(online(j));
  CHECK(j["reported"]["speed"]["value"] == 1.3);
  st = e.sparkplug_status();
  CHECK(st.value("nodes_online", 0) == 1);
  CHECK(st.value("bad_payload", 1) == 0);
  e.command("exit");
  CHECK(e.serve_child->stop() == 0);
}
