// What an adversarial pass found (issue: harden the live engine, 1 and 2), each kept as a test:
// a what-if request cannot make the engine read a file or echo one, a scenario run by the engine
// reads only below the directories allowed, models that cannot advance time are refused with the
// pointer, and what-ifs that would run for ever are stopped by their budget, free their slot,
// and do not hold up the engine's stop.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/base/error.hpp"
#include "engine/live/engine.hpp"
#include "engine/transport/inproc_link.hpp"
#include "tests/support/run_helpers.hpp"
#include "tests/support/temp_dir.hpp"

using namespace dtwin;
using nlohmann::json;

namespace {

const char* kLine = R"({"name": "line", "seed": 3, "duration": "8h", "replications": 2,
  "twins": {"src": {"kind": "source", "saturated": true},
            "m1": {"kind": "machine", "process": {"dist": "exponential", "mean": 60}},
            "b1": {"kind": "buffer", "capacity": 5},
            "m2": {"kind": "machine", "process": {"dist": "exponential", "mean": 55}},
            "sink": {"kind": "sink"}},
  "flow": [["src", "m1"], ["m1", "b1"], ["b1", "m2"], ["m2", "sink"]],
  "live": {"plant": "p"}})";

// An engine on an in-process bus; requests go straight to it.
struct Engine {
  Registry reg = test::registry();
  Scenario sc;
  Bus bus;
  InProcessLink link{bus, "engine"};
  std::unique_ptr<LiveEngine> engine;

  explicit Engine(Scenario s, LiveOptions o = {}) : sc(std::move(s)) {
    o.whatif_jobs = 1;
    engine = std::make_unique<LiveEngine>(sc, reg, link, o, [] { return 1.7e9; });
    engine->start();
  }
  // sends a request; the answer comes through poll() (a what-if's from a worker thread)
  void send(const json& req, json* out) {
    engine->request(req, [out](json j) { *out = std::move(j); });
  }
  json rpc(const json& req, double timeout_s = 60) {
    json out;
    send(req, &out);
    const auto until = std::chrono::steady_clock::now() +
                       std::chrono::milliseconds(static_cast<int>(timeout_s * 1000));
    while (out.is_null() && std::chrono::steady_clock::now() < until) engine->poll(5);
    return out;
  }
};

std::string code(const json& r) {
  return r.value("ok", false) ? std::string("ok") : r.value("code", std::string("?"));
}

std::string error_of(const std::string& scenario) {
  try {
    test::compile_text(scenario);
  } catch (const ScenarioError& e) {
    return e.pointer() + ": " + e.message();
  }
  return "";
}

}  // namespace

TEST_CASE("hostile: validation refuses what cannot advance time, at the pointer",
          "[line][hostile]") {
  const auto line = [](const std::string& src, const std::string& m, const std::string& conv) {
    return R"({"duration": "1h", "twins": {"src": )" + src + R"(, "m": )" + m + R"(, "c": )" +
           conv + R"(, "m2": {"kind": "machine", "process": 10},
      "sink": {"kind": "sink"}}, "flow": [["src", "m"], ["m", "c"], ["c", "m2"], ["m2", "sink"]]})";
  };
  const std::string S = R"({"kind": "source", "saturated": true})";
  const std::string M = R"({"kind": "machine", "process": 10})";
  const std::string C = R"({"kind": "conveyor", "transit": "30s"})";
  const struct {
    std::string scenario, pointer;
  } cases[] = {
      {line(S, R"({"kind": "machine", "process": 1e-300})", C), "/twins/m/process"},
      {line(S, R"({"kind": "machine", "process": {"dist": "exponential", "mean": 1e-300}})", C),
       "/twins/m/process"},
      {line(S, R"({"kind": "machine", "process": 10, "speed": 1e300})", C), "/twins/m/speed"},
      {line(S, R"({"kind": "machine", "process": 10, "mtbf": 1e-300, "mttr": 5})", C),
       "/twins/m/mtbf"},
      {line(S, R"({"kind": "machine", "process": 10, "mtbf": 100, "mttr": 1e-300})", C),
       "/twins/m/mttr"},
      {line(S, M, R"({"kind": "conveyor", "transit": 1e-300})"), "/twins/c/transit"},
      {line(R"({"kind": "source", "interarrival": 1e-300})", M, C), "/twins/src/interarrival"},
      // a zero-time path from a saturated source to a sink
      {R"({"duration": "1h", "twins": {"src": {"kind": "source", "saturated": true},
         "m": {"kind": "machine", "process": 0}, "b": {"kind": "buffer"},
         "m2": {"kind": "machine", "process": {"dist": "constant", "value": 0}},
         "sink": {"kind": "sink"}},
         "flow": [["src", "m"], ["m", "b"], ["b", "m2"], ["m2", "sink"]]})",
       "/twins/m/process"},
  };
  for (const auto& c : cases) {
    INFO(c.scenario);
    const std::string e = error_of(c.scenario);
    CHECK(e.rfind(c.pointer + ": ", 0) == 0);
    INFO(e);
    CHECK((e.find("1 us") != std::string::npos || e.find("one instant") != std::string::npos));
  }
  // a zero process time is fine where time still advances (a timed station downstream)
  CHECK(error_of(line(S, R"({"kind": "machine", "process": 0})", C)).empty());
}

