// Judging a scenario's expectations (engine/scenario/expect.hpp) on its results, with their
// confidence intervals, so a pipeline can fail on a KPI:
//  - pass: the whole 95% interval of the mean over replications is on the right side of the
//    bound; fail: the whole interval is on the wrong side;
//  - inconclusive (fails too): the interval straddles the bound; the verdict says about how many
//    replications would likely decide it (the interval's half-width shrinks as t(n-1)/sqrt(n)
//    with the spread seen so far);
//  - one run (a deterministic model, or --replications 1): the value itself against the bound;
//  - no value in any run: fails.
// `dtwin run`, `sweep` and `compare` print the verdicts, write them as JUnit XML (--junit) and
// exit with status 4 when any expectation did not pass.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "engine/run/results.hpp"
#include "engine/scenario/expect.hpp"
#include "engine/scenario/json_doc.hpp"

namespace dtwin {

struct Verdict {
  enum class Is { Pass, Fail, Inconclusive, NoValue };
  std::string variant;
  Expectation expect;
  std::string unit;
  Is is = Is::NoValue;
  std::uint64_t n = 0;       // runs with a value
  double mean = 0;           // NaN when n == 0
  double lo = 0, hi = 0;     // the 95% interval; NaN when n < 2
  std::uint64_t decide = 0;  // inconclusive: replications that would likely decide (0: none would)

  bool passed() const { return is == Is::Pass; }
  std::string is_text() const;  // "pass", "FAIL", "inconclusive", "no value"
  std::string detail() const;   // the numbers behind the verdict, one sentence
};

// Every variant's expectations on its rows, in table order. A metric the results do not have is
// bad input: UsageError naming the expectation (at its place in `doc` when given) and the
// nearest metric names.
std::vector<Verdict> judge(const ResultTable& t, const JsonDoc* doc = nullptr);

bool all_passed(const std::vector<Verdict>& v);

// The terminal summary: a count line, then a row per expectation that did not pass (and every
// row when `all`).
std::string verdicts_text(const std::vector<Verdict>& v, bool all);

// JUnit XML: a test suite per variant, a test case per expectation; a failed or inconclusive one
// carries a <failure> with the numbers (GitHub, GitLab and Jenkins show them).
void write_junit(std::ostream& os, const ResultTable& t, const std::vector<Verdict>& v);

}  // namespace dtwin
