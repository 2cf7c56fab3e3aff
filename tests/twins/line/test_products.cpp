// Products, routings, changeovers and queue disciplines against queueing theory: the
// non-preemptive priority M/M/1 (Cobham's formula), the M/M/1 with Bernoulli feedback (a
// Jackson network), and deterministic lines with a cyclic sequence and a changeover matrix
// (exact cycle times); then the errors bad input raises. The stochastic checks use
// replications: the analytic value within 4 standard errors of the replication mean.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "engine/sim/world.hpp"
#include "tests/support/analytic.hpp"
#include "tests/support/run_helpers.hpp"

using dtwin::ScenarioError;
using namespace dtwin::test;  // compile_text, run_reps, test_scale, hours, require_close

namespace {

// The error a scenario text raises when compiled.
ScenarioError error_of(const std::string& text) {
  try {
    compile_text(text);
  } catch (const ScenarioError& e) {
    return e;
  }
  FAIL("no error raised");
  throw;
}

// One machine fed by a buffer, two products released by a mix.
std::string two_class_queue(double lambda, const std::string& discipline,
                            const std::string& process) {
  return R"({
    "duration": ")" +
         hours(300 * test_scale()) + R"(", "warmup": "2h",
    "products": {"A": {"priority": 1}, "B": {"priority": 2}},
    "twins": {
      "in":  {"kind": "source", "interarrival": {"dist": "exponential", "mean": )" +
         std::to_string(1 / lambda) + R"(}, "mix": {"A": 0.5, "B": 0.5}},
      "q":   {"kind": "buffer", "discipline": ")" +
         discipline + R"("},
      "srv": {"kind": "machine", "process": )" +
         process + R"(},
      "out": {"kind": "sink"}
    },
    "flow": [["in", "q"], ["q", "srv"], ["srv", "out"]]})";
}

// Cobham: the mean wait of class k in a non-preemptive priority M/G/1 is
// W0 / ((1 - sigma_{k-1}) (1 - sigma_k)), W0 = sum_i lambda_i E[S_i^2] / 2, sigma_k the load of
// classes 1..k; the lead time adds the class's mean service.
struct TwoClasses {
  double lead_first, lead_second;
};
TwoClasses cobham(double lambda1, double mean1, double lambda2, double mean2) {
  // exponential service: E[S^2] = 2 mean^2
  const double w0 = lambda1 * mean1 * mean1 + lambda2 * mean2 * mean2;
  const double s1 = lambda1 * mean1, s2 = s1 + lambda2 * mean2;
  return {w0 / (1 - s1) + mean1, w0 / ((1 - s1) * (1 - s2)) + mean2};
}

}  // namespace

TEST_CASE("non-preemptive priority M/M/1 with two classes: Cobham's formula",
          "[line][queueing][products]") {
  const double lambda = 0.7;  // 0.35/s of each product, service exponential with mean 1 s
  const TwoClasses w = cobham(lambda / 2, 1, lambda / 2, 1);
  const auto r = run_reps(
      compile_text(two_class_queue(lambda, "priority", R"({"dist": "exponential", "mean": 1})")),
      10);
  require_close(r, "products.A.lead_time_s", w.lead_first, 0.03);
  require_close(r, "products.B.lead_time_s", w.lead_second, 0.03);
  require_close(r, "products.A.throughput_per_h", lambda / 2 * 3600, 0.01);
  require_close(r, "products.B.wip", lambda / 2 * w.lead_second, 0.03);
  require_close(r, "lead_time_s", (w.lead_first + w.lead_second) / 2, 0.03);
}

TEST_CASE("shortest processing time first is Cobham's priority by service time",
          "[line][queueing][products]") {
  // A takes 0.5 s on average and B 1.5 s: "spt" serves A first
  const double lambda = 0.5;
  const TwoClasses w = cobham(lambda / 2, 0.5, lambda / 2, 1.5);
  const auto r = run_reps(
      compile_text(two_class_queue(lambda, "spt",
                                   R"({"by_product": {"A": {"dist": "exponential", "mean": 0.5},
                                  "B": {"dist": "exponential", "mean": 1.5}}})")),
      10);
  require_close(r, "products.A.lead_time_s", w.lead_first, 0.03);
  require_close(r, "products.B.lead_time_s", w.lead_second, 0.03);
  require_close(r, "srv.working_frac", lambda, 0.01);
}