TEST_CASE(
    "hostile: what-ifs that would run for ever are stopped by their budget and free "
    "their slots",
    "[line][hostile][whatif]") {
  Engine e(Scenario::parse(kLine, "line.json"));
  // a parameter that cannot advance time: refused before anything runs
  const json zero =
      e.rpc({{"op", "whatif"}, {"patch", {{"twins", {{"m1", {{"process", 1e-300}}}}}}}});
  CHECK(code(zero) == "bad_patch");
  CHECK_THAT(zero.value("error", ""), Catch::Contains("/twins/m1/process"));
  // four what-ifs of a hundred years: each stopped by the budget the request asked for
  std::vector<json> answers(4);
  const auto t0 = std::chrono::steady_clock::now();
  for (auto& a : answers)
    e.send({{"op", "whatif"}, {"horizon_s", 3.2e9}, {"max_events", 200000}}, &a);
  CHECK(e.engine->whatifs_running() == 4);
  while (e.engine->whatifs_running() > 0 &&
         std::chrono::steady_clock::now() - t0 < std::chrono::seconds(30))
    e.engine->poll(5);
  for (const auto& a : answers) {
    CHECK(code(a) == "budget_exceeded");
    CHECK_THAT(a.value("error", ""), Catch::Contains("200000 events"));
  }
  // the slots are free: a normal what-if runs
  CHECK(code(e.rpc({{"op", "whatif"}, {"horizon_s", 3600}})) == "ok");
  // a request may not ask for more than the engine allows
  LiveOptions tight;
  tight.whatif_max_events = 100000;
  Engine small(Scenario::parse(kLine, "line.json"), tight);
  CHECK(
      code(small.rpc({{"op", "whatif"}, {"horizon_s", 3.2e9}, {"max_events", 1000000000000ULL}})) ==
      "budget_exceeded");
}

TEST_CASE("hostile: stop() cancels the what-ifs running, whatever they do", "[line][hostile]") {
  LiveOptions o;
  o.whatif_max_events = 0;  // no event limit: only the cancellation stops them
  o.whatif_max_wall_s = 3600;
  Engine e(Scenario::parse(kLine, "line.json"), o);
  std::vector<json> answers(4);
  for (auto& a : answers) e.send({{"op", "whatif"}, {"horizon_s", 3.2e10}}, &a);
  for (int i = 0; i < 20; ++i) e.engine->poll(10);  // they run
  REQUIRE(e.engine->whatifs_running() == 4);
  const auto t0 = std::chrono::steady_clock::now();
  e.engine->stop();
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(took < 1.0);
  for (const auto& a : answers) CHECK(code(a) == "cancelled");
}

TEST_CASE("hostile: a what-if request cannot add a twin, change a kind or read a file",
          "[line][hostile][files]") {
  const std::string path =
      std::string(DTWIN_SOURCE_DIR) + "/scenarios/greenhouse/agc2022_reference.json";
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  json doc = json::parse(text.str());
  doc["live"] = {{"plant", "gh"}};
  Scenario sc = Scenario::parse(doc.dump(), path);
  sc.files().restrict_to({std::string(DTWIN_SOURCE_DIR)});
  Engine e(std::move(sc));
  const json climate = {
      {"file", "/etc/passwd"},
      {"time_column", "Date"},
      {"columns", {{"par_umol_m2_s", "a"}, {"air_temp_c", "b"}, {"co2_ppm", "c"}}}};
  const std::vector<json> patches = {
      // a new twin that reads a file
      {{"twins", {{"spy", {{"kind", "lettuce_crop"}, {"climate", climate}}}}}},
      // the existing crop made to read another file
      {{"twins", {{"agc", {{"climate", {{"file", "/etc/passwd"}}}}}}}},
      {{"twins", {{"agc", {{"climate", {{"file", "../../../../../../etc/passwd"}}}}}}}},
      // a kind changed, something outside /twins
      {{"twins", {{"agc", {{"kind", "tomato_crop"}}}}}},
      {{"flow", json::array()}},
  };
  for (const auto& p : patches) {
    INFO(p.dump());
    const json r = e.rpc({{"op", "whatif"}, {"patch", p}, {"horizon_s", 3600}});
    CHECK(code(r) == "bad_patch");
    // nothing of the file's content comes back
    CHECK(r.dump().find("root:") == std::string::npos);
  }
  // the scenario's own file is read as before: a parameter of the crop is a fine what-if
  CHECK(code(e.rpc({{"op", "whatif"},
                    {"patch", {{"twins", {{"agc", {{"params", {{"c_leak", 1e-4}}}}}}}}},
                    {"horizon_s", 86400}})) == "ok");
}

