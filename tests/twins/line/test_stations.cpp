// Station rules and saturated sources on deterministic lines: a saturated source keeping a
// buffer full or feeding several machines, idle stations taking parts first free or in turn,
// and a machine choosing among its outputs by the shortest queue or in turn.
#include <catch2/catch.hpp>

#include <string>

#include "tests/support/run_helpers.hpp"

using namespace dtwin::test;  // compile_text, compile_failure, run_reps

TEST_CASE("a saturated source keeps a buffer full or feeds several machines", "[line][stations]") {
  const auto full = run_reps(compile_text(R"({"duration": "100h", "warmup": "1h",
    "twins": {
      "src": {"kind": "source", "saturated": true},
      "b":   {"kind": "buffer", "capacity": 3},
      "m1":  {"kind": "machine", "process": 10}, "m2": {"kind": "machine", "process": 20},
      "out": {"kind": "sink"}
    },
    "flow": [["src", "b"], ["b", "m1"], ["b", "m2"], ["m1", "out"], ["m2", "out"]]})"),
                             1);
  CHECK(full.mean("throughput_per_h") == Approx(360 + 180).epsilon(1e-3));
  CHECK(full.mean("b.mean_level") == Approx(3));
  CHECK(full.mean("wip") == Approx(5));

  const auto two = run_reps(compile_text(R"({"duration": "100h", "warmup": "1h",
    "twins": {
      "src": {"kind": "source", "saturated": true},
      "m1":  {"kind": "machine", "process": 10}, "m2": {"kind": "machine", "process": 20},
      "out": {"kind": "sink"}
    },
    "flow": [["src", "m1"], ["src", "m2"], ["m1", "out"], ["m2", "out"]]})"),
                            1);
  CHECK(two.mean("throughput_per_h") == Approx(360 + 180).epsilon(1e-3));
  CHECK(two.mean("m2.working_frac") == Approx(1));
}

TEST_CASE("idle stations behind a buffer take parts first free or in turn", "[line][stations]") {
  // a part every 10 s, three stations of 5 s: the first always free takes every part, or each
  // takes a third in turn
  const auto line = [](const std::string& rule) {
    return R"({"duration": "30h", "warmup": "1h",
      "twins": {
        "src": {"kind": "source", "interarrival": 10},
        "b":   {"kind": "buffer", "rule": ")" +
           rule + R"("},
        "m1": {"kind": "machine", "process": 5}, "m2": {"kind": "machine", "process": 5},
        "m3": {"kind": "machine", "process": 5}, "out": {"kind": "sink"}
      },
      "flow": [["src", "b"], ["b", "m1"], ["b", "m2"], ["b", "m3"],
               ["m1", "out"], ["m2", "out"], ["m3", "out"]]})";
  };
  const auto first = run_reps(compile_text(line("first_free")), 1);
  CHECK(first.mean("m1.working_frac") == Approx(0.5).epsilon(1e-3));
  CHECK(first.mean("m2.parts") == 0);
  const auto turn = run_reps(compile_text(line("round_robin")), 1);
  CHECK(turn.mean("m1.working_frac") == Approx(0.5 / 3).epsilon(1e-2));
  CHECK(turn.mean("m2.working_frac") == Approx(0.5 / 3).epsilon(1e-2));
  CHECK(turn.mean("m3.working_frac") == Approx(0.5 / 3).epsilon(1e-2));
}

TEST_CASE("a machine chooses its output by the shortest queue or in turn", "[line][stations]") {
  // m0 (1 s) sends to b1 -> m1 (10 s) and b2 -> m2 (20 s): the shortest queue keeps both busy,
  // turns give m2 every other part and it sets the pace
  const auto line = [](const std::string& route) {
    return R"({"duration": "100h", "warmup": "1h",
      "twins": {
        "src": {"kind": "source", "saturated": true},
        "m0":  {"kind": "machine", "process": 1, "route": ")" +
           route + R"("},
        "b1":  {"kind": "buffer", "capacity": 5}, "b2": {"kind": "buffer", "capacity": 5},
        "m1":  {"kind": "machine", "process": 10}, "m2": {"kind": "machine", "process": 20},
        "out": {"kind": "sink"}
      },
      "flow": [["src", "m0"], ["m0", "b1"], ["m0", "b2"], ["b1", "m1"], ["b2", "m2"],
               ["m1", "out"], ["m2", "out"]]})";
  };
  const auto jsq = run_reps(compile_text(line("shortest_queue")), 1);
  CHECK(jsq.mean("throughput_per_h") == Approx(540).epsilon(1e-3));
  const auto rr = run_reps(compile_text(line("round_robin")), 1);
  CHECK(rr.mean("throughput_per_h") == Approx(360).epsilon(1e-3));

  const auto bad = compile_failure(line("shortest"));
  REQUIRE(bad);
  CHECK(bad->pointer() == "/twins/m0/route");
  const auto unbounded = compile_failure(R"({"duration": "1h", "twins": {
      "src": {"kind": "source", "saturated": true}, "b": {"kind": "buffer"},
      "m1": {"kind": "machine", "process": 1}, "out": {"kind": "sink"}},
    "flow": [["src", "b"], ["b", "m1"], ["m1", "out"]]})");
  REQUIRE(unbounded);
  CHECK(unbounded->pointer() == "/flow/0");
  CHECK_THAT(unbounded->message(), Catch::Contains("give it a \"capacity\""));
}
