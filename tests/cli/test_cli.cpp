// The dtwin binary as a user runs it: exit statuses, messages, files written, and shards that
// merge into exactly what one unsharded sweep reports.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"

namespace fs = std::filesystem;

namespace {

using dtwin::test::Result;

Result sh(const std::string& args) {
  return dtwin::test::sh_cmd(std::string(DTWIN_BIN) + " " + args);
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path tmpdir(const std::string& name) {
  const fs::path d =
      fs::temp_directory_path() / ("dtwin-test-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

fs::path write(const fs::path& dir, const std::string& name, const std::string& text) {
  const fs::path p = dir / name;
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

const std::string kSmall = R"({
  "name": "small", "seed": 3, "duration": "50h", "warmup": "2h", "replications": 4,
  "twins": {
    "src": {"kind": "source", "saturated": true},
    "m1": {"kind": "machine", "process": {"dist": "exponential", "mean": 60}, "mtbf": "2h", "mttr": "10min"},
    "b1": {"kind": "buffer", "capacity": 3},
    "m2": {"kind": "machine", "process": {"dist": "exponential", "mean": 55}},
    "sink": {"kind": "sink"}
  },
  "flow": [["src", "m1"], ["m1", "b1"], ["b1", "m2"], ["m2", "sink"]],
  "variants": {"big": {"twins": {"b1": {"capacity": 10}}}},
  "sweep": {"/twins/m2/process/mean": [40, 50, 60]}
})";

}  // namespace

TEST_CASE("--help on every command", "[cli]") {
  for (const char* c : {"", "run", "validate", "sweep", "compare"}) {
    const auto r = sh(std::string(c) + " --help");
    INFO(c << ": " << r.out);
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Catch::Contains("Usage") || Catch::Contains("usage"));
  }
  // each command's help ends with an example of that command, and the exit statuses
  for (const std::string c :
       {"run", "validate", "sweep", "compare", "report", "serve", "emulate", "get", "set",
        "history", "whatif", "check", "alerts", "ack", "describe", "status"}) {
    const auto r = sh(c + " --help");
    INFO(c << ": " << r.out);
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Catch::Contains("\nExample: dtwin " + c + " ") &&
                          Catch::Contains("4 an expectation"));
  }
  CHECK(sh("").status == 2);
  CHECK(sh("frobnicate").status == 2);
  CHECK(sh("run").status == 2);
  // --plant's default: the scenario's only where there is a scenario
  CHECK_THAT(sh("get --help").out, !Catch::Contains("scenario's live.plant"));
  CHECK_THAT(sh("serve --help").out, Catch::Contains("scenario's live.plant"));
}

TEST_CASE("describe: the wire contract of a scenario's twins, without an engine", "[cli]") {
  const std::string line = std::string(DTWIN_SOURCE_DIR) + "/scenarios/live/line.json";
  auto r = sh("describe " + line + " m2");
  INFO(r.out);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("dtwin/line1/<twin>/reported"));
  CHECK_THAT(r.out, Catch::Contains("starved | working | blocked | down | setup | off"));
  CHECK_THAT(r.out, Catch::Contains("reported, writable  >= 0.05, <= 20"));
  r = sh("describe " + line + " --json");
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["plant"] == "line1");
  CHECK(j["twins"].size() == 10);
  bool b2 = false;
  for (const auto& t : j["twins"])
    if (t["id"] == "b2") {
      b2 = true;
      CHECK(t["topics"]["reported"] == "dtwin/line1/b2/reported");
      CHECK(t["properties"][0]["max"] == 6);  // the buffer's capacity
    }
  CHECK(b2);
  r = sh("describe " + line + " m9");
  CHECK(r.status == 2);
  CHECK_THAT(r.out, Catch::Contains("no twin \"m9\""));
  r = sh("describe");
  CHECK(r.status == 2);
  CHECK_THAT(r.out, Catch::Contains("describe a scenario"));
}

