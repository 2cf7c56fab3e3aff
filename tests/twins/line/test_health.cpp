// Machine health, maintenance, the shared crew and energy against closed forms:
//  - Markov degradation: mean operating time to failure = the absorbing chain's N tau;
//  - age-based preventive maintenance: long-run availability from renewal-reward theory;
//  - a shared crew: the machine-repairman model (finite-source M/M/c);
//  - remaining useful life: its error against the exact mean absolute error when the filter
//    knows the state (and when nothing can be known: exponential life, 2/(e q));
//  - energy: a deterministic cycle worked out by hand;
// and the errors a user sees for bad specs, and fork/restore with all of it in play.
// Stochastic checks use replications: the analytic value must lie within 4 standard errors of
// the replication mean, and the standard error must be small enough to mean something (the
// bounds leave room for DTWIN_TEST_SCALE=0.25; at full scale the relative standard errors are
// 0.03-0.2 % for availabilities, 0.5-0.8 % for times to failure and RUL errors).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/sim/world.hpp"
#include "tests/support/analytic.hpp"
#include "tests/support/run_helpers.hpp"
#include "twins/line/model.hpp"

using dtwin::test::compile_text;
using dtwin::test::hours;
using dtwin::test::require_close;
using dtwin::test::run_reps;
using dtwin::test::test_scale;

namespace {

// one always-busy machine: saturated source, sink
std::string one_machine(const std::string& machine_extra, double duration_h,
                        const std::string& top_extra = "") {
  return R"({"duration": ")" + hours(duration_h) + R"(", "warmup": "100h",)" + top_extra + R"(
    "twins": {
      "src": {"kind": "source", "saturated": true},
      "m": {"kind": "machine", "process": 60, )" +
         machine_extra + R"(},
      "sink": {"kind": "sink"}
    },
    "flow": [["src", "m"], ["m", "sink"]]})";
}

const dtwin::line::LineSpec& line_of(const dtwin::CompiledVariant& v) {
  return static_cast<const dtwin::line::LineModel&>(*v.models.at(0)).spec();
}

dtwin::ScenarioError error_of(const std::string& text) {
  try {
    const dtwin::Scenario sc = dtwin::Scenario::parse(text, "bad.json");
    for (std::size_t i = 0; i < sc.variants().size(); ++i) sc.compile(i, dtwin::test::registry());
  } catch (const dtwin::ScenarioError& e) {
    return e;
  }
  FAIL("no error raised");
  throw;
}

double get(const dtwin::Metrics& m, const std::string& key) {
  const auto* v = m.find(key);
  INFO("metric " << key);
  REQUIRE(v != nullptr);
  return v->value;
}

}  // namespace

TEST_CASE("Markov degradation: mean time to failure is the absorbing chain's N tau",
          "[line][health]") {
  // per operating hour; upper triangular, so N tau is back substitution by hand:
  // q_i = -ln P_ii, tau_i = 1/q_i, jump i->j with P_ij/(1-P_ii)
  const double P[4][4] = {{0.90, 0.08, 0.02, 0.00},
                          {0.00, 0.85, 0.10, 0.05},
                          {0.00, 0.00, 0.80, 0.20},
                          {0.00, 0.00, 0.00, 1.00}};
  double tau[3], J[3][4];
  for (int i = 0; i < 3; ++i) {
    tau[i] = -1 / std::log(P[i][i]);
    for (int j = 0; j < 4; ++j) J[i][j] = j == i ? 0 : P[i][j] / (1 - P[i][i]);
  }
  const double m2 = tau[2];
  const double m1 = tau[1] + J[1][2] * m2;
  const double m0 = tau[0] + J[0][1] * m1 + J[0][2] * m2;

  const std::string health = R"("health": {"type": "markov", "transition":
      [[0.90, 0.08, 0.02, 0.00], [0.00, 0.85, 0.10, 0.05], [0.00, 0.00, 0.80, 0.20], [0, 0, 0, 1]]},
      "maintenance": {"policy": "run_to_failure", "duration": {"corrective": "1h"}})";
  const auto v = compile_text(one_machine(health, 30000 * test_scale()));
  // the spec's fundamental-matrix solution, exactly
  const auto& h = line_of(v).machines[0].health;
  REQUIRE(h.states == 4);
  CHECK(h.mttf_s[0] / 3600 == Approx(m0).epsilon(1e-12));
  CHECK(h.mttf_s[1] / 3600 == Approx(m1).epsilon(1e-12));
  CHECK(h.mttf_s[2] / 3600 == Approx(m2).epsilon(1e-12));
  // and the simulated chain: operating hours per failure
  const auto r = run_reps(v, 10);
  require_close(r, "m.mtbf_op_h", m0, 0.03);
  // availability of run to failure: MTTF / (MTTF + MTTR)
  require_close(r, "m.availability", m0 / (m0 + 1), 0.006);

  // a sequential chain from one rate: K-1 exponential stages, MTTF (K-1)/r
  const auto w = compile_text(one_machine(
      R"("health": {"type": "markov", "states": 3, "rate_per_h": 0.1},
         "maintenance": {"policy": "run_to_failure", "duration": {"corrective": "30min"}})",
      20000 * test_scale()));
  CHECK(line_of(w).machines[0].health.mttf_s[0] == Approx(20 * 3600.0).epsilon(1e-12));
  require_close(run_reps(w, 8), "m.mtbf_op_h", 20.0, 0.03);
}

