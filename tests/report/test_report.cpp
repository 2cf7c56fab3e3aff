// dtwin report as its readers meet it: one HTML file that opens offline in a real browser
// (Debian's headless Chromium), draws every chart without a console error, and shows what it
// says (titles in the DOM, a screenshot that is not blank); a week of a season's series by
// its address; a sweep as curves. Plus the parts a browser cannot see: the data cannot end the
// page's script early, the same results give the same bytes, a too-large series is cut and
// said.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <osg/Image>
#include <osgDB/ReadFile>

#include "engine/report/report.hpp"
#include "tests/support/process.hpp"

namespace fs = std::filesystem;
using dtwin::test::Result;
using dtwin::test::sh_cmd;

namespace {

Result sh(const std::string& args) {
  return sh_cmd(std::string(DTWIN_BIN) + " " + args);
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path tmpdir(const std::string& name) {
  const fs::path d =
      fs::temp_directory_path() / ("dtwin-report-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

// A line with a name that tries to end the page's script, two variants, a sweep.
const std::string kLine = R"({
  "name": "small line </script><script>document.title='pwned'</script>",
  "seed": 3, "duration": "50h", "warmup": "2h", "replications": 3, "sample_interval": "1h",
  "twins": {
    "src": {"kind": "source", "saturated": true},
    "m1": {"kind": "machine", "process": {"dist": "exponential", "mean": 60}, "mtbf": "2h", "mttr": "10min"},
    "b1": {"kind": "buffer", "capacity": 3},
    "m2": {"kind": "machine", "process": {"dist": "exponential", "mean": 55}},
    "sink": {"kind": "sink"}
  },
  "flow": [["src", "m1"], ["m1", "b1"], ["b1", "m2"], ["m2", "sink"]],
  "variants": {"big": {"twins": {"b1": {"capacity": 10}}}},
  "expect": {"throughput_per_h": {">=": 10}},
  "sweep": {"/twins/m2/process/mean": [40, 50, 60], "/twins/b1/capacity": [2, 6]}
})";

fs::path write_line(const fs::path& d) {
  const fs::path f = d / "line.json";
  std::ofstream(f) << kLine;
  return f;
}

// Headless Chromium on a file: the DOM after the page's scripts ran (and Chromium's own log,
// where console errors land), or a screenshot.
struct Page {
  std::string dom, log;
};
Page open_in_chromium(const fs::path& html, const fs::path& work,
                      const std::string& fragment = "") {
  const fs::path log = work / "chromium.log";
  const Result r = sh_cmd(std::string(DTWIN_CHROMIUM) +
                          " --headless --no-sandbox --disable-gpu --hide-scrollbars "
                          "--enable-logging=stderr --v=0 --window-size=1300,3000 "
                          "--user-data-dir=" +
                          (work / "profile").string() + " --dump-dom 'file://" + html.string() +
                          fragment + "' 2>" + log.string());
  return {r.out, slurp(log)};
}

// The text between `before` and the next `end` after it, from `from` on (npos when absent).
// Plain searches: std::regex trips GCC 12's -Wmaybe-uninitialized under the sanitizers.
std::string between(const std::string& text, const std::string& before, char end,
                    std::size_t* from) {
  const std::size_t a = text.find(before, *from);
  if (a == std::string::npos) {
    *from = std::string::npos;
    return {};
  }
  const std::size_t b = text.find(end, a + before.size());
  *from = b;
  return text.substr(a + before.size(), b - a - before.size());
}

// <figure data-title="T" data-inked="N">: N per T
std::map<std::string, long> inked_figures(const std::string& dom) {
  std::map<std::string, long> out;
  std::size_t at = 0;
  for (;;) {
    const std::string title = between(dom, "<figure data-title=\"", '"', &at);
    if (at == std::string::npos) break;
    if (dom.compare(at, 14, "\" data-inked=\"") != 0) continue;
    std::size_t n = at;
    const std::string inked = between(dom, "data-inked=\"", '"', &n);
    out[title] = std::stol(inked);
  }
  return out;
}

std::string attribute(const std::string& dom, const std::string& name) {
  std::size_t at = 0;
  const std::string v = between(dom, " " + name + "=\"", '"', &at);
  return at == std::string::npos ? std::string() : v;
}

}  // namespace

TEST_CASE("report: one self-contained file, whose data cannot end the page script", "[report]") {
  const auto d = tmpdir("file");
  const auto f = write_line(d);
  const auto r = sh("run " + f.string() + " --out " + (d / "run").string() + " --report");
  INFO(r.out);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("report.html"));
  const std::string html = slurp(d / "run" / "report.html");
  // Chart.js inside, nothing fetched: no external script, style sheet or image
  CHECK_THAT(html, Catch::Contains("Chart.js v3."));
  CHECK_THAT(html, !Catch::Contains("<script src") && !Catch::Contains("<link") &&
                       !Catch::Contains("<img"));
  // three scripts (the data, Chart.js, the page's own), each closed once: the scenario's name,
  // which holds "</script>", is escaped inside the data
  CHECK(count(html, "</script>") == 3);
  CHECK_THAT(html, Catch::Contains("\\u003c/script>"));
  // the same results give the same bytes
  REQUIRE(sh("report " + (d / "run").string() + " --out " + (d / "again.html").string() + " -q")
              .status == 0);
  CHECK(slurp(d / "again.html") == html);
  // bad input: a directory that holds no results
  const auto bad = sh("report " + d.string());
  CHECK(bad.status == 2);
  CHECK_THAT(bad.out, Catch::Contains(d.string()));
  fs::remove_all(d);
}

