// dtwin check: the work cell's safety check from the command line, as a user runs it.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"

namespace {

using dtwin::test::Result;

Result run(const std::string& args) {
  return dtwin::test::sh_cmd(std::string(DTWIN_BIN) + " " + args);
}

const std::string kDir = std::string(DTWIN_SOURCE_DIR) + "/scenarios/cell/";

}  // namespace

TEST_CASE("dtwin check: safe, unsafe and bad input have their exit statuses", "[check]") {
  const auto ok = run("check " + kDir + "flagship.json");
  CHECK(ok.status == 0);
  CHECK_THAT(ok.out, Catch::Contains("cell1: safe: 2 cycles"));

  const auto bad =
      run("check " + kDir + "flagship.json --program " + kDir + "reckless_program.json --json");
  CHECK(bad.status == 3);
  const auto j = nlohmann::json::parse(bad.out);
  CHECK(j["safe"] == false);
  CHECK(j["kind"] == "collision");
  CHECK(j["body_b"] == "obstacle:pillar");
  CHECK(j["waypoint"] == "place_above");
  CHECK(j["time_s"].get<double>() > 0);

  const auto fast = run("check " + kDir + "flagship.json --speed 1.5");
  CHECK(fast.status == 3);
  CHECK_THAT(fast.out, Catch::Contains("joint_limit") && Catch::Contains("\"j1\""));

  const std::string prog = (std::filesystem::temp_directory_path() /
                            ("dtwin-check-" + std::to_string(::getpid()) + ".json"))
                               .string();
  std::ofstream(prog) << "{\"steps\": [\n  {\"place\": \"nets\"}]}";
  const auto typo = run("check " + kDir + "flagship.json --program " + prog);
  std::filesystem::remove(prog);
  CHECK(typo.status == 2);
  CHECK_THAT(typo.out, Catch::Contains(":2:") && Catch::Contains("/steps/0/place") &&
                           Catch::Contains("did you mean \"nest\""));

  const auto none = run("check " + kDir + "flagship.json --twin cell9");
  CHECK(none.status == 2);
  CHECK_THAT(none.out, Catch::Contains("it has: cell1"));
}