TEST_CASE("preventive maintenance every T operating hours: renewal-reward availability",
          "[line][health][maintenance]") {
  // two stages before failure, rates a and b per hour: T ~ hypoexponential,
  // 1 - F(t) = (b e^{-at} - a e^{-bt}) / (b - a). Age replacement at tau: a cycle operates
  // min(T, tau) and then is down for a repair (T <= tau) or a maintenance (T > tau), so
  // A = E[min(T, tau)] / (E[min(T, tau)] + F(tau) Rc + (1 - F(tau)) Rp).
  const double a = 0.1, b = 0.05, Rc = 5, Rp = 1;
  auto surv = [&](double t) { return (b * std::exp(-a * t) - a * std::exp(-b * t)) / (b - a); };
  auto emin = [&](double tau) {
    return (b * (1 - std::exp(-a * tau)) / a - a * (1 - std::exp(-b * tau)) / b) / (b - a);
  };
  auto avail = [&](double tau) {
    const double up = emin(tau), F = 1 - surv(tau);
    return up / (up + F * Rc + (1 - F) * Rp);
  };
  const std::string base =
      R"("health": {"type": "markov", "states": 3, "rate_per_h": [0.1, 0.05]},)";
  const std::string durations = R"("duration": {"preventive": "1h", "corrective": "5h"})";
  for (double tau : {8.0, 15.0}) {
    const auto r = run_reps(
        compile_text(one_machine(base + R"("maintenance": {"policy": "preventive", "every": ")" +
                                     hours(tau) + R"(", )" + durations + "}",
                                 20000 * test_scale())),
        8);
    INFO("PM every " << tau << " h");
    require_close(r, "m.availability", avail(tau), 0.006);
  }
  // run to failure: MTTF = 1/a + 1/b
  const auto rtf =
      run_reps(compile_text(one_machine(
                   base + R"("maintenance": {"policy": "run_to_failure", )" + durations + "}",
                   20000 * test_scale())),
               8);
  require_close(rtf, "m.availability", 30.0 / 35.0, 0.006);
  // condition-based at state 1: every life ends in maintenance after Exp(a) hours
  const auto cbm = run_reps(
      compile_text(one_machine(
          base + R"("maintenance": {"policy": "condition", "threshold": 1, )" + durations + "}",
          20000 * test_scale())),
      8);
  require_close(cbm, "m.availability", 10.0 / 11.0, 0.006);
  CHECK(cbm.mean("m.failures") == 0);
}

TEST_CASE("wear driven by load: a deterministic life worked out by hand", "[line][health][wear]") {
  auto run = [](const std::string& extra) {
    return dtwin::run_one(compile_text(R"({"duration": "100h", "warmup": "10h", "replications": 1,
      "twins": {
        "src": {"kind": "source", "saturated": true},
        "m": {"kind": "machine", "process": 60, )" +
                                       extra + R"(},
        "sink": {"kind": "sink"}},
      "flow": [["src", "m"], ["m", "sink"]]})"),
                          dtwin::RunTask{0, 0, 0}, nullptr)
        .metrics;
  };
  // 0.125 of wear per part at speed 1: the 8th part brings the index to 1 and the machine fails
  // as the 9th starts; a 120 s repair. A cycle: 8 parts in 480 s, then 120 s down.
  const std::string wear = R"("health": {"type": "wear", "rate_per_part": 0.125, "threshold": 1},)";
  const auto a =
      run(wear + R"("maintenance": {"policy": "run_to_failure", "duration": {"corrective": 120}})");
  CHECK(get(a, "m.availability") == Approx(0.8).epsilon(1e-9));
  CHECK(get(a, "throughput_per_h") == Approx(48).epsilon(1e-9));
  CHECK(get(a, "m.mtbf_op_h") == Approx(480.0 / 3600).epsilon(1e-9));
  // twice the speed is twice the load per part: 4 parts of 30 s, then 120 s down
  const auto b = run(wear + R"("speed": 2,
      "maintenance": {"policy": "run_to_failure", "duration": {"corrective": 120}})");
  CHECK(get(b, "m.availability") == Approx(0.5).epsilon(1e-9));
  CHECK(get(b, "throughput_per_h") == Approx(60).epsilon(1e-9));
  // condition-based at wear 0.5: 4 parts, then 30 s of maintenance, and no failures
  const auto c = run(wear + R"("maintenance": {"policy": "condition", "threshold": 0.5,
      "duration": {"preventive": 30, "corrective": 120}})");
  CHECK(get(c, "m.availability") == Approx(240.0 / 270).epsilon(1e-9));
  CHECK(get(c, "m.failures") == 0);
  CHECK(get(c, "m.preventive") == Approx(36000.0 * 9 / 270).margin(1));
}