TEST_CASE("report: draws in a real headless Chromium: no errors, every chart inked, not blank",
          "[report][browser]") {
  const auto d = tmpdir("browser");
  const auto f = write_line(d);
  REQUIRE(sh("run " + f.string() + " --out " + (d / "run").string() + " --report -q").status == 0);
  const fs::path html = d / "run" / "report.html";
  const Page p = open_in_chromium(html, d);
  INFO(p.log.substr(0, 4000));
  CHECK(attribute(p.dom, "data-status") == "ok");
  CHECK_THAT(p.log, !Catch::Contains("Uncaught"));
  // the page's title is the scenario's name as text, not markup that ran
  CHECK_THAT(p.dom, !Catch::Contains("pwned</title>") || Catch::Contains("&lt;/script&gt;"));
  const auto figs = inked_figures(p.dom);
  for (const char* title : {"throughput_per_h [parts/h]", "lead_time_s [s]",
                            "Δ throughput_per_h [parts/h] against baseline",
                            "State of each station, % of the measured time"})
    CHECK(figs.count(title) == 1);
  // the time series: one chart per unit (parts, parts/h)
  bool series = false;
  for (const auto& [t, n] : figs) series = series || t.rfind("parts — ", 0) == 0;
  CHECK(series);
  for (const auto& [t, n] : figs) {
    INFO(t);
    CHECK(n > 500);  // painted pixels
  }
  CHECK_THAT(p.dom, Catch::Contains("Bottleneck of baseline") &&
                        Catch::Contains("2 of 2 expectations held"));

  // a screenshot: a page of charts, not a blank one
  const fs::path png = d / "shot.png";
  sh_cmd(std::string(DTWIN_CHROMIUM) +
         " --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,2000 "
         "--user-data-dir=" +
         (d / "profile").string() + " --screenshot=" + png.string() + " 'file://" + html.string() +
         "' 2>/dev/null");
  osg::ref_ptr<osg::Image> img = osgDB::readRefImageFile(png.string());
  REQUIRE(img);
  REQUIRE(img->s() == 1280);
  const unsigned bytes = osg::Image::computeNumComponents(img->getPixelFormat());
  REQUIRE(bytes >= 3);
  std::size_t inked = 0, total = 0;
  std::set<unsigned> colours;
  for (int y = 0; y < img->t(); y += 2)
    for (int x = 0; x < img->s(); x += 2) {
      const unsigned char* px = img->data(x, y);
      ++total;
      if (px[0] < 230 || px[1] < 230 || px[2] < 230) ++inked;
      colours.insert(static_cast<unsigned>(px[0]) << 16 | static_cast<unsigned>(px[1]) << 8 |
                     px[2]);
    }
  CHECK(inked > total / 50);   // more than 2% of the page is not white
  CHECK(colours.size() > 50);  // text, bars in several colours, lines
  fs::remove_all(d);
}

