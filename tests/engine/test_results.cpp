// The results table (engine/run/results.hpp): means, 95% intervals and paired deltas against
// numbers worked out by hand, findings by their mode, the CSV round trip, and shards merged into
// exactly what one unsharded run gives.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "engine/base/error.hpp"
#include "engine/run/results.hpp"
#include "tests/engine/toy_model.hpp"
#include "tests/support/temp_dir.hpp"

using namespace dtwin;
using namespace dtwin::test;

namespace {

const char* kToy = R"({"name": "toy results", "seed": 11, "duration": "10h", "replications": 3,
  "twins": {"t1": {"kind": "toy", "rate": 60}, "t2": {"kind": "toy", "rate": 30}},
  "variants": {"fast": {"twins": {"t1": {"rate": 120}}}}})";

// Student's t with 1 and 2 degrees of freedom, 0.975 quantile, from the printed tables
constexpr double kT1 = 12.706205;
constexpr double kT2 = 4.302653;

std::vector<CompiledVariant> compile_all(const Scenario& sc) {
  std::vector<CompiledVariant> out;
  const Registry reg = toy_registry();
  for (std::size_t i = 0; i < sc.variants().size(); ++i) out.push_back(sc.compile(i, reg));
  return out;
}

// a run with the numbers we choose, as the runner would return it
RunResult run_of(std::uint32_t variant, std::uint32_t rep, double throughput, double items,
                 const std::string& busiest) {
  RunResult r;
  r.task = RunTask{variant, rep, variant * 3u + rep};
  r.seed = 11;
  r.events = 100 + rep;
  r.metrics.set("throughput_per_h", throughput, "items/h");
  if (!std::isnan(items)) r.metrics.set("t1.items", items, "items");
  r.metrics.finding("busiest", busiest, "count");
  return r;
}

// baseline throughput 1, 2, 4; fast 2, 4, 5 (paired differences 1, 2, 1); t1.items missing in
// one baseline run; handed over out of order
std::vector<RunResult> known_runs() {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  return {run_of(1, 2, 5, 50, "t2"), run_of(0, 1, 2, kNaN, "t2"), run_of(0, 0, 1, 10, "t1"),
          run_of(1, 0, 2, 20, "t2"), run_of(0, 2, 4, 40, "t1"),   run_of(1, 1, 4, 30, "")};
}

std::string csv_of(const ResultTable& t) {
  std::ostringstream os;
  write_csv(os, t);
  return os.str();
}

void write_dir(const std::string& dir, const ResultTable& t, const Shard& shard) {
  std::ofstream(dir + "/runs.csv") << csv_of(t);
  std::ofstream(dir + "/runs.json") << manifest(t, shard).dump(2);
}

}  // namespace

TEST_CASE("results: a table row per run in plan order, NaN where a run has no value", "[results]") {
  const Scenario sc = Scenario::parse(kToy, "toy.json");
  const ResultTable t = make_table(sc, compile_all(sc), known_runs());
  CHECK(t.scenario == "toy results");
  CHECK(t.variants == std::vector<std::string>{"baseline", "fast"});
  CHECK(t.replications == std::vector<std::uint32_t>{3, 3});
  CHECK(t.keys == std::vector<std::string>{"throughput_per_h", "t1.items"});
  CHECK(t.units == std::vector<std::string>{"items/h", "items"});
  CHECK(t.label_keys == std::vector<std::string>{"busiest", "busiest_method"});
  REQUIRE(t.rows.size() == 6);
  const std::vector<std::pair<std::string, std::uint32_t>> order = {
      {"baseline", 0}, {"baseline", 1}, {"baseline", 2}, {"fast", 0}, {"fast", 1}, {"fast", 2}};
  for (std::size_t i = 0; i < order.size(); ++i) {
    CHECK(t.rows[i].variant == order[i].first);
    CHECK(t.rows[i].replication == order[i].second);
  }
  CHECK(std::isnan(t.rows[1].values[1]));
  CHECK(t.rows[2].values == std::vector<double>{4, 40});
  CHECK(t.rows[5].labels == std::vector<std::string>{"t2", "count"});
}