TEST_CASE("a shared crew: the machine-repairman model (finite-source M/M/c)",
          "[line][health][crew]") {
  // n machines always busy when up, failing at rate l per operating hour, repaired at rate u
  // by c technicians: K (machines down) is a birth-death chain with birth (n-k) l and death
  // min(k, c) u. Availability = 1 - E[K]/n, crew utilisation = E[min(K, c)]/c.
  const int n = 5;
  const double l = 0.1, u = 0.5;
  for (int c : {1, 2}) {
    std::vector<double> p(n + 1);
    p[0] = 1;
    for (int k = 1; k <= n; ++k) p[k] = p[k - 1] * (n - k + 1) * l / (std::min(k, c) * u);
    double norm = 0, EK = 0, busy = 0;
    for (int k = 0; k <= n; ++k) norm += p[k];
    for (int k = 0; k <= n; ++k) {
      EK += k * p[k] / norm;
      busy += std::min(k, c) * p[k] / norm;
    }
    std::string twins, flow;
    for (int i = 1; i <= n; ++i) {
      const std::string k = std::to_string(i);
      twins += R"("s)" + k + R"(": {"kind": "source", "saturated": true},
        "m)" + k +
               R"(": {"kind": "machine", "process": 300, "mtbf": "10h", "mttr": "2h"},
        "k)" + k +
               R"(": {"kind": "sink"},)";
      flow += std::string(i > 1 ? ", " : "") + R"(["s)" + k + R"(", "m)" + k + R"("], ["m)" + k +
              R"(", "k)" + k + R"("])";
    }
    twins.pop_back();
    const std::string json = R"({"duration": ")" + hours(20000 * test_scale()) +
                             R"(", "warmup": "100h", "crew": {"size": )" + std::to_string(c) +
                             R"(}, "twins": {)" + twins + R"(}, "flow": [)" + flow + "]}";
    INFO("crew of " << c);
    const auto r = run_reps(compile_text(json), 8);
    require_close(r, "availability", 1 - EK / n, 0.008);
    require_close(r, "crew_utilisation", busy / c, 0.015);
  }
}

TEST_CASE("the crew's order: first come first served, or corrective repairs first",
          "[line][health][crew]") {
  // One technician. A fails at 120 s (wear) and is repaired until 220 s. B's preventive
  // maintenance falls due at 130 s, C fails at 150 s: both wait. FIFO serves B (50 s), then C;
  // corrective_first serves C (100 s), then B.
  auto run = [](const std::string& order) {
    const std::string wear =
        R"("maintenance": {"policy": "run_to_failure", "duration": {"corrective": 100}},
        "health": {"type": "wear", "rate_per_part": 0.5, "threshold": 1})";
    return dtwin::run_one(compile_text(R"({"duration": "330s", "replications": 1,
      "crew": {"size": 1, "order": ")" +
                                       order + R"("},
      "twins": {
        "sa": {"kind": "source", "saturated": true}, "ka": {"kind": "sink"},
        "sb": {"kind": "source", "saturated": true}, "kb": {"kind": "sink"},
        "sc": {"kind": "source", "saturated": true}, "kc": {"kind": "sink"},
        "a": {"kind": "machine", "process": 60, )" +
                                       wear + R"(},
        "b": {"kind": "machine", "process": 60,
              "maintenance": {"policy": "preventive", "every": 130, "duration": {"preventive": 50}}},
        "c": {"kind": "machine", "process": 75, )" +
                                       wear + R"(}},
      "flow": [["sa", "a"], ["a", "ka"], ["sb", "b"], ["b", "kb"], ["sc", "c"], ["c", "kc"]]})"),
                          dtwin::RunTask{0, 0, 0}, nullptr)
        .metrics;
  };
  const auto fifo = run("fifo");
  CHECK(get(fifo, "a.crew_wait_s") == 0);
  CHECK(get(fifo, "b.crew_wait_s") == 90);   // 130 -> 220
  CHECK(get(fifo, "c.crew_wait_s") == 120);  // 150 -> 270
  const auto cf = run("corrective_first");
  CHECK(get(cf, "c.crew_wait_s") == 70);   // 150 -> 220
  CHECK(get(cf, "b.crew_wait_s") == 190);  // 130 -> 320
  CHECK(get(cf, "crew_utilisation") == Approx((330.0 - 120) / 330).epsilon(1e-12));
}

TEST_CASE("the condition monitor's filter: prediction is the chain's transition function",
          "[line][health][rul]") {
  // Two stages, rates a and b per hour, from state 0: P0(t) = e^{-at},
  // P1(t) = a/(b-a) (e^{-at} - e^{-bt}). A signal with a huge sd carries no information, so the
  // filtered belief is the prediction conditioned on no failure: P_k / (P0 + P1).
  const auto v = compile_text(one_machine(
      R"("health": {"type": "markov", "states": 3, "rate_per_h": [0.3, 0.1]},
         "signals": {"interval": "1h", "vibration_mm_s": {"base": 1, "slope": 1, "sd": 1e9}},
         "maintenance": {"policy": "run_to_failure", "duration": {"corrective": "1h"}})",
      200));
  const auto& m = line_of(v).machines[0];
  const double a = 0.3, b = 0.1;
  for (double t : {0.5, 3.0, 40.0}) {
    std::vector<double> belief = {1, 0, 0};
    dtwin::line::filter_step(m.health, m.signals, t, 1.0, 0.0, belief);
    const double p0 = std::exp(-a * t), p1 = a / (b - a) * (std::exp(-a * t) - std::exp(-b * t));
    INFO("t = " << t << " h");
    CHECK(belief[0] == Approx(p0 / (p0 + p1)).epsilon(1e-9));
    CHECK(belief[1] == Approx(p1 / (p0 + p1)).epsilon(1e-9));
    CHECK(belief[2] == 0);
    // the RUL of that belief: m0 = 1/a + 1/b, m1 = 1/b
    CHECK(dtwin::line::expected_rul_s(m.health, belief) / 3600 ==
          Approx(belief[0] * (1 / a + 1 / b) + belief[1] / b).epsilon(1e-12));
  }
  // a sharp signal picks the state whatever the prior says
  std::vector<double> belief = {1, 0, 0};
  const auto sharp = compile_text(one_machine(
      R"("health": {"type": "markov", "states": 3, "rate_per_h": [0.3, 0.1]},
         "signals": {"interval": "1h", "vibration_mm_s": {"base": 1, "slope": 5, "sd": 0.1}},
         "maintenance": {"policy": "run_to_failure", "duration": {"corrective": "1h"}})",
      200));
  const auto& ms = line_of(sharp).machines[0];
  dtwin::line::filter_step(ms.health, ms.signals, 0.1, 6.02, 0.0, belief);
  CHECK(belief[1] == Approx(1.0).epsilon(1e-9));
}

