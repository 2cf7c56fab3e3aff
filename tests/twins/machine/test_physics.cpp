// Analytic checks of the cell's physics: free fall, a part carried by a belt, forward and inverse
// kinematics, trapezoidal moves.
#include <catch2/catch.hpp>

#include <cmath>

#include "cell_helpers.hpp"
#include "twins/machine/kinematics.hpp"
#include "twins/machine/trajectory.hpp"

using namespace dtwin;
using namespace dtwin::machine;

namespace {
std::string free_fall_cell(const std::string& step) {
  return R"({"twins": {"c": {"kind": "cell", "step": ")" + step +
         R"(", "ground": false,
    "parts": [{"shape": "box", "size": [0.1, 0.1, 0.1], "mass": 1, "position": [0, 0, 100]}]}}})";
}
}  // namespace

// Bullet integrates semi-implicit (symplectic) Euler: v_{n+1} = v_n - g dt, then
// z_{n+1} = z_n + v_{n+1} dt. From rest at h: z_n = h - g dt^2 n(n+1)/2, i.e.
// z(t_n) = h - g t_n^2 / 2 - g t_n dt / 2: the position lags the exact parabola by g t dt / 2
// (first order in dt), the velocity is exact at every step.
TEST_CASE("free fall follows h - g t^2/2 up to semi-implicit Euler's g t dt/2", "[physics]") {
  for (const char* step : {"1ms", "4ms"}) {
    const CellSpec spec = test::cell_from_text(free_fall_cell(step), "c");
    CellState s = initial_state(spec, 1, 0);
    const double g = 9.81, h = 100, dt = spec.dt;
    const int n = static_cast<int>(std::lround(2.0 / dt));  // 2 s
    for (int i = 0; i < n; ++i) step_cell(spec, s);
    const double t = cell_time(spec, s);
    REQUIRE(t == Approx(2.0).epsilon(1e-12));
    const double z = s.parts[0].pose.p.z, v = s.parts[0].v.z;
    const double nn = static_cast<double>(n);
    CHECK(z == Approx(h - g * dt * dt * nn * (nn + 1) / 2).epsilon(1e-12));
    CHECK(v == Approx(-g * t).epsilon(1e-12));
    const double exact = h - g * t * t / 2;
    CHECK(std::fabs(z - exact) == Approx(g * t * dt / 2).epsilon(1e-9));
    CHECK(s.parts[0].pose.p.x == 0);  // no drift sideways
  }
}

TEST_CASE("a part on a belt arrives after (length - part length) / speed", "[physics]") {
  const std::string text = R"({"twins": {"c": {"kind": "cell", "step": "1ms",
    "conveyors": {"belt": {"start": [0, 0, 0.3], "length": 1.05, "width": 0.2,
                           "speed_m_s": 0.2, "feed": {"interval": "1h"},
                           "part": {"size": [0.05, 0.05, 0.05]}}}}}})";
  const CellSpec spec = test::cell_from_text(text, "c");
  CellState s = initial_state(spec, 1, 0);
  const double expected = (1.05 - 0.05) / 0.2;  // the part's front travels 1 m: 5 s
  double arrived = -1;
  while (cell_time(spec, s) < 8 && arrived < 0) {
    step_cell(spec, s);
    const double t = cell_time(spec, s);
    if (std::fabs(t - 2.5) < 1e-9) {  // half way: centre at 0.025 + 0.2 t
      REQUIRE(s.parts.size() == 1);
      CHECK(s.parts[0].pose.p.x == Approx(0.025 + 0.2 * 2.5).margin(1e-3));
      CHECK(s.parts[0].pose.p.z == Approx(0.325).margin(1e-3));
    }
    if (part_at_end(spec, s, 0) >= 0) arrived = t;
  }
  // within one step (and the 0.5 mm arrival tolerance: 2.5 ms at 0.2 m/s)
  CHECK(arrived == Approx(expected).margin(spec.dt + 0.0025));
  // it stays at the end
  for (int i = 0; i < 1000; ++i) step_cell(spec, s);
  CHECK(s.parts[0].pose.p.x == Approx(1.05 - 0.025).margin(1e-6));
  CHECK(s.parts[0].v.x == 0);
}

