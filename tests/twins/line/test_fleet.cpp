// Transport fleets on deterministic lines: a line limited by one or two vehicles makes vehicles
// / round trip parts per second, the round trip being loading, the loaded leg, unloading and the
// empty leg back; a line limited by a machine downstream is not sped up by vehicles; distances
// go the shortest way and both ways; then the errors bad input raises.
#include <catch2/catch.hpp>

#include <string>

#include "engine/sim/world.hpp"
#include "tests/support/run_helpers.hpp"

using namespace dtwin::test;  // compile_text, compile_failure, run_reps

namespace {

// a fast machine m1 sending by the fleet to m2, then a sink
std::string agv_line(const std::string& vehicles, const std::string& distances,
                     const std::string& m2_process = "1") {
  return R"({"duration": "200h", "warmup": "1h",
    "twins": {
      "src": {"kind": "source", "saturated": true},
      "m1":  {"kind": "machine", "process": 1},
      "agv": {"kind": "fleet", "vehicles": )" +
         vehicles + R"(, "speed": 1.2, "load": "20s", "unload": "20s",
              "distances": )" +
         distances + R"(},
      "m2":  {"kind": "machine", "process": )" +
         m2_process + R"(},
      "out": {"kind": "sink"}
    },
    "flow": [["src", "m1"], ["m1", "m2", {"via": "agv"}], ["m2", "out"]]})";
}

}  // namespace

TEST_CASE("a fleet-limited line makes vehicles / round trip parts", "[line][fleet]") {
  // 60 m at 1.2 m/s: 50 s each way; the round trip is 20 + 50 + 20 + 50 = 140 s
  const double trip_s = 140;
  for (int v : {1, 2}) {
    INFO(v << " vehicles");
    const auto r = run_reps(compile_text(agv_line(std::to_string(v), R"({"m1": {"m2": 60}})")), 1);
    CHECK(r.mean("throughput_per_h") == Approx(v * 3600 / trip_s).epsilon(1e-3));
    CHECK(r.mean("agv.utilisation") == Approx(1).epsilon(1e-3));
    CHECK(r.mean("agv.empty_travel_frac") == Approx(0.5).epsilon(1e-3));
    CHECK(label_of(r.runs.at(0), "bottleneck") == "agv");
  }
  // a third vehicle helps less: a vehicle drives back to m1 only once a part waits there (m1
  // holds one), so it adds its empty leg to m1's wait
  const auto three = run_reps(compile_text(agv_line("3", R"({"m1": {"m2": 60}})")), 1);
  CHECK(three.mean("throughput_per_h") > 2 * 3600 / trip_s);
  CHECK(three.mean("throughput_per_h") < 3 * 3600 / trip_s);
  // one vehicle: m1 waits the round trip but the 1 s it works
  const auto one = run_reps(compile_text(agv_line("1", R"({"m1": {"m2": 60}})")), 1);
  CHECK(one.mean("agv.wait_s") == Approx(trip_s - 1).epsilon(1e-3));
  CHECK(one.mean("m1.blocked_frac") == Approx((trip_s - 1) / trip_s).epsilon(1e-3));
}

TEST_CASE("a fleet's distances go the shortest way, and both ways", "[line][fleet]") {
  // m1 - hub 30 m, hub - m2 30 m, and a long direct road of 100 m: 60 m each way
  const auto r = run_reps(
      compile_text(agv_line("1", R"({"m1": {"hub": 30, "m2": 100}, "hub": {"m2": 30}})")), 1);
  CHECK(r.mean("throughput_per_h") == Approx(3600 / 140.0).epsilon(1e-3));
}

TEST_CASE("a fleet waits for room: a slow machine downstream sets the pace", "[line][fleet]") {
  const auto r = run_reps(compile_text(agv_line("2", R"({"m1": {"m2": 60}})", "200")), 1);
  CHECK(r.mean("throughput_per_h") == Approx(3600 / 200.0).epsilon(1e-3));
  CHECK(r.mean("m2.working_frac") == Approx(1).epsilon(1e-3));
  CHECK(label_of(r.runs.at(0), "bottleneck") == "m2");
}

