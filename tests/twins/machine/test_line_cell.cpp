// A line station whose process time is a work cell's cycle time ("process": {"from_cell": ...}).
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "cell_helpers.hpp"
#include "engine/scenario/scenario.hpp"
#include "engine/sim/world.hpp"
#include "tests/support/run_helpers.hpp"
#include "twins/line/model.hpp"
#include "twins/machine/model.hpp"
#include "twins/machine/safety.hpp"

using namespace dtwin;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const line::LineModel& line_of(const CompiledVariant& v) {
  for (const auto& m : v.models)
    if (m->kind() == "line") return static_cast<const line::LineModel&>(*m);
  FAIL("no line model");
  throw;
}

double station_time(const CompiledVariant& v, const std::string& id) {
  for (const auto& m : line_of(v).spec().machines)
    if (m.id == id) return m.process.mean();
  FAIL("no machine " << id);
  return 0;
}

// line throughput over [warm-up, warm-up + T]
double throughput(const CompiledVariant& v, double warmup, double T) {
  World w(v.models);
  w.start({v.settings.seed, 0});
  w.run_until(warmup);
  w.reset_stats();
  w.run_until(warmup + T);
  return w.collect().find("throughput_per_h")->value;
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

}  // namespace

TEST_CASE(
    "a station takes its process time from the cell, and the arm's speed shows in the "
    "line's throughput",
    "[cell][line]") {
  const std::string path = std::string(DTWIN_SOURCE_DIR) + "/scenarios/cell/line_with_cell.json";
  const Scenario sc = Scenario::parse(read(path), path);
  const CompiledVariant base = sc.compile(sc.find_variant("baseline"), test::registry());
  const CompiledVariant fast = sc.compile(sc.find_variant("faster_arm"), test::registry());

  // the station's time is the cell's measured cycle time
  const machine::CellSpec cell = test::flagship();  // the same cell1 (override 0.8)
  const double ct = machine::measure_cycle_time(cell, 1, 5, 3600, nullptr).value();
  CHECK(station_time(base, "robot") == Approx(ct).epsilon(1e-12));
  machine::CellSpec faster = cell;
  faster.speed_override = 1.0;
  const double ct_fast = machine::measure_cycle_time(faster, 1, 5, 3600, nullptr).value();
  CHECK(station_time(fast, "robot") == Approx(ct_fast).epsilon(1e-12));
  CHECK(ct_fast < ct);

  // the robot (about 8.1 s, 6.5 s faster) is the bottleneck: m1 takes 5 s, pack 4 s, so with
  // constant times the line's throughput is 3600 / cycle time
  const double th = throughput(base, 600, 1800), th_fast = throughput(fast, 600, 1800);
  CHECK(th == Approx(3600 / ct).epsilon(0.01));
  CHECK(th_fast == Approx(3600 / ct_fast).epsilon(0.01));
  CHECK(th_fast / th == Approx(ct / ct_fast).epsilon(0.01));
}

TEST_CASE("from_cell errors name the pointer", "[cell][line][errors]") {
  const std::string line = R"({"duration": "1h", "twins": {
    "src": {"kind": "source", "saturated": true},
    "m1": {"kind": "machine", "process": {"from_cell": "%CELL%"}},
    "b": {"kind": "buffer"},
    "sink": {"kind": "sink"},
    "c": {"kind": "cell", "robot": {"joints": [{"name": "j1", "axis": "z",
      "limits": {"min_deg": -90, "max_deg": 90, "speed_deg_s": 90, "accel_deg_s2": 180},
      "link": {"length": 0.5}}]}}},
    "flow": [["src", "m1"], ["m1", "b"], ["b", "sink"]]})";
  auto with = [&](const std::string& cell) {
    std::string s = line;
    s.replace(s.find("%CELL%"), 6, cell);
    return s;
  };
  {
    const auto e = error_of(with("cel"));
    CHECK(e.pointer() == "/twins/m1/process/from_cell");
    CHECK_THAT(e.message(), Catch::Contains("unknown twin \"cel\""));
  }
  {
    const auto e = error_of(with("src"));
    CHECK(e.pointer() == "/twins/m1/process/from_cell");
    CHECK_THAT(e.message(), Catch::Contains("not a cell"));
  }
  {
    const auto e = error_of(with("c"));
    CHECK(e.pointer() == "/twins/m1/process/from_cell");
    CHECK_THAT(e.message(), Catch::Contains("it has no program"));
  }
}

TEST_CASE(
    "a station timed by a cell takes its energy per part from the cell, and the arm's speed "
    "shows in the line's energy per good part",
    "[cell][line][energy]") {
  const std::string path = std::string(DTWIN_SOURCE_DIR) + "/scenarios/cell/line_with_cell.json";
  const Scenario sc = Scenario::parse(read(path), path);
  double e_part[2], e_cycle[2];
  int i = 0;
  for (const char* variant : {"baseline", "faster_arm"}) {
    const CompiledVariant v = sc.compile(sc.find_variant(variant), test::registry());
    const machine::CellModel* cell = nullptr;
    for (const auto& m : v.models)
      if (m->kind() == "cell") cell = static_cast<const machine::CellModel*>(m.get());
    REQUIRE(cell);
    const auto cm = machine::measure_cycle(cell->spec(), 1, 5, 3600, nullptr);
    REQUIRE(cm);
    e_cycle[i] = cm->energy_per_cycle_j / 3.6e6;
    // the station's working power is the cell's mean power over a cycle
    for (const auto& m : line_of(v).spec().machines)
      if (m.id == "robot") {
        REQUIRE(m.power.on);
        CHECK(m.power.working_kw * cm->cycle_s * 1000 ==
              Approx(cm->energy_per_cycle_j).epsilon(1e-12));
        CHECK(m.power.idle_kw == Approx(0.2));
      }
    World w(v.models);
    w.start({v.settings.seed, 0});
    w.run_until(600);
    w.reset_stats();
    w.run_until(2400);
    // the robot is the bottleneck and the only station with a power: busy all the time after
    // the warm-up, one cycle's energy per part (the parts in between: 0.2 % of 200)
    e_part[i] = w.collect().find("energy_per_good_part_kwh")->value;
    CHECK(e_part[i] == Approx(e_cycle[i]).epsilon(0.01));
    ++i;
  }
  // base power dominates this small SCARA: the faster arm spends less per part
  CHECK(e_cycle[1] < e_cycle[0]);
  CHECK(e_part[1] < e_part[0]);
  CHECK(e_part[1] / e_part[0] == Approx(e_cycle[1] / e_cycle[0]).epsilon(0.01));
}
