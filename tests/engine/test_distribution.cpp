#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "engine/scenario/distribution.hpp"
#include "engine/scenario/json_doc.hpp"

using dtwin::Distribution;
using dtwin::Node;
using dtwin::parse_distribution;
using dtwin::Rng;
using dtwin::ScenarioError;
using Kind = Distribution::Kind;

namespace {

constexpr double kPi = 3.14159265358979323846;

Distribution parse(const std::string& text) {
  const dtwin::JsonDoc doc = dtwin::parse_json(text, "d.json");
  return parse_distribution(Node(doc));
}

ScenarioError parse_error(const std::string& text) {
  try {
    parse(text);
  } catch (const ScenarioError& e) {
    return e;
  }
  FAIL("expected a ScenarioError for " << text);
  throw std::logic_error("unreachable");
}

// the variance of each kind, from its parameters (for the normal: of the truncated variable)
double variance(const Distribution& d) {
  const double a = d.a, b = d.b, c = d.c;
  switch (d.kind) {
    case Kind::Constant:
      return 0;
    case Kind::Exponential:
      return a * a;
    case Kind::Normal: {
      const double alpha = -a / b;
      const double phi = std::exp(-0.5 * alpha * alpha) / std::sqrt(2 * kPi);
      const double lambda = phi / (0.5 * std::erfc(alpha / std::sqrt(2.0)));
      return b * b * (1 + alpha * lambda - lambda * lambda);
    }
    case Kind::Lognormal:
      return (std::exp(b * b) - 1) * std::exp(2 * a + b * b);
    case Kind::Uniform:
      return (b - a) * (b - a) / 12;
    case Kind::Triangular:
      return (a * a + b * b + c * c - a * b - a * c - b * c) / 18;
    case Kind::Weibull: {
      const double g1 = std::tgamma(1 + 1 / a);
      return b * b * (std::tgamma(1 + 2 / a) - g1 * g1);
    }
    case Kind::Empirical: {
      const double m = d.mean();
      double sum = 0;
      for (double s : d.samples) sum += (s - m) * (s - m);
      return sum / static_cast<double>(d.samples.size());
    }
  }
  return 0;
}

struct Moments {
  double mean = 0, var = 0, min = INFINITY, max = -INFINITY;
};

Moments draw(const Distribution& d, std::uint64_t seed, int n) {
  Rng rng(seed);
  double sum = 0, sum2 = 0;
  Moments m;
  for (int i = 0; i < n; ++i) {
    const double x = d.sample(rng);
    sum += x;
    sum2 += x * x;
    m.min = std::min(m.min, x);
    m.max = std::max(m.max, x);
  }
  m.mean = sum / n;
  m.var = (sum2 - n * m.mean * m.mean) / (n - 1);
  return m;
}

const char* const kEveryKind[] = {
    R"({"dist": "constant", "value": "90s"})",
    R"({"dist": "exponential", "mean": 60})",
    R"({"dist": "normal", "mean": 60, "sd": 5})",
    R"({"dist": "normal", "mean": 1, "sd": 2})",  // truncation matters here
    R"({"dist": "lognormal", "mean": 60, "sd": 20})",
    R"({"dist": "lognormal", "mu": 4.0, "sigma": 0.3})",
    R"({"dist": "uniform", "min": 50, "max": 70})",
    R"({"dist": "triangular", "min": 50, "mode": 55, "max": 70})",
    R"({"dist": "weibull", "shape": 1.5, "scale": "1h"})",
    R"({"dist": "weibull", "shape": 0.7, "scale": 10})",
    R"({"dist": "empirical", "samples": [55, 61, "1min", 70]})",
};

}  // namespace

TEST_CASE("sample means of every kind fall in the 99.9% interval around the exact mean") {
  constexpr int n = 200000;
  for (const char* text : kEveryKind) {
    const Distribution d = parse(text);
    const Moments m = draw(d, 12345, n);
    const double var = variance(d);
    const double half_width = 3.29 * std::sqrt(var / n);
    INFO(text << " -> " << d.describe() << ": sample mean " << m.mean << ", exact " << d.mean()
              << " +- " << half_width << "; sample variance " << m.var << ", exact " << var);
    CHECK(std::fabs(m.mean - d.mean()) <= half_width);
    // and the spread is right too (the variance estimate is within a few percent at this n)
    CHECK(m.var == Approx(var).epsilon(0.03).margin(1e-9));
    CHECK(m.min >= 0);
  }
}

