// dtwin fit for lines: a plant with known parameters, its history, and the parameters fitted
// back from it (twins/line/calibrate.hpp, engine/sim/fit.hpp), with the validation of the
// calibrated scenario against the throughput observed.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "engine/live/emulator.hpp"
#include "engine/live/engine.hpp"
#include "engine/transport/inproc_link.hpp"
#include "tests/support/process.hpp"
#include "twins/register.hpp"

namespace {

namespace fs = std::filesystem;
using dtwin::test::sh_cmd;

// Three machines, three kinds of processing time, exponential and Weibull failures, lognormal
// repairs, a setup every 50 parts, 4 % scrap at the last; three weeks.
const char* kPlant = R"({"name": "fit line", "seed": 5, "duration": "21d", "replications": 1,
 "twins": {
  "src": {"kind": "source", "saturated": true},
  "m1": {"kind": "machine", "process": {"dist": "lognormal", "mean": 50, "sd": 15},
         "mtbf": "8h", "mttr": "20min"},
  "b1": {"kind": "buffer", "capacity": 8},
  "m2": {"kind": "machine", "process": {"dist": "exponential", "mean": 45},
         "failures": {"ttf": {"dist": "weibull", "shape": 2, "scale": 36000},
                      "ttr": {"dist": "lognormal", "mean": 900, "sd": 300}}},
  "b2": {"kind": "buffer", "capacity": 8},
  "m3": {"kind": "machine", "process": {"dist": "normal", "mean": 40, "sd": 4},
         "setup": {"duration": 300, "every": 50}, "scrap": 0.04},
  "sink": {"kind": "sink"}},
 "flow": [["src", "m1"], ["m1", "b1"], ["b1", "m2"], ["m2", "b2"], ["b2", "m3"],
          ["m3", "sink"]]})";

struct Dir {
  fs::path p;
  explicit Dir(const std::string& tag)
      : p(fs::temp_directory_path() / ("dtwin-" + tag + "-" + std::to_string(::getpid()))) {
    fs::remove_all(p);
    fs::create_directories(p);
  }
  ~Dir() {
    if (!std::getenv("KEEP")) fs::remove_all(p);
  }
  std::string operator/(const std::string& f) const { return (p / f).string(); }
};

std::string run_dtwin(const std::string& args, int* status = nullptr) {
  const auto r = sh_cmd(std::string(DTWIN_BIN) + " " + args);
  if (status) *status = r.status;
  return r.out;
}

const nlohmann::json& machine(const nlohmann::json& report, const std::string& id) {
  for (const auto& m : report["machines"])
    if (m["twin"] == id) return m;
  throw std::runtime_error("no machine " + id);
}

// The fit of `family` for `what` of machine `id`: its estimate `name` must hold `truth` in its
// 95 % confidence interval.
void covers(const nlohmann::json& report, const std::string& id, const std::string& what,
            const std::string& family, const std::string& name, double truth) {
  const auto& fits = machine(report, id)[what]["fits"];
  for (const auto& f : fits)
    if (f["family"] == family) {
      const auto& e = f["estimates"][name];
      INFO(id << " " << what << " " << family << " " << name << ": " << e.dump() << ", truth "
              << truth);
      CHECK(e["lo"].get<double>() <= truth);
      CHECK(truth <= e["hi"].get<double>());
      return;
    }
  FAIL("no " << family << " fit of " << id << " " << what);
}

std::string best(const nlohmann::json& report, const std::string& id, const std::string& what) {
  return machine(report, id)[what]["fits"][0]["family"].get<std::string>();
}

// The plant's event log (`dtwin run --events`) fitted back (`dtwin fit --events`, with `extra`
// options): its report; patch.json and report.json in d.
nlohmann::json run_and_fit(const Dir& d, const std::string& plant, const std::string& extra = "") {
  std::ofstream(d / "plant.json") << plant;
  int st = 0;
  std::string out = run_dtwin("run " + d / "plant.json" + " -q --no-timeseries --out " + d / "run" +
                                  " --events " + d / "log.csv",
                              &st);
  REQUIRE(st == 0);
  out = run_dtwin("fit " + d / "plant.json" + " --events " + d / "log.csv" + " --out " +
                      d / "patch.json" + " --report " + d / "report.json" + extra,
                  &st);
  INFO(out);
  REQUIRE(st == 0);
  return nlohmann::json::parse(std::ifstream(d / "report.json"));
}

}  // namespace

