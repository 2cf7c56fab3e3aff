// The what-if safety check: programs and speed overrides simulated before they are accepted.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>

#include "cell_helpers.hpp"
#include "engine/mirror/binding.hpp"
#include "engine/scenario/scenario.hpp"
#include "engine/sim/world.hpp"
#include "tests/support/run_helpers.hpp"
#include "twins/machine/kinematics.hpp"
#include "twins/machine/model.hpp"
#include "twins/machine/safety.hpp"

using namespace dtwin;
using namespace dtwin::machine;

namespace {

std::vector<Op> program_of(const CellSpec& spec, const std::string& text) {
  const JsonDoc doc = parse_json(text, "program.json");
  return parse_program(Node(doc), spec, false);
}

std::vector<Op> reckless(const CellSpec& spec) {
  const JsonDoc doc =
      load_json_file(std::string(DTWIN_SOURCE_DIR) + "/scenarios/cell/reckless_program.json");
  return parse_program(Node(doc), spec, false);
}

// distance from a point to an axis-aligned box (its centre and full size)
double point_box(const Vec3& p, const Vec3& c, const Vec3& size) {
  double d2 = 0;
  for (int i = 0; i < 3; ++i) {
    const double e = std::max(0.0, std::fabs(p[i] - c[i]) - size[i] / 2);
    d2 += e * e;
  }
  return std::sqrt(d2);
}

}  // namespace

TEST_CASE("the flagship program passes the check", "[cell][safety]") {
  const CellSpec spec = test::flagship();
  CheckOptions opt;
  opt.cycles = 3;
  const Verdict v = check_cell(spec, nullptr, std::nullopt, nullptr, opt);
  INFO(v.describe());
  CHECK(v.safe);
  CHECK(v.cycles == 3);
  // and at the fastest override its moves allow
  CHECK(check_cell(spec, nullptr, 1.0, nullptr, opt).safe);
}

TEST_CASE("a program that swings the arm through the pillar is rejected", "[cell][safety]") {
  const CellSpec spec = test::flagship();
  const std::vector<Op> prog = reckless(spec);
  const Verdict v = check_cell(spec, &prog, std::nullopt, nullptr);
  INFO(v.describe());
  REQUIRE_FALSE(v.safe);
  CHECK(v.kind == "collision");
  CHECK(v.body_b == "obstacle:pillar");
  CHECK((v.body_a == "link:j2" || v.body_a == "link:j3" || v.body_a.rfind("part:", 0) == 0));
  CHECK(v.step_index == 5);  // the swing from the belt to the nest
  CHECK(v.waypoint == "place_above");

  // independently of Bullet: replay the program to the rejection time; a link's axis then
  // passes within its radius of the pillar's box
  CellSpec s2 = spec;
  s2.program = prog;
  CellState s = initial_state(s2, 0, 0);
  while (cell_time(s2, s) < v.time_s - 1e-9) step_cell(s2, s);
  CHECK(s.pc == 5);
  std::vector<Pose> frames;
  forward(spec.robot, s.q, frames);
  const BodySpec& pillar = spec.bodies[1];
  REQUIRE(pillar.id == "pillar");
  double worst = 1e9;
  for (std::size_t k = 1; k < spec.robot.joints.size(); ++k) {
    const JointSpec& j = spec.robot.joints[k];
    for (int i = 0; i <= 100; ++i) {
      const Vec3 p = frames[k].apply(j.direction * (j.length * i / 100.0));
      worst = std::min(worst, point_box(p, pillar.pose.p, pillar.geom.size) - j.radius);
    }
  }
  CHECK(worst < -spec.contact_tolerance + 1e-3);  // penetrating (sampled axis: within 1 mm)
  // the first step deeper than the tolerance
  CHECK(s.collision_steps == 1);
}

TEST_CASE("a speed override beyond the joints' limits is rejected", "[cell][safety]") {
  const CellSpec spec = test::flagship();
  const Verdict v = check_cell(spec, nullptr, 1.5, nullptr);
  REQUIRE_FALSE(v.safe);
  CHECK(v.kind == "joint_limit");
  CHECK(v.body_a == "link:j1");
  CHECK(v.step_index == 0);
  CHECK_THAT(v.reason, Catch::Contains("acceleration") && Catch::Contains("720 deg/s^2"));
}