TEST_CASE("validate: ok, and bad input exits 2 naming the place", "[cli]") {
  const auto d = tmpdir("validate");
  const auto good = write(d, "good.json", kSmall);
  auto r = sh("validate " + good.string());
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("ok"));

  const auto syntax = write(d, "syntax.json", "{\n  \"duration\": \"1h\",\n  \"twins\": {,}\n}\n");
  r = sh("validate " + syntax.string());
  CHECK(r.status == 2);
  CHECK_THAT(r.out, Catch::Contains("syntax.json:3:"));

  std::string neg = kSmall;
  neg.replace(neg.find("\"mean\": 55"), 10, "\"mean\": -55");
  r = sh("validate " + write(d, "neg.json", neg).string());
  CHECK(r.status == 2);
  CHECK_THAT(r.out, Catch::Contains("neg.json:7:") && Catch::Contains("/twins/m2/process/mean"));

  r = sh("validate " + (d / "missing.json").string());
  CHECK(r.status == 2);
  CHECK_THAT(r.out, Catch::Contains("missing.json"));
  fs::remove_all(d);
}

TEST_CASE("products: bad input exits 2 naming the place, good input reports per product",
          "[cli][products]") {
  const auto d = tmpdir("products");
  const std::string text = R"({
  "duration": "20h", "replications": 2,
  "products": {"A": {"due": "10min"}, "B": {}},
  "twins": {
    "src": {"kind": "source", "interarrival": {"dist": "exponential", "mean": 60},
            "mix": {"A": 0.5, "B": 0.5}},
    "q": {"kind": "buffer", "discipline": "edd"},
    "m1": {"kind": "machine", "process": {"by_product": {"A": 30, "B": 40}}},
    "sink": {"kind": "sink"}
  },
  "flow": [["src", "q"], ["q", "m1"], ["m1", "sink"]]
})";
  std::string bad = text;
  bad.replace(bad.find("\"B\": 40"), 3, "\"C\"");
  auto r = sh("validate " + write(d, "bad.json", bad).string());
  CHECK(r.status == 2);
  CHECK_THAT(r.out, Catch::Contains("bad.json:8:") &&
                        Catch::Contains("/twins/m1/process/by_product/C") &&
                        Catch::Contains("unknown product \"C\""));

  r = sh("run " + write(d, "good.json", text).string() + " --quiet --out " + (d / "out").string());
  REQUIRE(r.status == 0);
  const auto rep = nlohmann::json::parse(slurp(d / "out" / "report.json"));
  const auto& a = rep["variants"]["baseline"]["products"]["A"];
  for (const char* k : {"throughput_per_h", "lead_time_s", "wip", "tardiness_s", "on_time_frac"})
    CHECK(a.contains(k));
  CHECK_FALSE(rep["variants"]["baseline"]["products"]["B"].contains("tardiness_s"));
  CHECK_THAT(slurp(d / "out" / "runs.csv"), Catch::Contains("products.B.lead_time_s [s]"));
  fs::remove_all(d);
}

TEST_CASE("an order list: a bad row exits 2 naming the file, line and column", "[cli][orders]") {
  const auto d = tmpdir("orders");
  write(d, "orders.csv", "release,product,quantity,due\n0,A,5,1h\n600,Z,2,\n");
  const auto s = write(d, "s.json", R"({"duration": "2h", "products": {"A": {}},
  "twins": {"src": {"kind": "source", "orders": "orders.csv"},
            "m": {"kind": "machine", "process": 60}, "out": {"kind": "sink"}},
  "flow": [["src", "m"], ["m", "out"]]})");
  auto r = sh("validate " + s.string());
  CHECK(r.status == 2);
  CHECK_THAT(r.out, Catch::Contains("/twins/src/orders") &&
                        Catch::Contains("orders.csv:3:5: unknown product \"Z\""));
  write(d, "orders.csv", "release,product,quantity,due\n0,A,5,1h\n");
  r = sh("run " + s.string() + " --out " + (d / "out").string() + " --quiet");
  CHECK(r.status == 0);
  fs::remove_all(d);
}

