// Alerts as an operator lives them, each command its own process, through a real Mosquitto
// broker: dtwin serve judges the scenario's rules on what dtwin emulate reports; dtwin alerts
// lists them and follows them; dtwin ack acknowledges; the engine is killed (SIGKILL) and started
// again on its store with the alert still active under the same id; the retained topics hold the
// active set; the plant dying raises its offline alert.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/support/live_cli_env.hpp"

namespace fs = std::filesystem;
using dtwin::test::Broker;
using dtwin::test::Child;
using dtwin::test::Result;

namespace {

// m2 running fast is the condition an operator can make happen at will (dtwin set m2.speed);
// "60s" of the plant is 1 s of the engine's clock at 60x
const char* kScenario = R"({"name": "alerts live line", "seed": 9, "duration": "8h",
  "twins": {
    "src": {"kind": "source", "saturated": true},
    "m1": {"kind": "machine", "process": {"dist": "exponential", "mean": 40}},
    "b1": {"kind": "buffer", "capacity": 5},
    "m2": {"kind": "machine", "process": {"dist": "exponential", "mean": 50}},
    "sink": {"kind": "sink"}},
  "flow": [["src", "m1"], ["m1", "b1"], ["b1", "m2"], ["m2", "sink"]],
  "live": {"plant": "alerts", "stale_after": "2s",
           "emulator": {"speed": 60, "report_every": "100ms", "full_every": "1s"}},
  "alerts": [
    {"id": "m2_fast", "twin": "m2", "prop": "speed", "above": 1.1, "clear": 1.05, "for": "60s",
     "severity": "warning", "message": "{twin} runs at {value}x: check the tooling"},
    {"id": "silent", "twin": "*", "offline": true, "for": "60s", "severity": "critical"}]})";

struct Env : dtwin::test::LiveCliEnv {
  Env() : LiveCliEnv(kScenario, "alerts", "live-alerts") {}
  // `dtwin alerts ARGS --json`'s list, retried until pred holds on it (or timeout)
  template <class Pred>
  nlohmann::json alerts_until(const std::string& args, Pred pred, double timeout_s) {
    const auto j = json_until(
        "alerts --json --timeout 2s " + args,
        [&](const nlohmann::json& x) { return x.contains("alerts") && pred(x["alerts"]); },
        timeout_s);
    return j.is_object() && j.contains("alerts") ? j["alerts"] : nlohmann::json::array();
  }
};

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

const nlohmann::json* find_rule(const nlohmann::json& list, const std::string& rule) {
  for (const auto& a : list)
    if (a["rule"] == rule) return &a;
  return nullptr;
}

}  // namespace