TEST_CASE("remaining useful life: error against the exact mean absolute error",
          "[line][health][rul]") {
  // Exponential life (two states): nothing can be known, the estimate is 1/q and the true
  // residual life at every sample is Exp(q), so E|RUL - 1/q| = 2/(e q).
  const double q = 0.1;
  const auto r1 = run_reps(compile_text(one_machine(
                               R"("health": {"type": "markov", "states": 2, "rate_per_h": 0.1},
             "signals": {"interval": "1h", "vibration_mm_s": {"base": 1, "slope": 3, "sd": 0.5}},
             "maintenance": {"policy": "run_to_failure", "duration": {"corrective": "2h"}})",
                               20000 * test_scale())),
                           8);
  require_close(r1, "m.rul_error_h", 2 / (std::exp(1.0) * q), 0.05);

  // Two stages (rates a, b) and a nearly noiseless signal: the filter knows the state. In
  // state 1 the error is 2/(e b); in state 0 the residual is Exp(a) + Exp(b) against its mean
  // m0, E|Y - m0| = 2 int_0^m0 F(y) dy; samples fall in state 0 a share (1/a) / (1/a + 1/b).
  const double a = 0.2, b = 0.1, m0 = 1 / a + 1 / b;
  const double intF =
      m0 - (b * (1 - std::exp(-a * m0)) / a - a * (1 - std::exp(-b * m0)) / b) / (b - a);
  const double w0 = (1 / a) / m0;
  const double mae = w0 * 2 * intF + (1 - w0) * 2 / (std::exp(1.0) * b);
  const std::string two_stage =
      R"("health": {"type": "markov", "states": 3, "rate_per_h": [0.2, 0.1]},
         "signals": {"interval": "30min", "vibration_mm_s": {"base": 1, "slope": 4, "sd": SD},
                     "temperature_c": {"base": 40, "slope": 8, "sd": SD}},
         "maintenance": {"policy": "run_to_failure", "duration": {"corrective": "2h"}})";
  std::string sharp = two_stage;
  sharp.replace(sharp.find("SD"), 2, "0.01");
  sharp.replace(sharp.find("SD"), 2, "0.01");
  const auto r2 = run_reps(compile_text(one_machine(sharp, 20000 * test_scale())), 8);
  require_close(r2, "m.rul_error_h", mae, 0.05);
  // (the error is an absolute one: the expected time to failure is not the estimate that
  // minimises it, so blurrier signals need not give a larger one)
}

TEST_CASE("energy: a deterministic cycle by hand, and switching idle machines off",
          "[line][energy]") {
  // a part every 120 s, 60 s of work. Statistics from 3610 s for 300 cycles of 120 s.
  const std::string base = R"({"duration": "39610s", "warmup": "3610s", "replications": 1,
    "costs": {"energy_per_kwh": 0.25, "currency": "EUR"},
    "twins": {
      "in": {"kind": "source", "interarrival": 120},
      "m": {"kind": "machine", "process": 60,
            "power": {"off_kw": 0.5, "idle_kw": 2, "working_kw": 10, "down_kw": 0 POWER}},
      "sink": {"kind": "sink"}
    },
    "flow": [["in", "m"], ["m", "sink"]]})";
  auto with = [&](const std::string& extra) {
    std::string s = base;
    s.replace(s.find("POWER"), 5, extra);
    return dtwin::run_one(compile_text(s), dtwin::RunTask{0, 0, 0}, nullptr).metrics;
  };
  // always on: 60 s at 10 kW and 60 s at 2 kW per cycle
  const auto on = with("");
  CHECK(get(on, "m.energy_kwh") == Approx(300 * (60 * 10 + 60 * 2) / 3600.0).epsilon(1e-12));
  CHECK(get(on, "energy_kwh") == Approx(60.0).epsilon(1e-12));
  CHECK(get(on, "output_parts") == 300);
  CHECK(get(on, "energy_per_good_part_kwh") == Approx(0.2).epsilon(1e-12));
  CHECK(get(on, "energy_cost") == Approx(15.0).epsilon(1e-12));
  CHECK(get(on, "lead_time_s") == 60);
  // off after 30 s idle, 10 s warm-up at 3 kW: per cycle 10 s warm-up, 60 s work, 30 s idle,
  // 20 s off
  const auto off = with(R"(, "off_after_idle": "30s", "warmup": "10s", "warmup_kw": 3)");
  const double cycle_kws = 10 * 3 + 60 * 10 + 30 * 2 + 20 * 0.5;
  CHECK(get(off, "m.energy_kwh") == Approx(300 * cycle_kws / 3600).epsilon(1e-12));
  CHECK(get(off, "energy_per_good_part_kwh") == Approx(cycle_kws / 3600).epsilon(1e-12));
  CHECK(get(off, "m.switched_off_frac") == Approx(20.0 / 120).epsilon(1e-12));
  CHECK(get(off, "m.setup_frac") == Approx(10.0 / 120).epsilon(1e-12));  // warm-up shows as setup
  CHECK(get(off, "lead_time_s") == 70);
  CHECK(get(off, "output_parts") == 300);
}

