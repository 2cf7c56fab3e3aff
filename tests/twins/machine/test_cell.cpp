// The cell as a twin: its program's cycle, determinism, snapshot/restore/fork, bad specs.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <iterator>

#include "cell_helpers.hpp"
#include "engine/scenario/scenario.hpp"
#include "engine/sim/world.hpp"
#include "tests/support/run_helpers.hpp"
#include "twins/machine/model.hpp"
#include "twins/machine/safety.hpp"

using namespace dtwin;
using namespace dtwin::machine;

namespace {

std::uint64_t run_hash(const CellSpec& spec, std::uint64_t seed, int steps) {
  CellState s = initial_state(spec, seed, 0);
  test::TrajectoryHash h;
  for (int i = 0; i < steps; ++i) {
    step_cell(spec, s);
    h.add(s);
  }
  return h.h;
}

ScenarioError error_of(const std::string& text) {
  try {
    const Scenario sc = Scenario::parse(text, "bad.json");
    for (std::size_t i = 0; i < sc.variants().size(); ++i) sc.compile(i, test::registry());
  } catch (const ScenarioError& e) {
    return e;
  }
  FAIL("no error raised");
  throw;
}

// A one-joint cell whose pieces a test replaces.
std::string arm(const std::string& joints, const std::string& extra = "") {
  return R"({"duration": "1h", "twins": {"c": {"kind": "cell",
    "robot": {"joints": [)" +
         joints + "]}" + extra + "}}}";
}
const char* kJoint = R"({"name": "j1", "axis": "z",
  "limits": {"min_deg": -90, "max_deg": 90, "speed_deg_s": 90, "accel_deg_s2": 180},
  "link": {"length": 0.5}})";

}  // namespace

TEST_CASE("the flagship delivers a part per cycle and its cycle time scales as 1/speed", "[cell]") {
  CellSpec spec = test::flagship();
  std::string why;
  const auto slow = measure_cycle_time(spec, 1, 5, 3600, &why);
  REQUIRE(slow);
  spec.speed_override = 1.0;
  const auto fast = measure_cycle_time(spec, 1, 5, 3600, &why);
  REQUIRE(fast);
  // parts always wait at the belt's end, so a cycle is the program's motion: every move's time
  // scales by 0.8/1.0 exactly, rounded up to whole steps (13 moves, one step each at most)
  const std::size_t moves = 11;
  CHECK(*fast == Approx(*slow * 0.8).margin(moves * spec.dt));
  CHECK(*fast < *slow);
  // one part per cycle reaches the nest
  CellState s = initial_state(spec, 1, 0);
  while (s.cycles_total < 10) step_cell(spec, s);
  CHECK(s.delivered_total + 1 >= s.cycles_total);  // the last one may still be in the nest
  CHECK(s.delivered_total <= s.cycles_total);
  CHECK(s.missed_picks == 0);
  CHECK(s.collision_steps == 0);
}

TEST_CASE("two runs of the same cell and seed are bit-identical", "[cell]") {
  const CellSpec spec = test::flagship();
  const std::uint64_t a = run_hash(spec, 1, 5000), b = run_hash(spec, 1, 5000);
  CHECK(a == b);
  // and the hash sees a difference: a different speed gives a different trajectory
  CellSpec other = spec;
  other.speed_override = 0.7;
  CHECK(run_hash(other, 1, 5000) != a);
}

TEST_CASE("a stochastic feed draws from the seed", "[cell]") {
  CellSpec spec = test::flagship();
  spec.conveyors[0].interval = Distribution::exponential(3);
  CHECK(run_hash(spec, 1, 4000) == run_hash(spec, 1, 4000));
  CHECK(run_hash(spec, 1, 4000) != run_hash(spec, 2, 4000));
}

TEST_CASE("world snapshot, restore and fork of a cell", "[cell]") {
  const CompiledVariant v = test::compile_text([] {
    std::ifstream in(test::flagship_path());
    return std::string(std::istreambuf_iterator<char>(in), {});
  }());
  World w(v.models);
  w.start({1, 0});
  w.run_until(12.0);
  const Snapshot snap = w.snapshot();
  World f = w.fork();
  w.run_until(30.0);
  f.run_until(30.0);
  CHECK(w.same_state(f));
  CHECK(w.state_json() == f.state_json());
  World g = w.fork();  // the state at 30 s
  w.restore(snap);
  CHECK(w.now() == 12.0);
  w.run_until(30.0);
  CHECK(w.same_state(g));
  // the cell did something in between
  const auto& s = w.state<CellState>(0);
  CHECK(s.cycles_total >= 2);
  CHECK(s.step == 7500);
  // a reset (start) rebuilds the Bullet world from a fresh state: the same run again
  World h(v.models);
  h.start({1, 0});
  h.run_until(30.0);
  w.start({1, 0});
  w.run_until(30.0);
  CHECK(w.same_state(h));
}