TEST_CASE("forward kinematics of a two-link planar arm is the closed form", "[physics]") {
  const std::string text = R"({"twins": {"arm": {"kind": "cell",
    "robot": {"base": {"position": [0.1, -0.2, 0.5]}, "joints": [
      {"name": "a", "axis": "z", "limits": {"min_deg": -180, "max_deg": 180, "speed_deg_s": 90,
       "accel_deg_s2": 360}, "link": {"length": 0.7}},
      {"name": "b", "axis": "z", "limits": {"min_deg": -180, "max_deg": 180, "speed_deg_s": 90,
       "accel_deg_s2": 360}, "link": {"length": 0.45}}]}}}})";
  const CellSpec spec = test::cell_from_text(text, "arm");
  const double l1 = 0.7, l2 = 0.45;
  for (double a = -3.0; a <= 3.0; a += 0.37)
    for (double b = -3.0; b <= 3.0; b += 0.41) {
      const Pose t = tool_pose(spec.robot, {a, b});
      CHECK(t.p.x == Approx(0.1 + l1 * std::cos(a) + l2 * std::cos(a + b)).margin(1e-12));
      CHECK(t.p.y == Approx(-0.2 + l1 * std::sin(a) + l2 * std::sin(a + b)).margin(1e-12));
      CHECK(t.p.z == Approx(0.5).margin(1e-12));
    }
}

TEST_CASE("forward kinematics of a gantry adds its axes", "[physics]") {
  const std::string text = R"({"twins": {"g": {"kind": "cell",
    "robot": {"base": {"position": [1, 2, 3]}, "joints": [
      {"name": "x", "type": "prismatic", "axis": "x", "limits": {"min_m": 0, "max_m": 2,
       "speed_m_s": 1, "accel_m_s2": 2}, "link": {"length": 0.1, "direction": "y"}},
      {"name": "y", "type": "prismatic", "axis": "y", "origin": [0, -0.1, 0],
       "limits": {"min_m": 0, "max_m": 1, "speed_m_s": 1, "accel_m_s2": 2},
       "link": {"length": 0.2, "direction": "-z"}},
      {"name": "z", "type": "prismatic", "axis": "-z", "origin": [0, 0, 0.2],
       "limits": {"min_m": 0, "max_m": 0.5, "speed_m_s": 0.5, "accel_m_s2": 1},
       "link": {"length": 0.3, "direction": "-z"}}]}}}})";
  const CellSpec spec = test::cell_from_text(text, "g");
  const Pose t = tool_pose(spec.robot, {0.5, 0.25, 0.1});
  CHECK(t.p.x == Approx(1.5).margin(1e-12));
  CHECK(t.p.y == Approx(2.25).margin(1e-12));
  CHECK(t.p.z == Approx(3 - 0.1 - 0.3).margin(1e-12));
}

TEST_CASE("inverse kinematics round-trips through forward kinematics", "[physics]") {
  const CellSpec spec = test::flagship();
  std::vector<double> seed;
  for (const auto& j : spec.robot.joints) seed.push_back(j.home);
  int n = 0;
  // reach: from |l1 + l2 e^{i 145 deg}| = 0.231 m (the elbow limit) to l1 + l2 = 0.7 m
  for (double r = 0.26; r <= 0.68; r += 0.06)
    for (double a = -2.5; a <= 2.5; a += 0.5)
      for (double z : {0.21, 0.15, 0.08}) {
        const Vec3 target{r * std::cos(a), r * std::sin(a), z};
        const IkResult ik = inverse_position(spec.robot, target, seed);
        INFO("r " << r << " a " << a << " z " << z << " error " << ik.error_m);
        REQUIRE(ik.ok);
        const Pose t = tool_pose(spec.robot, ik.q);
        CHECK((t.p - target).norm() < 1e-6);
        for (std::size_t k = 0; k < ik.q.size(); ++k) {
          CHECK(ik.q[k] >= spec.robot.joints[k].min);
          CHECK(ik.q[k] <= spec.robot.joints[k].max);
        }
        ++n;
      }
  CHECK(n > 200);
  // out of reach: reported, not invented
  CHECK_FALSE(inverse_position(spec.robot, {2, 0, 0.2}, seed).ok);
}