TEST_CASE("samples stay in the support") {
  const Moments u = draw(parse(R"({"dist": "uniform", "min": 50, "max": 70})"), 1, 20000);
  CHECK(u.min >= 50);
  CHECK(u.max < 70);
  CHECK(u.min < 50.1);
  CHECK(u.max > 69.9);
  const Moments t =
      draw(parse(R"({"dist": "triangular", "min": 50, "mode": 55, "max": 70})"), 2, 20000);
  CHECK(t.min >= 50);
  CHECK(t.max <= 70);
  const Moments e = draw(parse(R"({"dist": "empirical", "samples": [3, 5]})"), 3, 1000);
  CHECK(e.min == 3);
  CHECK(e.max == 5);
  const Moments z = draw(parse(R"({"dist": "normal", "mean": 60, "sd": 0})"), 4, 100);
  CHECK(z.min == 60);
  CHECK(z.max == 60);
}

TEST_CASE("the same stream gives the same sequence, on every platform") {
  for (const char* text : kEveryKind) {
    const Distribution d = parse(text);
    Rng r1(99), r2(99);
    bool same = true;
    for (int i = 0; i < 1000; ++i) same = same && d.sample(r1) == d.sample(r2);
    CHECK(same);
    CHECK(r1 == r2);
  }
  // pinned values: changing a transform changes every user's results, so it must be deliberate
  Rng rng(2024);
  const Distribution e = parse(R"({"dist": "exponential", "mean": 60})");
  const double x0 = e.sample(rng);
  const double x1 = e.sample(rng);
  Rng check(2024);
  CHECK(x0 == Approx(-60 * std::log(check.uniform_pos())).epsilon(1e-15));
  CHECK(x1 == Approx(-60 * std::log(check.uniform_pos())).epsilon(1e-15));
  Rng u(7);
  Rng u_check(7);
  const Distribution un = parse(R"({"dist": "uniform", "min": 10, "max": 20})");
  CHECK(un.sample(u) == 10 + 10 * u_check.uniform());
}

TEST_CASE("exact means") {
  CHECK(parse("60").mean() == 60);
  CHECK(parse(R"("5min")").mean() == 300);
  CHECK(parse(R"({"dist": "exponential", "mean": "2h"})").mean() == 7200);
  CHECK(parse(R"({"dist": "normal", "mean": 60, "sd": 5})").mean() == Approx(60).epsilon(1e-12));
  // N(0 + 1, 2^2) truncated at 0 has a visibly larger mean
  CHECK(parse(R"({"dist": "normal", "mean": 1, "sd": 2})").mean() == Approx(1.0 + 2 * 0.509160));
  CHECK(parse(R"({"dist": "lognormal", "mean": 60, "sd": 20})").mean() == Approx(60));
  CHECK(parse(R"({"dist": "triangular", "min": 50, "mode": 55, "max": 70})").mean() ==
        Approx(175.0 / 3));
  CHECK(parse(R"({"dist": "weibull", "shape": 1, "scale": 30})").mean() == Approx(30));
  CHECK(parse(R"({"dist": "empirical", "samples": [1, 2, 6]})").mean() == 3);
}

TEST_CASE("lognormal from mean and sd stores mu and sigma of the logarithm") {
  const Distribution d = parse(R"({"dist": "lognormal", "mean": 60, "sd": 20})");
  CHECK(d.kind == Kind::Lognormal);
  const double var_log = std::log(1 + 400.0 / 3600.0);
  CHECK(d.b == Approx(std::sqrt(var_log)));
  CHECK(d.a == Approx(std::log(60.0) - var_log / 2));
  CHECK(std::sqrt(variance(d)) == Approx(20));
}

TEST_CASE("to_json round-trips through text") {
  for (const char* text : kEveryKind) {
    const Distribution d = parse(text);
    const std::string canonical = d.to_json().dump();
    INFO(text << " -> " << canonical);
    const Distribution back = parse(canonical);
    CHECK(back == d);
    CHECK(back.to_json() == d.to_json());
  }
  CHECK(parse(R"({"dist": "lognormal", "mean": 60, "sd": 20})").to_json().contains("mu"));
}

TEST_CASE("describe is short and gives units") {
  CHECK(parse(R"({"dist": "exponential", "mean": 60})").describe() == "exponential(mean 60 s)");
  CHECK(parse(R"({"dist": "normal", "mean": 60, "sd": 5})").describe() ==
        "normal(mean 60 s, sd 5 s)");
  CHECK(parse(R"({"dist": "weibull", "shape": 1.5, "scale": 3600})").describe() ==
        "weibull(shape 1.5, scale 3600 s)");
  CHECK(parse("0.25").describe() == "constant(0.25 s)");
  CHECK(parse(R"({"dist": "empirical", "samples": [1, 2, 6]})").describe() ==
        "empirical(3 samples, mean 3 s)");
}