TEST_CASE("energy under load: working power with the speed the part was started at",
          "[line][energy]") {
  // always working; 10 kW at speed 1 and 5 kW more per unit of speed: 15 kW at speed 2
  const auto v = compile_text(R"({"duration": "10h",
    "twins": {
      "src": {"kind": "source", "saturated": true},
      "m": {"kind": "machine", "process": 60, "speed": 2,
            "power": {"off_kw": 0, "idle_kw": 1, "working_kw": 10, "working_kw_per_speed": 5,
                      "down_kw": 0}},
      "sink": {"kind": "sink"}},
    "flow": [["src", "m"], ["m", "sink"]]})");
  dtwin::World w(v.models);
  w.start({1, 0});
  w.run_until(5 * 3600.0);
  CHECK(get(w.collect(), "m.energy_kwh") == Approx(75.0).epsilon(1e-12));
  // back to speed 1 through the mirror's setpoint: the part started at 5 h (30 s at speed 2)
  // keeps its pace and load, every part after it runs at 10 kW
  std::vector<dtwin::TwinSpec> props;
  const dtwin::Mirrorable& mirrored = *dtwin::mirrorable(*v.models[0]);
  mirrored.properties(props);
  std::size_t twin = 0;
  while (props[twin].id != "m") ++twin;
  std::string reason;
  REQUIRE(mirrored.apply_setpoint(w, 0, twin, 2, dtwin::Value{1.0, ""}, &reason));
  w.run_until(10 * 3600.0);
  CHECK(get(w.collect(), "m.energy_kwh") ==
        Approx(75 + 30 * 15 / 3600.0 + (5 * 3600.0 - 30) * 10 / 3600).epsilon(1e-12));
}

TEST_CASE("switching idle machines off: a what-if that saves energy and costs throughput",
          "[line][energy]") {
  const std::string json = R"({"duration": ")" + hours(400 * test_scale()) +
                           R"(", "warmup": "10h", "replications": 8,
    "twins": {
      "src": {"kind": "source", "saturated": true},
      "m1": {"kind": "machine", "process": {"dist": "exponential", "mean": 50},
             "mtbf": "2h", "mttr": "20min"},
      "b": {"kind": "buffer", "capacity": 3},
      "m2": {"kind": "machine", "process": 40,
             "power": {"off_kw": 0.2, "idle_kw": 4, "working_kw": 8, "down_kw": 1}},
      "sink": {"kind": "sink"}
    },
    "flow": [["src", "m1"], ["m1", "b"], ["b", "m2"], ["m2", "sink"]],
    "variants": {"auto_off": {"twins": {"m2": {"power": {"off_after_idle": "1min", "warmup": "5min",
                                                          "warmup_kw": 4}}}}}
  })";
  const auto base = run_reps(compile_text(json), 8);
  const auto off = run_reps(compile_text(json, "auto_off"), 8);
  // common random numbers: replication r of both variants draws the same numbers
  dtwin::Welford de, dt;
  for (std::size_t r = 0; r < base.runs.size(); ++r) {
    de.add(get(off.runs[r], "energy_kwh") - get(base.runs[r], "energy_kwh"));
    dt.add(get(off.runs[r], "throughput_per_h") - get(base.runs[r], "throughput_per_h"));
  }
  const auto se = dtwin::summarize(de), st = dtwin::summarize(dt);
  INFO("energy delta " << se.mean << " [" << se.lo << ", " << se.hi << "] kWh, throughput delta "
                       << st.mean << " [" << st.lo << ", " << st.hi << "] parts/h");
  REQUIRE(se.hi < 0);
  REQUIRE(st.hi < 0);
}