TEST_CASE("run writes report.json with every KPI as mean, ci95 and n", "[cli]") {
  const auto d = tmpdir("run");
  const auto f = write(d, "s.json", kSmall);
  const auto r = sh("run " + f.string() + " --out " + (d / "o").string());
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("baseline") && Catch::Contains("big"));
  const auto rep = nlohmann::json::parse(slurp(d / "o" / "report.json"));
  for (const char* v : {"baseline", "big"}) {
    const auto& kp = rep["variants"][v]["kpis"];
    for (const char* k : {"throughput_per_h", "lead_time_s", "wip"}) {
      INFO(v << " " << k);
      CHECK(kp[k]["n"] == 4);
      CHECK(kp[k]["ci95"][0].get<double>() <= kp[k]["mean"].get<double>());
      CHECK(kp[k]["mean"].get<double>() <= kp[k]["ci95"][1].get<double>());
    }
    for (const char* k : {"working_frac", "blocked_frac", "starved_frac", "down_frac", "oee"})
      CHECK(rep["variants"][v]["twins"]["m1"][k]["n"] == 4);
    CHECK(rep["variants"][v]["bottleneck"]["method"].get<std::string>().size() > 5);
  }
  // the time series: time_s first, units in the names
  const std::string ts = slurp(d / "o" / "timeseries.csv");
  CHECK(ts.rfind("time_s,line.wip_parts,", 0) == 0);
  CHECK(std::count(ts.begin(), ts.end(), '\n') == 502);  // header + samples 0..500
  fs::remove_all(d);
}

TEST_CASE("the same run twice gives the same bytes, --seed changes them", "[cli][determinism]") {
  const auto d = tmpdir("det");
  const auto f = write(d, "s.json", kSmall);
  REQUIRE(sh("run -q " + f.string() + " --out " + (d / "a").string()).status == 0);
  REQUIRE(sh("run -q -j 1 " + f.string() + " --out " + (d / "b").string()).status == 0);
  REQUIRE(sh("run -q " + f.string() + " --seed 4 --out " + (d / "c").string()).status == 0);
  const auto a = slurp(d / "a" / "report.json"), b = slurp(d / "b" / "report.json");
  CHECK(a == b);
  CHECK(slurp(d / "a" / "timeseries.csv") == slurp(d / "b" / "timeseries.csv"));
  CHECK(slurp(d / "c" / "report.json") != a);
  fs::remove_all(d);
}

TEST_CASE("sweep shards merge into the unsharded sweep", "[cli][shard]") {
  const auto d = tmpdir("shard");
  const auto f = write(d, "s.json", kSmall);
  REQUIRE(sh("sweep -q " + f.string() + " --out " + (d / "all").string()).status == 0);
  for (int k = 1; k <= 3; ++k)
    REQUIRE(sh("sweep -q " + f.string() + " --shard " + std::to_string(k) + "/3 --out " +
               (d / ("s" + std::to_string(k))).string())
                .status == 0);
  // 5 variants x 4 replications = 20 runs: 7 + 7 + 6
  auto lines = [&](const fs::path& p) {
    const auto s = slurp(p);
    return std::count(s.begin(), s.end(), '\n') - 1;
  };
  CHECK(lines(d / "s1" / "sweep.csv") == 7);
  CHECK(lines(d / "s3" / "sweep.csv") == 6);
  const auto whole = sh("compare " + (d / "all").string() + " --out " + (d / "m1").string());
  const auto merged = sh("compare " + (d / "s1").string() + " " + (d / "s2").string() + " " +
                         (d / "s3").string() + " --out " + (d / "m3").string());
  REQUIRE(whole.status == 0);
  REQUIRE(merged.status == 0);
  CHECK(whole.out.substr(0, whole.out.find("wrote")) ==
        merged.out.substr(0, merged.out.find("wrote")));
  CHECK(slurp(d / "m1" / "report.json") == slurp(d / "m3" / "report.json"));
  CHECK(slurp(d / "m1" / "sweep.csv") == slurp(d / "all" / "sweep.csv"));
  // a missing shard is an error (a pipeline must not pass on a third of its runs) unless the
  // user asks for what there is
  const auto missing = sh("compare " + (d / "s1").string());
  CHECK(missing.status == 2);
  CHECK_THAT(missing.out, Catch::Contains("7 of 20") && Catch::Contains("--partial"));
  const auto partial = sh("compare --partial " + (d / "s1").string());
  CHECK(partial.status == 0);
  CHECK_THAT(partial.out, Catch::Contains("7 of 20"));
  CHECK(sh("sweep " + f.string() + " --shard 4/3 --out " + (d / "x").string()).status == 2);
  CHECK(sh("compare " + (d / "nothing").string()).status == 2);
  fs::remove_all(d);
}

