// The scenario contract: variants as merge patches, sweeps, and the errors a user sees.
#include <catch2/catch.hpp>

#include "engine/run/results.hpp"
#include "tests/support/run_helpers.hpp"
#include "twins/line/model.hpp"

using dtwin::Scenario;
using dtwin::ScenarioError;
using dtwin::test::registry;

namespace {

const char* kIssueExample = R"({
  "name": "five-station line",
  "seed": 7,
  "duration": "2000h",
  "warmup": "100h",
  "replications": 8,
  "twins": {
    "src":  {"kind": "source", "saturated": true},
    "m1":   {"kind": "machine", "process": {"dist": "exponential", "mean": 60}, "mtbf": "100min", "mttr": "10min"},
    "b1":   {"kind": "buffer", "capacity": 5},
    "m2":   {"kind": "machine", "process": {"dist": "exponential", "mean": 60}},
    "sink": {"kind": "sink"}
  },
  "flow": [["src", "m1"], ["m1", "b1"], ["b1", "m2"], ["m2", "sink"]],
  "variants": {
    "bigger_buffer": {"twins": {"b1": {"capacity": 20}}},
    "faster_m2":     {"twins": {"m2": {"process": {"mean": 50}}}}
  }
})";

const dtwin::line::LineSpec& line_of(const dtwin::CompiledVariant& v) {
  return static_cast<const dtwin::line::LineModel&>(*v.models.at(0)).spec();
}

// The error a scenario text raises when compiled (all variants).
ScenarioError error_of(const std::string& text) {
  try {
    const Scenario sc = Scenario::parse(text, "bad.json");
    for (std::size_t i = 0; i < sc.variants().size(); ++i) sc.compile(i, registry());
  } catch (const ScenarioError& e) {
    return e;
  }
  FAIL("no error raised");
  throw;
}

std::string line_with(const std::string& twins_extra, const std::string& flow) {
  return R"({"duration": "1h", "twins": {
    "src": {"kind": "source", "saturated": true},
    "m1": {"kind": "machine", "process": 10},
    "b1": {"kind": "buffer", "capacity": 2},
    "m2": {"kind": "machine", "process": 10},
    "sink": {"kind": "sink"})" +
         twins_extra + R"(},
  "flow": )" +
         flow + "}";
}
const char* kFlow = R"([["src", "m1"], ["m1", "b1"], ["b1", "m2"], ["m2", "sink"]])";

}  // namespace

TEST_CASE("the issue's example scenario compiles with its settings", "[scenario]") {
  const Scenario sc = Scenario::parse(kIssueExample, "x.json");
  REQUIRE(sc.variants().size() == 3);
  const auto v = sc.compile(0, registry());
  CHECK(v.settings.seed == 7);
  CHECK(v.settings.duration_s == 2000 * 3600.0);
  CHECK(v.settings.warmup_s == 100 * 3600.0);
  CHECK(v.settings.replications == 8);
  const auto& spec = line_of(v);
  REQUIRE(spec.machines.size() == 2);
  CHECK(spec.machines[0].fails);
  CHECK(spec.machines[0].ttf.a == 6000);
  CHECK(spec.machines[0].ttr.a == 600);
  CHECK_FALSE(spec.machines[1].fails);
  CHECK(spec.serial_order.size() == 2);
}

TEST_CASE("variants are RFC 7396 merge patches over the base", "[scenario][variants]") {
  const Scenario sc = Scenario::parse(kIssueExample, "x.json");
  const auto big = sc.compile(sc.find_variant("bigger_buffer"), registry());
  const auto fast = sc.compile(sc.find_variant("faster_m2"), registry());
  // the patched member changes, its siblings stay
  for (const auto& p : line_of(big).places)
    if (p.id == "b1") CHECK(p.capacity == 20);
  CHECK(fast.doc["twins"]["m2"]["process"]["dist"] == "exponential");
  CHECK(line_of(fast).machines[1].process.a == 50);
  CHECK(line_of(fast).machines[0].process.a == 60);
  // null removes a member: no more failures on m1
  const std::string removal =
      std::string(kIssueExample)
          .replace(
              std::string(kIssueExample).find("\"faster_m2\""), 11,
              R"("reliable_m1": {"twins": {"m1": {"mtbf": null, "mttr": null}}}, "faster_m2")");
  const Scenario sc2 = Scenario::parse(removal, "x.json");
  CHECK_FALSE(line_of(sc2.compile(sc2.find_variant("reliable_m1"), registry())).machines[0].fails);
  REQUIRE_THROWS_AS(sc.find_variant("nope"), dtwin::UsageError);
}

