// Energy of a work cell from its physics load: joint torques by inverse dynamics, the power they
// draw, and a line station that takes its energy per part from the cell. References: statics
// (a held arm), conservation of energy (a lift), the closed-form dynamics of a two-link planar
// arm (Spong, Hutchinson & Vidyasagar, "Robot Modeling and Control", 2006, sec. 7.4), and the
// kinetic energy of a rotating rod.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <fstream>
#include <iterator>

#include "cell_helpers.hpp"
#include "engine/scenario/scenario.hpp"
#include "engine/sim/world.hpp"
#include "tests/support/run_helpers.hpp"
#include "twins/machine/dynamics.hpp"
#include "twins/machine/model.hpp"
#include "twins/machine/safety.hpp"

using namespace dtwin;
using namespace dtwin::machine;

namespace {

constexpr double g = 9.81;

// A one-link arm turning about -y at height 1 m (q up from horizontal), a 1.5 kg ball at its tip
// (picked at once), then `steps`.
std::string one_link(const std::string& power, const std::string& steps) {
  return R"({"twins": {"arm": {"kind": "cell", "step": "1ms", "ground": false, "power": )" + power +
         R"(, "robot": {"base": {"position": [0, 0, 1]},
      "joints": [{"name": "j1", "axis": "-y",
                  "limits": {"min_deg": -100, "max_deg": 100, "speed_deg_s": 90,
                             "accel_deg_s2": 360},
                  "link": {"length": 0.5, "direction": "x", "radius": 0.02, "mass": 2}}],
      "tool": {"grip_distance": 0.01, "payload_kg": 5}},
    "bodies": {"table": {"role": "fixture", "shape": "box", "size": [0.1, 0.1, 0.1],
                         "position": [-0.5, 0, 0.05]}},
    "parts": [{"shape": "sphere", "radius": 0.02, "mass": 1.5, "position": [0.5, 0, 1]}],
    "program": {"waypoints": {"up": {"joints": [90]}}, "steps": )" +
         steps + "}}}}";
}

void run_until(const CellSpec& spec, CellState& s, double t) {
  while (cell_time(spec, s) < t - 1e-12) step_cell(spec, s);
}

}  // namespace

TEST_CASE("a one-link arm held horizontal with a payload: torque m g L + link g L/2",
          "[cell][energy]") {
  const CellSpec spec = test::cell_from_text(
      one_link(R"({"idle_kw": 0, "working_kw": 0.1, "down_kw": 0, "copper_w_per_nm2": 0.002})",
               R"([{"pick": "table"}, {"wait": "10s"}])"),
      "arm");
  CellState s = initial_state(spec, 1, 0);
  run_until(spec, s, 0.5);
  REQUIRE(s.carried >= 0);
  REQUIRE(s.status == CellStatus::Waiting);
  const double L = 0.5, m = 1.5, ml = 2;
  const double tau = m * g * L + ml * g * L / 2;  // 12.2625 N m
  std::vector<double> t;
  joint_torques(spec.robot, spec.gravity, s.q, {0.0}, {0.0}, PointLoad{m, {}}, t);
  CHECK(t[0] == Approx(tau).epsilon(1e-12));  // positive about -y: holds the arm up
  // power = working base + k tau^2 (no motion: no mechanical power)
  CHECK(s.power_w == Approx(100 + 0.002 * tau * tau).epsilon(1e-12));
  CHECK(s.mech_w == 0);
  // without the payload, only the link's own weight
  joint_torques(spec.robot, spec.gravity, s.q, {0.0}, {0.0}, PointLoad{}, t);
  CHECK(t[0] == Approx(ml * g * L / 2).epsilon(1e-12));
}

TEST_CASE("lifting a payload through a vertical quarter circle takes m g dh", "[cell][energy]") {
  const double L = 0.5, m = 1.5, ml = 2, r = 0.02;
  const double dE = g * (m * L + ml * L / 2);  // the ball rises L, the link's centre L/2
  const std::string steps = R"([{"pick": "table"}, {"move": "up"}, {"wait": "10s"}])";
  // regenerative drives, no base power, no copper losses: the energy drawn is the work done
  const CellSpec regen = test::cell_from_text(
      one_link(R"({"idle_kw": 0, "working_kw": 0, "down_kw": 0, "copper_w_per_nm2": 0,
                   "regenerative": true})",
               steps),
      "arm");
  CellState s = initial_state(regen, 1, 0);
  run_until(regen, s, 3);  // the move takes 0.25 + 1 s
  REQUIRE(s.q[0] == Approx(M_PI / 2).epsilon(1e-12));
  // first-order sums of the fixed step: within dt / move time = 0.1 %
  CHECK(s.energy_j == Approx(dE).epsilon(1e-3));
  CHECK(s.mech_j == Approx(dE).epsilon(1e-3));

  // not regenerative: the braking at the top is dissipated, so the energy drawn exceeds the
  // work by at most the kinetic energy at the peak speed (90 deg/s)
  const CellSpec dissip = test::cell_from_text(
      one_link(R"({"idle_kw": 0, "working_kw": 0, "down_kw": 0, "copper_w_per_nm2": 0})", steps),
      "arm");
  CellState d = initial_state(dissip, 1, 0);
  run_until(dissip, d, 3);
  const double I = ml * (3 * r * r + L * L) / 12 + ml * L * L / 4 + m * L * L;
  const double w = M_PI / 2;
  CHECK(d.mech_j == Approx(dE).epsilon(1e-3));
  CHECK(d.energy_j >= dE * (1 - 1e-3));
  CHECK(d.energy_j <= dE + 0.5 * I * w * w * 1.01);
}