TEST_CASE("a fleet delivers to buffers and sinks and serves several lanes", "[line][fleet]") {
  // m1 -> agv -> b -> m2 -> agv -> out: one vehicle does both legs of every part
  const std::string json = R"({"duration": "200h", "warmup": "1h",
    "twins": {
      "src": {"kind": "source", "saturated": true},
      "m1":  {"kind": "machine", "process": 1},
      "b":   {"kind": "buffer", "capacity": 2},
      "m2":  {"kind": "machine", "process": 1},
      "out": {"kind": "sink"},
      "agv": {"kind": "fleet", "speed": 1, "distances": {"m1": {"b": 10}, "b": {"m2": 0},
                                                          "m2": {"out": 10}}}
    },
    "flow": [["src", "m1"], ["m1", "b", {"via": "agv"}], ["b", "m2"],
             ["m2", "out", {"via": "agv"}]]})";
  // per part: m1 -> b loaded 10 s, b -> m2 empty 0 m, m2 -> out loaded 10 s, out -> m1 empty
  // 20 m (the shortest way, through b and m2): 40 s
  const auto r = run_reps(compile_text(json), 1);
  CHECK(r.mean("throughput_per_h") == Approx(3600 / 40.0).epsilon(1e-3));
  CHECK(r.mean("agv.empty_travel_frac") == Approx(0.5).epsilon(1e-3));
  CHECK(r.mean("agv.utilisation") == Approx(1).epsilon(1e-3));
}

TEST_CASE("fleets: bad input names its JSON pointer", "[line][fleet][errors]") {
  const auto line = [](const std::string& fleet, const std::string& via_edge) {
    return R"({"duration": "1h", "twins": {"src": {"kind": "source", "saturated": true},
        "m1": {"kind": "machine", "process": 1}, "m2": {"kind": "machine", "process": 1},
        "agv": )" +
           fleet + R"(, "sink": {"kind": "sink"}},
      "flow": [["src", "m1"], )" +
           via_edge + R"(, ["m2", "sink"]]})";
  };
  const std::string via = R"(["m1", "m2", {"via": "agv"}])";
  const auto fleet = [](const std::string& distances, const std::string& speed = "1",
                        const std::string& more = "") {
    return R"({"kind": "fleet", "speed": )" + speed + more + R"(, "distances": )" + distances + "}";
  };
  const std::string near = R"({"m1": {"m2": 10}})";
  for (const BadInput& b : {
           BadInput{line(fleet(near), R"(["m1", "m2", {"via": "m2"}])"), "/flow/1/2/via",
                    "is not a fleet"},
           BadInput{line(fleet(R"({"m1": {"x": 10}})"), via), "/flow/1/2/via",
                    "no distance from \"m1\" to \"m2\""},
           BadInput{line(fleet(near, "-1"), via), "/twins/agv/speed", "positive"},
           BadInput{line(fleet(near, "1", R"(, "vehicles": 0)"), via), "/twins/agv/vehicles",
                    ">= 1"},
           BadInput{line(fleet(R"({"m1": {"m2": -10}})"), via), "/twins/agv/distances/m1/m2",
                    ">= 0"},
           BadInput{line(fleet(near), R"(["m1", "agv"], ["agv", "m2"])"), "/flow/1/1",
                    "is not a station of the flow"},
           BadInput{line(fleet(near), R"(["m1", "m2"])"), "/twins/agv", "carries nothing"},
           BadInput{line(fleet(R"({"m1": {"m2": 0}})"), via), "/flow/1/2/via", "in no time"},
       }) {
    const auto e = compile_failure(b.text);
    INFO(b.text);
    REQUIRE(e);
    CHECK(e->pointer() == b.pointer);
    CHECK_THAT(e->message(), Catch::Contains(b.says));
  }
}

TEST_CASE("a fleet's vehicles in the state", "[line][fleet]") {
  const auto v = compile_text(agv_line("1", R"({"m1": {"m2": 60}})"));
  dtwin::World w(v.models);
  w.start({1, 0});
  // m1's first part: loaded from t = 1 to 21, 50 s on the way to m2, unloaded from 71 to 91
  // (one event in the simulation; the state shows each leg at its time)
  const auto vehicle = [&](double t) {
    w.run_until(t);
    return w.state_json()["models"][0]["fleets"]["agv"]["vehicles"][0];
  };
  CHECK(vehicle(10)["phase"] == "loading");
  CHECK(vehicle(10)["at"] == "m1");
  CHECK(vehicle(30)["phase"] == "carrying");
  CHECK(vehicle(30)["at"] == "m2");
  CHECK(w.state_json()["models"][0]["machines"]["m1"]["status"] == "blocked");  // part 2 waits
  CHECK(vehicle(80)["phase"] == "unloading");
  CHECK(vehicle(80)["at"] == "m2");
  // then it drives back empty from m2 for the waiting part
  CHECK(vehicle(95)["phase"] == "to_pickup");
  CHECK(vehicle(95)["at"] == "m1");
}