// Trapezoidal profile of one joint: T = d/v + v/a when d >= v^2/a, else 2 sqrt(d/a)
// (Biagiotti & Melchiorri 2008, eq. 3.8-3.9).
TEST_CASE("a move takes the trapezoidal profile's time and keeps the limits", "[physics]") {
  JointSpec j;
  j.type = JointType::Prismatic;
  j.vmax = 2;
  j.amax = 4;
  j.min = -10;
  j.max = 10;
  const std::vector<JointSpec> js{j};
  for (double d : {0.3, 1.0, 5.0}) {
    const Profile p = plan_profile(js, {0}, {d}, 1);
    const double T = d >= 1.0 ? d / 2 + 2.0 / 4 : 2 * std::sqrt(d / 4);
    CHECK(p.T == Approx(T).epsilon(1e-12));
    CHECK_FALSE(check_move(js, {0}, {d}, p).broken);
    // half the speed fraction: twice the time (speed x f, acceleration x f^2)
    CHECK(plan_profile(js, {0}, {d}, 0.5).T == Approx(2 * T).epsilon(1e-12));
    // sampled: speed and acceleration within the limits, ends at d
    double prev_v = 0;
    for (double t = 0; t <= p.T + 1e-3; t += 1e-3) {
      const double v = d * p.ds(t);
      CHECK(std::fabs(v) <= j.vmax * (1 + 1e-12));
      CHECK(std::fabs(v - prev_v) / 1e-3 <= j.amax * (1 + 1e-6));
      prev_v = v;
    }
    CHECK(p.s(p.T) == 1);
  }
  // f > 1 breaks a limit; a target beyond the limit is crossed at the time s(t) reaches it
  const Profile fast = plan_profile(js, {0}, {5}, 1.5);
  const LimitBreak lb = check_move(js, {0}, {5}, fast);
  CHECK(lb.broken);
  CHECK(lb.what.find("acceleration") != std::string::npos);
  const Profile far = plan_profile(js, {0}, {12}, 1);
  const LimitBreak lb2 = check_move(js, {0}, {12}, far);
  REQUIRE(lb2.broken);
  CHECK(lb2.what.find("beyond its limit 10 m") != std::string::npos);
  CHECK(12 * far.s(lb2.t) == Approx(10).epsilon(1e-9));
}

TEST_CASE("the flagship's joints stay within their limits at every step", "[physics]") {
  const CellSpec spec = test::flagship();
  CellState s = initial_state(spec, 1, 0);
  const double f = spec.speed_override;
  double vpeak = 0;
  for (int i = 0; i < 15000; ++i) {  // 60 s
    step_cell(spec, s);
    for (std::size_t k = 0; k < s.q.size(); ++k) {
      const JointSpec& j = spec.robot.joints[k];
      REQUIRE(s.q[k] >= j.min);
      REQUIRE(s.q[k] <= j.max);
      // step-average speed within the (override-scaled) limit
      REQUIRE(std::fabs(s.qd[k]) <= f * j.vmax * (1 + 1e-9));
      vpeak = std::max(vpeak, std::fabs(s.qd[k]) / (f * j.vmax));
    }
  }
  CHECK(vpeak > 0.9);  // and some move does get close to it
  CHECK(s.cycles_total >= 6);
  CHECK(s.collision_steps == 0);
  CHECK(s.missed_picks == 0);
}