TEST_CASE("Newton-Euler torques match the closed form of a two-link planar arm", "[cell][energy]") {
  // two rods in the vertical x-z plane, both turning about -y (angles up from horizontal)
  const std::string text = R"({"twins": {"arm": {"kind": "cell", "ground": false,
    "robot": {"base": {"position": [0, 0, 1]},
      "joints": [{"name": "a", "axis": "-y",
                  "limits": {"min_deg": -180, "max_deg": 180, "speed_deg_s": 90,
                             "accel_deg_s2": 360},
                  "link": {"length": 0.7, "direction": "x", "radius": 0.04, "mass": 3}},
                 {"name": "b", "axis": "-y",
                  "limits": {"min_deg": -180, "max_deg": 180, "speed_deg_s": 90,
                             "accel_deg_s2": 360},
                  "link": {"length": 0.5, "direction": "x", "radius": 0.03, "mass": 2}}]}}}})";
  const CellSpec spec = test::cell_from_text(text, "arm");
  const double L1 = 0.7, m1 = 3, r1 = 0.04, m2 = 2, L2 = 0.5, r2 = 0.03;
  const double lc1 = L1 / 2, lc2 = L2 / 2;
  const double I1 = m1 * (3 * r1 * r1 + L1 * L1) / 12, I2 = m2 * (3 * r2 * r2 + L2 * L2) / 12;
  for (const auto& c : std::vector<std::array<double, 6>>{{0.3, -0.8, 1.1, -0.4, 2.0, -3.0},
                                                          {-1.2, 2.1, -0.7, 1.9, -0.5, 0.8},
                                                          {0, 0, 0, 0, 0, 0}}) {
    const double q1 = c[0], q2 = c[1], d1 = c[2], d2 = c[3], a1 = c[4], a2 = c[5];
    const double c2 = std::cos(q2), s2 = std::sin(q2);
    const double M11 = I1 + I2 + m1 * lc1 * lc1 + m2 * (L1 * L1 + lc2 * lc2 + 2 * L1 * lc2 * c2);
    const double M12 = I2 + m2 * (lc2 * lc2 + L1 * lc2 * c2);
    const double M22 = I2 + m2 * lc2 * lc2;
    const double h = m2 * L1 * lc2 * s2;
    const double g1 = (m1 * lc1 + m2 * L1) * g * std::cos(q1) + m2 * lc2 * g * std::cos(q1 + q2);
    const double g2 = m2 * lc2 * g * std::cos(q1 + q2);
    const double t1 = M11 * a1 + M12 * a2 - h * (2 * d1 * d2 + d2 * d2) + g1;
    const double t2 = M12 * a1 + M22 * a2 + h * d1 * d1 + g2;
    std::vector<double> tau;
    joint_torques(spec.robot, spec.gravity, {q1, q2}, {d1, d2}, {a1, a2}, PointLoad{}, tau);
    CHECK(tau[0] == Approx(t1).margin(1e-10));
    CHECK(tau[1] == Approx(t2).margin(1e-10));
  }
}

