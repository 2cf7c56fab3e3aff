// The live commands as a user runs them, each its own process, through a real Mosquitto broker:
// dtwin serve (with its SQLite store) and dtwin emulate, reached by dtwin get / set / history /
// whatif. The engine is killed (SIGKILL) and restarted: it comes back with every twin's state
// and loses no acknowledged command; the emulated plant is killed and restarted: it gets its
// setpoints again.
#include <catch2/catch.hpp>

#include <unistd.h>

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

const char* kScenario = R"({"name": "cli live line", "seed": 9, "duration": "8h", "replications": 4,
  "twins": {
    "src": {"kind": "source", "saturated": true},
    "m1": {"kind": "machine", "process": {"dist": "exponential", "mean": 40}, "mtbf": "1h", "mttr": "5min"},
    "b1": {"kind": "buffer", "capacity": 5},
    "m2": {"kind": "machine", "process": {"dist": "exponential", "mean": 50}},
    "sink": {"kind": "sink"}},
  "flow": [["src", "m1"], ["m1", "b1"], ["b1", "m2"], ["m2", "sink"]],
  "live": {"plant": "cli", "stale_after": "3s",
           "emulator": {"speed": 60, "report_every": "100ms", "full_every": "1s"}},
  "variants": {"faster_m2": {"twins": {"m2": {"speed": 1.4}}}}})";

struct Env : dtwin::test::LiveCliEnv {
  Env() : LiveCliEnv(kScenario, "cli", "live-cli") {}
  // `dtwin get TARGET` as JSON, retried until pred holds (or timeout)
  template <class Pred>
  nlohmann::json get_until(const std::string& target, Pred pred, double timeout_s) {
    return json_until("get " + target + " --timeout 2s", pred, timeout_s);
  }
};

}  // namespace

TEST_CASE("cli live: serve, emulate, set --wait, history, engine killed and restarted",
          "[cli][live][mqtt]") {
  Env e;
  auto serve = e.serve("serve.log");
  auto emu = e.emulate("emulate.log");
  auto j = e.get_until(
      "m2",
      [](const nlohmann::json& x) {
        return x["online"] == true && x["reported"].contains("speed");
      },
      15);
  REQUIRE(j["online"] == true);

  // a setpoint from the digital side, applied and confirmed by the asset
  Result r = e.dtwin("set m2.speed 1.2 --wait 10s");
  INFO(r.out);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("pending") != std::string::npos);
  CHECK(r.out.find("applied") != std::string::npos);
  j = e.get_until(
      "m2.speed", [](const nlohmann::json&) { return true; }, 5);
  CHECK(j["desired"]["state"] == "applied");
  CHECK(j["reported"]["value"] == 1.2);

  // refusals: exit 2 and the reason
  r = e.dtwin("set m2.speed 99");
  CHECK(r.status == 2);
  CHECK(r.out.find("outside") != std::string::npos);
  r = e.dtwin("set m2.state down");
  CHECK(r.status == 2);
  r = e.dtwin("get nosuch");
  CHECK(r.status == 2);
  CHECK(r.out.find("no twin \"nosuch\"") != std::string::npos);

  // the plant is lost (its wills fire): a command now is stored and acknowledged, but pending
  emu->kill();
  e.get_until(
      "m1", [](const nlohmann::json& x) { return x["online"] == false; }, 10);
  r = e.dtwin("set m1.speed 0.9");
  INFO(r.out);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("pending") != std::string::npos);

  // the engine is killed without a word, and started again on its store
  serve->kill();
  serve = e.serve("serve2.log");
  j = e.get_until(
      "m1", [](const nlohmann::json& x) { return x.contains("desired"); }, 10);
  CHECK(j["desired"]["speed"]["value"] == 0.9);
  CHECK(j["desired"]["speed"]["state"] == "pending");  // not lost
  j = e.get_until(
      "m2", [](const nlohmann::json& x) { return x.contains("desired"); }, 10);
  CHECK(j["desired"]["speed"]["state"] == "applied");
  CHECK(j["reported"]["speed"]["value"] == 1.2);

  // the plant comes back (a fresh start, its own defaults): it gets both setpoints again
  emu = e.emulate("emulate2.log");
  j = e.get_until(
      "m1",
      [](const nlohmann::json& x) {
        return x["online"] == true && x["desired"]["speed"]["state"] == "applied";
      },
      15);
  CHECK(j["desired"]["speed"]["state"] == "applied");
  CHECK(j["reported"]["speed"]["value"] == 0.9);
  j = e.get_until(
      "m2", [](const nlohmann::json& x) { return x["reported"]["speed"]["value"] == 1.2; }, 15);
  CHECK(j["reported"]["speed"]["value"] == 1.2);

  // the history of the command, from the engine's store, as CSV
  r = e.dtwin("history m1.speed --since 1h --csv -");
  INFO(r.out);
  REQUIRE(r.status == 0);
  CHECK(r.out.rfind("receive_time_s,receive_time_utc,twin,prop,kind,value,unit,state", 0) == 0);
  CHECK(r.out.find("desired,0.9,1,pending") != std::string::npos);
  CHECK(r.out.find("desired,0.9,1,applied") != std::string::npos);

  // a what-if from the live state; the live desired values stay as they are
  r = e.dtwin("whatif --from live --variant faster_m2 --horizon 2h --replications 3");
  INFO(r.out);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("faster_m2") != std::string::npos);
  CHECK(r.out.find("live state carried into the fork") != std::string::npos);

  // a calibrated scenario (what dtwin fit --out writes) as one more variant from the live state
  std::ofstream(e.dir / "patch.json") << R"({"twins": {"m2": {"process": {"mean": 20}}}})";
  r = e.dtwin("whatif --from live --patch " + (e.dir / "patch.json").string() +
              " --horizon 2h --replications 3");
  INFO(r.out);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("patch {") != std::string::npos);

  CHECK(serve->stop() == 0);  // SIGTERM: a clean stop
}