TEST_CASE("parse errors point at the offending member") {
  SECTION("a negative mean") {
    const ScenarioError e = parse_error(R"({"dist": "exponential", "mean": -5})");
    CHECK(e.pointer() == "/mean");
    CHECK(e.message() ==
          "expected a duration > 0 (seconds, or a string such as \"90s\", \"5min\", \"8h\", "
          "\"2d\", \"3d10h\"), got -5");
    CHECK(e.location().col == 33);
  }
  SECTION("a zero mean") {
    CHECK(parse_error(R"({"dist": "normal", "mean": "0s", "sd": 1})").pointer() == "/mean");
  }
  SECTION("min > max") {
    const ScenarioError e = parse_error(R"({"dist": "uniform", "min": 50, "max": 40})");
    CHECK(e.pointer() == "/max");
    CHECK(e.message() == "expected max >= min (50), got 40");
  }
  SECTION("triangular order") {
    CHECK(parse_error(R"({"dist": "triangular", "min": 50, "mode": 45, "max": 70})").pointer() ==
          "/mode");
    const ScenarioError e =
        parse_error(R"({"dist": "triangular", "min": "1min", "mode": "2min", "max": "90s"})");
    CHECK(e.pointer() == "/max");
    CHECK(e.message() == "expected max >= mode (120), got 90");
    CHECK_NOTHROW(parse(R"({"dist": "triangular", "min": 5, "mode": 5, "max": 5})"));
  }
  SECTION("unknown distribution names list the known ones") {
    const ScenarioError e = parse_error(R"({"dist": "gamma", "mean": 5})");
    CHECK(e.pointer() == "/dist");
    CHECK(e.message() ==
          "unknown distribution \"gamma\"; expected one of: constant, exponential, normal, "
          "lognormal, uniform, triangular, weibull, empirical");
    CHECK(parse_error(R"({"dist": "expo", "mean": 5})").message() ==
          "unknown distribution \"expo\"; did you mean \"exponential\"?");
    CHECK(parse_error(R"({"dist": 3})").pointer() == "/dist");
  }
  SECTION("missing dist and unknown members") {
    const ScenarioError missing = parse_error(R"({"mean": 5})");
    CHECK(missing.pointer() == "");
    CHECK(missing.message() == "missing required member \"dist\"");
    const ScenarioError typo = parse_error(R"({"dist": "normal", "meen": 5, "sd": 1})");
    CHECK(typo.pointer() == "/meen");
    CHECK(typo.message() == "unknown member \"meen\"; did you mean \"mean\"?");
    CHECK(parse_error(R"({"dist": "exponential", "mean": 5, "sd": 1})").pointer() == "/sd");
  }
  SECTION("lognormal takes one pair of parameters") {
    CHECK(parse_error(R"({"dist": "lognormal", "mean": 5, "sd": 1, "mu": 1})").pointer() == "/mu");
    CHECK_THAT(parse_error(R"({"dist": "lognormal"})").message(),
               Catch::Contains("\"mu\" and \"sigma\""));
    CHECK(parse_error(R"({"dist": "lognormal", "mu": 1, "sigma": -1})").pointer() == "/sigma");
    CHECK(parse_error(R"({"dist": "lognormal", "mu": "1h", "sigma": 1})").pointer() == "/mu");
  }
  SECTION("weibull and empirical") {
    CHECK(parse_error(R"({"dist": "weibull", "shape": 0, "scale": 1})").pointer() == "/shape");
    CHECK(parse_error(R"({"dist": "weibull", "shape": 1, "scale": -1})").pointer() == "/scale");
    const ScenarioError empty = parse_error(R"({"dist": "empirical", "samples": []})");
    CHECK(empty.pointer() == "/samples");
    CHECK(empty.message() == "expected a non-empty array of durations, got array []");
    CHECK(parse_error(R"({"dist": "empirical", "samples": [1, -2]})").pointer() == "/samples/1");
  }
  SECTION("values that are not distributions") {
    CHECK(parse_error("-5").message().rfind("expected a duration >= 0", 0) == 0);
    CHECK_THAT(parse_error("[1, 2]").message(), Catch::StartsWith("expected a distribution"));
    CHECK_THAT(parse_error(R"("5 parsecs")").message(), Catch::Contains("the units are"));
  }
  SECTION("a mean too large to represent") {
    const ScenarioError e = parse_error(R"({"dist": "lognormal", "mu": 800, "sigma": 1})");
    CHECK(e.pointer() == "");
    CHECK_THAT(e.message(), Catch::Contains("too large to represent"));
  }
}