TEST_CASE("the flagship scenario validates and lists its variants", "[cli]") {
  const auto r = sh(std::string("validate ") + DTWIN_SOURCE_DIR + "/scenarios/line/flagship.json");
  CHECK(r.status == 0);
  const auto v =
      sh(std::string("run ") + DTWIN_SOURCE_DIR + "/scenarios/line/flagship.json --variant nope");
  CHECK(v.status == 2);
  CHECK_THAT(v.out, Catch::Contains("lathe_smed"));
}

TEST_CASE("maintenance policies as variants: the comparison shows availability, energy and cost",
          "[cli][health]") {
  const auto d = tmpdir("maint");
  const auto r =
      sh(std::string("run ") + DTWIN_SOURCE_DIR +
         "/scenarios/line/maintenance.json --replications 3 --out " + (d / "o").string());
  INFO(r.out);
  REQUIRE(r.status == 0);
  for (const char* s : {"throughput_per_h [parts/h]", "availability [1]", "energy_kwh [kWh]",
                        "cost [EUR]", "preventive_40h", "condition_auto_off", "±"})
    CHECK_THAT(r.out, Catch::Contains(s));
  const auto rep = nlohmann::json::parse(slurp(d / "o" / "report.json"));
  for (const char* v : {"preventive_40h", "condition", "condition_auto_off"}) {
    const auto& dk = rep["variants"][v]["delta_vs_baseline"]["kpis"];
    for (const char* k : {"throughput_per_h", "availability", "energy_kwh", "cost"}) {
      INFO(v << " " << k);
      CHECK(dk[k]["n"] == 3);
    }
  }
  CHECK(rep["variants"]["baseline"]["twins"]["cnc"]["rul_error_h"]["n"] == 3);
  fs::remove_all(d);
}