TEST_CASE("cli live: no engine, bad URL, bad arguments", "[cli][live]") {
  Broker b;
  const std::string bin = DTWIN_BIN;
  Result r =
      dtwin::test::sh_cmd(bin + " get m1 --mqtt " + b.url() + " --plant nobody --timeout 1s");
  CHECK(r.status == 2);
  CHECK(r.out.find("no answer from an engine for plant \"nobody\"") != std::string::npos);
  r = dtwin::test::sh_cmd(bin + " get m1 --mqtt http://x");
  CHECK(r.status == 2);
  CHECK(r.out.find("http://x") != std::string::npos);
  r = dtwin::test::sh_cmd(bin + " set m1speed 3 --mqtt " + b.url());
  CHECK(r.status == 2);
  CHECK(r.out.find("TWIN.PROPERTY") != std::string::npos);
  r = dtwin::test::sh_cmd(bin + " history m1.speed --since yesterday --mqtt " + b.url());
  CHECK(r.status == 2);
  CHECK(r.out.find("--since") != std::string::npos);
  r = dtwin::test::sh_cmd(bin + " whatif --from snapshot --mqtt " + b.url());
  CHECK(r.status == 2);
  for (const char* cmd : {"serve", "emulate", "get", "set", "history", "whatif"}) {
    r = dtwin::test::sh_cmd(bin + " " + cmd + " --help");
    CHECK(r.status == 0);
    CHECK(r.out.find("--mqtt") != std::string::npos);
  }
}

TEST_CASE("cli live: a broker that refuses says why: certificate, login", "[cli][live]") {
  const std::string bin = DTWIN_BIN;
  {
    dtwin::test::BrokerOptions bo;
    bo.tls = true;
    Broker b(bo);
    const Result r =
        dtwin::test::sh_cmd(bin + " get --mqtt " + b.url() + " --plant p --timeout 2s");
    CHECK(r.status == 2);
    INFO(r.out);
    CHECK(r.out.find("could not reach the broker") != std::string::npos);
    CHECK(r.out.find("certificate verify failed") != std::string::npos);
  }
  {
    dtwin::test::BrokerOptions bo;
    bo.users = {{"operator", "right"}};
    Broker b(bo);
    const Result r = dtwin::test::sh_cmd("DTWIN_MQTT_PASSWORD=wrong " + bin + " get --mqtt " +
                                         b.url() + " --plant p --user operator --timeout 2s");
    CHECK(r.status == 2);
    INFO(r.out);
    CHECK(r.out.find("Not authorized") != std::string::npos);
  }
}