TEST_CASE("report: a season's series, one week of air temperature by the page's address",
          "[report][browser]") {
  const auto d = tmpdir("season");
  const std::string sc =
      std::string(DTWIN_SOURCE_DIR) + "/scenarios/greenhouse/tomato_season_hps.json";
  REQUIRE(sh("run " + sc + " --variant baseline --out " + (d / "run").string() + " --report -q")
              .status == 0);
  const fs::path html = d / "run" / "report.html";
  const std::string text = slurp(html);
  // the season starts on a date (its weather's "start": "2022-09-27"): a date axis
  const bool calendar = text.find("\"calendar\":true") != std::string::npos;
  REQUIRE(calendar);
  const std::string from = calendar ? "2022-11-07" : "40";
  const Page p = open_in_chromium(html, d, "#from=" + from + "&span=7d");
  INFO(p.log.substr(0, 4000));
  CHECK(attribute(p.dom, "data-status") == "ok");
  const auto figs = inked_figures(p.dom);
  bool air = false;
  for (const auto& [t, n] : figs)
    if (t.rfind("°C — ", 0) == 0) air = n > 500;
  CHECK(air);
  CHECK_THAT(p.dom, Catch::Contains("gh.air.temp_c"));
  // the window shown is the week asked for
  std::size_t at = 0;
  const std::string shown = between(p.dom, "class=\"window\">", '<', &at);
  REQUIRE(at != std::string::npos);
  CHECK(shown == (calendar ? "2022-11-07 00:00 to 2022-11-14 00:00" : "40 to 47 d"));
  // a window the address gets wrong is said on the page, not ignored
  const Page bad = open_in_chromium(html, d, "#from=" + from + "&span=fortnight");
  CHECK(attribute(bad.dom, "data-status") == "error");
  CHECK_THAT(bad.dom, Catch::Contains("span=7d"));
  // a --window that holds no row: the report says there is nothing to draw, and draws the rest
  REQUIRE(sh("run " + sc + " --variant baseline --window 10d2h+1h --out " + (d / "w").string() +
             " --report -q")
              .status == 0);
  const Page empty = open_in_chromium(d / "w" / "report.html", d);
  CHECK(attribute(empty.dom, "data-status") == "ok");
  CHECK_THAT(empty.dom,
             Catch::Contains("<p class=\"note\">The time series have fewer than two rows"));
  fs::remove_all(d);
}

TEST_CASE("report: a sweep as curves over its first parameter, a line per value of the other",
          "[report][browser]") {
  const auto d = tmpdir("sweep");
  const auto f = write_line(d);
  const auto r =
      sh("sweep " + f.string() + " --replications 2 --out " + (d / "sw").string() + " --report -q");
  INFO(r.out);
  REQUIRE((r.status == 0 || r.status == 4));
  const Page p = open_in_chromium(d / "sw" / "report.html", d);
  CHECK(attribute(p.dom, "data-status") == "ok");
  const auto figs = inked_figures(p.dom);
  REQUIRE(figs.count("throughput_per_h [parts/h] over mean") == 1);
  CHECK(figs.at("throughput_per_h [parts/h] over mean") > 500);
  CHECK_THAT(p.dom, Catch::Contains("6 points over m2.process.mean, b1.capacity"));
  // shards are not reported alone
  const auto s =
      sh("sweep " + f.string() + " --shard 1/2 --out " + (d / "s1").string() + " --report");
  CHECK(s.status == 2);
  CHECK_THAT(s.out, Catch::Contains("dtwin compare --out DIR"));
  fs::remove_all(d);
}

TEST_CASE("report: too many series numbers: each unit keeps its first columns, the rest is said",
          "[report]") {
  const auto d = tmpdir("budget");
  const auto f = write_line(d);
  REQUIRE(
      sh("run " + f.string() + " --replications 1 --out " + (d / "run").string() + " -q").status ==
      0);
  dtwin::ReportOptions o;
  o.dir = (d / "run").string();
  dtwin::ReportInfo all, cut, chosen;
  dtwin::make_html_report(o, &all);
  CHECK(all.omitted.empty());
  REQUIRE(all.series_columns >= 4);
  o.max_cells = 51 * 2 * 2;  // two variants' 51 rows, two columns
  dtwin::make_html_report(o, &cut);
  CHECK(cut.series_columns == 2 * 2);
  CHECK(cut.omitted.size() == all.series_columns / 2 - 2);
  o.max_cells = 4'000'000;
  o.series = {"b1.*"};
  dtwin::make_html_report(o, &chosen);
  CHECK(chosen.series_columns == 2);  // b1.level_parts in each variant
  o.series = {"nothing.*"};
  CHECK_THROWS_WITH(dtwin::make_html_report(o),
                    Catch::Contains("--series nothing.*") && Catch::Contains("b1.level_parts"));
  fs::remove_all(d);
}

TEST_CASE("report: glob patterns", "[report]") {
  using dtwin::glob_match;
  CHECK(glob_match("gh.air.*", "gh.air.temp_c"));
  CHECK(glob_match("*temp*", "gh.air.temp_c"));
  CHECK(glob_match("*", ""));
  CHECK(glob_match("a*b*c", "axxbyyc"));
  CHECK_FALSE(glob_match("a*b*c", "axxbyy"));
  CHECK_FALSE(glob_match("gh.air.*", "gh.top.temp_c"));
  CHECK(glob_match("exact", "exact"));
  CHECK_FALSE(glob_match("exact", "exactly"));
}