TEST_CASE(
    "dtwin fit recovers a line's known parameters from its event log, and the calibrated "
    "line reproduces the observed throughput",
    "[fit]") {
  Dir d("fit-events");
  std::ofstream(d / "plant.json") << kPlant;
  int st = 0;
  std::string out = run_dtwin(
      "run " + d / "plant.json" + " -q --out " + d / "run" + " --events " + d / "log.csv", &st);
  REQUIRE(st == 0);
  out = run_dtwin("fit " + d / "plant.json" + " --events " + d / "log.csv" + " --out " +
                      d / "patch.json" + " --report " + d / "report.json",
                  &st);
  INFO(out);
  REQUIRE(st == 0);
  const auto report = nlohmann::json::parse(std::ifstream(d / "report.json"));
  // every true value inside its 95 % CI (the fits of the true family)
  const double lognormal_sigma = std::sqrt(std::log1p(0.09));  // mean 50, sd 15
  covers(report, "m1", "process", "lognormal", "mu", std::log(50) - 0.5 * std::log1p(0.09));
  covers(report, "m1", "process", "lognormal", "sigma", lognormal_sigma);
  covers(report, "m1", "ttf", "exponential", "mean", 8 * 3600);
  covers(report, "m1", "ttr", "exponential", "mean", 20 * 60);
  covers(report, "m2", "process", "exponential", "mean", 45);
  covers(report, "m2", "ttf", "weibull", "shape", 2);
  covers(report, "m2", "ttf", "weibull", "scale", 36000);
  const double rs = std::sqrt(std::log1p(1.0 / 9));  // mean 900, sd 300
  covers(report, "m2", "ttr", "lognormal", "mu", std::log(900) - 0.5 * rs * rs);
  covers(report, "m2", "ttr", "lognormal", "sigma", rs);
  covers(report, "m3", "process", "normal", "mean", 40);
  covers(report, "m3", "process", "normal", "sd", 4);
  // AIC picks the true family where the data tell them apart clearly
  CHECK(best(report, "m1", "process") == "lognormal");
  CHECK(best(report, "m3", "process") == "normal");
  CHECK(best(report, "m2", "ttf") == "weibull");
  CHECK(best(report, "m3", "setup") == "constant");
  CHECK(machine(report, "m3")["ttf"].is_null());  // it never failed: nothing to fit
  // m3's rejects counter: its scrap rate, a binomial share with Wilson's interval
  const auto& scrap = machine(report, "m3")["scrap"];
  CHECK(scrap["lo"].get<double>() <= 0.04);
  CHECK(0.04 <= scrap["hi"].get<double>());
  CHECK(machine(report, "m1")["scrap"].is_null());  // no counter: nothing said
  // the calibrated line over the log's three weeks: the observed throughput is what one run of
  // it would give
  const auto& v = report["validation"];
  REQUIRE(v.is_object());
  CHECK(v["consistent"] == true);
  CHECK(std::fabs(v["observed_throughput_per_h"].get<double>() -
                  v["simulated_throughput_per_h"]["mean"].get<double>()) <
        0.02 * v["observed_throughput_per_h"].get<double>());
  // the patch makes a valid scenario: m1's lognormal given by mu and sigma only now
  auto doc = nlohmann::json::parse(kPlant);
  doc.merge_patch(nlohmann::json::parse(std::ifstream(d / "patch.json")));
  CHECK_FALSE(doc["twins"]["m1"]["process"].contains("mean"));
  CHECK(doc["twins"]["m3"]["setup"]["every"] == 50);
  std::ofstream(d / "calibrated.json") << doc.dump(2);
  CHECK(sh_cmd(std::string(DTWIN_BIN) + " validate " + d / "calibrated.json").status == 0);
}

