// The line model against queueing theory: M/M/1, M/M/2 (Erlang C), the two-machine line with
// a finite buffer (a birth-death chain solved in closed form), and Little's law on every run.
// Each check uses replications: the analytic value must lie within 4 standard errors of the
// replication mean, and the standard error must be small enough for that to mean something.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "tests/support/analytic.hpp"
#include "tests/support/run_helpers.hpp"

using dtwin::test::compile_text;
using dtwin::test::hours;
using dtwin::test::require_close;
using dtwin::test::run_reps;
using dtwin::test::test_scale;

namespace {}  // namespace

TEST_CASE("M/M/1: L = rho/(1-rho), W = 1/(mu-lambda)", "[line][queueing]") {
  for (double rho : {0.5, 0.8}) {
    const double mu = 1.0, lambda = rho * mu;
    const std::string json = R"({
      "duration": ")" + hours(300 * test_scale()) +
                             R"(", "warmup": "2h",
      "twins": {
        "in":   {"kind": "source", "interarrival": {"dist": "exponential", "mean": )" +
                             std::to_string(1 / lambda) + R"(}},
        "q":    {"kind": "buffer"},
        "srv":  {"kind": "machine", "process": {"dist": "exponential", "mean": 1}},
        "out":  {"kind": "sink"}
      },
      "flow": [["in", "q"], ["q", "srv"], ["srv", "out"]]})";
    const auto r = run_reps(compile_text(json), 10);
    require_close(r, "wip", rho / (1 - rho), 0.02);
    require_close(r, "lead_time_s", 1 / (mu - lambda), 0.02);
    require_close(r, "throughput_per_h", lambda * 3600, 0.01);
    require_close(r, "srv.working_frac", rho, 0.01);
  }
}

TEST_CASE("source feeding a machine directly queues its arrivals (M/M/1 again)",
          "[line][queueing]") {
  const std::string json = R"({
    "duration": ")" + hours(200 * test_scale()) +
                           R"(", "warmup": "2h",
    "twins": {
      "in":  {"kind": "source", "interarrival": {"dist": "exponential", "mean": 2}},
      "srv": {"kind": "machine", "process": {"dist": "exponential", "mean": 1}},
      "out": {"kind": "sink"}
    },
    "flow": [["in", "srv"], ["srv", "out"]]})";
  const auto r = run_reps(compile_text(json), 10);
  require_close(r, "wip", 1.0, 0.02);
  require_close(r, "lead_time_s", 2.0, 0.02);
}

TEST_CASE("M/M/2 with a shared buffer: Erlang C", "[line][queueing]") {
  // lambda = 1.5/s, mu = 1/s per server, c = 2: a = 1.5, rho = 0.75
  const double lambda = 1.5, a = 1.5, c = 2, rho = a / c;
  const double p0 = 1.0 / (1 + a + a * a / (2 * (1 - rho)));
  const double pw = a * a / (2 * (1 - rho)) * p0;  // Erlang C
  const double Lq = pw * rho / (1 - rho);
  const double L = Lq + a;
  const std::string json = R"({
    "duration": ")" + hours(300 * test_scale()) +
                           R"(", "warmup": "2h",
    "twins": {
      "in": {"kind": "source", "interarrival": {"dist": "exponential", "mean": )" +
                           std::to_string(1 / lambda) + R"(}},
      "q":  {"kind": "buffer"},
      "s1": {"kind": "machine", "process": {"dist": "exponential", "mean": 1}},
      "s2": {"kind": "machine", "process": {"dist": "exponential", "mean": 1}},
      "out": {"kind": "sink"}
    },
    "flow": [["in", "q"], ["q", "s1"], ["q", "s2"], ["s1", "out"], ["s2", "out"]]})";
  const auto r = run_reps(compile_text(json), 10);
  require_close(r, "wip", L, 0.02);
  require_close(r, "lead_time_s", L / lambda, 0.02);
  require_close(r, "q.mean_level", Lq, 0.03);
}