TEST_CASE("results: means, 95% intervals and paired deltas as worked out by hand", "[results]") {
  const Scenario sc = Scenario::parse(kToy, "toy.json");
  // non-const: a member missing after a regression reads as null and fails the check
  auto rep = make_report(make_table(sc, compile_all(sc), known_runs()));
  auto& base = rep["variants"]["baseline"];
  auto& fast = rep["variants"]["fast"];
  CHECK(base["runs"] == 3);
  // baseline 1, 2, 4: mean 7/3, sd sqrt(7/3), half-width t(2) sd / sqrt(3)
  auto& b = base["kpis"]["throughput_per_h"];
  const double h = kT2 * std::sqrt(7.0 / 3) / std::sqrt(3.0);
  CHECK(b["n"] == 3);
  CHECK(b["mean"].get<double>() == Approx(7.0 / 3));
  CHECK(b["ci95"][0].get<double>() == Approx(7.0 / 3 - h).epsilon(1e-6));
  CHECK(b["ci95"][1].get<double>() == Approx(7.0 / 3 + h).epsilon(1e-6));
  // fast 2, 4, 5: mean 11/3, the same spread
  CHECK(fast["kpis"]["throughput_per_h"]["mean"].get<double>() == Approx(11.0 / 3));
  CHECK(fast["kpis"]["throughput_per_h"]["ci95"][1].get<double>() ==
        Approx(11.0 / 3 + h).epsilon(1e-6));
  // paired by replication: 1, 2, 1, mean 4/3, sd sqrt(1/3); an unpaired difference of the two
  // means would have an interval about three times as wide
  auto& d = fast["delta_vs_baseline"]["kpis"]["throughput_per_h"];
  const double hd = kT2 * std::sqrt(1.0 / 3) / std::sqrt(3.0);
  CHECK(d["n"] == 3);
  CHECK(d["mean"].get<double>() == Approx(4.0 / 3));
  CHECK(d["ci95"][0].get<double>() == Approx(4.0 / 3 - hd).epsilon(1e-6));
  CHECK(d["ci95"][1].get<double>() == Approx(4.0 / 3 + hd).epsilon(1e-6));
  // a twin's KPI under "twins"; the run without it does not count: 10 and 40, n 2
  auto& items = base["twins"]["t1"]["items"];
  CHECK(items["n"] == 2);
  CHECK(items["mean"].get<double>() == Approx(25));
  const double h1 = kT1 * std::sqrt(450.0) / std::sqrt(2.0);
  CHECK(items["ci95"][1].get<double>() == Approx(25 + h1).epsilon(1e-6));
  // paired only where both runs have it: replications 0 and 2 (10 -> 20, 40 -> 50)
  auto& di = fast["delta_vs_baseline"]["twins"]["t1"]["items"];
  CHECK(di["n"] == 2);
  CHECK(di["mean"].get<double>() == Approx(10));
  CHECK(rep["units"]["throughput_per_h"] == "items/h");
  CHECK_FALSE(base.contains("delta_vs_baseline"));
}

TEST_CASE("results: a finding is summarised by its mode, with its share and counts", "[results]") {
  const Scenario sc = Scenario::parse(kToy, "toy.json");
  std::vector<RunResult> runs = known_runs();
  runs[0].metrics.label("note", "a plain label, not a finding");
  const ResultTable t = make_table(sc, compile_all(sc), runs);
  CHECK(finding_columns(t) == std::vector<std::size_t>{0});  // busiest; not its method, nor note
  std::vector<const RunRow*> base = {&t.rows[0], &t.rows[1], &t.rows[2]};
  const Mode m = mode_of(base, 0);  // t1, t2, t1
  CHECK(m.value == "t1");
  CHECK(m.count == 2);
  CHECK(m.counts == std::map<std::string, std::uint64_t>{{"t1", 2}, {"t2", 1}});
  // an empty finding (no item made) is no vote
  std::vector<const RunRow*> fast = {&t.rows[3], &t.rows[4], &t.rows[5]};
  CHECK(mode_of(fast, 0).value == "t2");
  CHECK(mode_of(fast, 0).count == 2);
  // a tie goes the same way every time: to the first name in order
  CHECK(mode_of({&t.rows[0], &t.rows[1]}, 0).value == "t1");
  CHECK(mode_of({&t.rows[1], &t.rows[0]}, 0).value == "t1");
  auto rep = make_report(t);
  auto& f = rep["variants"]["baseline"]["busiest"];
  CHECK(f["id"] == "t1");
  CHECK(f["method"] == "count");
  CHECK(f["share"].get<double>() == Approx(2.0 / 3));
  CHECK(f["counts"].size() == 2);
  CHECK(f["counts"]["t1"] == 2);
  CHECK(f["counts"]["t2"] == 1);
  CHECK(rep["variants"]["fast"]["busiest"]["share"].get<double>() == Approx(2.0 / 3));
  CHECK_FALSE(rep["variants"]["baseline"].contains("note"));
}