TEST_CASE("hostile: a scenario run by the engine reads only below the directories allowed",
          "[line][hostile][files]") {
  test::TempDir dir;
  const std::string scen = dir.file("plant.json");
  {
    std::ofstream f(scen);
    f << R"({"duration": "1d", "twins": {"crop": {"kind": "lettuce_crop",
      "climate": {"file": "../../../../../../../../etc/passwd", "time_column": "root",
                  "columns": {"par_umol_m2_s": "x", "air_temp_c": "y", "co2_ppm": "z"}}}}})";
  }
  Scenario sc = Scenario::load(scen);
  sc.files().restrict_to({sc.files().base_dir()});  // what dtwin serve does by default
  try {
    sc.compile(0, test::registry());
    FAIL("compiled");
  } catch (const ScenarioError& err) {
    INFO(err.describe());
    CHECK(err.pointer() == "/twins/crop/climate/file");
    CHECK_THAT(err.message(), Catch::Contains("outside the directories this engine may read"));
    CHECK(std::string(err.describe()).find("root:x") == std::string::npos);
  }
  // relative paths resolve against the scenario's directory, and a file there is allowed
  {
    std::ofstream f(dir.file("climate.csv"));
    f << "t,par,temp,co2\n0,100,20,400\n86400,100,20,400\n";
  }
  std::ofstream(scen) << R"({"duration": "1d", "twins": {"crop": {"kind": "lettuce_crop",
      "climate": {"file": "climate.csv", "time_column": "t", "max_gap": "2d",
                  "columns": {"par_umol_m2_s": "par", "air_temp_c": "temp", "co2_ppm": "co2"}}}}})";
  Scenario ok = Scenario::load(scen);
  ok.files().restrict_to({ok.files().base_dir()});
  CHECK_NOTHROW(ok.compile(0, test::registry()));
}

TEST_CASE("hostile: the engine answers only on the asker's own response topic",
          "[line][hostile][wire]") {
  Engine e(Scenario::parse(kLine, "line.json"));
  auto client = e.bus.link("operator");
  std::vector<Message> seen;
  auto watcher = e.bus.link("watcher");
  watcher->on_message([&](const Message& m) { seen.push_back(m); });
  watcher->subscribe("#");
  watcher->connect();
  client->connect();
  const std::string req = R"({"op": "status"})";
  for (const char* to : {"dtwin/p/m2/desired", "dtwin/p/m2/reported", "dtwin/p/engine/status",
                         "dtwin/other/client/x/response", "dtwin/p/client/+/response",
                         "dtwin/p/client/a/b/response", "elsewhere"})
    client->publish({"dtwin/p/engine/request", req, 1, false, to, "c1"});
  client->publish({"dtwin/p/engine/request", req, 1, false, "dtwin/p/client/op7/response", "c2"});
  for (int i = 0; i < 10; ++i) {
    e.engine->poll(0);
    watcher->poll(0);
  }
  std::vector<std::string> answered;
  for (const auto& m : seen)
    if (m.topic != "dtwin/p/engine/request" && m.payload.find("\"ok\"") != std::string::npos)
      answered.push_back(m.topic + " " + m.correlation);
  CHECK(answered == std::vector<std::string>{"dtwin/p/client/op7/response c2"});
}

TEST_CASE("hostile: twin ids that cannot be topics are refused by validate", "[line][hostile]") {
  for (const char* id : {"m+", "m#", "engine", "client", "$sys", "a b", "m/1"}) {
    INFO(id);
    const std::string s = std::string(R"({"duration": "1h", "twins": {"src": {"kind": "source",
      "saturated": true}, ")") +
                          id + R"(": {"kind": "machine", "process": 10}, "sink": {"kind":
      "sink"}}, "flow": [["src", ")" +
                          id + R"("], [")" + id + R"(", "sink"]]})";
    const std::string e = error_of(s);
    CHECK_FALSE(e.empty());
  }
}
