// The runner (engine/run/runner.hpp) on the toy twin kind (tests/engine/toy_model.hpp): plan
// order, determinism, shards, the time series and the warm-up, checked against the toy's
// Poisson theory over replications.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/base/error.hpp"
#include "engine/run/runner.hpp"
#include "tests/engine/toy_model.hpp"
#include "tests/support/replications.hpp"

using namespace dtwin;
using namespace dtwin::test;

namespace {

// t1 at 60 items/h, t2 at 30; "heavy" makes t1's runs long (the threads then finish out of
// plan order), "light" makes them short
const char* kToy = R"({"name": "toy runner", "seed": 11, "duration": "100h", "replications": 6,
  "twins": {"t1": {"kind": "toy", "rate": 60}, "t2": {"kind": "toy", "rate": 30}},
  "variants": {"heavy": {"twins": {"t1": {"rate": 1000}}, "duration": "50h"},
               "light": {"twins": {"t1": {"rate": 1}}}}})";

std::vector<CompiledVariant> compile_all(const Scenario& sc) {
  std::vector<CompiledVariant> out;
  const Registry reg = toy_registry();
  for (std::size_t i = 0; i < sc.variants().size(); ++i) out.push_back(sc.compile(i, reg));
  return out;
}

bool same_metrics(const Metrics& a, const Metrics& b) {
  if (a.values.size() != b.values.size() || a.labels != b.labels) return false;
  for (std::size_t i = 0; i < a.values.size(); ++i)
    if (a.values[i].key != b.values[i].key || a.values[i].value != b.values[i].value) return false;
  return true;
}

double metric(const Metrics& m, const std::string& key) {
  const auto* v = m.find(key);
  REQUIRE(v != nullptr);
  return v->value;
}

// |mean - mu| within 4 standard errors of a Poisson count with mean mu over n replications
void check_poisson_mean(const RepStats& r, const std::string& key, double mu) {
  const double n = static_cast<double>(r.values.at(key).n());
  INFO(key << ": mean " << r.mean(key) << ", theory " << mu << ", n " << n);
  CHECK(std::fabs(r.mean(key) - mu) < 4 * std::sqrt(mu / n));
}

}  // namespace

TEST_CASE("toy: compiles through the scenario and refuses what it does not know", "[toy]") {
  const Scenario sc = Scenario::parse(kToy, "toy.json");
  const CompiledVariant v = compile_toy(sc);
  REQUIRE(v.models.size() == 1);
  CHECK(v.settings.duration_s == 100 * 3600.0);
  CHECK(compile_toy(sc, "heavy").settings.duration_s == 50 * 3600.0);
  const Scenario typo = Scenario::parse(
      R"({"duration": "1h", "twins": {"t1": {"kind": "toy", "rte": 5}}})", "typo.json");
  try {
    compile_toy(typo);
    FAIL("no error");
  } catch (const ScenarioError& e) {
    CHECK(e.pointer() == "/twins/t1/rte");
    CHECK_THAT(e.describe(), Catch::Contains("did you mean \"rate\""));
  }
  const Scenario kind =
      Scenario::parse(R"({"duration": "1h", "twins": {"t1": {"kind": "tyo"}}})", "kind.json");
  CHECK_THROWS_WITH(compile_toy(kind), Catch::Contains("known kinds: toy"));
}

TEST_CASE("toy: its counts match the Poisson theory over replications", "[toy][runner]") {
  const Scenario sc = Scenario::parse(kToy, "toy.json");
  const auto r = run_reps(compile_toy(sc), scaled(200));
  const double span = 100 * 3600.0;
  check_poisson_mean(r, "t1.items", expected_items(60, span));
  check_poisson_mean(r, "t2.items", expected_items(30, span));
  // the 95% interval is as wide as the theory says: 1.96 sd / sqrt(n), sd = sqrt(mean)
  const Summary s = r.summary("t1.items");
  const double theory = 1.96 * std::sqrt(expected_items(60, span) / static_cast<double>(s.n));
  CHECK(s.half_width() > 0.7 * theory);
  CHECK(s.half_width() < 1.4 * theory);
  // all items per hour: the sum of the rates
  const double n = static_cast<double>(r.values.at("throughput_per_h").n());
  CHECK(std::fabs(r.mean("throughput_per_h") - 90) < 4 * std::sqrt(90 * 3600 / span / n));
}

