// Line semantics on small deterministic cases worked out by hand, and statistical ones where
// randomness is the point (scrap).
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/sim/world.hpp"
#include "tests/support/run_helpers.hpp"
#include "twins/line/model.hpp"

using dtwin::test::compile_text;
using dtwin::test::run_reps;

namespace {
dtwin::Metrics run_once(const std::string& json, std::uint32_t rep = 0) {
  const auto v = compile_text(json);
  return dtwin::run_one(v, dtwin::RunTask{0, rep, rep}, nullptr).metrics;
}
double get(const dtwin::Metrics& m, const std::string& key) {
  const auto* v = m.find(key);
  INFO("metric " << key);
  REQUIRE(v != nullptr);
  return v->value;
}
std::string label(const dtwin::Metrics& m, const std::string& key) {
  for (const auto& l : m.labels)
    if (l.first == key) return l.second;
  return "";
}
}  // namespace

TEST_CASE("OEE worked example: availability x performance x quality", "[line][oee]") {
  // One 8 h shift a day. The machine takes 60 s a part (ideal 50 s) and fails after exactly
  // 3000 s of operation (50 parts), for 600 s. Planned time 28800 s holds 8 cycles of 3600 s:
  // 400 parts, 4800 s down. Availability = 24000/28800 = 5/6, performance = 50*400/24000 = 5/6,
  // quality = 1, OEE = 50*400/28800 = 25/36.
  const auto m = run_once(R"({
    "duration": "24h", "replications": 1,
    "twins": {
      "src": {"kind": "source", "saturated": true},
      "m": {"kind": "machine", "process": 60, "ideal_cycle": 50,
            "failures": {"ttf": 3000, "ttr": "10min"},
            "calendar": {"period": "24h", "on": [["0h", "8h"]]}},
      "sink": {"kind": "sink"}
    },
    "flow": [["src", "m"], ["m", "sink"]]})");
  CHECK(get(m, "m.parts") == 400);
  CHECK(get(m, "m.failures") == 8);
  CHECK(get(m, "m.off_frac") == Approx(16.0 / 24));
  CHECK(get(m, "m.down_frac") == Approx(4800.0 / 86400));
  CHECK(get(m, "m.availability") == Approx(5.0 / 6));
  CHECK(get(m, "m.performance") == Approx(5.0 / 6));
  CHECK(get(m, "m.quality") == 1.0);
  CHECK(get(m, "m.oee") == Approx(25.0 / 36));
  CHECK(get(m, "m.oee") ==
        Approx(get(m, "m.availability") * get(m, "m.performance") * get(m, "m.quality")));
}

TEST_CASE("scrap lowers quality to 1 - p and leaves the line", "[line][oee]") {
  const auto r = run_reps(compile_text(R"({
    "duration": "50h",
    "twins": {
      "src": {"kind": "source", "saturated": true},
      "m": {"kind": "machine", "process": 10, "scrap": 0.1},
      "sink": {"kind": "sink"}
    },
    "flow": [["src", "m"], ["m", "sink"]]})"),
                          8);
  const auto q = r.summary("m.quality");
  INFO("quality " << q.mean << " [" << q.lo << ", " << q.hi << "]");
  REQUIRE(std::fabs(q.mean - 0.9) < 4 * r.se("m.quality"));
  // good parts out: 360 parts/h made, 10% scrapped
  REQUIRE(r.mean("throughput_per_h") == Approx(324).epsilon(0.01));
  REQUIRE(r.mean("m.oee") == Approx(0.9).epsilon(0.01));
}