TEST_CASE("a faster arm draws more power over a shorter cycle, as the energy model says",
          "[cell][energy]") {
  // one rod turning about the vertical (no work against gravity) between 0 and 90 degrees
  const double L = 0.6, r = 0.03, m = 4, vmax = M_PI / 2, amax = M_PI, d = M_PI / 2;
  const double Pw = 300, k = 0.05;
  const std::string text = R"({"twins": {"arm": {"kind": "cell", "step": "1ms", "ground": false,
    "power": {"idle_kw": 0.2, "working_kw": 0.3, "down_kw": 0.05, "copper_w_per_nm2": 0.05},
    "robot": {"base": {"position": [0, 0, 1]},
      "joints": [{"name": "j1", "axis": "z",
                  "limits": {"min_deg": -100, "max_deg": 100, "speed_deg_s": 90,
                             "accel_deg_s2": 180},
                  "link": {"length": 0.6, "direction": "x", "radius": 0.03, "mass": 4}}]},
    "program": {"waypoints": {"a": {"joints": [0]}, "b": {"joints": [90]}},
                "steps": [{"move": "a"}, {"move": "b"}]}}}})";
  const CellSpec base = test::cell_from_text(text, "arm");
  const double I = m * (3 * r * r + L * L) / 12 + m * L * L / 4;
  double last_power = 0, last_cycle = 1e300;
  for (double f : {0.5, 0.75, 1.0}) {
    CellSpec spec = base;
    spec.speed_override = f;
    const auto cm = measure_cycle(spec, 1, 3, 600, nullptr);
    REQUIRE(cm);
    // model: two moves a cycle, each a trapezoid at speed f vmax and acceleration f^2 amax
    const double v = f * vmax, a = f * f * amax, ta = v / a;
    const double T = 2 * (ta + d / v);
    const double kinetic = I * v * v;  // 1/2 I v^2 gained per move; braking lost
    const double copper = k * (I * a) * (I * a) * 4 * ta;  // |tau| = I a for 4 ta a cycle
    CHECK(cm->cycle_s == Approx(T).margin(2 * spec.dt));
    const double dynamic = cm->energy_per_cycle_j - Pw * cm->cycle_s;
    // the finite-difference accelerations add (dt / ta) of the kinetic part: 0.2 % here
    CHECK(dynamic == Approx(kinetic + copper).epsilon(5e-3));
    const double mean_kw = cm->energy_per_cycle_j / cm->cycle_s / 1000;
    CHECK(mean_kw > last_power);
    CHECK(cm->cycle_s < last_cycle);
    last_power = mean_kw;
    last_cycle = cm->cycle_s;
  }
}

TEST_CASE("the cell's energy KPIs, series and mirror property agree", "[cell][energy]") {
  JsonDoc doc = load_json_file(test::flagship_path());
  nlohmann::json j = doc.value;
  j.erase("variants");
  const CompiledVariant cv = test::compile_text(j.dump());
  const auto& model = static_cast<const CellModel&>(*cv.models.at(0));
  const CellSpec& spec = model.spec();
  World w(cv.models);
  w.start({1, 0});
  w.run_until(60);
  const CellState& s = w.state<CellState>(0);
  // the same run stepped by hand, its power summed step by step
  CellState x = initial_state(spec, 1, 0);
  double sum_j = 0;
  while (x.step < s.step) {
    step_cell(spec, x);
    sum_j += x.power_w * spec.dt;
  }
  REQUIRE(x.cycles > 0);
  const Metrics mtr = w.collect();
  CHECK(mtr.find("cell1.energy_kwh")->value == Approx(sum_j / 3.6e6).epsilon(1e-12));
  CHECK(mtr.find("cell1.mean_power_kw")->value == Approx(sum_j / w.now() / 1000).epsilon(1e-12));
  CHECK(mtr.find("cell1.energy_per_cycle_wh")->value ==
        Approx(sum_j / 3600 / static_cast<double>(x.cycles)).epsilon(1e-12));
  Value v;
  std::vector<TwinSpec> props;
  model.properties(props);
  std::size_t pi = 0;
  while (props[0].properties[pi].name != "power") ++pi;
  REQUIRE(model.read_property(w, 0, 0, pi, v));
  CHECK(v.num == Approx(x.power_w / 1000).epsilon(1e-12));
  // the default base powers (idle 0.2 kW, working 0.3 kW) bound the mean power from below
  CHECK(mtr.find("cell1.mean_power_kw")->value > 0.2);
}

TEST_CASE("a bad power member names its pointer", "[cell][energy][errors]") {
  const std::string text =
      one_link(R"({"idle_kw": 0, "working_kw": 0.1, "copper_w_per_nm2": [0.1, 0.2]})",
               R"([{"pick": "table"}])");
  try {
    test::cell_from_text(text, "arm");
    FAIL("no error");
  } catch (const ScenarioError& e) {
    CHECK(e.pointer() == "/twins/arm/power/copper_w_per_nm2");
    CHECK_THAT(e.message(), Catch::Contains("one per joint (1)"));
  }
  try {
    test::cell_from_text(one_link(R"({"idle_kw": -1})", R"([{"pick": "table"}])"), "arm");
    FAIL("no error");
  } catch (const ScenarioError& e) {
    CHECK(e.pointer() == "/twins/arm/power/idle_kw");
  }
}
