// `dtwin view` as a user runs it: a screenshot of the requested size, exit status 2 with a
// clear message for bad input.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/process.hpp"

namespace fs = std::filesystem;

namespace {

using dtwin::test::Result;

Result run_dtwin(const std::string& args) {
  return dtwin::test::sh_cmd(std::string(DTWIN_BIN) + " " + args);
}

const std::string kFlagship = std::string(DTWIN_SOURCE_DIR) + "/scenarios/line/flagship.json";

fs::path tmp(const std::string& name) {
  return fs::temp_directory_path() / ("dtwin-view-" + std::to_string(::getpid()) + "-" + name);
}

// width and height from a PNG's IHDR chunk
std::pair<unsigned, unsigned> png_size(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  unsigned char h[24] = {};
  in.read(reinterpret_cast<char*>(h), sizeof h);
  REQUIRE(in.gcount() == 24);
  REQUIRE(h[1] == 'P');
  REQUIRE(h[2] == 'N');
  REQUIRE(h[3] == 'G');
  auto be = [&](int k) {
    return unsigned(h[k]) << 24 | unsigned(h[k + 1]) << 16 | unsigned(h[k + 2]) << 8 |
           unsigned(h[k + 3]);
  };
  return {be(16), be(20)};
}

}  // namespace

TEST_CASE("cli: dtwin view --screenshot writes a PNG of the requested size") {
  const fs::path png = tmp("shot.png");
  const Result r =
      run_dtwin("view " + kFlagship + " --screenshot " + png.string() + " --at 1h --size 320x240");
  INFO(r.out);
  CHECK(r.status == 0);
  REQUIRE(fs::exists(png));
  CHECK(png_size(png) == std::make_pair(320u, 240u));
  CHECK(fs::file_size(png) > 2000);
  fs::remove(png);

  const Result v = run_dtwin("view " + kFlagship + " --screenshot " + png.string() +
                             " --at 30min --size 400x300 --variant second_lathe --seed 4 --select "
                             "lathe2");
  INFO(v.out);
  CHECK(v.status == 0);
  CHECK(png_size(png) == std::make_pair(400u, 300u));
  fs::remove(png);
}

TEST_CASE("cli: dtwin view rejects bad input with exit status 2") {
  const std::string png = tmp("bad.png").string();
  auto fails = [&](const std::string& args, const std::string& message) {
    const Result r = run_dtwin("view " + args);
    INFO(args << "\n" << r.out);
    CHECK(r.status == 2);
    CHECK_THAT(r.out, Catch::Contains(message));
    CHECK_FALSE(fs::exists(png));
  };
  fails(kFlagship + " --screenshot " + png + " --size 320by240", "--size expects WIDTHxHEIGHT");
  fails(kFlagship + " --screenshot " + png + " --size 0x240", "--size expects WIDTHxHEIGHT");
  fails(kFlagship + " --screenshot " + png + " --select lathe3", "no twin \"lathe3\"");
  fails(kFlagship + " --screenshot " + png + " --at soon", "--at expects");
  fails(kFlagship + " --screenshot " + png + " --variant huge", "no variant named \"huge\"");
  fails(kFlagship + " --screenshot shot.jpg", "PNG");
  fails("no-such-file.json --screenshot " + png, "no-such-file.json");
}