TEST_CASE("expectations: run judges them with their intervals, exit 4 and JUnit XML on failure",
          "[cli][expect]") {
  const auto d = tmpdir("expect");
  // m2 (mean 55 s) is the bottleneck of kSmall: throughput is a little under 65 parts/h
  auto with = [&](const std::string& expect, const std::string& variant_expect) {
    std::string s = kSmall;
    s.replace(s.rfind('}'), 1, R"(, "expect": )" + expect + "}");
    const std::string big = R"({"b1": {"capacity": 10}}})";
    if (!variant_expect.empty())
      s.replace(s.find(big), big.size(),
                R"({"b1": {"capacity": 10}}, "expect": )" + variant_expect + "}");
    return write(d, "e.json", s);
  };
  // far from every bound: passes, exit 0, the verdicts printed
  auto f = with(R"({"throughput_per_h": {">=": 30, "<": 100}, "twins.m2.oee": {">": 0.1}})", "");
  auto r = sh("run " + f.string() + " --out " + (d / "a").string() + " --junit " +
              (d / "a.xml").string());
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("expectations: 6 passed, 0 failed, 0 inconclusive"));
  auto xml = slurp(d / "a.xml");
  CHECK_THAT(xml, Catch::Contains(R"(tests="6" failures="0")"));
  CHECK_THAT(xml, Catch::Contains(R"(name="throughput_per_h &gt;= 30")"));
  // a variant's patch changes its own expectations only; the whole interval on the wrong
  // side fails
  f = with(R"({"throughput_per_h": {">=": 30}})", R"({"throughput_per_h": {">=": 1000}})");
  r = sh("run " + f.string() + " --out " + (d / "b").string() + " --junit " +
         (d / "b.xml").string());
  CHECK(r.status == 4);
  CHECK_THAT(r.out, Catch::Contains("1 passed, 1 failed, 0 inconclusive") &&
                        Catch::Contains("FAIL  big: throughput_per_h >= 1000"));
  xml = slurp(d / "b.xml");
  CHECK_THAT(xml, Catch::Contains(R"(tests="2" failures="1")"));
  CHECK_THAT(xml, Catch::Contains(R"(<testsuite name="small / big" tests="1" failures="1">)"));
  CHECK_THAT(xml, Catch::Contains(R"(<failure message="FAIL: throughput_per_h = )"));
  // a bound inside the interval: inconclusive, which fails, with the replications that would
  // likely decide it; -q prints it on stderr all the same
  const auto runs = slurp(d / "a" / "report.json");
  const auto tp = nlohmann::json::parse(runs)["variants"]["baseline"]["kpis"]["throughput_per_h"];
  const double lo = tp["ci95"][0], hi = tp["ci95"][1];
  f = with(R"({"throughput_per_h": {">=": )" + std::to_string(lo + (hi - lo) / 4) + "}}", "");
  r = sh("run -q " + f.string() + " --out " + (d / "c").string());
  CHECK(r.status == 4);
  CHECK_THAT(r.out, Catch::Contains("inconclusive  baseline: throughput_per_h >= ") &&
                        Catch::Contains("replications would likely decide it"));
  // a metric the results do not have: exit 2, at its place, with the nearest name
  f = with(R"({"throughput_per_hour": {">=": 30}})", "");
  r = sh("run -q " + f.string() + " --out " + (d / "d").string());
  CHECK(r.status == 2);
  CHECK_THAT(r.out, Catch::Contains("e.json:") && Catch::Contains("/expect/throughput_per_hour") &&
                        Catch::Contains("did you mean \"throughput_per_h\""));
  // an operator that is none: validate refuses it
  f = with(R"({"throughput_per_h": {"=>": 30}})", "");
  r = sh("validate " + f.string());
  CHECK(r.status == 2);
  CHECK_THAT(r.out, Catch::Contains("/expect/throughput_per_h/=>") &&
                        Catch::Contains("did you mean \">=\""));
  fs::remove_all(d);
}

TEST_CASE("expectations: shards are judged once merged, by compare", "[cli][expect][shard]") {
  const auto d = tmpdir("expect-shard");
  std::string s = kSmall;
  s.replace(s.rfind('}'), 1, R"(, "expect": {"throughput_per_h": {">=": 1000}}})");
  const auto f = write(d, "s.json", s);
  for (int k = 1; k <= 2; ++k) {
    const auto r = sh("sweep -q " + f.string() + " --shard " + std::to_string(k) + "/2 --out " +
                      (d / ("s" + std::to_string(k))).string());
    CHECK(r.status == 0);  // a shard alone is not judged
  }
  CHECK(sh("sweep -q " + f.string() + " --shard 1/2 --junit x.xml --out " + (d / "x").string())
            .status == 2);
  const auto r = sh("compare " + (d / "s1").string() + " " + (d / "s2").string() + " --junit " +
                    (d / "m.xml").string());
  CHECK(r.status == 4);
  CHECK_THAT(r.out, Catch::Contains("0 passed, 5 failed"));
  CHECK_THAT(slurp(d / "m.xml"), Catch::Contains(R"(tests="5" failures="5")"));
  fs::remove_all(d);
}