TEST_CASE("cli live alerts: raised, followed, acknowledged, kept across a restart, cleared",
          "[cli][live][mqtt][alerts]") {
  Env e;
  auto serve = e.serve("serve.log");
  auto emu = e.emulate("emulate.log");
  // the plant is heard and nothing is wrong
  auto list = e.alerts_until(
      "", [](const nlohmann::json& l) { return l.empty(); }, 15);
  Result r = e.dtwin("get m2 --timeout 5s");
  REQUIRE(r.status == 0);
  REQUIRE(e.dtwin("set m2.speed 1.0 --wait 10s").status == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  list = e.alerts_until(
      "", [](const nlohmann::json& l) { return l.empty(); }, 5);
  CHECK(list.empty());

  // a follower, started before anything happens
  auto follow = std::make_unique<Child>(
      std::vector<std::string>{DTWIN_BIN, "alerts", "--follow", "--for", "60s", "--json", "--mqtt",
                               e.broker.url(), "--plant", "alerts"},
      (e.dir / "follow.log").string());
  std::this_thread::sleep_for(std::chrono::milliseconds(800));

  // m2 made to run fast: the alert is raised after the condition held for 60 s of plant time
  r = e.dtwin("set m2.speed 1.3 --wait 10s");
  INFO(r.out);
  REQUIRE(r.status == 0);
  list = e.alerts_until(
      "", [](const nlohmann::json& l) { return find_rule(l, "m2_fast") != nullptr; }, 10);
  const nlohmann::json* a = find_rule(list, "m2_fast");
  REQUIRE(a != nullptr);
  const auto id = (*a)["id"].get<std::uint64_t>();
  CHECK((*a)["state"] == "raised");
  CHECK((*a)["twin"] == "m2");
  CHECK((*a)["message"] == "m2 runs at 1.3x: check the tooling");
  CHECK((*a)["raised_value"] == 1.3);

  // the engine's own account, and the contract it serves
  r = e.dtwin("status");
  INFO(r.out);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("twins online") != std::string::npos);
  CHECK(r.out.find("alerts: 1 active") != std::string::npos);
  CHECK(r.out.find("store " + e.store + ": writing") != std::string::npos);
  r = e.dtwin("describe m2 --json");
  REQUIRE(r.status == 0);
  CHECK(nlohmann::json::parse(r.out)["twins"][0]["id"] == "m2");

  // the table a person reads
  r = e.dtwin("alerts");
  INFO(r.out);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("severity") != std::string::npos);
  CHECK(r.out.find("m2 runs at 1.3x") != std::string::npos);

  // the active set is retained on the broker, for anyone who subscribes
  r = dtwin::test::sh_cmd("mosquitto_sub -L '" + e.broker.url() +
                          "/dtwin/alerts/alerts/active/#' -C 1 -W 5 -v");
  INFO(r.out);
  CHECK(r.out.find("dtwin/alerts/alerts/active/m2/m2_fast") != std::string::npos);

  // the engine is killed and started again on its store: the same alert, still active
  serve->kill();
  serve = e.serve("serve2.log");
  list = e.alerts_until(
      "", [](const nlohmann::json& l) { return !l.empty(); }, 10);
  a = find_rule(list, "m2_fast");
  REQUIRE(a != nullptr);
  CHECK((*a)["id"] == id);
  CHECK(list.size() == 1);  // not raised a second time

  // acknowledged by someone; twice is refused
  r = e.dtwin("ack " + std::to_string(id) + " --by anna --note 'tooling checked'");
  INFO(r.out);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("acknowledged by anna") != std::string::npos);
  r = e.dtwin("ack " + std::to_string(id) + " --by ben");
  CHECK(r.status == 2);
  CHECK(r.out.find("acknowledged already by anna") != std::string::npos);
  r = e.dtwin("ack 99999 --by ben");
  CHECK(r.status == 2);
  CHECK(r.out.find("no alert 99999") != std::string::npos);

  // back to normal speed: the alert clears; the record keeps who acknowledged it
  REQUIRE(e.dtwin("set m2.speed 1.0 --wait 10s").status == 0);
  list = e.alerts_until(
      "", [](const nlohmann::json& l) { return l.empty(); }, 10);
  CHECK(list.empty());
  list = e.alerts_until(
      "--all", [](const nlohmann::json& l) { return find_rule(l, "m2_fast") != nullptr; }, 5);
  a = find_rule(list, "m2_fast");
  REQUIRE(a != nullptr);
  CHECK((*a)["state"] == "cleared");
  CHECK((*a)["acked_by"] == "anna");
  CHECK((*a)["ack_note"] == "tooling checked");
  CHECK((*a)["cleared_value"] == 1.0);
  // and the retained topic is empty again
  r = dtwin::test::sh_cmd("mosquitto_sub -L '" + e.broker.url() +
                          "/dtwin/alerts/alerts/active/#' -C 1 -W 2 -v");
  CHECK(r.out.find("m2_fast") == std::string::npos);

  // the plant dies: every twin's offline alert, critical
  emu->kill();
  list = e.alerts_until(
      "", [](const nlohmann::json& l) { return l.size() >= 4; }, 15);  // m1, b1, m2 and the line
  REQUIRE(list.size() >= 4);
  for (const auto& x : list) {
    CHECK(x["rule"] == "silent");
    CHECK(x["severity"] == "critical");
  }

  // what the follower saw, in order: raised, acknowledged, cleared for m2_fast
  follow->stop();
  const std::string seen = e.log("follow.log");
  INFO(seen);
  const auto raised = seen.find(R"("event":"raised")");
  const auto acked = seen.find(R"("event":"acknowledged")");
  const auto cleared = seen.find(R"("event":"cleared")");
  REQUIRE(raised != std::string::npos);
  REQUIRE(acked != std::string::npos);
  REQUIRE(cleared != std::string::npos);
  CHECK(raised < acked);
  CHECK(acked < cleared);
  // the engine's log names each step
  CHECK(e.log("serve.log").find("alert " + std::to_string(id) + " raised (warning, m2_fast)") !=
        std::string::npos);
  CHECK(serve->stop() == 0);
}

TEST_CASE(
    "cli live monitoring: derived health and remaining life, an alert that orders maintenance",
    "[cli][live][mqtt][alerts][monitor]") {
  // scenarios/live/monitoring.json: an hour of the plant a second, a grinder wheel lasts about
  // 30 s here
  dtwin::test::LiveCliEnv e(
      read_file(std::string(DTWIN_SOURCE_DIR) + "/scenarios/live/monitoring.json"), "cm1",
      "live-monitor");
  auto serve = e.serve("serve.log");
  auto emu = e.emulate("emulate.log");
  auto j = e.json_until(
      "get grinder --timeout 2s",
      [](const nlohmann::json& x) { return x["reported"].contains("rul_est"); }, 20);
  REQUIRE(j["reported"].contains("rul_est"));
  CHECK(j["reported"]["rul_est"]["derived"] == true);
  CHECK(j["reported"]["rul_est"]["unit"] == "h");
  CHECK(j["reported"]["rul_lo"]["value"].get<double>() <=
        j["reported"]["rul_est"]["value"].get<double>());
  CHECK(j["reported"]["p_fail"]["value"].get<double>() >= 0);
  // the wheel wears: the alert is raised before it fails, and its "act" orders maintenance,
  // which the asset takes (pm_orders applied)
  j = e.json_until(
      "alerts --json --all --timeout 2s",
      [](const nlohmann::json& x) {
        for (const auto& a : x["alerts"])
          if (a["rule"] == "grinder_worn") return true;
        return false;
      },
      90);
  bool raised = false;
  for (const auto& a : j["alerts"]) raised = raised || a["rule"] == "grinder_worn";
  REQUIRE(raised);
  j = e.json_until(
      "get grinder.pm_orders --timeout 2s",
      [](const nlohmann::json& x) {
        return x.contains("desired") && x["desired"].value("state", "") == "applied";
      },
      20);
  CHECK(j["desired"]["state"] == "applied");
  CHECK(j["desired"]["id"].get<std::string>().rfind("alert-", 0) == 0);
  CHECK(j["reported"]["value"].get<double>() >= 1);
  // the derived values' history, from the store
  const auto r = e.dtwin("history grinder.rul_est --csv -");
  INFO(r.out);
  REQUIRE(r.status == 0);
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') > 20);
  CHECK(serve->stop() == 0);
}