TEST_CASE("runner: results come back in plan order whatever the number of threads", "[runner]") {
  const Scenario sc = Scenario::parse(kToy, "toy.json");
  const auto variants = compile_all(sc);
  const auto plan = plan_runs(variants);
  REQUIRE(plan.size() == 18);
  const auto one = run_all(variants, plan, 1, nullptr, nullptr);
  for (unsigned jobs : {2u, 8u}) {
    const auto many = run_all(variants, plan, jobs, nullptr, nullptr);
    REQUIRE(many.size() == plan.size());
    for (std::size_t i = 0; i < plan.size(); ++i) {
      INFO("jobs " << jobs << ", plan index " << i);
      CHECK(many[i].task.index == plan[i].index);
      CHECK(many[i].task.variant == plan[i].variant);
      CHECK(many[i].task.replication == plan[i].replication);
      CHECK(many[i].events == one[i].events);
      CHECK(same_metrics(many[i].metrics, one[i].metrics));
    }
  }
  // each result is the run of its own task
  for (const std::size_t i : {0u, 7u, 17u}) {
    const RunResult alone = run_one(variants[plan[i].variant], plan[i], nullptr);
    CHECK(same_metrics(alone.metrics, one[i].metrics));
  }
}

TEST_CASE("runner: the same seed gives identical metrics, another seed or replication others",
          "[runner]") {
  const Scenario sc = Scenario::parse(kToy, "toy.json");
  const CompiledVariant v = compile_toy(sc);
  const RunResult a = run_one(v, RunTask{0, 2, 2}, nullptr);
  const RunResult b = run_one(v, RunTask{0, 2, 2}, nullptr);
  CHECK(a.seed == 11);
  CHECK(same_metrics(a.metrics, b.metrics));
  CHECK(a.events == b.events);
  const RunResult other_rep = run_one(v, RunTask{0, 3, 3}, nullptr);
  CHECK(metric(other_rep.metrics, "t1.items") != metric(a.metrics, "t1.items"));
  CompiledVariant reseeded = v;
  reseeded.settings.seed = 12;
  const RunResult other_seed = run_one(reseeded, RunTask{0, 2, 2}, nullptr);
  CHECK(other_seed.seed == 12);
  CHECK(metric(other_seed.metrics, "t1.items") != metric(a.metrics, "t1.items"));
}

TEST_CASE("runner: shards are disjoint and together they are the plan", "[runner]") {
  const Scenario sc = Scenario::parse(kToy, "toy.json");
  const auto variants = compile_all(sc);
  const auto whole = plan_runs(variants);
  for (std::uint32_t n : {1u, 2u, 4u, 7u, 25u}) {
    std::multiset<std::uint64_t> seen;
    for (std::uint32_t k = 1; k <= n; ++k) {
      const auto part = plan_runs(variants, Shard{k, n});
      for (const auto& t : part) {
        INFO("shard " << k << "/" << n << ", plan index " << t.index);
        CHECK(t.index % n == k - 1);
        // the task is the plan's own, not renumbered
        CHECK(whole[t.index].variant == t.variant);
        CHECK(whole[t.index].replication == t.replication);
        seen.insert(t.index);
      }
    }
    CHECK(seen.size() == whole.size());  // no task twice
    std::set<std::uint64_t> unique(seen.begin(), seen.end());
    CHECK(unique.size() == whole.size());  // and none missing
  }
  const Shard s = parse_shard("2/4");
  CHECK((s.k == 2 && s.n == 4));
  for (const char* bad : {"0/4", "5/4", "2/0", "2/", "/4", "a/b", "2/4x", "24"})
    CHECK_THROWS_AS(parse_shard(bad), UsageError);
}