TEST_CASE("a sweep grid expands to named points over the baseline", "[scenario][sweep]") {
  std::string text = kIssueExample;
  text.insert(
      text.rfind('}'),
      R"(, "sweep": {"/twins/b1/capacity": [1, 2, 3], "/twins/m2/process/mean": [50, 55]})");
  const Scenario sc = Scenario::parse(text, "x.json");
  REQUIRE(sc.variants().size() == 3 + 6);
  CHECK(sc.variants()[3].name == "b1.capacity=1,m2.process.mean=50");
  CHECK(sc.variants()[8].name == "b1.capacity=3,m2.process.mean=55");
  const auto v = sc.compile(8, registry());
  CHECK(line_of(v).machines[1].process.a == 55);
}

TEST_CASE("variants share random numbers: an unchanged machine draws the same", "[scenario][crn]") {
  std::string text = kIssueExample;
  const Scenario sc = Scenario::parse(text, "x.json");
  // m1 is upstream of the change in faster_m2; with saturated supply its process draws are
  // identical, so its first part takes the same time in both variants
  const auto base = sc.compile(0, registry()), fast = sc.compile(2, registry());
  dtwin::World a(base.models), b(fast.models);
  a.start({7, 3});
  b.start({7, 3});
  a.run_until(1);
  b.run_until(1);
  const auto& sa = a.state<dtwin::line::LineState>(0).machines[0];
  const auto& sb = b.state<dtwin::line::LineState>(0).machines[0];
  CHECK(sa.proc_rem == sb.proc_rem);
  CHECK(sa.ttf_rem == sb.ttf_rem);
}

TEST_CASE("malformed JSON: file, line and column", "[scenario][errors]") {
  const auto e = error_of(
      "{\n  \"duration\": \"1h\",\n  \"twins\": {\n    \"m1\": {\"kind\": \"machine\" \"process\": "
      "5}\n  }\n}");
  CHECK(e.location().file == "bad.json");
  CHECK(e.location().line == 4);
  CHECK(e.location().col > 20);
  CHECK_THAT(e.describe(), Catch::Contains("bad.json:4:"));
}

TEST_CASE("unknown kind names the pointer and lists the known kinds", "[scenario][errors]") {
  const auto e = error_of(line_with(R"(, "r1": {"kind": "robot"})", kFlow));
  CHECK(e.pointer() == "/twins/r1/kind");
  CHECK_THAT(e.describe(), Catch::Contains("unknown kind \"robot\"") && Catch::Contains("machine"));
  CHECK(e.location().line == 6);
  const auto typo = error_of(line_with(R"(, "m3": {"kind": "machin", "process": 1})", kFlow));
  CHECK_THAT(typo.message(), Catch::Contains("did you mean \"machine\""));
}

TEST_CASE("a flow edge to an unknown id", "[scenario][errors]") {
  const auto e =
      error_of(line_with("", R"([["src", "m1"], ["m1", "b1"], ["b1", "m2"], ["m2", "snk"]])"));
  CHECK(e.pointer() == "/flow/3/1");
  CHECK_THAT(e.message(),
             Catch::Contains("unknown twin \"snk\"") && Catch::Contains("did you mean \"sink\""));
}

TEST_CASE("a negative mean", "[scenario][errors]") {
  std::string t = line_with("", kFlow);
  t.replace(t.find("\"process\": 10"), 13, R"("process": {"dist": "exponential", "mean": -5})");
  const auto e = error_of(t);
  CHECK(e.pointer() == "/twins/m1/process/mean");
  CHECK_THAT(e.message(), Catch::Contains("-5"));
  CHECK(e.location().line == 3);
}

TEST_CASE("a cycle with no buffer", "[scenario][errors]") {
  const auto e = error_of(R"({"duration": "1h", "twins": {
    "src": {"kind": "source", "interarrival": 10},
    "m1": {"kind": "machine", "process": 10},
    "m2": {"kind": "machine", "process": 10},
    "m3": {"kind": "machine", "process": 10},
    "b": {"kind": "buffer"}
  }, "flow": [["src", "b"], ["b", "m1"], ["m1", "m2"], ["m2", "m3"], ["m3", "m1"]]})");
  CHECK_THAT(e.message(), Catch::Contains("cycle") && Catch::Contains("no buffer"));
}

