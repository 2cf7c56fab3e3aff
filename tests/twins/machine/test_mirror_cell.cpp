// Mirror mode: the machine's reported joint positions drive the links; the twin derives what the
// machine does not report (tool pose, velocities, contacts, the part in the gripper).
#include <catch2/catch.hpp>

#include <cmath>

#include "cell_helpers.hpp"
#include "engine/mirror/binding.hpp"
#include "engine/scenario/scenario.hpp"
#include "engine/sim/world.hpp"
#include "tests/support/run_helpers.hpp"
#include "twins/machine/kinematics.hpp"
#include "twins/machine/model.hpp"

using namespace dtwin;
using namespace dtwin::machine;

namespace {

// the flagship cell in mirror mode, one part fed at t = 0
CompiledVariant mirror_cell() {
  JsonDoc doc = load_json_file(test::flagship_path());
  nlohmann::json j = doc.value;
  auto& c = j["twins"]["cell1"];
  c.erase("program");
  c["mode"] = "mirror";
  c["conveyors"]["belt"]["feed"] = {{"interval", "1h"}};
  j.erase("variants");
  return test::compile_text(j.dump());
}

double prop(const World& w, const Binding& b, const std::string& name) {
  for (std::size_t p = 0; p < b.twins[0].properties.size(); ++p)
    if (b.twins[0].properties[p].name == name) {
      Value v;
      REQUIRE(b.read(w, 0, p, v));
      return v.num;
    }
  FAIL("no property " << name);
  return 0;
}

}  // namespace

TEST_CASE("reported joint positions drive the twin, which derives the rest", "[cell][mirror]") {
  const CompiledVariant cv = mirror_cell();
  const auto& model = static_cast<const CellModel&>(*cv.models.at(0));
  const CellSpec& spec = model.spec();
  World w(cv.models);
  w.start({1, 0});
  const Binding b = Binding::of(w);
  w.run_until(4.0);  // the part reaches the end of the belt (3 s)
  REQUIRE(part_at_end(spec, w.state<CellState>(0), 0) >= 0);

  // the machine moves from home to just above the waiting part, reporting at 10 Hz
  const Vec3 part = w.state<CellState>(0).parts[0].pose.p;
  const IkResult ik =
      inverse_position(spec.robot, part + Vec3{0, 0, 0.027}, w.state<CellState>(0).q);
  REQUIRE(ik.ok);
  const std::vector<double> q0 = w.state<CellState>(0).q, q1 = ik.q;
  auto deg = [&](const std::vector<double>& q) {
    std::vector<double> out(q.size());
    for (std::size_t k = 0; k < q.size(); ++k)
      out[k] = q[k] * (spec.robot.joints[k].type == JointType::Revolute ? 180 / M_PI : 1.0);
    return out;
  };
  auto at = [&](double u) {
    std::vector<double> q(q0.size());
    for (std::size_t k = 0; k < q.size(); ++k) q[k] = q0[k] + (q1[k] - q0[k]) * u;
    return q;
  };
  const double T = 2.0;
  for (int i = 0; i <= 20; ++i) {
    const double t = 4.0 + 0.1 * i;
    w.run_until(t);
    model.report(w, 0, deg(at(i * 0.1 / T)), -1);
    // the tool pose is the forward kinematics of the reported joints
    const Pose tool = tool_pose(spec.robot, at(i * 0.1 / T));
    CHECK(prop(w, b, "tool_x") == Approx(tool.p.x).margin(1e-12));
    CHECK(prop(w, b, "tool_y") == Approx(tool.p.y).margin(1e-12));
    CHECK(prop(w, b, "tool_z") == Approx(tool.p.z).margin(1e-12));
    if (i >= 1 && i < 20) {
      // between reports the links go on at the rate derived from the last two reports
      w.run_until(t + 0.048);
      const CellState& s = w.state<CellState>(0);
      for (std::size_t k = 0; k < s.q.size(); ++k) {
        const double rate = (q1[k] - q0[k]) / T;
        CHECK(s.qd[k] == Approx(rate).margin(1e-9));
        CHECK(s.q[k] == Approx(at((t + 0.048 - 4.0) / T)[k]).margin(1e-9));
      }
      CHECK(s.status == CellStatus::Mirroring);
    }
  }
  // the machine closes its gripper over the part: the twin now carries it
  model.report(w, 0, deg(q1), 1);
  CHECK(prop(w, b, "carrying") == 1);
  CHECK(prop(w, b, "gripper") == 1);
  // it lifts: the part goes up with the tool
  std::vector<double> up = q1;
  up[2] = 0;
  w.run_until(6.5);
  model.report(w, 0, deg(up), 1);
  w.run_until(6.6);
  model.report(w, 0, deg(up), 1);
  w.run_until(6.7);
  const CellState& s = w.state<CellState>(0);
  REQUIRE(s.carried >= 0);
  CHECK(s.parts[0].where == PartWhere::Carried);
  CHECK(s.parts[0].pose.p.z == Approx(part.z + q1[2]).margin(1e-9));
  CHECK(s.contacts.empty());

  // a reported pose with the forearm in the pillar: the twin sees the collision
  const IkResult bad = inverse_position(spec.robot, {0.5, 0.05, 0.21}, up);
  REQUIRE(bad.ok);
  model.report(w, 0, deg(bad.q), 1);
  w.run_until(6.8);
  model.report(w, 0, deg(bad.q), 1);
  w.run_until(6.9);
  bool hit = false;
  for (const auto& c : w.state<CellState>(0).contacts)
    if (c.unsafe && c.b == "obstacle:pillar") hit = true;
  CHECK(hit);

  // over the nest the machine opens its gripper: the part is placed, then taken away
  std::size_t ni = 0;
  while (ni < spec.bodies.size() && spec.bodies[ni].id != "nest") ++ni;
  REQUIRE(ni < spec.bodies.size());
  const BodySpec& nest = spec.bodies[ni];
  const IkResult over =
      inverse_position(spec.robot, nest.pose.p + Vec3{0, 0, nest.geom.size.z / 2 + 0.057}, up);
  REQUIRE(over.ok);
  model.report(w, 0, deg(over.q), 1);
  w.run_until(7.0);
  model.report(w, 0, deg(over.q), 0);
  CHECK(prop(w, b, "carrying") == 0);
  CHECK(w.state<CellState>(0).parts[0].where == PartWhere::Placed);
  w.run_until(8.0);  // it drops 7 mm, rests, and the nest takes it away after 0.5 s
  CHECK(w.state<CellState>(0).delivered_total == 1);
  CHECK(w.state<CellState>(0).parts.empty());
}

