// Operator pools against queueing theory and exact cycles: three machines behind one queue
// sharing two operators for processing are an M/M/2 (Erlang C); deterministic lines whose pool
// or whose machines set the pace; a pool's calendar; then the errors bad input raises.
#include <catch2/catch.hpp>

#include <string>

#include "engine/sim/world.hpp"
#include "tests/support/analytic.hpp"
#include "tests/support/run_helpers.hpp"

using namespace dtwin::test;  // compile_text, compile_failure, run_reps, hours, require_close

namespace {

// The label `key` of the first run.
// Two machines behind a buffer fed faster than they work (m0, 1 s a part), each taking 10 s
// with `setup` before every part, sharing a pool of `size` operators as `needs` says; `extra`
// adds to the pool.
std::string staffed_pair(const std::string& size, const std::string& needs,
                         const std::string& setup, const std::string& extra = "") {
  return R"({"duration": "200h", "warmup": "1h",
    "resources": {"ops": {"kind": "pool", "size": )" +
         size + extra + R"(}},
    "twins": {
      "src": {"kind": "source", "saturated": true},
      "m0":  {"kind": "machine", "process": 1},
      "q":   {"kind": "buffer", "capacity": 5},
      "m1":  {"kind": "machine", "process": 10, "setup": )" +
         setup + R"(, "needs": )" + needs + R"(},
      "m2":  {"kind": "machine", "process": 10, "setup": )" +
         setup + R"(, "needs": )" + needs + R"(},
      "out": {"kind": "sink"}
    },
    "flow": [["src", "m0"], ["m0", "q"], ["q", "m1"], ["q", "m2"], ["m1", "out"],
             ["m2", "out"]]})";
}

}  // namespace

TEST_CASE("three machines sharing two operators behind one queue are an M/M/2 (Erlang C)",
          "[line][queueing][operators]") {
  // lambda = 1.5/s, mu = 1/s per operator, c = 2: a = 1.5, rho = 0.75
  const double lambda = 1.5, a = 1.5, c = 2, rho = a / c;
  const double p0 = 1.0 / (1 + a + a * a / (2 * (1 - rho)));
  const double pw = a * a / (2 * (1 - rho)) * p0;  // Erlang C
  const double Lq = pw * rho / (1 - rho);
  const double L = Lq + a;
  const std::string machine =
      R"({"kind": "machine", "process": {"dist": "exponential", "mean": 1}, )"
      R"("needs": {"operators": {"count": 1, "for": ["process"]}}})";
  const std::string json = R"({
    "duration": ")" + hours(300 * test_scale()) +
                           R"(", "warmup": "2h",
    "resources": {"operators": {"kind": "pool", "size": 2}},
    "twins": {
      "in": {"kind": "source", "interarrival": {"dist": "exponential", "mean": )" +
                           std::to_string(1 / lambda) + R"(}},
      "q":  {"kind": "buffer"},
      "s1": )" + machine + R"(, "s2": )" +
                           machine + R"(, "s3": )" + machine + R"(,
      "out": {"kind": "sink"}
    },
    "flow": [["in", "q"], ["q", "s1"], ["q", "s2"], ["q", "s3"],
             ["s1", "out"], ["s2", "out"], ["s3", "out"]]})";
  const auto r = run_reps(compile_text(json), 10);
  require_close(r, "wip", L, 0.02);
  require_close(r, "lead_time_s", L / lambda, 0.02);
  require_close(r, "throughput_per_h", lambda * 3600, 0.01);
  require_close(r, "resources.operators.utilisation", rho, 0.01);
  CHECK(label_of(r.runs.at(0), "bottleneck") == "resources.operators");
}

TEST_CASE("operators: the pool or the machines set a deterministic line's pace",
          "[line][operators]") {
  // two machines, setup 5 s and process 10 s per part, fed faster than they work
  SECTION("one operator for everything: one part at a time, 15 s each") {
    const auto r = run_reps(compile_text(staffed_pair("1", R"({"ops": 1})", "5")), 1);
    CHECK(r.mean("throughput_per_h") == Approx(3600.0 / 15).epsilon(1e-3));
    CHECK(r.mean("resources.ops.utilisation") == Approx(1).epsilon(1e-3));
    CHECK(label_of(r.runs.at(0), "bottleneck") == "resources.ops");
  }
  SECTION("one operator for setups only: 5 s of hers a part, the machines 15 s each") {
    const auto r = run_reps(
        compile_text(staffed_pair("1", R"({"ops": {"count": 1, "for": ["setup"]}})", "5")), 1);
    CHECK(r.mean("throughput_per_h") == Approx(2 * 3600.0 / 15).epsilon(1e-3));
    CHECK(r.mean("resources.ops.utilisation") == Approx(2 * 5.0 / 15).epsilon(1e-3));
    CHECK(r.mean("resources.ops.wait_s") == Approx(0).margin(1e-9));
  }
  SECTION("setups of 10 s for one operator: she sets the pace, the machines wait for her") {
    const auto r = run_reps(
        compile_text(staffed_pair("1", R"({"ops": {"count": 1, "for": ["setup"]}})", "10")), 1);
    CHECK(r.mean("throughput_per_h") == Approx(3600.0 / 10).epsilon(1e-3));
    CHECK(r.mean("resources.ops.utilisation") == Approx(1).epsilon(1e-3));
    CHECK(r.mean("m1.setup_frac") == Approx(0.5).epsilon(1e-3));
  }
  SECTION("a pool of two needed two at a time: one machine at a time") {
    const auto r = run_reps(compile_text(staffed_pair("2", R"({"ops": 2})", "5")), 1);
    CHECK(r.mean("throughput_per_h") == Approx(3600.0 / 15).epsilon(1e-3));
  }
  SECTION("operators on shift half the time: half the output, busy all their shift") {
    const auto r = run_reps(
        compile_text(staffed_pair("1", R"({"ops": 1})", "5",
                                  R"(, "calendar": {"period": "2h", "on": [["0h", "1h"]]})")),
        1);
    CHECK(r.mean("throughput_per_h") == Approx(3600.0 / 15 / 2).epsilon(1e-2));
    CHECK(r.mean("resources.ops.utilisation") == Approx(1).epsilon(1e-3));
  }
}