TEST_CASE("a conveyor delivers after length/speed and holds at most max_parts",
          "[line][conveyor]") {
  // parts every 10 s onto a 30 m belt at 0.5 m/s: 60 s transit, so 6 parts on the belt
  const auto m = run_once(R"({
    "duration": "10h", "warmup": "1h",
    "twins": {
      "src": {"kind": "source", "saturated": true},
      "m1": {"kind": "machine", "process": 10},
      "belt": {"kind": "conveyor", "length": 30, "speed": 0.5},
      "m2": {"kind": "machine", "process": 5},
      "sink": {"kind": "sink"}
    },
    "flow": [["src", "m1"], ["m1", "belt"], ["belt", "m2"], ["m2", "sink"]]})");
  CHECK(get(m, "lead_time_s") == Approx(10 + 60 + 5));
  CHECK(get(m, "belt.mean_level") == Approx(6.0).epsilon(0.01));
  CHECK(get(m, "throughput_per_h") == Approx(360).epsilon(0.001));

  // a full belt (max 3 parts) blocks m1 when m2 is the slower machine
  const auto b = run_once(R"({
    "duration": "10h", "warmup": "1h",
    "twins": {
      "src": {"kind": "source", "saturated": true},
      "m1": {"kind": "machine", "process": 10},
      "belt": {"kind": "conveyor", "transit": "30s", "max_parts": 3},
      "m2": {"kind": "machine", "process": 20},
      "sink": {"kind": "sink"}
    },
    "flow": [["src", "m1"], ["m1", "belt"], ["belt", "m2"], ["m2", "sink"]]})");
  CHECK(get(b, "throughput_per_h") == Approx(180).epsilon(0.001));
  CHECK(get(b, "belt.max_level") == 3);
  CHECK(get(b, "m1.blocked_frac") == Approx(0.5).epsilon(0.01));
  CHECK(label(b, "bottleneck") == "m2");
}

TEST_CASE("blocking after service: a machine holds its part while the buffer is full",
          "[line][blocking]") {
  // m1 makes a part every 1 s, m2 needs 4 s: m1 is blocked 3/4 of the time, the buffer full
  const auto m = run_once(R"({
    "duration": "2h", "warmup": "10min",
    "twins": {
      "src": {"kind": "source", "saturated": true},
      "m1": {"kind": "machine", "process": 1},
      "b": {"kind": "buffer", "capacity": 2},
      "m2": {"kind": "machine", "process": 4},
      "sink": {"kind": "sink"}
    },
    "flow": [["src", "m1"], ["m1", "b"], ["b", "m2"], ["m2", "sink"]]})");
  CHECK(get(m, "m1.blocked_frac") == Approx(0.75).epsilon(0.001));
  CHECK(get(m, "b.mean_level") == Approx(2.0).epsilon(0.01));
  CHECK(get(m, "m2.working_frac") == Approx(1.0));
  // WIP: one on m1, two in the buffer, one on m2
  CHECK(get(m, "wip") == Approx(4.0).epsilon(0.001));
  CHECK(label(m, "bottleneck") == "m2");
}

TEST_CASE("an assembly station takes its inputs in the given quantities", "[line][assembly]") {
  // bodies every 10 s, two screws each every 4 s: the assembly (5 s) makes one unit per 10 s
  const auto m = run_once(R"({
    "duration": "10h", "warmup": "1h",
    "twins": {
      "bodies": {"kind": "source", "saturated": true},
      "screws": {"kind": "source", "saturated": true},
      "mb": {"kind": "machine", "process": 10},
      "ms": {"kind": "machine", "process": 4},
      "bb": {"kind": "buffer", "capacity": 4},
      "bs": {"kind": "buffer", "capacity": 10},
      "asm": {"kind": "assembly", "process": 5, "inputs": {"bb": 1, "bs": 2}},
      "sink": {"kind": "sink"}
    },
    "flow": [["bodies", "mb"], ["screws", "ms"], ["mb", "bb"], ["ms", "bs"],
             ["bb", "asm"], ["bs", "asm"], ["asm", "sink"]]})");
  CHECK(get(m, "throughput_per_h") == Approx(360).epsilon(0.002));
  CHECK(get(m, "asm.working_frac") == Approx(0.5).epsilon(0.01));
  CHECK(get(m, "ms.blocked_frac") == Approx(0.2).epsilon(0.01));
}