TEST_CASE("a mirror cell has no program", "[cell][mirror][errors]") {
  JsonDoc doc = load_json_file(test::flagship_path());
  nlohmann::json j = doc.value;
  j["twins"]["cell1"]["mode"] = "mirror";
  j.erase("variants");
  try {
    test::compile_text(j.dump());
    FAIL("no error");
  } catch (const ScenarioError& e) {
    CHECK(e.pointer() == "/twins/cell1/program");
  }
}

TEST_CASE("reports taken one property at a time: joints left out of a report have not moved",
          "[cell][mirror][live]") {
  // the live engine passes a report's values to assimilate() one by one (a controller that
  // reports changes only leaves the joints that did not move out)
  const CompiledVariant cv = mirror_cell();
  const auto& model = static_cast<const CellModel&>(*cv.models.at(0));
  const CellSpec& spec = model.spec();
  World w(cv.models);
  w.start({1, 0});
  const Binding b = Binding::of(w);
  auto index = [&](const std::string& name) {
    for (std::size_t p = 0; p < b.twins[0].properties.size(); ++p)
      if (b.twins[0].properties[p].name == name) return p;
    FAIL("no property " << name);
    return std::size_t{0};
  };
  auto take = [&](const std::string& name, double v) {
    std::string why;
    const bool ok = model.assimilate(w, 0, 0, index(name), Value{v, ""}, &why);
    INFO(name << ": " << why);
    return ok;
  };
  const double j1 = spec.robot.joints[0].home * 180 / M_PI;
  const double j2 = spec.robot.joints[1].home * 180 / M_PI;
  auto j1_at = [&](double deg) { return deg / (180 / M_PI); };
  w.run_until(1.0);
  REQUIRE(take("j1", j1));
  REQUIRE(take("j2", j2));
  w.run_until(1.1);
  REQUIRE(take("j1", j1 + 2));  // j1 moved 2 deg in 0.1 s; j2 not reported: still
  REQUIRE(take("j2", j2));      // (and the same j2 again in the same report changes nothing)
  const CellState& s = w.state<CellState>(0);
  CHECK(s.reported_qd[0] == Approx(20 * M_PI / 180).epsilon(1e-12));
  CHECK(s.reported_qd[1] == 0);
  w.run_until(1.2);
  REQUIRE(take("j1", j1 + 4));  // j2 left out this time
  w.run_until(1.248);
  CHECK(s.q[0] == Approx((j1 + 4 + 20 * 0.048) * M_PI / 180).margin(1e-9));  // extrapolated
  CHECK(s.q[1] == Approx(j2 * M_PI / 180).margin(1e-12));                    // has not moved
  CHECK(s.qd[1] == 0);
  // j1 stops (left out of the next report): it stands where it was last reported, not where
  // its old rate would have taken it by now
  w.run_until(1.3);
  REQUIRE(take("j2", j2 + 1));
  CHECK(s.q[0] == j1_at(j1 + 4));
  CHECK(s.reported_qd[0] == 0);
  // the tool is the forward kinematics of the joints
  const Pose tool = tool_pose(spec.robot, s.q);
  CHECK(prop(w, b, "tool_x") == Approx(tool.p.x).margin(1e-12));
  // derived properties and counters are not taken from the machine; the override is
  CHECK_FALSE(take("tool_x", 0.3));
  CHECK_FALSE(take("carrying", 1));
  CHECK_FALSE(take("cycles", 7));
  CHECK(take("speed_override", 0.5));
  CHECK(s.override_ == 0.5);
  // derived properties are marked so; what a controller reports is not
  for (const auto& p : b.twins[0].properties) {
    INFO(p.name);
    const bool derived = p.name == "carrying" || p.name == "tool_x" || p.name == "tool_y" ||
                         p.name == "tool_z" || p.name == "power" || p.name == "contacts";
    CHECK(p.derived == derived);
  }
  // a cell in this mode is one the live engine keeps in a world of its own
  CHECK(model.live_world());
}