TEST_CASE("dtwin fit from a served plant's store: the emulated plant's parameters come back",
          "[fit]") {
  using namespace dtwin;
  Dir d("fit-store");
  // an exponential line, emulated at 600x and reported every 5 ms (3 s of plant time, 0.5 % of
  // a processing time: a history's resolution must be well below what is fitted): a week on a
  // virtual clock
  const std::string plant = R"({"name": "served", "seed": 3, "duration": "7d",
    "twins": {"src": {"kind": "source", "saturated": true},
      "m1": {"kind": "machine", "process": {"dist": "exponential", "mean": 600},
             "mtbf": "6h", "mttr": "30min"},
      "b1": {"kind": "buffer", "capacity": 4},
      "m2": {"kind": "machine", "process": {"dist": "exponential", "mean": 400}},
      "sink": {"kind": "sink"}},
    "flow": [["src", "m1"], ["m1", "b1"], ["b1", "m2"], ["m2", "sink"]],
    "live": {"plant": "fit", "emulator": {"speed": 600, "report_every": "5ms",
                                          "full_every": "60s"}}})";
  std::ofstream(d / "plant.json") << plant;
  {
    const Scenario sc = Scenario::parse(plant, "plant.json");
    Registry reg;
    twins::register_all(reg);
    const CompiledVariant v = sc.compile(0, reg);
    const LiveSettings live = parse_live(sc);
    Bus bus;
    double now = 1.8e9;
    auto clock = [&now] { return now; };
    InProcessLink elink(bus, "engine");
    LiveOptions lo;
    lo.store = d / "mirror.db";
    LiveEngine engine(sc, reg, elink, lo, clock);
    engine.start();
    LiveEmulator emu(
        v, live, 3,
        [&bus](const std::string& twin) {
          return std::unique_ptr<Link>(new InProcessLink(bus, "asset-" + twin));
        },
        clock);
    emu.start();
    const double dt = 0.005;
    const auto steps = static_cast<std::size_t>(7 * 86400 / live.speed / dt);
    for (std::size_t i = 0; i < steps; ++i) {
      now += dt;
      emu.poll(0);
      engine.poll(0);
    }
    engine.stop();
  }
  int st = 0;
  const std::string out = run_dtwin("fit " + d / "plant.json" + " --store " + d / "mirror.db" +
                                        " --report " + d / "report.json" + " --out " + d / "p.json",
                                    &st);
  INFO(out);
  REQUIRE(st == 0);
  const auto report = nlohmann::json::parse(std::ifstream(d / "report.json"));
  CHECK(report["data"]["span_s"].get<double>() == Approx(7 * 86400).epsilon(0.01));
  covers(report, "m1", "process", "exponential", "mean", 600);
  covers(report, "m2", "process", "exponential", "mean", 400);
  covers(report, "m1", "ttf", "exponential", "mean", 6 * 3600);
  covers(report, "m1", "ttr", "exponential", "mean", 30 * 60);
  CHECK(report["validation"]["consistent"] == true);
}

TEST_CASE("dtwin fit: bad logs are refused at their place", "[fit]") {
  Dir d("fit-bad");
  std::ofstream(d / "plant.json") << kPlant;
  std::ofstream(d / "nohead.csv") << "t,who,what\n1,m1,state\n";
  std::ofstream(d / "badtime.csv") << "time,twin,property,value\n0,m1,state,working\n"
                                      "yesterday,m1,parts,1\n";
  int st = 0;
  std::string out = run_dtwin("fit " + d / "plant.json" + " --events " + d / "nohead.csv", &st);
  CHECK(st == 2);
  CHECK(out.find("nohead.csv:1: expected a header") != std::string::npos);
  out = run_dtwin("fit " + d / "plant.json" + " --events " + d / "badtime.csv", &st);
  CHECK(st == 2);
  CHECK(out.find("badtime.csv:3: time \"yesterday\"") != std::string::npos);
  out = run_dtwin("fit " + d / "plant.json", &st);
  CHECK(st == 2);
  CHECK(out.find("give the data") != std::string::npos);
}