TEST_CASE("a cell runs in a world: metrics and time series", "[cell]") {
  const std::string text = [] {
    std::ifstream in(test::flagship_path());
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  const Scenario sc = Scenario::parse(text, "flagship.json");
  const CompiledVariant v = sc.compile(0, test::registry());
  World w(v.models);
  w.start({1, 0});
  w.run_until(600);
  const Metrics m = w.collect();
  const double ct = m.find("cell1.cycle_time_s")->value;
  // the mean over every cycle, the first (from home, the belt empty) included
  const double steady = measure_cycle_time(test::flagship(), 1, 5, 3600, nullptr).value();
  const double n = m.find("cell1.cycles")->value;
  CHECK(ct >= steady);
  CHECK(ct <= steady + 3.0 / n);
  CHECK(m.find("cell1.throughput_per_h")->value == Approx(3600 / ct).epsilon(0.03));
  std::vector<std::string> cols, row;
  w.columns(cols);
  w.sample(row);
  CHECK(cols.size() == row.size());
  CHECK(cols[0] == "cell1.j1_deg");
  CHECK(cols[3] == "cell1.tool_x_m");
}

TEST_CASE("bad cell specs name the JSON pointer", "[cell][errors]") {
  {
    const auto e = error_of(arm(R"({"name": "j1", "axis": "z",
      "limits": {"min_deg": 90, "max_deg": -90, "speed_deg_s": 90, "accel_deg_s2": 180},
      "link": {"length": 0.5}})"));
    CHECK(e.pointer() == "/twins/c/robot/joints/0/limits");
    CHECK_THAT(e.describe(), Catch::Contains("min_deg (90) is greater than max_deg (-90)") &&
                                 Catch::Contains("bad.json:"));
  }
  {
    const auto e = error_of(arm(std::string(kJoint) + R"(, {"name": "j2", "axis": "z",
      "limits": {"min_deg": -90, "max_deg": 90, "speed_deg_s": 90, "accel_deg_s2": 180},
      "link": {"length": 0}})"));
    CHECK(e.pointer() == "/twins/c/robot/joints/1/link/length");
    CHECK_THAT(e.message(), Catch::Contains("length 0"));
  }
  {
    const auto e = error_of(arm(kJoint, R"(, "bodies": {"nest": {"role": "fixture",
      "size": [0.1, 0.1, 0.1], "position": [0.5, 0, 0]}},
      "program": {"steps": [{"move": {"joints": [10]}}, {"place": "nets"}]})"));
    CHECK(e.pointer() == "/twins/c/program/steps/1/place");
    CHECK_THAT(e.message(), Catch::Contains("unknown body \"nets\"") &&
                                Catch::Contains("did you mean \"nest\""));
  }
  {
    const auto e = error_of(arm(kJoint, R"(, "program": {"steps": [{"move": "home"}]})"));
    CHECK(e.pointer() == "/twins/c/program/steps/0/move");
    CHECK_THAT(e.message(), Catch::Contains("unknown waypoint \"home\""));
  }
  {
    const auto e =
        error_of(arm(kJoint, R"(, "program": {"steps": [{"move": {"joints": [120]}}]})"));
    CHECK(e.pointer() == "/twins/c/program/steps/0/move/joints/0");
    CHECK_THAT(e.message(), Catch::Contains("outside its limits [-90, 90]"));
  }
  {
    const auto e =
        error_of(arm(kJoint, R"(, "program": {"steps": [{"move": {"position": [3, 0, 0]}}]})"));
    CHECK(e.pointer() == "/twins/c/program/steps/0/move");
    CHECK_THAT(e.message(), Catch::Contains("cannot reach"));
  }
  {
    const auto e = error_of(arm(kJoint, R"(, "program": {"steps": [{"wait_part": "belt"}]})"));
    CHECK(e.pointer() == "/twins/c/program/steps/0/wait_part");
    CHECK_THAT(e.message(), Catch::Contains("unknown conveyor \"belt\""));
  }
  {
    const auto e = error_of(arm(R"({"name": "j1", "axis": [0, 0, 0],
      "limits": {"min_deg": -90, "max_deg": 90, "speed_deg_s": 90, "accel_deg_s2": 180},
      "link": {"length": 0.5}})"));
    CHECK(e.pointer() == "/twins/c/robot/joints/0/axis");
  }
  {
    const auto e = error_of(arm(R"({"name": "j1", "axis": "z",
      "limits": {"min_m": 0, "max_m": 1, "speed_deg_s": 90, "accel_deg_s2": 180},
      "link": {"length": 0.5}})"));
    CHECK(e.pointer() == "/twins/c/robot/joints/0/limits/min_m");
    CHECK_THAT(e.message(), Catch::Contains("a revolute joint's limits are in degrees"));
  }
  {
    const auto e = error_of(arm(kJoint, R"(, "sped_override": 2)"));
    CHECK(e.pointer() == "/twins/c/sped_override");
    CHECK_THAT(e.message(), Catch::Contains("did you mean \"speed_override\""));
  }
  {
    const auto e = error_of(arm(kJoint, R"(, "speed_override": 1.5,
      "program": {"steps": [{"move": {"joints": [10]}}]})"));
    CHECK(e.pointer() == "/twins/c/speed_override");
  }
}