TEST_CASE("M/M/1 with Bernoulli feedback (rework) is a Jackson network",
          "[line][queueing][products]") {
  // a part goes back to the queue with p = 0.3: the station sees lambda / (1 - p), so it is an
  // M/M/1 with rho = lambda / ((1 - p) mu) and a part's whole stay is 1 / ((1 - p) mu - lambda)
  const double lambda = 0.5, mu = 1, p = 0.3;
  const double rho = lambda / ((1 - p) * mu);
  const std::string json = R"({
    "duration": ")" + hours(300 * test_scale()) +
                           R"(", "warmup": "2h",
    "twins": {
      "in":  {"kind": "source", "interarrival": {"dist": "exponential", "mean": 2}},
      "q":   {"kind": "buffer"},
      "srv": {"kind": "machine", "process": {"dist": "exponential", "mean": 1}},
      "out": {"kind": "sink"}
    },
    "flow": [["in", "q"], ["q", "srv"], ["srv", "q", {"p": 0.3}], ["srv", "out"]]})";
  const auto r = run_reps(compile_text(json), 10);
  require_close(r, "lead_time_s", 1 / ((1 - p) * mu - lambda), 0.03);
  require_close(r, "wip", rho / (1 - rho), 0.03);
  require_close(r, "throughput_per_h", lambda * 3600, 0.01);
  require_close(r, "srv.working_frac", rho, 0.01);
}

TEST_CASE("a deterministic two-product line with a sequence and changeovers: exact cycle",
          "[line][products]") {
  // m1 (A 10 s, B 20 s, changeover A->B 5 s, B->A 8 s) fed by a saturated source, then a
  // buffer of 10 and m2 (A 15 s, B 12 s, changeovers 3 s and 4 s). Each machine needs its
  // processing and two changeovers per sequence; the slower one sets the line's cycle, and the
  // buffer absorbs the differences part by part.
  struct Case {
    std::string sequence;
    double m1_s, m2_s;  // each machine's time per sequence
    double a, b;        // parts of A and B per sequence
  };
  for (const Case& cs : {Case{R"(["A", "A", "B"])", 10 + 10 + 20 + 13, 15 + 15 + 12 + 7, 2, 1},
                         Case{R"(["A", "B"])", 10 + 20 + 13, 15 + 12 + 7, 1, 1},
                         Case{R"(["B", "A", "A", "A"])", 20 + 30 + 13, 12 + 45 + 7, 3, 1}}) {
    const double cycle_s = std::max(cs.m1_s, cs.m2_s);
    const std::string json = R"({
      "duration": "1000h", "warmup": "1h",
      "products": {"A": {}, "B": {}},
      "twins": {
        "src":  {"kind": "source", "saturated": true, "sequence": )" +
                             cs.sequence + R"(},
        "m1":   {"kind": "machine", "process": {"by_product": {"A": 10, "B": "20s"}},
                 "changeover": {"A->B": 5, "B->A": "8s"}},
        "b":    {"kind": "buffer", "capacity": 10},
        "m2":   {"kind": "machine", "process": {"by_product": {"A": 15, "B": 12}},
                 "changeover": {"A->B": 3, "B->A": 4}},
        "sink": {"kind": "sink"}
      },
      "flow": [["src", "m1"], ["m1", "b"], ["b", "m2"], ["m2", "sink"]]})";
    const auto r = run_reps(compile_text(json), 1);
    INFO("sequence " << cs.sequence);
    const double per_h = 3600 / cycle_s;
    CHECK(r.mean("products.A.throughput_per_h") == Approx(cs.a * per_h).epsilon(1e-4));
    CHECK(r.mean("products.B.throughput_per_h") == Approx(cs.b * per_h).epsilon(1e-4));
    CHECK(r.mean("throughput_per_h") == Approx((cs.a + cs.b) * per_h).epsilon(1e-4));
    CHECK(r.mean("m1.setup_frac") == Approx(13 / cycle_s).epsilon(1e-4));
    CHECK(r.mean("m2.setup_frac") == Approx(7 / cycle_s).epsilon(1e-4));
    CHECK(r.mean("m1.blocked_frac") == Approx(1 - cs.m1_s / cycle_s).margin(1e-4));
    CHECK(r.mean("m2.starved_frac") == Approx(1 - cs.m2_s / cycle_s).margin(1e-4));
  }
}