TEST_CASE(
    "dtwin fit: a press's Markov health model and its vibration come back from its log "
    "(Baum-Welch)",
    "[fit]") {
  Dir d("fit-health");
  // scenarios/line/health_models.json's press alone, run to failure for 150 days (61 lives)
  const std::string plant = R"({"name": "press", "seed": 4, "duration": "150d",
    "replications": 1,
    "twins": {"src": {"kind": "source", "saturated": true},
      "press": {"kind": "machine", "process": {"dist": "lognormal", "mean": 40, "sd": 6},
        "health": {"type": "markov", "transition": [[0.97, 0.025, 0.004, 0.001],
          [0, 0.95, 0.04, 0.01], [0, 0, 0.92, 0.08], [0, 0, 0, 1]]},
        "signals": {"interval": "20min",
                    "vibration_mm_s": {"base": 2.0, "slope": 1.6, "sd": 0.7}},
        "maintenance": {"policy": "run_to_failure", "duration": {"corrective":
          {"dist": "lognormal", "mean": "5h", "sd": "1h"}, "preventive": "1h"}}},
      "sink": {"kind": "sink"}},
    "flow": [["src", "press"], ["press", "sink"]]})";
  const auto report = run_and_fit(d, plant, " --no-validate");
  const auto& h = machine(report, "press")["health"];
  REQUIRE(h.is_object());
  CHECK(h["signal"] == "vibration");
  CHECK(h["lives"].get<int>() > 50);
  // the signal: base, slope and sd from about 10,000 samples
  CHECK(h["base"].get<double>() == Approx(2.0).margin(0.05));
  CHECK(h["slope"].get<double>() == Approx(1.6).margin(0.05));
  CHECK(h["sd"].get<double>() == Approx(0.7).margin(0.03));
  // the chain per operating hour: each stay within 0.015 of the truth (about two standard
  // errors of an exit rate from 61 lives, and the signal is sampled on the calendar while the
  // chain moves on operating time)
  const double truth[] = {0.97, 0.95, 0.92};
  for (std::size_t i = 0; i < 3; ++i) {
    INFO("state " << i);
    CHECK(h["transition_per_h"][i][i].get<double>() == Approx(truth[i]).margin(0.015));
  }
  // the patch: the chain and the signal; repairs as the maintenance's corrective work; no second
  // failure process for a machine that fails by its health
  auto doc = nlohmann::json::parse(plant);
  doc.merge_patch(nlohmann::json::parse(std::ifstream(d / "patch.json")));
  const auto& press = doc["twins"]["press"];
  CHECK(press["health"]["transition"].size() == 4);
  CHECK(press["signals"]["interval"] == "20min");
  CHECK(press["maintenance"]["duration"]["corrective"]["dist"] == "lognormal");
  CHECK_FALSE(press.contains("failures"));
  CHECK_FALSE(press.contains("mtbf"));
  std::ofstream(d / "calibrated.json") << doc.dump(2);
  CHECK(sh_cmd(std::string(DTWIN_BIN) + " validate " + d / "calibrated.json").status == 0);
}

TEST_CASE(
    "dtwin fit: a line with products gives each product's processing time and each "
    "changeover of its matrix, as a by_product patch",
    "[fit][products]") {
  Dir d("fit-products");
  const char* plant = R"({"name": "fit products", "seed": 3, "duration": "14d",
   "products": {"A": {}, "B": {}},
   "twins": {
    "src": {"kind": "source", "interarrival": {"dist": "exponential", "mean": 120},
            "mix": {"A": 0.5, "B": 0.5}},
    "q": {"kind": "buffer", "capacity": 20},
    "m": {"kind": "machine", "process": {"by_product": {
            "A": {"dist": "exponential", "mean": 40},
            "B": {"dist": "normal", "mean": 70, "sd": 7}}},
          "changeover": {"A->B": "2min", "B->A": "45s"}},
    "sink": {"kind": "sink"}},
   "flow": [["src", "q"], ["q", "m"], ["m", "sink"]]})";
  const auto report = run_and_fit(d, plant);
  const auto& m = machine(report, "m");
  const auto estimate = [&](const nlohmann::json& fit, const std::string& family,
                            const std::string& name) {
    for (const auto& f : fit["fits"])
      if (f["family"] == family) return f["estimates"][name];
    return nlohmann::json();
  };
  // each product's true mean inside its fit's 95 % interval; the pooled fit covers neither
  const auto a = estimate(m["process_by_product"]["A"], "exponential", "mean");
  const auto b = estimate(m["process_by_product"]["B"], "normal", "mean");
  INFO("A " << a.dump() << ", B " << b.dump());
  CHECK(a["lo"].get<double>() <= 40);
  CHECK(40 <= a["hi"].get<double>());
  CHECK(b["lo"].get<double>() <= 70);
  CHECK(70 <= b["hi"].get<double>());
  CHECK(m["process_by_product"]["B"]["fits"][0]["family"] == "normal");
  // the changeovers are constants: found exactly
  CHECK(m["changeover"]["A->B"]["fits"][0]["family"] == "constant");
  CHECK(estimate(m["changeover"]["A->B"], "constant", "value")["value"].get<double>() ==
        Approx(120));
  CHECK(estimate(m["changeover"]["B->A"], "constant", "value")["value"].get<double>() ==
        Approx(45));
  // the patch: by_product and the matrix, a valid scenario
  const auto patch = nlohmann::json::parse(std::ifstream(d / "patch.json"));
  CHECK(patch["twins"]["m"]["process"]["by_product"].contains("A"));
  CHECK(patch["twins"]["m"]["process"]["by_product"].contains("B"));
  CHECK(patch["twins"]["m"]["changeover"]["A->B"]["dist"] == "constant");
  auto doc = nlohmann::json::parse(plant);
  doc.merge_patch(patch);
  std::ofstream(d / "calibrated.json") << doc.dump(2);
  CHECK(sh_cmd(std::string(DTWIN_BIN) + " validate " + d / "calibrated.json").status == 0);
}