TEST_CASE("results: a line's products.<name>.<kpi> go under products, with their deltas",
          "[results]") {
  ResultTable t;
  t.variants = {"baseline", "v"};
  t.replications = {2, 2};
  t.keys = {"wip", "products.A.wip", "products.mean_level", "products.B.x.lead_time_s"};
  t.units = {"parts", "parts", "parts", "s"};
  for (std::uint32_t r = 0; r < 2; ++r) {
    t.rows.push_back({"baseline", r, 1, 0, {1.0, 2.0 + r, 3.0, 4.0}, {}});
  }
  for (std::uint32_t r = 0; r < 2; ++r)
    t.rows.push_back({"v", r, 1, 0, {1.0, 3.0 + r, 3.0, 5.0}, {}});
  const auto rep = make_report(t);
  const auto& v = rep["variants"]["v"];
  CHECK(v["products"]["A"]["wip"]["mean"] == 3.5);
  CHECK(v["products"]["B.x"]["lead_time_s"]["mean"] == 5.0);
  CHECK(v["twins"]["products"]["mean_level"]["mean"] == 3.0);  // a twin named "products"
  CHECK_FALSE(v["twins"].contains("A"));
  CHECK(v["delta_vs_baseline"]["products"]["A"]["wip"]["mean"] == 1.0);
  CHECK(rep["units"]["lead_time_s"] == "s");
}

TEST_CASE("results: write_csv then read_results gives the same table back", "[results]") {
  const Scenario sc = Scenario::parse(kToy, "toy.json");
  std::vector<RunResult> runs = known_runs();
  runs[2].metrics.values[0].value = 1.0 / 3;  // needs all 17 digits
  for (auto& r : runs) r.metrics.label("note", "a, \"quoted\" note");
  const ResultTable t = make_table(sc, compile_all(sc), runs);
  TempDir dir("dtwin-results");
  write_dir(dir.path, t, Shard{});
  const ResultTable back = read_results(dir.path);
  CHECK(back.scenario == t.scenario);
  CHECK(back.file == t.file);
  CHECK(back.seed == t.seed);
  CHECK(back.duration_s == t.duration_s);
  CHECK(back.variants == t.variants);
  CHECK(back.replications == t.replications);
  CHECK(back.keys == t.keys);
  CHECK(back.units == t.units);
  CHECK(back.label_keys == t.label_keys);
  REQUIRE(back.rows.size() == t.rows.size());
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    INFO("row " << i);
    CHECK(back.rows[i].variant == t.rows[i].variant);
    CHECK(back.rows[i].replication == t.rows[i].replication);
    CHECK(back.rows[i].seed == t.rows[i].seed);
    CHECK(back.rows[i].events == t.rows[i].events);
    CHECK(back.rows[i].labels == t.rows[i].labels);
    for (std::size_t k = 0; k < t.keys.size(); ++k) {
      const double a = t.rows[i].values[k], b = back.rows[i].values[k];
      CHECK(((std::isnan(a) && std::isnan(b)) || a == b));
    }
  }
  CHECK(csv_of(back) == csv_of(t));
  CHECK(make_report(back) == make_report(t));
  // a CSV that is not one of ours: the file and line
  std::ofstream(dir.file("runs.csv")) << csv_of(t) << "baseline,9,11\n";
  CHECK_THROWS_WITH(read_results(dir.path), Catch::Contains("runs.csv:8: expected"));
}

TEST_CASE("results: shards merged give the unsharded table, contradictions are refused",
          "[results]") {
  const Scenario sc = Scenario::parse(kToy, "toy.json");
  const auto variants = compile_all(sc);
  const ResultTable whole =
      make_table(sc, variants, run_all(variants, plan_runs(variants), 2, nullptr, nullptr));
  // three shards, each written and read back as `dtwin run --shard k/3` and `dtwin compare` do
  std::vector<ResultTable> parts;
  std::vector<std::unique_ptr<TempDir>> dirs;
  for (std::uint32_t k = 1; k <= 3; ++k) {
    const Shard s{k, 3};
    const auto runs = run_all(variants, plan_runs(variants, s), 1, nullptr, nullptr);
    dirs.push_back(std::make_unique<TempDir>("dtwin-shard"));
    write_dir(dirs.back()->path, make_table(sc, variants, runs), s);
    parts.push_back(read_results(dirs.back()->path));
    CHECK(parts.back().rows.size() == 2);
  }
  const ResultTable merged = merge({parts[2], parts[0], parts[1]});
  CHECK(csv_of(merged) == csv_of(whole));
  CHECK(make_report(merged) == make_report(whole));
  // a shard given twice is the same runs twice: taken once
  CHECK(csv_of(merge({parts[0], parts[1], parts[0], parts[2]})) == csv_of(whole));
  // the same run with another result: refused, naming it
  ResultTable changed = parts[0];
  changed.rows[0].values[0] += 1;
  try {
    merge({parts[0], changed});
    FAIL("merged contradictory runs");
  } catch (const UsageError& e) {
    CHECK_THAT(e.what(), Catch::Contains("appears twice with different results"));
    CHECK_THAT(e.what(), Catch::Contains(parts[0].rows[0].variant + " #"));
  }
  ResultTable other_seed = parts[1];
  other_seed.seed = 12;
  CHECK_THROWS_WITH(merge({parts[0], other_seed}), Catch::Contains("different scenarios, seeds"));
  CHECK_THROWS_AS(merge({}), UsageError);
}
