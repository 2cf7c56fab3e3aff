// Expectations judged with their confidence intervals: pass when the whole 95% interval is on
// the right side of the bound, fail when it is wholly on the wrong side, inconclusive (with the
// replications that would likely decide it) when it straddles the bound.
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

#include "engine/run/verdict.hpp"
#include "engine/scenario/json_doc.hpp"
#include "engine/scenario/json_node.hpp"
#include "engine/sim/stats.hpp"

using namespace dtwin;

namespace {

// one variant "v", one metric "x [parts/h]", the given values as its replications
ResultTable table(const std::vector<double>& xs, const std::string& expect_json) {
  ResultTable t;
  t.scenario = "s";
  t.file = "s.json";
  t.variants = {"v"};
  t.replications = {static_cast<std::uint32_t>(xs.size())};
  t.keys = {"x", "m1.oee"};
  t.units = {"parts/h", "1"};
  for (std::size_t r = 0; r < xs.size(); ++r) {
    RunRow row;
    row.variant = "v";
    row.replication = static_cast<std::uint32_t>(r);
    row.values = {xs[r], std::nan("")};
    t.rows.push_back(row);
  }
  const JsonDoc doc = parse_json(R"({"expect": )" + expect_json + "}", "s.json");
  t.expect = {parse_expectations(Node(doc.value, doc))};
  return t;
}

Verdict one(const std::vector<double>& xs, const std::string& expect_json) {
  const auto v = judge(table(xs, expect_json));
  REQUIRE(v.size() == 1);
  return v[0];
}

}  // namespace

TEST_CASE("verdicts: the interval decides, for each operator", "[expect]") {
  const std::vector<double> xs = {10, 11, 12, 13, 14};  // mean 12, 95% CI 12 +- 1.963
  const Summary s = summarize(xs);
  REQUIRE(s.lo == Approx(10.0368).epsilon(1e-4));
  CHECK(one(xs, R"({"x": {">=": 10}})").is == Verdict::Is::Pass);
  CHECK(one(xs, R"({"x": {">": 10.03}})").is == Verdict::Is::Pass);
  CHECK(one(xs, R"({"x": {">=": 11}})").is == Verdict::Is::Inconclusive);
  CHECK(one(xs, R"({"x": {">=": 14}})").is == Verdict::Is::Fail);
  CHECK(one(xs, R"({"x": {"<=": 14}})").is == Verdict::Is::Pass);
  CHECK(one(xs, R"({"x": {"<": 13}})").is == Verdict::Is::Inconclusive);
  CHECK(one(xs, R"({"x": {"<": 10}})").is == Verdict::Is::Fail);
  // a strict bound at the interval's end is not met by it
  CHECK(one(xs, R"({"x": {"<": 13.9632}})").is == Verdict::Is::Inconclusive);
  // two bounds on one metric are two expectations
  const auto both = judge(table(xs, R"({"x": {">": 5, "<": 20}})"));
  REQUIRE(both.size() == 2);
  CHECK(all_passed(both));
  // a "twins." prefix names the same metric as runs.csv does without it
  const auto pre = judge(table(xs, R"({"twins.m1.oee": {">": 0.5}})"));
  CHECK(pre[0].is == Verdict::Is::NoValue);  // no run reported it: fails
  CHECK_FALSE(all_passed(pre));
}

TEST_CASE("verdicts: one run is judged on its value, and so are identical runs", "[expect]") {
  CHECK(one({12}, R"({"x": {">=": 12}})").is == Verdict::Is::Pass);
  CHECK(one({12}, R"({"x": {">": 12}})").is == Verdict::Is::Fail);
  CHECK_THAT(one({12}, R"({"x": {">": 12}})").detail(), Catch::Contains("1 run: no interval"));
  CHECK(one({12, 12, 12}, R"({"x": {">=": 12}})").is == Verdict::Is::Pass);
  CHECK(one({12, 12, 12}, R"({"x": {"<": 12}})").is == Verdict::Is::Fail);
}

TEST_CASE("verdicts: an inconclusive one says how many replications would likely decide it",
          "[expect]") {
  // five replications, mean 101.2, sd 4.6: the interval +- 5.7 straddles a bound 3.2 away
  const std::vector<double> xs = {95, 104, 99, 107, 101};
  const Verdict v = one(xs, R"({"x": {">=": 98}})");
  REQUIRE(v.is == Verdict::Is::Inconclusive);
  REQUIRE(v.decide > xs.size());
  CHECK_THAT(v.detail(), Catch::Contains("about " + std::to_string(v.decide) + " replications"));
  // at that many, with the spread seen, the half-width is below the gap, and one fewer is not
  Welford w;
  for (double x : xs) w.add(x);
  const double gap = std::fabs(w.mean() - 98);
  auto half = [&](std::uint64_t m) {
    return t975(m - 1) * w.sd() / std::sqrt(static_cast<double>(m));
  };
  CHECK(half(v.decide) < gap);
  CHECK(half(v.decide - 1) >= gap);
  // a mean exactly on the bound: no number of replications decides it
  const Verdict on = one({9, 11}, R"({"x": {">=": 10}})");
  CHECK(on.is == Verdict::Is::Inconclusive);
  CHECK(on.decide == 0);
  CHECK_THAT(on.detail(), Catch::Contains("no practical number of replications"));
}

TEST_CASE("verdicts: a metric the results lack is bad input naming the place", "[expect]") {
  const JsonDoc doc = parse_json("{\n  \"expect\": {\"xx\": {\">=\": 1}}}", "s.json");
  ResultTable t = table({1, 2}, R"({"xx": {">=": 1}})");
  try {
    judge(t, &doc);
    FAIL("judged");
  } catch (const ScenarioError& e) {
    CHECK(e.location().line == 2);
    CHECK(e.pointer() == "/expect/xx");
    CHECK_THAT(e.message(), Catch::Contains("did you mean \"x\""));
  }
  CHECK_THROWS_AS(judge(t), UsageError);
}

TEST_CASE("verdicts: JUnit XML with a failure per expectation that did not hold, escaped",
          "[expect]") {
  ResultTable t = table({10, 11, 12, 13, 14}, R"({"x": {">=": 11, "<": 100}})");
  t.scenario = "a <line> & \"more\"";
  std::ostringstream os;
  write_junit(os, t, judge(t));
  const std::string xml = os.str();
  CHECK_THAT(xml, Catch::StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
  CHECK_THAT(
      xml,
      Catch::Contains(
          R"(<testsuites name="dtwin: a &lt;line&gt; &amp; &quot;more&quot;" tests="2" failures="1">)"));
  CHECK_THAT(
      xml,
      Catch::Contains(
          R"(<testcase classname="a &lt;line&gt; &amp; &quot;more&quot;.v" name="x &gt;= 11">)"));
  CHECK_THAT(xml, Catch::Contains(R"(<failure message="inconclusive: x = 12.0 ± 2.0 parts/h)"));
  CHECK_THAT(xml, Catch::Contains("</testsuites>"));
}