TEST_CASE("setup time before every n-th part", "[line][setup]") {
  // 10 s parts, a 100 s setup every 10 parts: 10 parts per 200 s
  const auto m = run_once(R"({
    "duration": "20h", "warmup": "1h",
    "twins": {
      "src": {"kind": "source", "saturated": true},
      "m": {"kind": "machine", "process": 10, "setup": {"duration": 100, "every": 10}},
      "sink": {"kind": "sink"}
    },
    "flow": [["src", "m"], ["m", "sink"]]})");
  CHECK(get(m, "throughput_per_h") == Approx(180).epsilon(0.002));
  CHECK(get(m, "m.setup_frac") == Approx(0.5).epsilon(0.01));
  CHECK(get(m, "m.availability") == Approx(0.5).epsilon(0.01));
}

TEST_CASE("shift calendars: planned downtime freezes work and resumes it", "[line][calendar]") {
  // two 8 h shifts on weekdays; a part takes 1000 s, so parts straddle the shift ends
  const auto m = run_once(R"({
    "duration": "7d",
    "calendar": {"shifts": [["06:00", "14:00"], ["14:00", "22:00"]],
                 "days": ["mon", "tue", "wed", "thu", "fri"]},
    "twins": {
      "src": {"kind": "source", "saturated": true},
      "m": {"kind": "machine", "process": 1000},
      "sink": {"kind": "sink"}
    },
    "flow": [["src", "m"], ["m", "sink"]]})");
  // 5 days x 16 h = 288000 s of work: 288 parts, the last one finishing exactly at Friday 22:00
  CHECK(get(m, "m.parts") == 288);
  CHECK(get(m, "m.off_frac") == Approx(1 - 80.0 / 168));
  CHECK(get(m, "m.oee") == Approx(1.0));

  // overnight shift 22:00 -> 06:00
  const auto n = run_once(R"({
    "duration": "48h",
    "twins": {
      "src": {"kind": "source", "saturated": true},
      "m": {"kind": "machine", "process": 600, "calendar": {"shifts": [["22:00", "06:00"]]}},
      "sink": {"kind": "sink"}
    },
    "flow": [["src", "m"], ["m", "sink"]]})");
  // on 00-06, 22-30 (=22-06), 46-48: 6 + 8 + 2 = 16 h -> 96 parts
  CHECK(get(n, "m.parts") == 96);
}

TEST_CASE("a source with a full place drops or blocks its arrivals", "[line][source]") {
  // arrivals every 1 s, service 2 s, room for 1 waiting part
  const auto drop = run_once(R"({
    "duration": "10h", "warmup": "1h",
    "twins": {
      "in": {"kind": "source", "interarrival": 1, "capacity": 1, "when_full": "drop"},
      "m": {"kind": "machine", "process": 2},
      "sink": {"kind": "sink"}
    },
    "flow": [["in", "m"], ["m", "sink"]]})");
  CHECK(get(drop, "throughput_per_h") == Approx(1800).epsilon(0.001));
  CHECK(get(drop, "in.dropped") == Approx(9 * 1800).epsilon(0.002));
  const auto block = run_once(R"({
    "duration": "10h", "warmup": "1h",
    "twins": {
      "in": {"kind": "source", "interarrival": 1, "capacity": 1},
      "m": {"kind": "machine", "process": 2},
      "sink": {"kind": "sink"}
    },
    "flow": [["in", "m"], ["m", "sink"]]})");
  CHECK(get(block, "throughput_per_h") == Approx(1800).epsilon(0.001));
  CHECK(get(block, "wip") <= 3.0);
}

