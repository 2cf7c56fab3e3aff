// Checks of simulated KPIs against analytic values (Catch2): the replication mean within 4
// standard errors of the truth, the standard error small enough for that to mean something.
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "tests/support/replications.hpp"

namespace dtwin::test {

// a duration in hours, as a scenario's string
inline std::string hours(double h) {
  return std::to_string(h) + "h";
}

// |mean - truth| < 4 se, and se < max_rel_se * |truth|
inline void require_close(const RepStats& r, const std::string& key, double truth,
                          double max_rel_se) {
  const double m = r.mean(key), se = r.se(key);
  INFO(key << ": mean " << m << ", se " << se << ", analytic " << truth);
  REQUIRE(se < max_rel_se * std::fabs(truth));  // precise enough to test something
  REQUIRE(std::fabs(m - truth) < 4 * se);
}

}  // namespace dtwin::test
