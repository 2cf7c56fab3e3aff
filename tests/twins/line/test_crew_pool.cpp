// A maintenance crew given as an operator pool ("crew": {"pool": name}): always on, it is the
// crew of the pool's size, the same runs to the last bit; with a calendar, jobs wait for the
// shift and one in progress at its end finishes; then the errors bad input raises.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include "engine/sim/world.hpp"
#include "tests/support/run_helpers.hpp"

using dtwin::test::BadInput;
using dtwin::test::compile_failure;
using dtwin::test::compile_text;

namespace {

double get(const dtwin::Metrics& m, const std::string& key) {
  const auto* v = m.find(key);
  INFO("metric " << key);
  REQUIRE(v != nullptr);
  return v->value;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `text` with `from` (present once) replaced by `to`
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

dtwin::Metrics run(const std::string& json, const std::string& variant, std::uint32_t rep) {
  const auto v = compile_text(json, variant);
  return dtwin::run_one(v, dtwin::RunTask{0, rep, rep}, nullptr).metrics;
}

// Every KPI of the run of `sized` is the same in the run of `pooled`; the latter's pool is as
// busy as the crew.
void require_same_kpis(const std::string& sized, const std::string& pooled,
                       const std::string& variant) {
  const auto a = run(sized, variant, 1), b = run(pooled, variant, 1);
  for (const auto& x : a.values) {
    INFO(x.key);
    const auto* y = b.find(x.key);
    REQUIRE(y != nullptr);
    CHECK((x.value == y->value || (std::isnan(x.value) && std::isnan(y->value))));
  }
  CHECK(get(b, "resources.techs.utilisation") == Approx(get(a, "crew_utilisation")).epsilon(1e-12));
}

}  // namespace

TEST_CASE("a crew given as an always-on pool of n is the crew of n, to the last bit",
          "[line][health][crew][operators]") {
  const auto pool = [](const std::string& n, const std::string& order) {
    return R"("resources": {"techs": {"kind": "pool", "size": )" + n +
           R"(, "calendar": {"period": "24h", "on": [["0h", "24h"]]}}},
              "crew": {"pool": "techs", "order": ")" +
           order + R"("},)";
  };
  SECTION("scenarios/line/maintenance.json: a serial line, its jobs rarely overlap") {
    const std::string base =
        read_text(std::string(DTWIN_SOURCE_DIR) + "/scenarios/line/maintenance.json");
    const std::string crew = R"("crew": {"size": 1, "order": "corrective_first"},)";
    for (const std::string variant : {"baseline", "preventive_40h", "condition_auto_off"}) {
      INFO(variant);
      require_same_kpis(base, replaced(base, crew, pool("1", "corrective_first")), variant);
    }
  }
  SECTION("five parallel machines failing: jobs wait for one of n technicians") {
    std::string twins, flow;
    for (const std::string k : {"1", "2", "3", "4", "5"}) {
      twins += R"("s)" + k + R"(": {"kind": "source", "saturated": true}, "k)" + k +
               R"(": {"kind": "sink"}, "m)" + k + R"(": {"kind": "machine", "process": 300,
                 "mtbf": "10h", "mttr": "2h", "maintenance": {"policy": "preventive",
                 "every": "6h", "duration": {"preventive": "30min"}}},)";
      flow += R"(["s)" + k + R"(", "m)" + k + R"("], ["m)" + k + R"(", "k)" + k + R"("],)";
    }
    twins.pop_back();
    flow.pop_back();
    const std::string body = R"("twins": {)" + twins + R"(}, "flow": [)" + flow + "]}";
    for (const std::string n : {"1", "2"})
      for (const std::string order : {"fifo", "corrective_first"}) {
        INFO("crew of " << n << ", " << order);
        const std::string head = R"({"duration": "2000h", "warmup": "100h", )";
        const std::string sized =
            head + R"("crew": {"size": )" + n + R"(, "order": ")" + order + R"("}, )" + body;
        require_same_kpis(sized, head + pool(n, order) + body, "baseline");
        CHECK(get(run(sized, "baseline", 1), "m1.crew_wait_s") > 0);
      }
  }
}