TEST_CASE("failures count operating time only and the part resumes after repair",
          "[line][failures]") {
  // blocked most of the time: m1 operates 1/4 of the time, so it sees a quarter of the
  // failures it would see working flat out
  const auto r = run_reps(compile_text(R"({
    "duration": "200h", "warmup": "1h",
    "twins": {
      "src": {"kind": "source", "saturated": true},
      "m1": {"kind": "machine", "process": 1, "failures": {"ttf": {"dist": "exponential", "mean": 100}, "ttr": 1}},
      "m2": {"kind": "machine", "process": 4},
      "sink": {"kind": "sink"}
    },
    "flow": [["src", "m1"], ["m1", "m2"], ["m2", "sink"]]})"),
                          5);
  const double operating_h = r.mean("m1.working_frac") * 199;
  const double rate = r.mean("m1.failures") / (operating_h * 3600);
  REQUIRE(rate == Approx(1.0 / 100).epsilon(0.05));
  REQUIRE(r.mean("throughput_per_h") == Approx(900).epsilon(0.001));
}

TEST_CASE("adding an unrelated twin does not change another twin's random numbers", "[line][rng]") {
  const std::string base = R"({
    "duration": "20h",
    "twins": {
      "src": {"kind": "source", "saturated": true},
      "m1": {"kind": "machine", "process": {"dist": "exponential", "mean": 3}, "mtbf": 500, "mttr": 20},
      "sink": {"kind": "sink"}
      EXTRA
    },
    "flow": [["src", "m1"], ["m1", "sink"] FLOW]})";
  std::string a = base, b = base;
  a.replace(a.find("EXTRA"), 5, "");
  a.replace(a.find("FLOW"), 4, "");
  b.replace(b.find("EXTRA"), 5, R"(, "src2": {"kind": "source", "saturated": true},
    "m9": {"kind": "machine", "process": {"dist": "exponential", "mean": 2}}, "sink2": {"kind": "sink"})");
  b.replace(b.find("FLOW"), 4, R"(, ["src2", "m9"], ["m9", "sink2"])");
  const auto ma = run_once(a), mb = run_once(b);
  REQUIRE(get(ma, "m1.parts") == get(mb, "m1.parts"));
  REQUIRE(get(ma, "m1.down_frac") == get(mb, "m1.down_frac"));
  REQUIRE(get(mb, "m9.parts") > 0);
}

TEST_CASE("a line world forked mid-run finishes exactly like the original", "[line][fork]") {
  const auto v = compile_text(R"({
    "duration": "100h",
    "twins": {
      "src": {"kind": "source", "interarrival": {"dist": "exponential", "mean": 1.3}},
      "m1": {"kind": "machine", "process": {"dist": "weibull", "shape": 2, "scale": 1}, "mtbf": 60, "mttr": 5},
      "c": {"kind": "conveyor", "transit": 20, "max_parts": 5},
      "m2": {"kind": "machine", "process": {"dist": "uniform", "min": 0.5, "max": 1.5},
             "calendar": {"period": "1h", "on": [["0min", "50min"]]}, "setup": {"duration": 30, "every": 25}},
      "sink": {"kind": "sink"}
    },
    "flow": [["src", "m1"], ["m1", "c"], ["c", "m2"], ["m2", "sink"]]})");
  dtwin::World original(v.models);
  original.start({3, 0});
  original.run_until(36000);
  dtwin::World fork = original.fork();
  const dtwin::Snapshot snap = original.snapshot();
  original.run_until(360000);
  fork.run_until(360000);
  REQUIRE(fork.same_state(original));
  REQUIRE(fork.collect().values.size() == original.collect().values.size());
  const auto a = original.collect(), b = fork.collect();
  for (std::size_t i = 0; i < a.values.size(); ++i) {
    INFO(a.values[i].key);
    REQUIRE((a.values[i].value == b.values[i].value ||
             (std::isnan(a.values[i].value) && std::isnan(b.values[i].value))));
  }
  // and restoring the snapshot replays the same future
  dtwin::World again(v.models);
  again.start({3, 0});
  again.restore(snap);
  again.run_until(360000);
  REQUIRE(again.same_state(original));
}