TEST_CASE("other bad lines get errors at the right pointer", "[scenario][errors]") {
  CHECK(error_of(line_with(R"(, "m3": {"kind": "machine", "process": 1})", kFlow)).pointer() ==
        "/twins/m3");
  CHECK(
      error_of(
          line_with(
              "", R"([["src", "m1"], ["m1", "b1"], ["b1", "m2"], ["m2", "sink"], ["m1", "sink"]])"))
          .pointer() == "/flow/4");
  CHECK(error_of(line_with(R"(, "b2": {"kind": "buffer", "capacity": -1})", kFlow)).pointer() ==
        "/twins/b2/capacity");
  CHECK(error_of(line_with(R"(, "b2": {"kind": "buffer", "capcity": 3})", kFlow))
            .message()
            .find("did you mean \"capacity\"") != std::string::npos);
  CHECK_THAT(error_of(R"({"twins": {}})").message(), Catch::Contains("\"duration\""));
  CHECK(error_of(R"({"duration": "1 fortnight", "twins": {}})").pointer() == "/duration");
  CHECK(error_of(R"({"duration": "1h", "warmup": "2h", "twins": {}})").pointer() == "/warmup");
  CHECK(
      error_of(R"({"duration": "1h", "twins": {"s": {"kind": "source"}}, "flow": []})").pointer() ==
      "/twins/s");
  CHECK(error_of(R"([1, 2])").pointer() == "");
}

TEST_CASE("an error in a variant points into the variant's patch", "[scenario][errors]") {
  std::string text = kIssueExample;
  text.replace(text.find("\"capacity\": 20"), 14, "\"capacity\": -20");
  const auto e = error_of(text);
  CHECK(e.pointer() == "/twins/b1/capacity");
  CHECK_THAT(e.message(), Catch::Contains("variant \"bigger_buffer\""));
  CHECK(e.location().line == 16);
}

TEST_CASE("the same scenario and seed give bit-identical results, jobs do not matter",
          "[scenario][determinism]") {
  const Scenario sc = Scenario::parse(kIssueExample, "x.json");
  std::vector<dtwin::CompiledVariant> vs;
  for (std::size_t i = 0; i < sc.variants().size(); ++i) {
    vs.push_back(sc.compile(i, registry()));
    vs.back().settings.duration_s = 300 * 3600.0;
    vs.back().settings.replications = 4;
  }
  const auto tasks = dtwin::plan_runs(vs);
  auto report = [&](unsigned jobs) {
    const auto results = dtwin::run_all(vs, tasks, jobs, nullptr, nullptr);
    std::ostringstream csv;
    dtwin::write_csv(csv, dtwin::make_table(sc, vs, results));
    return dtwin::make_report(dtwin::make_table(sc, vs, results)).dump() + csv.str();
  };
  const std::string one = report(1), two = report(2), again = report(2);
  CHECK(one == two);
  CHECK(two == again);
  for (auto& v : vs) v.settings.seed = 8;
  CHECK(report(2) != one);
}

TEST_CASE("shards are disjoint and their union is the whole plan", "[scenario][shard]") {
  std::string text = kIssueExample;
  text.insert(text.rfind('}'), R"(, "sweep": {"/twins/b1/capacity": [1, 2, 3, 4, 5]})");
  const Scenario sc = Scenario::parse(text, "x.json");
  std::vector<dtwin::CompiledVariant> vs;
  for (std::size_t i = 0; i < sc.variants().size(); ++i) vs.push_back(sc.compile(i, registry()));
  const auto all = dtwin::plan_runs(vs);
  REQUIRE(all.size() == 8 * 8);
  for (std::uint32_t n : {1u, 3u, 7u, 64u, 100u}) {
    std::vector<int> seen(all.size(), 0);
    for (std::uint32_t k = 1; k <= n; ++k)
      for (const auto& t : dtwin::plan_runs(vs, dtwin::Shard{k, n})) ++seen[t.index];
    for (int s : seen) REQUIRE(s == 1);
  }
  CHECK(dtwin::parse_shard("2/4").k == 2);
  CHECK_THROWS_AS(dtwin::parse_shard("0/4"), dtwin::UsageError);
  CHECK_THROWS_AS(dtwin::parse_shard("5/4"), dtwin::UsageError);
  CHECK_THROWS_AS(dtwin::parse_shard("x"), dtwin::UsageError);
}
