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
  CHECK(sh("").status == 2);
  CHECK(sh("frobnicate").status == 2);
  CHECK(sh("run").status == 2);
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
  // a missing shard is reported, not silently ignored
  const auto partial = sh("compare " + (d / "s1").string());
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
