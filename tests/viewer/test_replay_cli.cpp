// `dtwin run --out DIR` leaves what a replay needs (the scenario, byte for byte; each variant's
// seed in runs.csv, which the replay takes: a variant here has its own), and
// `dtwin view --replay DIR` opens it: screenshots at two times are pictures that differ where
// parts move; bad replay input exits with status 2 and says what was expected.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <osgDB/ReadFile>

#include "scenes.hpp"
#include "tests/support/process.hpp"
#include "viewer/replay.hpp"
#include "viewer/session.hpp"

namespace fs = std::filesystem;
using dtwin::test::Result;

namespace {

Result dtwin_cmd(const std::string& args) {
  return dtwin::test::sh_cmd(std::string(DTWIN_BIN) + " " + args);
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

fs::path tmp(const std::string& name) {
  return fs::temp_directory_path() / ("dtwin-replay-" + std::to_string(::getpid()) + "-" + name);
}

// the conveyor line with a variant (with a seed of its own), written as a user's file
std::string scenario_text() {
  std::string s = dtwin::test::kConveyorLine;
  // random processing on m1: the seed matters
  const std::string fixed = "\"process\": 25";
  REQUIRE(s.find(fixed) != std::string::npos);
  s.replace(s.find(fixed), fixed.size(), "\"process\": {\"dist\": \"exponential\", \"mean\": 25}");
  const auto end = s.rfind('}');
  return s.substr(0, end) +
         ",\n  \"variants\": {\"fast\": {\"seed\": 9, \"twins\": {\"m2\": {\"process\": "
         "10}}}}\n}\n";
}

}  // namespace

TEST_CASE("cli: dtwin run leaves the scenario, view --replay shows the run") {
  const fs::path file = tmp("line.json"), out = tmp("out"), out2 = tmp("out2");
  fs::remove_all(out);
  fs::remove_all(out2);
  std::ofstream(file, std::ios::binary) << scenario_text();
  for (const fs::path& o : {out, out2}) {
    const Result r = dtwin_cmd("run " + file.string() + " -q --replications 2 --out " + o.string());
    INFO(r.out);
    REQUIRE(r.status == 0);
  }
  CHECK(slurp(out / "scenario.json") == slurp(file));
  for (const char* f :
       {"scenario.json", "report.json", "runs.csv", "timeseries.csv", "timeseries.fast.csv"})
    CHECK(slurp(out / f) == slurp(out2 / f));  // deterministic
  // the replay takes each variant's own seed (fast sets one) from runs.csv
  const dtwin::viewer::RunDir run = dtwin::viewer::open_run(out.string());
  CHECK(run.variants == std::vector<std::string>{"baseline", "fast"});
  CHECK(run.seeds == std::vector<std::uint64_t>{1, 9});
  CHECK(run.events[0] > 1000);
  {  // and with it the viewer's world of fast is the recorded one: every sample of its CSV
    const dtwin::Scenario sc = dtwin::Scenario::load(run.scenario_file);
    dtwin::viewer::Session s(sc, {"fast", static_cast<long long>(run.seeds[1])});
    const dtwin::viewer::TimeSeries ts = dtwin::viewer::read_timeseries(run.timeseries_file(1));
    REQUIRE(ts.time_s.size() > 400);
    std::vector<std::string> cells;
    for (std::size_t row = 0; row < ts.time_s.size(); ++row) {
      s.playback().jump_to(ts.time_s[row]);
      cells.clear();
      s.world().sample(cells);
      REQUIRE(cells.size() == ts.columns.size());
      for (std::size_t c = 0; c < cells.size(); ++c)
        if (ts.numeric[c]) REQUIRE(std::stod(cells[c]) == ts.values[c][row]);
    }
    CHECK(s.world().events_handled() == run.events[1]);
  }

  const Result cmp = dtwin_cmd("compare " + out.string());
  INFO(cmp.out);
  CHECK(cmp.status == 0);
  CHECK_THAT(cmp.out, Catch::Contains("fast"));

  // not past the end of the run: the world would run on beyond what was recorded
  const Result past = dtwin_cmd("view --replay " + out.string() + " --screenshot " +
                                tmp("past.png").string() + " --at 30d --size 480x320");
  CHECK(past.status == 2);
  CHECK_THAT(past.out, Catch::Contains("--at 30d: the run in") && Catch::Contains("lasts"));

  // the original file may go: the replay reads the copy
  fs::remove(file);
  const fs::path a = tmp("a.png"), b = tmp("b.png");
  for (const auto& [png, at] : {std::make_pair(a, "1h"), std::make_pair(b, "62min")}) {
    const Result r = dtwin_cmd("view --replay " + out.string() + " --screenshot " + png.string() +
                               " --at " + at + " --size 480x320");
    INFO(r.out);
    REQUIRE(r.status == 0);
  }
  osg::ref_ptr<osg::Image> ia = osgDB::readImageFile(a.string());
  osg::ref_ptr<osg::Image> ib = osgDB::readImageFile(b.string());
  REQUIRE(ia);
  REQUIRE(ib);
  REQUIRE(ia->s() == 480);
  REQUIRE(ib->t() == 320);
  const std::size_t bytes = ia->getTotalSizeInBytes();
  REQUIRE(bytes == ib->getTotalSizeInBytes());
  std::size_t differ = 0, not_background = 0;
  for (std::size_t i = 0; i + 2 < bytes; i += 3) {
    const unsigned char* p = ia->data() + i;
    const unsigned char* q = ib->data() + i;
    if (std::abs(p[0] - q[0]) + std::abs(p[1] - q[1]) + std::abs(p[2] - q[2]) > 30) ++differ;
    if (std::abs(p[0] - 41) + std::abs(p[1] - 46) + std::abs(p[2] - 54) > 30) ++not_background;
  }
  CHECK(not_background > bytes / 3 / 10);  // a picture, not the clear colour
  CHECK(differ > 50);                      // parts moved, the clock and the bar's handle too
  CHECK(differ < bytes / 3 / 3);           // the same plant

  // the other variant, with the plot panel (bottom right): the recorded curve in pink
  auto pink = [](const osg::Image& img) {
    int n = 0;
    for (int y = 0; y < img.t() / 2; ++y)
      for (int x = img.s() / 2; x < img.s(); ++x) {
        const unsigned char* p = img.data(x, y);
        if (std::abs(p[0] - 255) < 45 && std::abs(p[1] - 77) < 45 && std::abs(p[2] - 191) < 45) ++n;
      }
    return n;
  };
  CHECK(pink(*ia) == 0);
  const Result v = dtwin_cmd("view --replay " + out.string() + " --variant fast --screenshot " +
                             a.string() + " --at 2h --size 800x600 --plot");
  INFO(v.out);
  CHECK(v.status == 0);
  osg::ref_ptr<osg::Image> iv = osgDB::readImageFile(a.string());
  REQUIRE(iv);
  CHECK(pink(*iv) > 200);
  fs::remove(a);
  fs::remove(b);

  auto fails = [&](const std::string& args, const std::string& message) {
    const Result r = dtwin_cmd("view " + args);
    INFO(args << "\n" << r.out);
    CHECK(r.status == 2);
    CHECK_THAT(r.out, Catch::Contains(message));
  };
  const std::string shot = " --screenshot " + a.string();
  fails("--replay " + out.string() + " --variant slow" + shot, "no variant \"slow\"");
  fails("--replay " + out.string() + " --variant slow" + shot, "report.json");
  fails("--replay " + tmp("nothing").string() + shot, "is not a directory");
  fs::create_directories(tmp("empty"));
  fails("--replay " + tmp("empty").string() + shot, "report.json");
  fs::remove_all(tmp("empty"));
  fails("--replay " + out.string() + " --seed 3" + shot, "seed");
  fails(shot, "--replay DIR");
  // without its time series (a run made with --no-timeseries) a run replays still
  fs::remove(out / "timeseries.fast.csv");
  const Result nots = dtwin_cmd("view --replay " + out.string() + " --variant fast --screenshot " +
                                a.string() + " --at 2h --size 320x240 --plot");
  INFO(nots.out);
  CHECK(nots.status == 0);
  CHECK_THAT(nots.out, Catch::Contains("no " + (out / "timeseries.fast.csv").string()));
  fs::remove(a);

  fs::remove(out / "scenario.json");
  fails("--replay " + out.string() + shot, "scenario.json");
  CHECK_FALSE(fs::exists(a));
  fs::remove_all(out);
  fs::remove_all(out2);
}

TEST_CASE("cli: a greenhouse run replays with its weather file, found beside the scenario") {
  // the scenario names its EPW by a path relative to itself: the replay opens the run's own
  // file while it is there unchanged, so the weather resolves as in the run
  const fs::path out = tmp("gh");
  fs::remove_all(out);
  const std::string file =
      std::string(DTWIN_SOURCE_DIR) + "/scenarios/greenhouse/tomato_season_hps.json";
  const Result run = dtwin_cmd("run " + file + " --replications 1 --out " + out.string());
  INFO(run.out);
  REQUIRE(run.status == 0);
  const fs::path png = tmp("gh.png");
  const Result view = dtwin_cmd("view --replay " + out.string() + " --screenshot " + png.string() +
                                " --at 30d --size 320x180");
  INFO(view.out);
  CHECK(view.status == 0);
  CHECK(fs::file_size(png) > 1000);
  fs::remove(png);
  // the run's file edited since: the copy is opened, and the relative weather path is looked up
  // beside the copy, which names the file it could not open (exit 2, not a crash)
  const fs::path moved = tmp("gh-moved");
  fs::remove_all(moved);
  fs::copy(out, moved);
  {
    std::ofstream rep(moved / "report.json.tmp");
    std::string r = slurp(moved / "report.json");
    const std::string key = "\"file\": \"";
    const auto at = r.find(key);
    REQUIRE(at != std::string::npos);
    r.insert(at + key.size(), "/nonexistent");
    rep << r;
  }
  fs::rename(moved / "report.json.tmp", moved / "report.json");
  const Result copy = dtwin_cmd("view --replay " + moved.string() + " --screenshot " +
                                png.string() + " --at 1d --size 320x180");
  INFO(copy.out);
  CHECK(copy.status == 2);
  CHECK_THAT(copy.out, Catch::Contains(".epw"));
  fs::remove_all(out);
  fs::remove_all(moved);
}