TEST_CASE("rough edges: an unknown --kpi, the sweep run does not run, single-run footers",
          "[cli]") {
  const auto d = tmpdir("edges");
  const auto f = write(d, "s.json", kSmall);
  // run says the sweep is not part of it, and how to run it
  auto r = sh("run " + f.string() + " --replications 2 --out " + (d / "r").string());
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("sweep (3 points) is not part of dtwin run") &&
                        Catch::Contains("dtwin sweep " + f.string()));
  CHECK_THAT(r.out, Catch::Contains("95% confidence half-width"));
  // one replication: no intervals, so no legend of them
  r = sh("run " + f.string() + " --replications 1 --out " + (d / "one").string());
  CHECK(r.status == 0);
  CHECK_THAT(r.out, !Catch::Contains("95% confidence") && !Catch::Contains("same random numbers"));
  // a --kpi the results do not have: exit 2 with the nearest name and the plant-wide ones
  r = sh("compare " + (d / "r").string() + " --kpi throughput_per_hour");
  CHECK(r.status == 2);
  CHECK_THAT(r.out, Catch::Contains("--kpi throughput_per_hour") &&
                        Catch::Contains("did you mean \"throughput_per_h\"") &&
                        Catch::Contains("lead_time_s"));
  CHECK(sh("compare " + (d / "r").string() + " --kpi m2.oee").status == 0);
  fs::remove_all(d);
}

TEST_CASE("a variant patching a twin the base does not have says so, with the nearest id",
          "[cli]") {
  const auto d = tmpdir("variant-twin");
  std::string s = kSmall;
  const std::string big = R"({"twins": {"b1": {"capacity": 10}}})";
  s.replace(s.find(big), big.size(), R"({"twins": {"bb1": {"capacity": 10}}})");
  const auto f = write(d, "v.json", s);
  const auto r = sh("validate " + f.string());
  CHECK(r.status == 2);
  CHECK_THAT(r.out, Catch::Contains("in variant \"big\": twin \"bb1\" is not in the base "
                                    "scenario; did you mean \"b1\"?") &&
                        Catch::Contains("v.json:") && !Catch::Contains("missing required"));
  fs::remove_all(d);
}

TEST_CASE("run's default output directory follows the scenario's folder: no collisions", "[cli]") {
  const auto d = tmpdir("default-out");
  fs::create_directories(d / "line");
  fs::create_directories(d / "cell");
  write(d / "line", "flagship.json", kSmall);
  std::string other = kSmall;
  other.replace(other.find("\"seed\": 3"), 9, "\"seed\": 4");
  write(d / "cell", "flagship.json", other);
  for (const char* sub : {"line", "cell"}) {
    const auto r = dtwin::test::sh_cmd("cd " + d.string() + " && " + DTWIN_BIN + " run -q " + sub +
                                       "/flagship.json --replications 1");
    CHECK(r.status == 0);
  }
  CHECK_THAT(slurp(d / "out" / "line" / "flagship" / "runs.json"), Catch::Contains("\"seed\": 3"));
  CHECK_THAT(slurp(d / "out" / "cell" / "flagship" / "runs.json"), Catch::Contains("\"seed\": 4"));
  fs::remove_all(d);
}

TEST_CASE("progress on a terminal advances within a run, by simulated time", "[cli][progress]") {
  const auto d = tmpdir("progress");
  // a greenhouse season: two runs of about a second each, one at a time, on a pseudo-terminal
  const std::string sc =
      std::string(DTWIN_SOURCE_DIR) + "/scenarios/greenhouse/tomato_season_hps.json";
  const auto r =
      dtwin::test::sh_cmd("script -qfec \"" + std::string(DTWIN_BIN) + " run " + sc +
                          " --jobs 1 --no-timeseries --out " + (d / "o").string() + "\" /dev/null");
  INFO(r.out);
  REQUIRE(r.status == 0);
  // frames of the bar while the first run is in flight: "0/2 runs done" with a share that grows
  std::vector<int> shares;
  std::istringstream frames(r.out);
  std::string frame;
  while (std::getline(frames, frame, '\r')) {
    const auto pct = frame.find("%  0/2 runs done");
    if (pct == std::string::npos || pct < 3) continue;
    shares.push_back(std::stoi(frame.substr(pct - 3, 3)));
  }
  REQUIRE(shares.size() >= 2);
  CHECK(std::is_sorted(shares.begin(), shares.end()));
  CHECK(shares.back() > 0);
  CHECK(shares.back() < 50);
  // and nothing of it when the output is not a terminal
  const auto piped = sh("run " + sc + " --jobs 1 --no-timeseries --out " + (d / "p").string());
  CHECK_THAT(piped.out, !Catch::Contains("runs done"));
  fs::remove_all(d);
}
