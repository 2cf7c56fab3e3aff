// The what-if (engine/run/whatif.hpp) on the toy twin kind: the plant's observations taken into
// every fork, a variant's own setpoints over them and "extra" ones over both, common random
// numbers, the winner on an objective, and the report of what the fork took.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/run/whatif.hpp"
#include "tests/engine/toy_model.hpp"
#include "tests/support/replications.hpp"

using namespace dtwin;
using namespace dtwin::test;

namespace {

const char* kToy = R"({"name": "toy what-if", "seed": 3, "duration": "100h", "replications": 4,
  "twins": {"t1": {"kind": "toy", "rate": 60}, "t2": {"kind": "toy", "rate": 30}},
  "variants": {"same": {},
               "fast_t1": {"twins": {"t1": {"rate": 240}}},
               "slow_t2": {"twins": {"t2": {"rate": 3}}}}})";

constexpr double kHorizon = 20 * 3600.0;

// the question: these variants (the baseline first), settled for the horizon
WhatIf question(const Scenario& sc, const std::vector<std::string>& names, unsigned reps) {
  WhatIf q;
  const Registry reg = toy_registry();
  for (const auto& n : names) {
    q.variants.push_back(sc.compile(sc.find_variant(n), reg));
    settle_for_whatif(q.variants.back(), kHorizon, reps);
  }
  q.jobs = 2;
  return q;
}

Observation obs(const std::string& twin, const std::string& prop, double v) {
  return Observation{twin, prop, Value{v, ""}};
}

// a twin's KPI in the report; non-const, as every JSON read in these tests: a member missing
// after a regression reads as null and fails the check (a const lookup of it is undefined)
nlohmann::ordered_json& twin_kpi(WhatIfResult& r, const std::string& variant,
                                 const std::string& twin, const std::string& kpi) {
  return r.report["variants"][variant]["twins"][twin][kpi];
}

// the mean of a Poisson count `mu` over n replications, within 4 standard errors
void check_mean(nlohmann::ordered_json& stat, double offset, double mu) {
  const double n = stat["n"].get<double>();
  INFO(stat.dump() << " against " << offset << " + " << mu);
  CHECK(std::fabs(stat["mean"].get<double>() - offset - mu) < 4 * std::sqrt(mu / n));
}

// the runs of one variant's KPI, replication by replication
std::vector<double> column(const WhatIfResult& r, const std::string& variant,
                           const std::string& key) {
  std::vector<double> out;
  const std::size_t k = r.table.key_index(key);
  for (const auto& row : r.table.rows)
    if (row.variant == variant) out.push_back(row.values.at(k));
  return out;
}

}  // namespace

TEST_CASE("what-if: observe reads every property of every twin off a world", "[whatif]") {
  const Scenario sc = Scenario::parse(kToy, "toy.json");
  World w(compile_toy(sc).models);
  w.start(RunContext{3, 0});
  w.run_until(3600);
  const auto seen = observe(w);
  REQUIRE(seen.size() == 6);  // rate, level, made of t1 and t2
  CHECK((seen[0].twin == "t1" && seen[0].prop == "rate" && seen[0].value.num == 60));
  CHECK((seen[4].twin == "t2" && seen[4].prop == "level"));
  const auto& st = w.state<ToyState>(0);
  CHECK(seen[4].value.num == static_cast<double>(st.twins[1].level));
  CHECK(seen[1].value.num > 0);  // an hour at 60 per hour
}

TEST_CASE("what-if: the fork takes the observed level and rate, refuses a counter with its reason",
          "[whatif]") {
  const Scenario sc = Scenario::parse(kToy, "toy.json");
  WhatIf q = question(sc, {"baseline"}, scaled(40));
  q.observed = {obs("t1", "level", 500), obs("t1", "rate", 30), obs("t1", "made", 999),
                obs("t2", "level", 7),   obs("t9", "rate", 1),  obs("t2", "colour", 1)};
  WhatIfResult r = run_whatif(sc, q);
  // what the baseline's fork took, in order; what the plant has and the scenario does not is
  // left out
  REQUIRE(r.assimilated.size() == 4);
  CHECK(r.assimilated[0] ==
        nlohmann::json{{"twin", "t1"}, {"prop", "level"}, {"value", 500.0}, {"taken", true}});
  CHECK(r.assimilated[1]["taken"] == true);
  CHECK(r.assimilated[2]["prop"] == "made");
  CHECK(r.assimilated[2]["taken"] == false);
  CHECK_THAT(r.assimilated[2]["reason"].get<std::string>(), Catch::Contains("counter"));
  CHECK(r.assimilated[3]["twin"] == "t2");
  // every replication starts from the observed plant: t1 at 30 per hour from 500
  check_mean(twin_kpi(r, "baseline", "t1", "level"), 500, expected_items(30, kHorizon));
  check_mean(twin_kpi(r, "baseline", "t1", "items"), 0, expected_items(30, kHorizon));
  check_mean(twin_kpi(r, "baseline", "t2", "level"), 7, expected_items(30, kHorizon));
  // but not as one copied run: the replications differ
  const auto items = column(r, "baseline", "t1.items");
  CHECK(*std::min_element(items.begin(), items.end()) <
        *std::max_element(items.begin(), items.end()));
}