TEST_CASE("routing by product sends each product its own way", "[line][products]") {
  const std::string json = R"({
    "duration": "100h",
    "products": {"A": {"due": "1min"}, "B": {}},
    "twins": {
      "src": {"kind": "source", "saturated": true, "sequence": ["A", "B", "B"]},
      "m1":  {"kind": "machine", "process": 10},
      "mA":  {"kind": "machine", "process": 5},
      "mB":  {"kind": "machine", "process": 5},
      "sA":  {"kind": "sink"},
      "sB":  {"kind": "sink"}
    },
    "flow": [["src", "m1"], ["m1", "mA", {"products": ["A"]}], ["m1", "mB"],
             ["mA", "sA"], ["mB", "sB"]]})";
  const auto r = run_reps(compile_text(json), 1);
  CHECK(r.mean("sA.throughput_per_h") == Approx(120).epsilon(1e-3));
  CHECK(r.mean("sB.throughput_per_h") == Approx(240).epsilon(1e-3));
  CHECK(r.mean("products.A.lead_time_s") == Approx(15));
  CHECK(r.mean("products.A.on_time_frac") == 1);
  CHECK(r.mean("products.A.tardiness_s") == 0);
}

TEST_CASE("the state shows the product on a machine and the parts waiting by product",
          "[line][products]") {
  // m1 (1 s a part) fills b faster than m2 (10 s) empties it: A, A, B, A, A, B, ...
  const auto v = compile_text(R"({
    "duration": "1h",
    "products": {"A": {}, "B": {}},
    "twins": {
      "src": {"kind": "source", "saturated": true, "sequence": ["A", "A", "B"]},
      "m1":  {"kind": "machine", "process": 1},
      "b":   {"kind": "buffer", "capacity": 5},
      "m2":  {"kind": "machine", "process": 10},
      "out": {"kind": "sink"}
    },
    "flow": [["src", "m1"], ["m1", "b"], ["b", "m2"], ["m2", "out"]]})");
  dtwin::World w(v.models);
  w.start({1, 0});
  w.run_until(5.5);  // m2 has had A since t = 1; b holds A, B, A, A (m1 made 5 parts)
  const auto j = w.state_json()["models"][0];
  CHECK(j["machines"]["m2"]["product"] == "A");
  CHECK(j["machines"]["m1"]["product"] == "B");  // its 6th part, from t = 5
  CHECK(j["places"]["b"]["by_product"]["A"] == 3);
  CHECK(j["places"]["b"]["by_product"]["B"] == 1);
}

TEST_CASE("the setup discipline saves changeovers", "[line][products]") {
  const auto setup_frac = [](const std::string& discipline) {
    const std::string json = R"({
      "duration": "200h", "warmup": "1h",
      "products": {"A": {}, "B": {}},
      "twins": {
        "in": {"kind": "source", "interarrival": {"dist": "exponential", "mean": 10},
               "mix": {"A": 0.5, "B": 0.5}},
        "q":  {"kind": "buffer", "discipline": ")" +
                             discipline + R"("},
        "m":  {"kind": "machine", "process": 8, "changeover": {"A->B": 2, "B->A": 2}},
        "out": {"kind": "sink"}
      },
      "flow": [["in", "q"], ["q", "m"], ["m", "out"]]})";
    return run_reps(compile_text(json), 2).mean("m.setup_frac");
  };
  // at a load near 0.9 fifo changes over on every other part (0.10 of the time), setup first
  // on about one part in four (0.056)
  CHECK(setup_frac("setup") < 0.7 * setup_frac("fifo"));
}

TEST_CASE("earliest due date first lets the urgent product overtake", "[line][products]") {
  // an overloaded machine (8 s a part, a part every 5 s): B is due 10 min after release, A 1 h
  const auto leads = [](const std::string& discipline) {
    const std::string json = R"({
      "duration": "1h",
      "products": {"A": {"due": "1h"}, "B": {"due": "10min"}},
      "twins": {
        "in": {"kind": "source", "interarrival": 5, "sequence": ["A", "B"]},
        "q":  {"kind": "buffer", "discipline": ")" +
                             discipline + R"("},
        "m":  {"kind": "machine", "process": 8},
        "out": {"kind": "sink"}
      },
      "flow": [["in", "q"], ["q", "m"], ["m", "out"]]})";
    const auto r = run_reps(compile_text(json), 1);
    return std::make_pair(r.mean("products.A.lead_time_s"), r.mean("products.B.lead_time_s"));
  };
  const auto edd = leads("edd"), fifo = leads("fifo");
  INFO("edd: A " << edd.first << " s, B " << edd.second << " s; fifo: A " << fifo.first << " s, B "
                 << fifo.second << " s");
  CHECK(edd.second < 20);
  CHECK(edd.first > 10 * edd.second);
  CHECK(std::fabs(fifo.first - fifo.second) < 0.1 * fifo.first);
}