TEST_CASE("bad health, maintenance, crew and power specs name the JSON pointer",
          "[line][health][errors]") {
  auto scenario = [](const std::string& machine, const std::string& top = "") {
    return R"({"duration": "1h",)" + top + R"( "twins": {
      "src": {"kind": "source", "saturated": true},
      "m": {"kind": "machine", "process": 10, )" +
           machine + R"(},
      "sink": {"kind": "sink"}},
      "flow": [["src", "m"], ["m", "sink"]]})";
  };
  const std::string rtf =
      R"("maintenance": {"policy": "run_to_failure", "duration": {"corrective": "1h"}})";
  struct Case {
    std::string text, pointer, words;
  };
  const std::vector<Case> cases = {
      {scenario(
           R"("health": {"type": "markov", "transition": [[0.9, 0.05, 0], [0, 0.9, 0.1], [0, 0, 1]]}, )" +
           rtf),
       "/twins/m/health/transition/0", "sum to 1"},
      {scenario(
           R"("health": {"type": "markov", "transition": [[0.9, 0.1, 0], [0, 0.9, 0.1], [0, 0.5, 0.5]]}, )" +
           rtf),
       "/twins/m/health/transition/2", "failure state"},
      {scenario(
           R"("health": {"type": "markov", "transition": [[0.9, 0.1, 0], [0, 1, 0], [0, 0, 1]]}, )" +
           rtf),
       "/twins/m/health/transition/1/1", "never changes"},
      {scenario(
           R"("health": {"type": "markov", "transition": [[0.9, 0.2, -0.1], [0, 0.9, 0.1], [0, 0, 1]]}, )" +
           rtf),
       "/twins/m/health/transition/0/2", "0"},
      {scenario(R"("health": {"type": "markov", "states": 3, "rate_per_h": -0.1}, )" + rtf),
       "/twins/m/health/rate_per_h", "positive"},
      {scenario(R"("health": {"type": "markov", "states": 4, "rate_per_h": [0.1, 0.2]}, )" + rtf),
       "/twins/m/health/rate_per_h", "3 numbers"},
      {scenario(R"("health": {"type": "markov", "states": 4, "rate_per_h": 0.1},
                   "maintenance": {"policy": "condition", "threshold": 3, "duration": {"preventive": "1h", "corrective": "2h"}})"),
       "/twins/m/maintenance/threshold", "outside"},
      {scenario(R"("health": {"type": "markov", "states": 4, "rate_per_h": 0.1},
                   "maintenance": {"policy": "condition", "threshold": 0, "duration": {"preventive": "1h", "corrective": "2h"}})"),
       "/twins/m/maintenance/threshold", "outside"},
      {scenario(R"("health": {"type": "markov", "states": 3, "rate_per_h": 0.1})"),
       "/twins/m/health", "corrective"},
      {scenario(R"("health": {"type": "markof", "states": 3, "rate_per_h": 0.1}, )" + rtf),
       "/twins/m/health/type", "markov"},
      {scenario(R"("health": {"type": "markov", "states": 3, "rate": 0.1}, )" + rtf),
       "/twins/m/health/rate", "rate_per_h"},
      {scenario(R"("maintenance": {"policy": "preventive", "every": "100h"})"),
       "/twins/m/maintenance", "duration"},
      {scenario(R"("maintenance": {"policy": "run_to_failure", "every": "100h"})"),
       "/twins/m/maintenance/every", "preventive"},
      {scenario(R"("maintenance": {"policy": "sometimes"})"), "/twins/m/maintenance/policy",
       "run_to_failure"},
      {scenario(
           R"("signals": {"interval": "1h", "vibration_mm_s": {"base": 1, "slope": 1, "sd": 1}})"),
       "/twins/m/signals", "health"},
      {scenario(
           R"("health": {"type": "markov", "states": 3, "rate_per_h": 0.1}, )" + rtf +
           R"(, "signals": {"interval": "1h", "vibration_mm_s": {"base": 1, "slope": 1, "sd": 0}})"),
       "/twins/m/signals/vibration_mm_s/sd", "positive"},
      {scenario(R"("power": {"off_kw": 0, "idle_kw": 1, "down_kw": 0})"), "/twins/m/power",
       "working_kw"},
      {scenario(R"("power": {"off_kw": 0, "idle_kw": -1, "working_kw": 5, "down_kw": 0})"),
       "/twins/m/power/idle_kw", ">= 0"},
      {scenario(
           R"("power": {"off_kw": 0, "idle_kw": 1, "working_kw": 5, "down_kw": 0, "warmup": "5min"})"),
       "/twins/m/power/warmup", "off_after_idle"},
      {scenario(R"("mtbf": "10h", "mttr": "1h")", R"("crew": {"size": 0},)"), "/crew/size", ">= 1"},
      {scenario(R"("mtbf": "10h", "mttr": "1h")", R"("crew": {"size": 1, "order": "lifo"},)"),
       "/crew/order", "fifo"},
  };
  for (const auto& cs : cases) {
    INFO(cs.text);
    const auto e = error_of(cs.text);
    INFO(e.describe());
    CHECK(e.pointer() == cs.pointer);
    CHECK(e.message().find(cs.words) != std::string::npos);
  }
}

