// dtwin fit for a greenhouse through the binary: the Koala compartment's recipe writes a patch,
// --observed and --param give the same one, dtwin run --patch applies it, bad input exits 2
// naming its place. (How well the fit predicts: tests/twins/greenhouse/test_calibration.cpp.)
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using Catch::Matchers::Contains;
using dtwin::test::Result;
using dtwin::test::TempDir;

const std::string kKoala =
    std::string(DTWIN_SOURCE_DIR) + "/scenarios/greenhouse/agc2022_koala.json";
const std::string kReference =
    std::string(DTWIN_SOURCE_DIR) + "/scenarios/greenhouse/agc2022_reference.json";
const std::string kSamples =
    std::string(DTWIN_SOURCE_DIR) + "/assets/greenhouse/agc2022/koala/koala_samples.csv";

Result dtwin_cmd(const std::string& args) {
  return dtwin::test::sh_cmd(std::string(DTWIN_BIN) + " " + args);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// the value of `column` in the row of timeseries.csv whose date-time is `when`
double series_at(const std::string& csv, const std::string& column, const std::string& when) {
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  std::istringstream h(line);
  for (std::string c; std::getline(h, c, ',');) header.push_back(c);
  const auto col =
      static_cast<std::size_t>(std::find(header.begin(), header.end(), column) - header.begin());
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::istringstream r(line);
    for (std::string c; std::getline(r, c, ',');) cells.push_back(c);
    if (cells.size() > col && cells[1] == when) return std::stod(cells[col]);
  }
  FAIL("no row at " << when << " with " << column);
  return 0;
}

}  // namespace

TEST_CASE("fit crops: the recipe writes a patch, the flags give the same, run applies it",
          "[cli][fit]") {
  const TempDir d("dtwin-fit-crops");
  const Result fit = dtwin_cmd("fit " + kKoala + " --out " + d.file("recipe.json") + " --report " +
                               d.file("report.json"));
  INFO(fit.out);
  REQUIRE(fit.status == 0);
  CHECK_THAT(fit.out, Contains("/twins/agc/params/c_pl_d") && Contains("95% interval") &&
                          Contains("2022-03-15T00:00:00") &&
                          Contains("mean absolute relative error"));
  const auto patch = nlohmann::json::parse(slurp(d.file("recipe.json")));
  const auto& p = patch["twins"]["agc"]["params"];
  REQUIRE(p.size() == 1);
  CHECK(p["c_pl_d"].get<double>() > 0);
  const auto report = nlohmann::json::parse(slurp(d.file("report.json")));
  CHECK(report["mean_relative_error"]["after"].get<double>() <
        report["mean_relative_error"]["before"].get<double>());
  for (const auto& q : report["params"]) {
    CHECK(q["ci95"][0].get<double>() < q["estimate"].get<double>());
    CHECK(q["estimate"].get<double>() < q["ci95"][1].get<double>());
  }

  // the same fit from the command line's flags
  const Result flags = dtwin_cmd("fit " + kReference + " --observed " + kSamples +
                                 " --param /twins/agc/params/c_pl_d -q");
  CHECK(flags.status == 0);  // a Reference run against Koala's samples: it runs, quietly
  CHECK(flags.out.empty());
  const Result again =
      dtwin_cmd("fit " + kKoala + " --observed " + kSamples +
                " --param /twins/agc/params/c_pl_d -q --out " + d.file("flags.json"));
  REQUIRE(again.status == 0);
  CHECK(slurp(d.file("flags.json")) == slurp(d.file("recipe.json")));

  // run --patch applies it: the Reference crop changes
  const Result plain = dtwin_cmd("run " + kReference + " -q --out " + d.file("plain"));
  const Result patched = dtwin_cmd("run " + kReference + " -q --patch " + d.file("recipe.json") +
                                   " --out " + d.file("patched"));
  REQUIRE(plain.status == 0);
  REQUIRE(patched.status == 0);
  const std::string a = slurp(d.file("plain/timeseries.csv")),
                    b = slurp(d.file("patched/timeseries.csv"));
  const char* col = "agc.crop.dry_weight_kg_m2";
  CHECK(series_at(a, col, "2022-02-03T00:00:00") == series_at(b, col, "2022-02-03T00:00:00"));
  CHECK(series_at(a, col, "2022-03-15T00:00:00") != series_at(b, col, "2022-03-15T00:00:00"));
  // and sweep --patch
  REQUIRE(dtwin_cmd("sweep " + kReference + " -q --out " + d.file("sweep_plain")).status == 0);
  REQUIRE(dtwin_cmd("sweep " + kReference + " -q --patch " + d.file("recipe.json") + " --out " +
                    d.file("sweep_patched"))
              .status == 0);
  CHECK(slurp(d.file("sweep_plain/sweep.csv")) != slurp(d.file("sweep_patched/sweep.csv")));
}

TEST_CASE("fit crops: bad input exits 2 naming its place", "[cli][fit]") {
  const TempDir d("dtwin-fit-crops-bad");
  auto fails = [&](const std::string& args) {
    const Result r = dtwin_cmd(args);
    INFO(r.out);
    CHECK(r.status == 2);
    return r.out;
  };
  const std::string flags = " --param /twins/agc/params/c_pl_d --observed ";
  write(d.file("time.csv"), "time,agc.crop.dry_weight_kg_m2\n2022-02-08T00:00,0.03\n8 Feb,0.05\n");
  CHECK_THAT(fails("fit " + kReference + flags + d.file("time.csv")),
             Contains("time.csv:3:1: expected a time"));
  write(d.file("col.csv"), "time,agc.crop.dry_weight\n0,0.03\n");
  CHECK_THAT(fails("fit " + kReference + flags + d.file("col.csv")),
             Contains("col.csv:1:6: \"agc.crop.dry_weight\" is no time series"));
  CHECK_THAT(
      fails("fit " + kReference + " --observed " + kSamples + " --param /twins/agc/params/c_alpha"),
      Contains("agc2022_reference.json:") && Contains("/twins/agc/params/c_alpha: no params "
                                                      "entry \"c_alpha\""));
  CHECK_THAT(fails("fit " + kReference + " --observed " + kSamples + " --param /twins/agc/step"),
             Contains("/twins/agc/step: expected a number to fit, got a string"));
  write(d.file("bad_patch.json"), "{\"twins\": {\"agc\": {\"params\": {\"c_pl_d\": \"x\"}}}}");
  CHECK_THAT(fails("run " + kReference + " -q --patch " + d.file("bad_patch.json") + " --out " +
                   d.file("o")),
             Contains("bad_patch.json:1:") && Contains("/twins/agc/params/c_pl_d") &&
                 Contains("after the patch"));
}