TEST_CASE("what-if: a variant's own setpoints win over the plant's, extra ones over both",
          "[whatif]") {
  const Scenario sc = Scenario::parse(kToy, "toy.json");
  WhatIf q = question(sc, {"baseline", "fast_t1", "fast_t1"}, scaled(40));
  q.variants[2].name = "fast_t1 asked";
  q.observed = {obs("t1", "rate", 30), obs("t2", "rate", 90)};
  q.extra = {{}, {}, {obs("t1", "rate", 6), obs("t2", "rate", 12)}};
  WhatIfResult r = run_whatif(sc, q);
  REQUIRE(r.own_setpoints.size() == 3);
  CHECK(r.own_setpoints[0].empty());
  REQUIRE(r.own_setpoints[1].size() == 1);
  CHECK(r.own_setpoints[1][0].twin == "t1");
  CHECK(r.own_setpoints[1][0].prop == "rate");
  CHECK(r.own_setpoints[1][0].value.num == 240);
  CHECK(r.own_setpoints[1][0].spec.writable);
  check_mean(twin_kpi(r, "baseline", "t1", "items"), 0, expected_items(30, kHorizon));
  check_mean(twin_kpi(r, "fast_t1", "t1", "items"), 0, expected_items(240, kHorizon));
  check_mean(twin_kpi(r, "fast_t1 asked", "t1", "items"), 0, expected_items(6, kHorizon));
  // what a variant does not set itself comes from the plant, unless asked otherwise
  for (const char* v : {"baseline", "fast_t1"})
    check_mean(twin_kpi(r, v, "t2", "items"), 0, expected_items(90, kHorizon));
  check_mean(twin_kpi(r, "fast_t1 asked", "t2", "items"), 0, expected_items(12, kHorizon));
  // the setpoints a variant changes are what it differs in from the baseline at the start
  const Registry reg = toy_registry();
  const auto same = setpoint_changes(sc.compile(0, reg), sc.compile(sc.find_variant("same"), reg));
  CHECK(same.empty());
  const auto slow =
      setpoint_changes(sc.compile(0, reg), sc.compile(sc.find_variant("slow_t2"), reg));
  REQUIRE(slow.size() == 1);
  CHECK((slow[0].twin == "t2" && slow[0].value.num == 3));
}

TEST_CASE("what-if: common random numbers, a copy of the baseline differs by exactly zero",
          "[whatif]") {
  const Scenario sc = Scenario::parse(kToy, "toy.json");
  WhatIf q = question(sc, {"baseline", "same", "fast_t1", "slow_t2"}, scaled(20));
  q.observed = {obs("t1", "level", 40)};
  WhatIfResult r = run_whatif(sc, q);
  auto& vs = r.report["variants"];
  for (const char* key : {"throughput_per_h"}) {
    auto& d = vs["same"]["delta_vs_baseline"]["kpis"][key];
    CHECK(d["mean"] == 0.0);
    CHECK(d["ci95"][0] == 0.0);
    CHECK(d["ci95"][1] == 0.0);
  }
  for (const char* kpi : {"items", "level"}) {
    CHECK(vs["same"]["delta_vs_baseline"]["twins"]["t1"][kpi]["mean"] == 0.0);
    CHECK(vs["same"]["delta_vs_baseline"]["twins"]["t2"][kpi]["ci95"][1] == 0.0);
  }
  // each twin draws from its own stream: slowing t2 leaves t1's runs as they were
  CHECK(column(r, "slow_t2", "t1.items") == column(r, "baseline", "t1.items"));
  CHECK(vs["slow_t2"]["delta_vs_baseline"]["twins"]["t2"]["items"]["ci95"][1].get<double>() < 0);
  // the same gaps, shorter: a faster t1 makes at least as many items in every replication
  const auto base = column(r, "baseline", "t1.items"), fast = column(r, "fast_t1", "t1.items");
  REQUIRE(base.size() == fast.size());
  for (std::size_t i = 0; i < base.size(); ++i) CHECK(fast[i] >= base[i]);
}

TEST_CASE("what-if: the winner on an objective, maximised or minimised", "[whatif]") {
  const Scenario sc = Scenario::parse(kToy, "toy.json");
  WhatIf q = question(sc, {"baseline", "same", "fast_t1", "slow_t2"}, scaled(8));
  WhatIfResult most = run_whatif(sc, q);
  CHECK(most.has_objective);
  CHECK(most.winner == "fast_t1");
  CHECK(
      most.best ==
      Approx(most.report["variants"]["fast_t1"]["kpis"]["throughput_per_h"]["mean"].get<double>()));
  q.minimize = true;
  CHECK(run_whatif(sc, q).winner == "slow_t2");
  q.objective = "t2.items";
  CHECK(run_whatif(sc, q).winner == "slow_t2");
  q.objective = "no_such_kpi";
  WhatIfResult none = run_whatif(sc, q);
  CHECK_FALSE(none.has_objective);
  CHECK(none.winner == "baseline");
  // on the table itself: ties keep the first in plan order ("same" equals the baseline)
  const Best tie = best_variant(most.table, "t2.items", false);
  CHECK(tie.found);
  CHECK(tie.variant == "baseline");
  CHECK(best_variant(most.table, "t1.items", true).variant == "baseline");
  CHECK_FALSE(best_variant(most.table, "nope", false).found);
}