TEST_CASE("a line with health, maintenance, a crew and energy forks and restores exactly",
          "[line][health][fork]") {
  const auto v = compile_text(R"({
    "duration": "2000h",
    "crew": {"size": 1, "order": "corrective_first"},
    "costs": {"energy_per_kwh": 0.2},
    "twins": {
      "src": {"kind": "source", "interarrival": {"dist": "exponential", "mean": 70}},
      "m1": {"kind": "machine", "process": {"dist": "exponential", "mean": 50}, "mtbf": "30h", "mttr": "1h",
             "health": {"type": "markov", "transition": [[0.95, 0.05, 0, 0], [0, 0.9, 0.05, 0.05],
                                                         [0, 0, 0.8, 0.2], [0, 0, 0, 1]]},
             "signals": {"interval": "20min", "vibration_mm_s": {"base": 1, "slope": 2, "sd": 0.7},
                         "temperature_c": {"base": 40, "slope": 5, "sd": 2}},
             "maintenance": {"policy": "condition", "threshold": 2,
                             "duration": {"preventive": {"dist": "uniform", "min": "30min", "max": "1h"},
                                          "corrective": {"dist": "exponential", "mean": "3h"}},
                             "cost": {"preventive": 100, "corrective": 800}},
             "power": {"off_kw": 0.1, "idle_kw": 2, "working_kw": 6, "down_kw": 0.5,
                       "off_after_idle": "2min", "warmup": "1min"}},
      "b": {"kind": "buffer", "capacity": 4},
      "m2": {"kind": "machine", "process": {"dist": "uniform", "min": 30, "max": 60},
             "health": {"type": "wear", "rate_per_part": {"dist": "exponential", "mean": 0.0002}, "threshold": 1},
             "signals": {"interval": "1h", "temperature_c": {"base": 30, "slope": 20, "sd": 1}},
             "maintenance": {"policy": "preventive", "every": "40h",
                             "duration": {"preventive": "30min", "corrective": "4h"}},
             "calendar": {"period": "24h", "on": [["0h", "20h"]]},
             "power": {"off_kw": 0.1, "idle_kw": 1, "working_kw": 4, "down_kw": 0.2,
                       "off_after_idle": "5min", "warmup": "2min"}},
      "sink": {"kind": "sink"}
    },
    "flow": [["src", "m1"], ["m1", "b"], ["b", "m2"], ["m2", "sink"]]})");
  dtwin::World original(v.models);
  original.start({5, 0});
  original.run_until(300 * 3600.0);
  dtwin::World fork = original.fork();
  const dtwin::Snapshot snap = original.snapshot();
  original.run_until(2000 * 3600.0);
  fork.run_until(2000 * 3600.0);
  REQUIRE(fork.same_state(original));
  const auto a = original.collect(), b = fork.collect();
  REQUIRE(a.values.size() == b.values.size());
  for (std::size_t i = 0; i < a.values.size(); ++i) {
    INFO(a.values[i].key);
    REQUIRE((a.values[i].value == b.values[i].value ||
             (std::isnan(a.values[i].value) && std::isnan(b.values[i].value))));
  }
  // everything was exercised
  CHECK(get(a, "m1.failures") > 0);
  CHECK(get(a, "m1.preventive") > 0);
  CHECK(get(a, "m2.preventive") > 0);
  CHECK(get(a, "m1.rul_samples") > 0);
  CHECK(get(a, "m1.switched_off_frac") > 0);
  CHECK(get(a, "crew_utilisation") > 0);
  CHECK(get(a, "cost") > 0);
  dtwin::World again(v.models);
  again.start({5, 0});
  again.restore(snap);
  again.run_until(2000 * 3600.0);
  REQUIRE(again.same_state(original));
}

TEST_CASE("health, signals, RUL and power as time-series columns and mirror properties",
          "[line][health][mirror]") {
  const auto v = compile_text(R"({"duration": "200h", "sample_interval": "1h",
    "twins": {
      "src": {"kind": "source", "saturated": true},
      "m": {"kind": "machine", "process": 60,
            "health": {"type": "markov", "states": 3, "rate_per_h": 0.05},
            "signals": {"interval": "10min", "vibration_mm_s": {"base": 2, "slope": 3, "sd": 0.1},
                        "temperature_c": {"base": 40, "slope": 10, "sd": 0.5}},
            "maintenance": {"policy": "run_to_failure", "duration": {"corrective": "1h"}},
            "power": {"off_kw": 0, "idle_kw": 1, "working_kw": 5, "down_kw": 0.5}},
      "sink": {"kind": "sink"}},
    "flow": [["src", "m"], ["m", "sink"]]})");
  const auto& model = *v.models.at(0);
  const dtwin::Mirrorable& mirrored = *dtwin::mirrorable(model);
  std::vector<std::string> cols;
  model.columns(cols);
  for (const char* c : {"m.health", "m.vibration_mm_s", "m.temperature_c", "m.rul_h", "m.power_kw",
                        "line.power_kw"}) {
    INFO(c);
    CHECK(std::find(cols.begin(), cols.end(), c) != cols.end());
  }
  std::vector<dtwin::TwinSpec> props;
  mirrored.properties(props);
  const auto it = std::find_if(props.begin(), props.end(),
                               [](const dtwin::TwinSpec& t) { return t.id == "m"; });
  REQUIRE(it != props.end());
  std::vector<std::string> names;
  for (const auto& p : it->properties) names.push_back(p.name);
  // the readings the asset reports, then what the live engine's condition monitor derives
  CHECK(names == std::vector<std::string>{"state", "parts", "speed", "health", "vibration",
                                          "temperature", "rul", "power", "health_est", "rul_est",
                                          "rul_lo", "rul_hi", "p_fail"});
  for (std::size_t k = 8; k < it->properties.size(); ++k) CHECK(it->properties[k].derived);
  dtwin::World w(v.models);
  w.start({1, 0});
  w.run_until(5 * 3600.0);  // a sample instant: the signals are of the health now
  const auto twin = static_cast<std::size_t>(it - props.begin());
  const auto& st = w.state<dtwin::line::LineState>(0).machines[0];
  dtwin::Value val;
  std::vector<std::string> row;
  model.sample(w, 0, row);
  REQUIRE(row.size() == cols.size());
  REQUIRE(mirrored.read_property(w, 0, twin, 3, val));
  CHECK(val.num == st.health);
  REQUIRE(mirrored.read_property(w, 0, twin, 4, val));
  // the latest vibration sample is base + slope * health + noise (sd 0.1)
  CHECK(std::fabs(val.num - (2 + 3.0 * st.health)) < 1.0);
  REQUIRE(mirrored.read_property(w, 0, twin, 6, val));
  CHECK(val.num > 0);
  REQUIRE(mirrored.read_property(w, 0, twin, 7, val));
  CHECK(val.num == (st.status == dtwin::line::Status::Working ? 5.0 : 0.5));
  CHECK_FALSE(mirrored.read_property(w, 0, twin, 8, val));
}