TEST_CASE(
    "a conveyor full nearly all the time is named the bottleneck, in a line without pools "
    "or fleets",
    "[line][bottleneck]") {
  // two fast machines joined by a conveyor that holds 2 parts for 60 s each: it passes one part
  // every 30 s, and is full all the time
  const auto line = [](const std::string& conveyor) {
    return R"({"duration": "50h", "warmup": "1h",
      "twins": {
        "src": {"kind": "source", "saturated": true},
        "m1":  {"kind": "machine", "process": 5},
        "c":   )" +
           conveyor + R"(,
        "m2":  {"kind": "machine", "process": 5},
        "out": {"kind": "sink"}},
      "flow": [["src", "m1"], ["m1", "c"], ["c", "m2"], ["m2", "out"]]})";
  };
  const auto full =
      run_reps(compile_text(line(R"({"kind": "conveyor", "transit": "60s", "max_parts": 2})")), 1);
  CHECK(full.mean("throughput_per_h") == Approx(3600 / 30.0).epsilon(1e-3));
  CHECK(label_of(full.runs.at(0), "bottleneck") == "c");
  // a conveyor with room to spare: the machines' arrows decide, as before (m2 here: 20 s)
  const auto roomy = run_reps(compile_text(R"({"duration": "50h", "warmup": "1h",
      "twins": {
        "src": {"kind": "source", "saturated": true},
        "m1":  {"kind": "machine", "process": 5},
        "c":   {"kind": "conveyor", "transit": "60s", "max_parts": 10},
        "m2":  {"kind": "machine", "process": 20},
        "out": {"kind": "sink"}},
      "flow": [["src", "m1"], ["m1", "c"], ["c", "m2"], ["m2", "out"]]})"),
                              1);
  CHECK(roomy.mean("throughput_per_h") == Approx(3600 / 20.0).epsilon(1e-3));
  CHECK(label_of(roomy.runs.at(0), "bottleneck") == "m2");
}

TEST_CASE("a fleet without distances drives straight between the twins' layout positions",
          "[line][fleet]") {
  // m1 at (0, 0), m2 at (36, 48): 60 m apart, the round trip 140 s as with the table
  const auto placed = [](const std::string& m2_layout) {
    return R"({"duration": "200h", "warmup": "1h",
      "twins": {
        "src": {"kind": "source", "saturated": true},
        "m1":  {"kind": "machine", "process": 1, "layout": {"x": 0, "y": 0}},
        "agv": {"kind": "fleet", "vehicles": 1, "speed": 1.2, "load": "20s", "unload": "20s"},
        "m2":  {"kind": "machine", "process": 1)" +
           m2_layout + R"(},
        "out": {"kind": "sink", "layout": {"x": 40, "y": 48}}
      },
      "flow": [["src", "m1"], ["m1", "m2", {"via": "agv"}], ["m2", "out"]]})";
  };
  const auto r = run_reps(compile_text(placed(R"(, "layout": {"x": 36, "y": 48})")), 1);
  const auto table = run_reps(compile_text(agv_line("1", R"({"m1": {"m2": 60}})")), 1);
  CHECK(r.mean("throughput_per_h") == Approx(3600 / 140.0).epsilon(1e-3));
  CHECK(r.mean("throughput_per_h") == table.mean("throughput_per_h"));
  CHECK(r.mean("agv.empty_travel_frac") == Approx(0.5).epsilon(1e-3));
  // a place the fleet serves with no position: an error at the edge's "via" that says so
  const auto e = compile_failure(placed(""));
  REQUIRE(e);
  CHECK(e->pointer() == "/flow/1/2/via");
  CHECK_THAT(e->message(), Catch::Contains("\"m2\" has no layout position"));
}