TEST_CASE("runner: the time series has a row at every sample time, the last at the duration",
          "[runner]") {
  // samples every 3 h over 10 h: 0, 3, 6, 9 and 10 h; a warm-up of 2.5 h between two samples
  const Scenario sc = Scenario::parse(R"({"seed": 4, "duration": "10h", "warmup": "150min",
    "sample_interval": "3h", "twins": {"t1": {"kind": "toy", "rate": 600, "level": 5},
                                       "t2": {"kind": "toy", "rate": 60}}})",
                                      "ts.json");
  const CompiledVariant v = compile_toy(sc);
  std::ostringstream os;
  const RunResult with_ts = run_one(v, RunTask{0, 1, 1}, &os);
  std::istringstream in(os.str());
  std::string line;
  REQUIRE(std::getline(in, line));
  CHECK(line == "time_s,t1.level_items,t2.level_items");
  std::vector<double> times, levels;
  while (std::getline(in, line)) {
    std::istringstream row(line);
    std::string t, l1, l2;
    REQUIRE(std::getline(row, t, ','));
    REQUIRE(std::getline(row, l1, ','));
    REQUIRE(std::getline(row, l2, ','));
    times.push_back(std::stod(t));
    levels.push_back(std::stod(l1));
  }
  CHECK(times == std::vector<double>{0, 10800, 21600, 32400, 36000});
  CHECK(levels.front() == 5);                           // the initial level, before any item
  CHECK(std::is_sorted(levels.begin(), levels.end()));  // items are only ever added
  CHECK(levels.back() == metric(with_ts.metrics, "t1.level"));  // the last row is the end
  // writing the time series does not change the run, its warm-up included
  const RunResult without = run_one(v, RunTask{0, 1, 1}, nullptr);
  CHECK(same_metrics(with_ts.metrics, without.metrics));
}

TEST_CASE("runner: the warm-up resets the statistics, not the state", "[runner]") {
  const Scenario sc = Scenario::parse(R"({"seed": 8, "duration": "100h", "warmup": "60h",
    "twins": {"t1": {"kind": "toy", "rate": 60, "level": 10}}})",
                                      "warm.json");
  const auto r = run_reps(compile_toy(sc), scaled(100));
  // counted over the 40 h after the warm-up (Poisson, 2400), not over the 100 h (6000)
  check_poisson_mean(r, "t1.items", expected_items(60, 40 * 3600.0));
  CHECK(r.mean("throughput_per_h") == Approx(r.mean("t1.items") / 40));
  // the level carries everything since the start
  check_poisson_mean(r, "t1.level", 10 + expected_items(60, 100 * 3600.0));
}

namespace {
// The toy with a calendar: time 0 is `origin` on a naive local clock (Model::calendar_origin).
class CalendarToy final : public Model {
 public:
  CalendarToy(std::shared_ptr<const Model> inner, double origin)
      : inner_(std::move(inner)), origin_(origin) {}
  std::string_view kind() const override { return inner_->kind(); }
  void twins(std::vector<TwinInfo>& out) const override { inner_->twins(out); }
  std::unique_ptr<StateBlock> make_state(const RunContext& ctx) const override {
    return inner_->make_state(ctx);
  }
  void start(World& w, std::uint32_t self) const override { inner_->start(w, self); }
  void handle(World& w, const Event& e) const override { inner_->handle(w, e); }
  void reset_stats(World& w, std::uint32_t self) const override { inner_->reset_stats(w, self); }
  void collect(const World& w, std::uint32_t self, Metrics& out) const override {
    inner_->collect(w, self, out);
  }
  void columns(std::vector<std::string>& out) const override { inner_->columns(out); }
  void sample(const World& w, std::uint32_t self, std::vector<std::string>& out) const override {
    inner_->sample(w, self, out);
  }
  nlohmann::json state_json(const World& w, std::uint32_t self) const override {
    return inner_->state_json(w, self);
  }
  std::optional<double> calendar_origin() const override { return origin_; }