TEST_CASE("wear RUL: the filter learns the rate from the signals, even from a wrong prior",
          "[line][health][rul][wear]") {
  // Synthetic life: the wear fraction grows at r = 1/200 per operating hour (life 200 h), read
  // every hour through vibration = 1 + 4 w + N(0, 0.2) (w to within 0.05). The prior rate is
  // wrong by a factor 2 (r0 = 2 r). Least squares over n hourly readings pins the rate to
  // about 0.05 / sqrt(n^3 / 12) per hour: 3.5 % of r after 100 h, so at half life the RUL is
  // within a few hours; the bound below, 5 % of the life (10 h), is about 3 standard errors.
  dtwin::line::SignalsSpec sg;
  sg.interval_s = 3600;
  sg.vibration = {true, 1, 4, 0.2};
  const double r = 1.0 / 200;
  std::vector<double> kf;
  dtwin::line::wear_filter_init(2 * r, kf);
  dtwin::Rng rng(42);
  auto normal = [&rng] {  // Box-Muller
    return std::sqrt(-2 * std::log(rng.uniform_pos())) * std::cos(2 * M_PI * rng.uniform());
  };
  std::vector<double> rul;
  for (int t = 1; t < 200; ++t) {
    const double w = r * t;
    dtwin::line::wear_filter_step(sg, 1.0, 1 + 4 * w + 0.2 * normal(), 0, kf);
    rul.push_back(dtwin::line::wear_rul_h(kf));
  }
  // early on the prior dominates (about half the truth); by mid-life the signals have won
  CHECK(rul[0] < 0.75 * 199);
  for (int t : {100, 150, 190}) {
    INFO("t = " << t << " h: RUL " << rul[static_cast<std::size_t>(t - 1)] << " h, truth "
                << 200 - t);
    CHECK(std::fabs(rul[static_cast<std::size_t>(t - 1)] - (200 - t)) < 10);
  }
  // it decreases along the life: every 20 h window lower than the one before
  for (std::size_t k = 40; k + 20 < rul.size(); k += 20) CHECK(rul[k + 20] < rul[k]);
}

TEST_CASE("wear RUL on a line: error small against the mean life, falling one hour per hour",
          "[line][health][rul][wear]") {
  // 60 s parts, wear per part Exp(mean 0.001): a life is about 1000 parts = 16.7 operating
  // hours; temperature = 30 + 20 w + N(0, 0.5) read every 30 min. Two sources of error: the
  // life's own randomness (the sum of 1000 exponential draws: coefficient of variation
  // 1/sqrt(1000) = 3.2 %, i.e. 0.5 h, which no estimator from the past can remove) and the
  // filter's estimation error (readings to within 0.025 of the threshold, about 33 a life). We
  // require a mean absolute error below 10 % of the mean life: three times the life's own
  // spread, leaving room for the filter's early samples when few readings are in (measured:
  // 0.89 h, 5.3 %, standard error 0.01 h).
  const std::string wear =
      R"("health": {"type": "wear", "rate_per_part": {"dist": "exponential", "mean": 0.001},
                    "threshold": 1},
         "signals": {"interval": "30min", "temperature_c": {"base": 30, "slope": 20, "sd": 0.5}},
         "maintenance": {"policy": "run_to_failure", "duration": {"corrective": "1h"}})";
  const double life_h = 1000 * 60 / 3600.0;
  const auto v = compile_text(one_machine(wear, 4000 * test_scale()));
  const auto r = run_reps(v, 6);
  const double err = r.mean("m.rul_error_h");
  INFO("mean |RUL error| " << err << " h, se " << r.se("m.rul_error_h") << ", mean life " << life_h
                           << " h");
  CHECK(r.mean("m.rul_samples") > 1000 * test_scale());
  CHECK(err < 0.1 * life_h);
  CHECK(err > 0);

  // along one life: a perfect estimate falls by one hour per hour of operation (the machine
  // works all the time); the least-squares slope of the estimates against time must be -1
  // within 20 % (one life: the estimate also learns that life's own rate as the readings come
  // in, which tilts the line; measured -0.89)
  dtwin::World w(v.models);
  w.start({3, 0});
  std::vector<double> t, est;
  const auto& st = w.state<dtwin::line::LineState>(0).machines[0];
  for (int k = 1; st.failures == 0 && k < 200; ++k) {
    w.run_until(k * 1800.0 + 1e-6);
    if (st.failures == 0) t.push_back(k * 0.5), est.push_back(st.rul_h);
  }
  REQUIRE(t.size() > 20);
  double mt = 0, me = 0;
  for (std::size_t i = 0; i < t.size(); ++i) mt += t[i], me += est[i];
  mt /= static_cast<double>(t.size());
  me /= static_cast<double>(t.size());
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < t.size(); ++i)
    sxy += (t[i] - mt) * (est[i] - me), sxx += (t[i] - mt) * (t[i] - mt);
  CHECK(sxy / sxx == Approx(-1).margin(0.2));
  CHECK(est.back() < est.front());
}
