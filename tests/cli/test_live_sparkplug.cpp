// The whole loop over Sparkplug B without Node.js: dtwin emulate --sparkplug plays the plant as
// edge nodes, dtwin serve is their host application, through a real Mosquitto.
#include <catch2/catch.hpp>

#include <signal.h>

#include "tests/support/live_cli_env.hpp"

namespace {

const char* kScenario = R"({"name": "sparkplug live line", "seed": 3, "duration": "8h",
  "twins": {
    "src": {"kind": "source", "saturated": true},
    "m1": {"kind": "machine", "process": {"dist": "exponential", "mean": 40}},
    "b1": {"kind": "buffer", "capacity": 5},
    "m2": {"kind": "machine", "process": {"dist": "exponential", "mean": 50}},
    "sink": {"kind": "sink"}},
  "flow": [["src", "m1"], ["m1", "b1"], ["b1", "m2"], ["m2", "sink"]],
  "live": {"plant": "spl", "wire": "sparkplug", "stale_after": "30s",
           "emulator": {"speed": 60, "report_every": "100ms", "full_every": "1s"},
           "sparkplug": {"group": "line7", "twins": {"m2": {"node": "plc2", "device": "lathe",
                                                            "metrics": {"parts": "Count/Good"}}}}}})";

bool online(const nlohmann::json& j) {
  return j.is_object() && j.value("online", false);
}

}  // namespace

TEST_CASE(
    "dtwin emulate --sparkplug and dtwin serve run a plant over Sparkplug B: births, data, "
    "a DCMD applied, the edge nodes' wills",
    "[live][sparkplug]") {
  dtwin::test::LiveCliEnv e(kScenario, "spl", "live-sparkplug");
  auto serve = e.serve("serve.log");
  auto emulate = e.emulate("emulate.log");
  INFO(e.log("serve.log") + e.log("emulate.log"));
  // every twin born, m2 as the device plc2/lathe with its renamed metric
  auto st = e.json_until(
      "status --json",
      [](const nlohmann::json& x) {
        return x.contains("sparkplug") && x.value("online", 0) == 4 &&
               x["sparkplug"].value("nodes_online", 0) == 4;
      },
      20);
  REQUIRE(st.value("online", 0) == 4);
  CHECK(st["sparkplug"]["host_id"] == "spBv1.0/STATE/dtwin-spl");
  CHECK(st["sparkplug"].value("bad_payload", 1) == 0);
  CHECK(st["sparkplug"].value("unmapped_metrics", 1) == 0);
  auto m2 = e.json_until(
      "get m2",
      [](const nlohmann::json& x) {
        return online(x) && x["reported"].contains("parts") &&
               x["reported"]["parts"]["quality"] == "good";
      },
      15);
  CHECK(m2["reported"]["parts"]["quality"] == "good");
  CHECK(e.log("serve.log").find("device plc2/lathe born: twin m2") != std::string::npos);
  // a setpoint goes out as a DCMD, the emulated machine obeys and reports it
  const auto set = e.dtwin("set m2.speed 1.4 --wait 15s");
  INFO(set.out);
  CHECK(set.status == 0);
  CHECK(set.out.find("applied") != std::string::npos);
  CHECK(e.log("serve.log").find("DCMD to plc2/lathe: speed") != std::string::npos);
  // the plant dies without a word: each edge node's will (NDEATH, its bdSeq) makes it offline
  emulate->kill();
  auto gone = e.json_until(
      "get m1", [](const nlohmann::json& x) { return x.is_object() && !online(x); }, 20);
  CHECK_FALSE(online(gone));
  CHECK(e.json_until(
            "status --json",
            [](const nlohmann::json& x) {
              return x.contains("sparkplug") && x["sparkplug"].value("nodes_online", 1) == 0;
            },
            20)["sparkplug"]["nodes_online"] == 0);
  CHECK(serve->stop() == 0);
}

TEST_CASE("Sparkplug settings that cannot work are refused at their place", "[live][sparkplug]") {
  const auto check = [](const std::string& live, const std::string& expect) {
    dtwin::test::LiveCliEnv e(
        std::string(R"({"name": "x", "duration": "1h", "twins": {"src": {"kind": "source",
      "saturated": true}, "m1": {"kind": "machine", "process": {"dist": "exponential", "mean": 40}},
      "sink": {"kind": "sink"}}, "flow": [["src", "m1"], ["m1", "sink"]], "live": )") +
            live + "}",
        "x", "sparkplug-bad");
    const auto r = dtwin::test::sh_cmd(std::string(DTWIN_BIN) + " serve " + e.scenario +
                                       " --mqtt " + e.broker.url());
    INFO(r.out);
    CHECK(r.status == 2);
    CHECK(r.out.find(expect) != std::string::npos);
  };
  check(R"({"wire": "opcua"})", "/live/wire");
  check(R"({"sparkplug": {"group": "g"}})",
        "/live/sparkplug: Sparkplug settings for a plant whose");
  check(R"({"wire": "sparkplug", "sparkplug": {"group": "a/b"}})", "/live/sparkplug/group");
  check(R"({"wire": "sparkplug", "sparkplug": {"twins": {"m9": {"node": "n"}}}})",
        "/live/sparkplug/twins/m9: no twin \"m9\"");
  check(R"({"wire": "sparkplug", "sparkplug": {"twins": {"m1": {"device": "d"}}}})",
        "/live/sparkplug/twins/m1: \"node\"");
}