TEST_CASE("cli live: serve --record, then serve --replay rebuilds the mirror without a broker",
          "[cli][live][replay]") {
  Env e;
  const std::string rec = (e.dir / "telemetry.jsonl").string();
  auto serve =
      std::make_unique<Child>(std::vector<std::string>{DTWIN_BIN, "serve", e.scenario, "--mqtt",
                                                       e.broker.url(), "--record", rec},
                              (e.dir / "serve.log").string());
  auto emu = e.emulate("emulate.log");
  e.get_until(
      "m2", [](const nlohmann::json& x) { return x["online"] == true; }, 15);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  CHECK(serve->stop() == 0);
  emu->kill();
  const std::string bin = DTWIN_BIN;
  Result r = dtwin::test::sh_cmd(bin + " serve " + e.scenario + " --replay " + rec + " --store " +
                                 (e.dir / "replayed.db").string());
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(r.out.find("replayed ") != std::string::npos);
  CHECK(r.out.find("\"births\":") != std::string::npos);
  r = dtwin::test::sh_cmd(bin + " serve " + e.scenario + " --replay " + rec + " --mqtt " +
                          e.broker.url());
  CHECK(r.status == 2);
  r = dtwin::test::sh_cmd(bin + " serve " + e.scenario + " --replay /nonexistent.jsonl");
  CHECK(r.status == 2);
  CHECK(r.out.find("/nonexistent.jsonl") != std::string::npos);
}

TEST_CASE(
    "cli live: SIGTERM stops serve within a second or two whatever its what-ifs do, and "
    "it leaves the engine announced offline",
    "[cli][live][hostile]") {
  Env e;
  auto serve = std::make_unique<Child>(
      std::vector<std::string>{DTWIN_BIN, "serve", e.scenario, "--mqtt", e.broker.url(),
                               "--whatif-max-events", "0", "--whatif-max-wall", "1h"},
      (e.dir / "serve.log").string());
  // the engine answers
  REQUIRE(e.get_until(
               "", [](const nlohmann::json& j) { return j.contains("twins"); }, 15)
              .contains("twins"));
  // four what-ifs of a thousand years each: they would run for days
  std::vector<std::unique_ptr<Child>> clients;
  for (int i = 0; i < 4; ++i)
    clients.push_back(std::make_unique<Child>(
        std::vector<std::string>{DTWIN_BIN, "whatif", "--horizon", "365000d", "--mqtt",
                                 e.broker.url(), "--plant", "cli", "--timeout", "1min"},
        (e.dir / ("whatif" + std::to_string(i) + ".log")).string()));
  // they run: wait until the engine says so (on a loaded machine the clients take a while)
  auto running = [&] {
    const Result r =
        dtwin::test::sh_cmd("mosquitto_rr -V mqttv5 -p " + std::to_string(e.broker.port()) +
                            " -t dtwin/cli/engine/request -e dtwin/cli/client/probe/response -m "
                            "'{\"op\": \"status\"}' -W 3");
    const auto j = nlohmann::json::parse(r.out, nullptr, false);
    return j.is_object() && j.contains("result") ? j["result"].value("whatifs_running", 0) : -1;
  };
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (running() < 4 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  REQUIRE(running() == 4);
  const Result status = e.dtwin("get --timeout 5s");
  CHECK(status.status == 0);  // the engine still answers meanwhile
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(serve->stop() == 0);  // SIGTERM
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(took < 2.0);
  // the retained status says offline (a clean stop, not only the will)
  const Result retained =
      dtwin::test::sh_cmd("mosquitto_sub -p " + std::to_string(e.broker.port()) +
                          " -t dtwin/cli/engine/status -C 1 -W 5");
  CHECK(retained.out.find("\"online\":false") != std::string::npos);
  // the what-ifs were answered: cancelled (each client prints it and exits)
  for (int i = 0; i < 4; ++i) {
    std::string text;
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (text.find("cancelled") == std::string::npos && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      std::ifstream log(e.dir / ("whatif" + std::to_string(i) + ".log"));
      text.assign(std::istreambuf_iterator<char>(log), std::istreambuf_iterator<char>());
    }
    INFO(text);
    CHECK(text.find("cancelled") != std::string::npos);
  }
}