TEST_CASE("a target beyond a joint limit is rejected when the move would cross it",
          "[cell][safety]") {
  const CellSpec spec = test::flagship();
  const auto prog = program_of(spec, R"({"steps": [
    {"move": {"joints": [0, 90, 0]}},
    {"move": {"joints": [0, 90, 0.2]}, "name": "too_deep"}]})");
  const Verdict v = check_cell(spec, &prog, std::nullopt, nullptr);
  REQUIRE_FALSE(v.safe);
  CHECK(v.kind == "joint_limit");
  CHECK(v.waypoint == "too_deep");
  CHECK(v.body_a == "link:j3");
  CHECK_THAT(v.reason, Catch::Contains("beyond its limit 0.15 m"));
  // crossing time: the profile from 0 to 0.2 m reaches 0.15 m at s = 0.75
  std::vector<double> q0{0, 90 * kDeg, 0}, q1{0, 90 * kDeg, 0.2};
  const Profile p = plan_profile(spec.robot.joints, q0, q1, spec.speed_override);
  double lo = 0, hi = p.T;
  for (int i = 0; i < 100; ++i) ((p.s(0.5 * (lo + hi)) < 0.75) ? lo : hi) = 0.5 * (lo + hi);
  // the first move (from home, already there) takes no time
  CHECK(v.time_s == Approx(hi).margin(1e-9));
}

TEST_CASE("a pick with no part there is rejected", "[cell][safety]") {
  const CellSpec spec = test::flagship();
  const auto prog = program_of(spec, R"({"waypoints": {"nest": {"above": "nest", "height": 0.06}},
    "steps": [{"move": {"joints": [-10, 125, 0]}}, {"move": "nest"}, {"pick": "nest"}]})");
  const Verdict v = check_cell(spec, &prog, std::nullopt, nullptr);
  INFO(v.describe());
  REQUIRE_FALSE(v.safe);
  CHECK(v.kind == "missed_pick");
  CHECK(v.step_index == 2);
}

TEST_CASE("a program that never completes a cycle is not accepted", "[cell][safety]") {
  CellSpec spec = test::flagship();
  spec.conveyors[0].feeds = false;  // no parts: wait_part waits for ever
  CheckOptions opt;
  opt.max_time_s = 30;
  const Verdict v = check_cell(spec, nullptr, std::nullopt, nullptr, opt);
  CHECK_FALSE(v.safe);
  CHECK(v.kind == "incomplete");
  CHECK_THAT(v.reason, Catch::Contains("waiting_part"));
}

TEST_CASE("a speed override setpoint is checked before it is applied", "[cell][safety]") {
  const CompiledVariant cv = test::compile_text([] {
    std::ifstream in(test::flagship_path());
    return std::string(std::istreambuf_iterator<char>(in), {});
  }());
  World w(cv.models);
  w.start({1, 0});
  w.run_until(20);
  const Binding b = Binding::of(w);
  REQUIRE(b.twins.size() == 1);
  std::size_t prop = 0;
  while (b.twins[0].properties[prop].name != "speed_override") ++prop;
  CHECK(b.twins[0].properties[prop].writable);
  std::string why;
  CHECK_FALSE(b.apply_setpoint(w, 0, prop, Value{1.5, ""}, &why));
  CHECK_THAT(why, Catch::Contains("joint_limit"));
  Value v;
  REQUIRE(b.read(w, 0, prop, v));
  CHECK(v.num == 0.8);
  CHECK(b.apply_setpoint(w, 0, prop, Value{1.0, ""}, &why));
  REQUIRE(b.read(w, 0, prop, v));
  CHECK(v.num == 1.0);
  // the world goes on at the new speed
  const auto before = w.state<CellState>(0).cycles_total;
  w.run_until(80);
  CHECK(w.state<CellState>(0).cycles_total - before >= 8);  // 60 s at about 6.5 s a cycle
}

TEST_CASE("a gantry that traverses without raising its ram hits the wall", "[cell][safety]") {
  const JsonDoc doc = load_json_file(std::string(DTWIN_SOURCE_DIR) + "/scenarios/cell/gantry.json");
  const CellSpec spec = parse_cell(Node(doc).at("twins").at("gantry"), "gantry");
  CheckOptions opt;
  opt.cycles = 3;
  CHECK(check_cell(spec, nullptr, std::nullopt, nullptr, opt).safe);
  const auto low = program_of(spec, R"({"waypoints": {
      "up_belt": {"above": "belt", "height": 0.3},
      "pick_at": {"above": "belt", "height": 0.052},
      "lift": {"above": "belt", "height": 0.1},
      "across": {"above": "fixture", "height": 0.2}},
    "steps": [{"move": "up_belt"}, {"wait_part": "belt"}, {"move": "pick_at"}, {"pick": "belt"},
              {"move": "lift"}, {"move": "across", "name": "straight_across"},
              {"place": "fixture"}]})");
  const Verdict v = check_cell(spec, &low, std::nullopt, nullptr);
  INFO(v.describe());
  REQUIRE_FALSE(v.safe);
  CHECK(v.kind == "collision");
  CHECK(v.waypoint == "straight_across");
  CHECK(v.body_b == "obstacle:wall");
  CHECK(v.step_index == 5);
}