TEST_CASE("operators: failures wait for an operator when the repair needs one",
          "[line][operators]") {
  // one machine, deterministic: process 10 s, a failure every 100 s of work, repair 20 s; its
  // operator stays through the repair, so the cycle is 10 parts in 120 s either way
  const std::string json = R"({"duration": "100h", "warmup": "1h",
    "resources": {"ops": {"kind": "pool", "size": 1}},
    "twins": {
      "src": {"kind": "source", "saturated": true},
      "m1":  {"kind": "machine", "process": 10, "failures": {"ttf": 100, "ttr": 20},
              "needs": {"ops": 1}},
      "out": {"kind": "sink"}
    },
    "flow": [["src", "m1"], ["m1", "out"]]})";
  const auto r = run_reps(compile_text(json), 1);
  CHECK(r.mean("throughput_per_h") == Approx(10 * 3600.0 / 120).epsilon(1e-3));
  CHECK(r.mean("resources.ops.utilisation") == Approx(1).epsilon(1e-3));
}

TEST_CASE("operators: bad input names its JSON pointer", "[line][operators][errors]") {
  const auto line = [](const std::string& resources, const std::string& needs) {
    return R"({"duration": "1h", "resources": )" + resources + R"(,
      "twins": {"src": {"kind": "source", "saturated": true},
        "m1": {"kind": "machine", "process": 1, "needs": )" +
           needs + R"(}, "sink": {"kind": "sink"}},
      "flow": [["src", "m1"], ["m1", "sink"]]})";
  };
  const std::string pool = R"({"operators": {"kind": "pool", "size": 2}})";

  const std::string two = R"({"a": {"kind": "pool", "size": 1}, "b": {"kind": "pool", "size": 1}})";
  for (const BadInput& b : {
           BadInput{line(pool, R"({"operator": 1})"), "/twins/m1/needs/operator",
                    "no operator pool \"operator\"; did you mean"},
           BadInput{line(R"({"operators": {"kind": "pool", "size": -1}})", R"({"operators": 1})"),
                    "/resources/operators/size", ">= 1"},
           BadInput{line(R"({"operators": {"kind": "crew", "size": 1}})", R"({"operators": 1})"),
                    "/resources/operators/kind", "\"pool\""},
           BadInput{line(pool, R"({"operators": 3})"), "/twins/m1/needs/operators", "of 2"},
           BadInput{line(pool, R"({"operators": {"count": 1, "for": ["proces"]}})"),
                    "/twins/m1/needs/operators/for/0", "unknown activity \"proces\""},
           BadInput{line(two, R"({"a": 1, "b": 1})"), "/twins/m1/needs", "one resource"},
           BadInput{R"({"crew": {"size": 1}, )" + line(pool, R"({"operators": {"count": 1,
                        "for": ["process", "repair"]}})")
                                                      .substr(1),
                    "/twins/m1/needs/operators/for", "the maintenance crew repairs"},
       }) {
    const auto e = compile_failure(b.text);
    INFO(b.text);
    REQUIRE(e);
    CHECK(e->pointer() == b.pointer);
    CHECK_THAT(e->message(), Catch::Contains(b.says));
  }
}

TEST_CASE("operators and the machines waiting for them in the state", "[line][operators]") {
  // m1 takes the first part at t = 1 and its operator for the setup; m2 the second at t = 2,
  // and waits for her
  const auto v = compile_text(staffed_pair("1", R"({"ops": 1})", "5"));
  dtwin::World w(v.models);
  w.start({1, 0});
  w.run_until(3);
  const auto j = w.state_json()["models"][0];
  CHECK(j["resources"]["ops"]["busy"] == 1);
  CHECK(j["resources"]["ops"]["waiting"] == nlohmann::json::array({"m2"}));
  CHECK(j["machines"]["m1"]["status"] == "setup");
  CHECK(j["machines"]["m1"]["holds_operators"] == true);
  CHECK(j["machines"]["m2"]["waiting_for_operators"] == true);
}