TEST_CASE("products: bad input names its JSON pointer", "[line][products][errors]") {
  const std::string head = R"({"duration": "1h", "products": {"A": {}, "B": {}}, "twins": {)";
  const std::string tail = R"(, "sink": {"kind": "sink"}},
    "flow": [["src", "m1"], ["m1", "sink"]]})";
  const auto with = [&](const std::string& src, const std::string& m1) {
    return head + R"("src": )" + src + R"(, "m1": )" + m1 + tail;
  };
  const std::string mix = R"({"kind": "source", "saturated": true, "mix": {"A": 0.5, "B": 0.5}})";

  const auto unknown =
      error_of(with(mix, R"({"kind": "machine", "process": {"by_product": {"A": 1, "C": 2}}})"));
  CHECK(unknown.pointer() == "/twins/m1/process/by_product/C");
  CHECK_THAT(unknown.message(), Catch::Contains("unknown product \"C\""));

  const auto missing =
      error_of(with(mix, R"({"kind": "machine", "process": {"by_product": {"A": 1}}})"));
  CHECK(missing.pointer() == "/twins/m1/process/by_product");
  CHECK_THAT(missing.message(), Catch::Contains("no time for product \"B\""));

  const auto sum =
      error_of(with(R"({"kind": "source", "saturated": true, "mix": {"A": 0.5, "B": 0.4}})", R"(
      {"kind": "machine", "process": 1})"));
  CHECK(sum.pointer() == "/twins/src/mix");
  CHECK_THAT(sum.message(), Catch::Contains("sum to 0.9, not 1"));

  const auto co =
      error_of(with(mix, R"({"kind": "machine", "process": 1, "changeover": {"A->X": 5}})"));
  CHECK(co.pointer() == "/twins/m1/changeover/A->X");

  const auto disc = error_of(R"({"duration": "1h", "products": {"A": {}}, "twins": {
      "in": {"kind": "source", "interarrival": 5}, "q": {"kind": "buffer", "discipline": "prio"},
      "m1": {"kind": "machine", "process": 1}, "out": {"kind": "sink"}},
    "flow": [["in", "q"], ["q", "m1"], ["m1", "out"]]})");
  CHECK(disc.pointer() == "/twins/q/discipline");
  CHECK_THAT(disc.message(), Catch::Contains("unknown discipline \"prio\""));

  const auto p = error_of(R"({"duration": "1h", "twins": {
      "in": {"kind": "source", "interarrival": 5}, "q": {"kind": "buffer"},
      "m1": {"kind": "machine", "process": 1}, "out": {"kind": "sink"}},
    "flow": [["in", "q"], ["q", "m1"], ["m1", "q", {"p": 0.2}], ["m1", "out", {"p": 0.7}]]})");
  CHECK(p.pointer() == "/flow/3/2/p");
  CHECK_THAT(p.message(), Catch::Contains("sum to 0.9, not 1"));

  const auto no_products = error_of(R"({"duration": "1h", "twins": {
      "src": {"kind": "source", "saturated": true, "sequence": ["A"]},
      "m1": {"kind": "machine", "process": 1}, "sink": {"kind": "sink"}},
    "flow": [["src", "m1"], ["m1", "sink"]]})");
  CHECK(no_products.pointer() == "/twins/src/sequence");

  const auto no_route = error_of(head + R"("src": )" + mix + R"(,
      "m1": {"kind": "machine", "process": 1}, "s2": {"kind": "sink"})" +
                                 R"(, "sink": {"kind": "sink"}},
    "flow": [["src", "m1"], ["m1", "sink", {"products": ["A"]}], ["m1", "s2", {"products": ["A"]}]]})");
  CHECK(no_route.pointer() == "/flow/2/2/products");
}