TEST_CASE("a crew on a pool's calendar: jobs wait for the shift, one at its end finishes",
          "[line][health][crew][operators]") {
  // One technician, on shift [from, to) of every 24 h. The machine wears 0.5 a part of `proc`
  // seconds and fails at the end of its second part (2 proc); the repair takes 100 s.
  const auto line = [](const std::string& from, const std::string& to, const std::string& proc,
                       const std::string& duration) {
    return R"({"duration": ")" + duration + R"(", "replications": 1,
      "resources": {"techs": {"kind": "pool", "size": 1,
                              "calendar": {"period": "24h", "on": [[")" +
           from + R"(", ")" + to + R"("]]}}},
      "crew": {"pool": "techs"},
      "twins": {
        "src": {"kind": "source", "saturated": true},
        "m": {"kind": "machine", "process": )" +
           proc + R"(,
              "maintenance": {"policy": "run_to_failure", "duration": {"corrective": 100}},
              "health": {"type": "wear", "rate_per_part": 0.5, "threshold": 1}},
        "out": {"kind": "sink"}},
      "flow": [["src", "m"], ["m", "out"]]})";
  };
  SECTION("a failure at night is repaired when the shift starts") {
    // on from 8 h: m fails at 120 s and waits until 28800 s; repaired until 28900 s; the run
    // ends at 28920 s, before its next failure
    const auto r = run(line("8h", "16h", "60", "28920s"), "baseline", 0);
    CHECK(get(r, "m.failures") == 1);
    CHECK(get(r, "m.crew_wait_s") == 28800 - 120);
    CHECK(get(r, "resources.techs.wait_s") == 28800 - 120);
    CHECK(get(r, "crew_utilisation") == Approx(100.0 / 28920).epsilon(1e-12));
    // busy 100 s of the 120 s on shift
    CHECK(get(r, "resources.techs.utilisation") == Approx(100.0 / 120).epsilon(1e-12));
    CHECK(get(r, "availability") == Approx(1 - (28900.0 - 120) / 28920).epsilon(1e-12));
    // in the state at 1 h: the job waits for the pool, off shift
    const auto v = compile_text(line("8h", "16h", "60", "28920s"));
    dtwin::World w(v.models);
    w.start({1, 0});
    w.run_until(3600);
    const auto j = w.state_json()["models"][0];
    CHECK(j["resources"]["techs"]["on_shift"] == false);
    CHECK(j["resources"]["techs"]["busy"] == 0);
    CHECK(j["resources"]["techs"]["waiting"] == nlohmann::json::array({"m"}));
    CHECK(j["crew_queue"] == nlohmann::json::array({"m"}));
  }
  SECTION("a repair in progress at the end of the shift finishes") {
    // on until 8 h: m fails at 28750 s, repaired at once until 28850 s, 50 s after the shift
    const auto r = run(line("0h", "8h", "14375", "10h"), "baseline", 0);
    CHECK(get(r, "m.failures") == 1);
    CHECK(get(r, "m.crew_wait_s") == 0);
    CHECK(get(r, "availability") == Approx(1 - 100.0 / 36000).epsilon(1e-12));
    // available: the 28800 s on shift and the technician's 50 s after it
    CHECK(get(r, "resources.techs.utilisation") == Approx(100.0 / 28850).epsilon(1e-12));
  }
}

TEST_CASE("a crew's pool busier than any machine is active is the line's bottleneck",
          "[line][crew][operators][bottleneck]") {
  // three parallel machines working a tenth of the time, failing every hour of work, two hours
  // to repair: the technician is busier than any machine is active (working or down)
  std::string twins, flow;
  for (const std::string k : {"1", "2", "3"}) {
    twins += R"("s)" + k + R"(": {"kind": "source", "interarrival": 600}, "k)" + k +
             R"(": {"kind": "sink"}, "m)" + k +
             R"(": {"kind": "machine", "process": 60, "mtbf": "1h", "mttr": "2h"},)";
    flow += R"(["s)" + k + R"(", "m)" + k + R"("], ["m)" + k + R"(", "k)" + k + R"("],)";
  }
  twins.pop_back();
  flow.pop_back();
  const auto r = run(R"({"duration": "500h", "warmup": "10h",
    "resources": {"techs": {"kind": "pool", "size": 1}}, "crew": {"pool": "techs"},
    "twins": {)" + twins +
                         R"(}, "flow": [)" + flow + "]}",
                     "baseline", 0);
  const double busy = get(r, "resources.techs.utilisation");
  for (const std::string m : {"m1", "m2", "m3"}) CHECK(get(r, m + ".active_frac") < busy - 0.05);
  CHECK(dtwin::test::label_of(r, "bottleneck") == "resources.techs");
}

TEST_CASE("a crew's pool: bad input names its JSON pointer", "[line][crew][operators][errors]") {
  const auto line = [](const std::string& crew, const std::string& needs) {
    return R"({"duration": "1h",
      "resources": {"techs": {"kind": "pool", "size": 2}, "ops": {"kind": "pool", "size": 1}},
      "crew": )" +
           crew + R"(,
      "twins": {"src": {"kind": "source", "saturated": true},
        "m1": {"kind": "machine", "process": 1, "mtbf": "10h", "mttr": "1h")" +
           needs + R"(}, "sink": {"kind": "sink"}},
      "flow": [["src", "m1"], ["m1", "sink"]]})";
  };
  for (const BadInput& b : {
           BadInput{line(R"({"size": 2, "pool": "techs"})", ""), "/crew/size",
                    "either \"size\" or \"pool\""},
           BadInput{line(R"({"pool": "tech"})", ""), "/crew/pool",
                    "no operator pool \"tech\"; did you mean"},
           BadInput{line(R"({"pool": "crew"})", ""), "/crew/pool",
                    "pools are defined under /resources"},
           BadInput{line(R"({"pool": ""})", ""), "/crew/pool", "the name of an operator pool"},
           BadInput{line(R"({"pool": "techs"})", R"(, "needs": {"techs": 1})"),
                    "/twins/m1/needs/techs", "is the maintenance crew"},
       }) {
    const auto e = compile_failure(b.text);
    INFO(b.text);
    REQUIRE(e);
    CHECK(e->pointer() == b.pointer);
    CHECK_THAT(e->message(), Catch::Contains(b.says));
  }
  // another pool of the same line still serves machines
  CHECK_FALSE(compile_failure(line(R"({"pool": "techs"})", R"(, "needs": {"ops": 1})")));
}