 private:
  std::shared_ptr<const Model> inner_;
  double origin_;
};

// rows of a time series: (time_s, time or "") and the header
std::vector<std::pair<double, std::string>> rows_of(const std::string& csv, std::string* header) {
  std::istringstream in(csv);
  std::getline(in, *header);
  const bool dated = header->rfind("time_s,time,", 0) == 0;
  std::vector<std::pair<double, std::string>> out;
  for (std::string line; std::getline(in, line);) {
    std::istringstream row(line);
    std::string t, d;
    std::getline(row, t, ',');
    if (dated) std::getline(row, d, ',');
    out.emplace_back(std::stod(t), d);
  }
  return out;
}
}  // namespace

TEST_CASE("runner: a run with a calendar has a date-time column after time_s", "[runner]") {
  const Scenario sc = Scenario::parse(R"({"seed": 4, "duration": "5d", "sample_interval": "12h",
    "twins": {"t1": {"kind": "toy", "rate": 6}}})",
                                      "cal.json");
  CompiledVariant v = compile_toy(sc);
  std::ostringstream plain;
  const RunResult without = run_one(v, RunTask{0, 0, 0}, &plain);
  std::string header;
  CHECK(rows_of(plain.str(), &header).size() == 11);
  CHECK(header == "time_s,t1.level_items");  // no calendar: as before

  // 2024-02-27 18:00: the rows cross February 29 of a leap year and the end of the month
  v.models[0] = std::make_shared<CalendarToy>(v.models[0], 1709056800);
  std::ostringstream dated;
  const RunResult with = run_one(v, RunTask{0, 0, 0}, &dated);
  CHECK(same_metrics(with.metrics, without.metrics));
  const auto rows = rows_of(dated.str(), &header);
  CHECK(header == "time_s,time,t1.level_items");
  REQUIRE(rows.size() == 11);
  CHECK(rows[0].second == "2024-02-27T18:00:00");  // the first row is the start
  CHECK(rows[1].second == "2024-02-28T06:00:00");
  CHECK(rows[2].second == "2024-02-28T18:00:00");  // one day later, the next day
  CHECK(rows[4].second == "2024-02-29T18:00:00");
  CHECK(rows[5].second == "2024-03-01T06:00:00");
  CHECK(rows[10].second == "2024-03-03T18:00:00");
  // without its second column, the same bytes as without a calendar
  std::istringstream in(dated.str());
  std::string rest;
  for (std::string line; std::getline(in, line);) {
    const std::size_t a = line.find(','), b = line.find(',', a + 1);
    rest += line.substr(0, a) + line.substr(b) + "\n";
  }
  CHECK(rest == plain.str());
}

TEST_CASE("runner: a window writes only the rows inside it, the run unchanged", "[runner]") {
  const Scenario sc = Scenario::parse(R"({"seed": 4, "duration": "10h", "sample_interval": "1h",
    "twins": {"t1": {"kind": "toy", "rate": 60}}})",
                                      "win.json");
  const CompiledVariant v = compile_toy(sc);
  std::ostringstream all, cut;
  const RunResult a = run_one(v, RunTask{0, 0, 0}, &all);
  const RunResult b =
      run_one(v, RunTask{0, 0, 0}, &cut, nullptr, {}, SeriesWindow{3 * 3600.0, 5 * 3600.0});
  CHECK(same_metrics(a.metrics, b.metrics));
  std::string header;
  const auto rows = rows_of(cut.str(), &header);
  CHECK(header == "time_s,t1.level_items");
  REQUIRE(rows.size() == 3);
  CHECK(rows.front().first == 3 * 3600);
  CHECK(rows.back().first == 5 * 3600);
  CHECK(all.str().find(cut.str().substr(header.size() + 1)) != std::string::npos);
}