TEST_CASE("two-machine exponential line with a finite buffer: closed-form throughput",
          "[line][queueing]") {
  // Saturated source, blocking after service. k = parts in the buffer + the part on m2 + m1's
  // blocked part is a birth-death chain on 0..N+2 with birth rate mu1 (k <= N+1) and death rate
  // mu2, so p_k = p_0 r^k with r = mu1/mu2 and throughput = mu2 (1 - p_0). m2 is starved with
  // probability p_0 and m1 blocked with probability p_{N+2}.
  struct Case {
    double m1_mean, m2_mean;
    int N;
  };
  for (const Case& cs :
       {Case{1.0, 1.0, 0}, Case{1.0, 1.0, 5}, Case{1.0, 1.25, 3}, Case{1.2, 1.0, 2}}) {
    const double mu1 = 1 / cs.m1_mean, mu2 = 1 / cs.m2_mean, r = mu1 / mu2;
    const int K = cs.N + 2;
    double norm = 0;
    for (int k = 0; k <= K; ++k) norm += std::pow(r, k);
    const double p0 = 1 / norm, pK = std::pow(r, K) / norm;
    const double th = mu2 * (1 - p0);
    const std::string flow = cs.N == 0
                                 ? R"([["src", "m1"], ["m1", "m2"], ["m2", "sink"]])"
                                 : R"([["src", "m1"], ["m1", "b"], ["b", "m2"], ["m2", "sink"]])";
    // N = 0 joins the machines directly, with no buffer twin
    const std::string buffer =
        cs.N == 0 ? "" : R"("b": {"kind": "buffer", "capacity": )" + std::to_string(cs.N) + "},";
    const std::string json = R"({
      "duration": ")" + hours(100 * test_scale()) +
                             R"(", "warmup": "1h",
      "twins": {
        "src": {"kind": "source", "saturated": true},
        "m1": {"kind": "machine", "process": {"dist": "exponential", "mean": )" +
                             std::to_string(cs.m1_mean) + R"(}},
        )" + buffer + R"(
        "m2": {"kind": "machine", "process": {"dist": "exponential", "mean": )" +
                             std::to_string(cs.m2_mean) + R"(}},
        "sink": {"kind": "sink"}
      },
      "flow": )" + flow + "}";
    INFO("m1 " << cs.m1_mean << " s, m2 " << cs.m2_mean << " s, buffer " << cs.N);
    const auto res = run_reps(compile_text(json), 8);
    require_close(res, "throughput_per_h", th * 3600, 0.005);
    require_close(res, "m2.starved_frac", p0, 0.03);
    require_close(res, "m1.blocked_frac", pK, 0.03);
  }
}

TEST_CASE("Little's law holds on every run of a line with failures", "[line][queueing]") {
  const std::string json = R"({
    "duration": ")" + hours(100 * test_scale()) +
                           R"(", "warmup": "2h",
    "twins": {
      "src": {"kind": "source", "saturated": true},
      "m1": {"kind": "machine", "process": {"dist": "exponential", "mean": 1}, "mtbf": 100, "mttr": 10},
      "b1": {"kind": "buffer", "capacity": 5},
      "m2": {"kind": "machine", "process": {"dist": "lognormal", "mean": 1, "sd": 0.5}, "mtbf": 200, "mttr": 5},
      "c1": {"kind": "conveyor", "length": 6, "speed": 0.5, "max_parts": 8},
      "m3": {"kind": "machine", "process": {"dist": "triangular", "min": 0.5, "mode": 0.9, "max": 1.6}},
      "sink": {"kind": "sink"}
    },
    "flow": [["src", "m1"], ["m1", "b1"], ["b1", "m2"], ["m2", "c1"], ["c1", "m3"], ["m3", "sink"]]})";
  const auto r = run_reps(compile_text(json), 6);
  for (const auto& m : r.runs) {
    const double L = m.find("wip")->value;
    const double lambda = m.find("throughput_per_h")->value / 3600;
    const double W = m.find("lead_time_s")->value;
    INFO("L " << L << ", lambda W " << lambda * W);
    REQUIRE(std::fabs(L - lambda * W) < 0.01 * L);
  }
}
