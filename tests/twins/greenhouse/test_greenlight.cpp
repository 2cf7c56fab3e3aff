// The GreenLight greenhouse (greenlight_tomato): energy balance closure of the heat network,
// the lamp model against Katzin's published lamp figures, the controller's rules, the EPW
// reader and its bad-input errors, the season scenarios' totals, determinism and forks.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>

#include "tests/twins/greenhouse/greenhouse_helpers.hpp"
#include "twins/greenhouse/greenlight_twin.hpp"

using namespace dtwin;
using namespace dtwin::greenhouse;
using Catch::Matchers::Contains;

namespace {

const std::string kEpw = test::source_path("assets/weather/pvgis_tmy_45.000N_8.000E_2005_2023.epw");

// an inline greenlight scenario; `gh` is spliced into the twin
std::string scenario(const std::string& gh, const std::string& duration = "2d") {
  return R"({"duration": ")" + duration + R"(", "sample_interval": "1h", "replications": 1,
    "twins": {"gh": {"kind": "greenlight_tomato", "solver": "cvode", "step": "1d", )" +
         gh + "}}}";
}

const char* kColdNight =
    R"("weather": {"constant": {"rad_w_m2": 0, "temp_c": 5, "rh_pct": 80, "wind_m_s": 2,
                              "sky_temp_c": -5}})";

const GreenLightModel& model_of(const CompiledVariant& v) {
  return static_cast<const GreenLightModel&>(*v.models.at(0));
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The ScenarioError a scenario raises, with its description (file:line:col: pointer: message).
std::string error_of(const std::string& text) {
  try {
    test::compile_text(text);
  } catch (const ScenarioError& e) {
    return e.pointer() + " | " + e.message();
  }
  return "no error";
}

// A copy of the asset EPW with `edit` applied to its lines (0-based line index -> new text).
std::string epw_variant(const std::string& name,
                        const std::function<void(std::vector<std::string>&)>& edit) {
  std::vector<std::string> lines;
  std::istringstream in(read_text(kEpw));
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  edit(lines);
  const std::string dir = test::temp_dir("epw");
  const std::string path = dir + "/" + name;
  std::ofstream os(path, std::ios::binary);
  for (const auto& l : lines) os << l << "\n";
  return path;
}

std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> f;
  std::string cur;
  for (char c : line) {
    if (c == ',') {
      f.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  f.push_back(cur);
  return f;
}

std::string join(const std::vector<std::string>& f) {
  std::string s;
  for (std::size_t i = 0; i < f.size(); ++i) s += (i ? "," : "") + f[i];
  return s;
}

std::string epw_scenario(const std::string& path, const std::string& extra = "") {
  return scenario(R"("lamp": "led", "weather": {"epw": ")" + path + R"(", "start": "01-10")" +
                  extra + "}");
}

}  // namespace

TEST_CASE("the built-in GreenLight parameters are the asset files", "[greenhouse][greenlight]") {
  for (const char* name : {"greenlight_katzin2021", "greenlight_lamp_hps", "greenlight_lamp_led",
                           "greenlight_control"})
    CHECK(ParamSet::builtin_text(name) ==
          read_text(test::source_path("assets/greenhouse/") + name + ".json"));
}

TEST_CASE("heat balance: storage equals sources minus losses at any state",
          "[greenhouse][greenlight][energy]") {
  // Every exchange between two nodes enters both balances with opposite signs, so the sum of
  // C_i dT_i/dt over all nodes must equal boiler + lamps + sun - (sky + outside air + deep
  // soil + lamp cooling + latent heat ventilated out) - latent heat stored in the air's vapour.
  for (const char* lamp : {"hps", "led"}) {
    const auto v = test::compile_text(
        scenario(std::string(R"("lamp": ")") + lamp + R"(", "control": {"useBlScr": 1}, "weather":
        {"constant": {"rad_w_m2": 350, "temp_c": 3, "rh_pct": 85, "wind_m_s": 4, "sky_temp_c": -12}})"));
    const auto& m = model_of(v);
    std::vector<double> y = m.spec().initial, d(kGlN);
    // states away from equilibrium, controls part-way: screens, vents, heating, lamps active
    const double temps[kGlTemps] = {21, 19.3, 17, 16, 15, 14, 13, 12, 11, 9, 6, 4, 55, 60, 13};
    for (int variant = 0; variant < 4; ++variant) {
      for (std::size_t i = 0; i < kGlTemps; ++i) y[i] = temps[i] + 0.7 * variant;
      y[kGlVpAir] = 1800 + 150 * variant;
      y[kGlVpTop] = 1200;
      y[kGlCLeaf] = 60000;
      const double t = variant * 6 * 3600.0 + 1800;  // night and lamp hours
      GlFluxes f{};
      GlControls u{};
      m.evaluate(t, y.data(), d.data(), &f, &u);
      INFO(lamp << " variant " << variant << ": boiler " << f.boiler << ", lamps "
                << f.lamp_electric << ", screen " << u.uThScr << ", vents " << u.uRoof);
      const double scale = f.heat_in + f.heat_out;
      CHECK(std::fabs(f.stored + f.latent_stored - (f.heat_in - f.heat_out)) < 1e-9 * scale);
      CHECK(f.heat_in > 0);
    }
  }
}

TEST_CASE("steady state on a constant cold night: the boiler's heat equals the losses",
          "[greenhouse][greenlight][energy]") {
  // No sun, no lamps, constant weather: after 20 days the temperatures are steady, the air sits
  // in the heating P-band just below the night set point, and the heat put into the pipes
  // leaves through the cover, the vents' leakage, the sky and the soil.
  const auto v = test::compile_text(
      scenario(std::string(R"("lamp": "none", "crop": {"params": {"rgFruit": 1e-9, "rgLeaf": 1e-9,
        "rgStem": 1e-9, "j25LeafMax": 1e-9}}, )") +
                   kColdNight,
               "20d"));
  test::Run run(v);
  const auto y = run.at(20 * 86400.0);
  const auto& m = model_of(v);
  std::vector<double> d(kGlN);
  GlFluxes f{};
  GlControls u{};
  m.evaluate(20 * 86400.0, y.data(), d.data(), &f, &u);
  const double sp = m.spec().c.tSpNight;
  INFO("air " << y[kGlTAir] << " degC, boiler " << f.boiler << " W/m2, losses " << f.heat_out);
  CHECK(y[kGlTAir] < sp);
  CHECK(y[kGlTAir] > sp + m.spec().c.tHeatBand);  // within the P-band
  CHECK(f.boiler > 20);                           // a cold night needs real heating
  CHECK(f.boiler < m.spec().p.pBoil);
  for (std::size_t i = 0; i < kGlTemps; ++i)
    if (i != kGlTSo4 && i != kGlTSo5) CHECK(std::fabs(d[i]) < 1e-6);  // K/s: steady
  // near steady: what the nodes still store (the deep soil layers) is small beside the boiler
  CHECK(std::fabs(f.stored + f.latent_stored) < 0.03 * f.boiler);
  CHECK(f.boiler == Approx(f.heat_out + f.latent_stored + f.stored - f.lamp_electric));
  CHECK(u.uThScr > 0.9);  // 5 degC outside at night: screen closed
}

TEST_CASE("lamps: PAR output is efficacy times power, HPS and LED split their heat differently",
          "[greenhouse][greenlight][lamps]") {
  // Katzin et al. (2021): 200 umol m-2 s-1 from HPS at 111 W m-2 (1.8 umol/J) and from LED at
  // 66.7 W m-2 (3.0 umol/J). Lamps on all day here (no sun), so the lamp body reaches its steady
  // temperature; what it does not emit as PAR or NIR it loses by convection and FIR.
  struct Out {
    double par_umol, efficacy, nir_share, conv, fir, body, temp, input;
  };
  auto run = [&](const char* lamp) {
    const auto v = test::compile_text(
        scenario(std::string(R"("lamp": ")") + lamp +
                     R"(", "control": {"lampsOn": 0, "lampsOff": 24}, )" + kColdNight,
                 "1d"));
    test::Run r(v);
    const auto y = r.at(3600 * 12.0);
    const auto& m = model_of(v);
    std::vector<double> d(kGlN);
    GlFluxes f{};
    GlControls u{};
    m.evaluate(3600 * 12.0, y.data(), d.data(), &f, &u);
    const GlParams& p = m.spec().p;
    Out o{};
    o.input = f.lamp_electric;
    o.par_umol = p.zetaLampPar * f.lamp_par_w;
    o.efficacy = o.par_umol / f.lamp_electric;
    o.nir_share = f.lamp_nir_w / f.lamp_electric;
    o.conv = f.lamp_convection;
    o.fir = f.lamp_fir;
    o.body = (1 - p.etaLampPar - p.etaLampNir - p.etaLampCool) * f.lamp_electric;
    o.temp = y[kGlTLamp];
    CHECK(u.uLamp > 0.99);
    CHECK(std::fabs(d[kGlTLamp]) < 1e-4);  // steady lamp temperature (< 0.4 K/h)
    return o;
  };
  const Out hps = run("hps"), led = run("led");
  CHECK(hps.input == Approx(111.1).epsilon(0.001));
  CHECK(led.input == Approx(66.67).epsilon(0.001));
  CHECK(hps.par_umol == Approx(200).epsilon(1e-6));
  CHECK(led.par_umol == Approx(200).epsilon(1e-6));
  CHECK(hps.efficacy == Approx(1.8).epsilon(1e-6));
  CHECK(led.efficacy == Approx(3.0).epsilon(1e-6));
  // the body's heat (input - PAR - NIR - cooling) leaves by convection and FIR
  CHECK(hps.conv + hps.fir == Approx(hps.body).epsilon(1e-4));
  CHECK(led.conv + led.fir == Approx(led.body).epsilon(1e-4));
  // HPS emits 22% as NIR (LED 2%) and runs hot, radiating most of its body heat; LEDs lose
  // theirs mostly by convection (Katzin et al. 2020)
  CHECK(hps.nir_share == Approx(0.22));
  CHECK(led.nir_share == Approx(0.02));
  CHECK(hps.temp > led.temp + 30);
  CHECK(hps.fir > hps.conv);
  CHECK(led.conv > led.fir);
}

TEST_CASE("controller: heating, vents, screen, CO2 and the lamp schedule",
          "[greenhouse][greenlight][control]") {
  const auto v = test::compile_text(scenario(std::string(R"("lamp": "hps", )") + kColdNight));
  const auto& m = model_of(v);
  const GlParams& p = m.spec().p;
  const GlControlParams& c = m.spec().c;
  std::vector<double> y = m.spec().initial;
  auto at = [&](double t_air, double rh, double co2_ppm, GlWeather w) {
    y[kGlTAir] = t_air;
    y[kGlVpAir] = rh / 100 * gl_sat_vp(t_air);
    y[kGlCo2Air] = gl_co2_mg_m3(t_air, co2_ppm);
    return gl_controls(p, c, y.data(), w);
  };
  GlWeather night{};
  night.tOut = 5;
  night.timeOfDay = 22;  // lamps off (on 0-18)
  GlWeather lit = night;
  lit.timeOfDay = 3;
  GlWeather day = night;
  day.isDay = 1;
  day.iGlob = 300;
  day.timeOfDay = 13;
  day.dayRadSum = 8;

  SECTION("heating on below the set point, off above it") {
    CHECK(at(c.tSpNight - 1.5, 70, 400, night).uBoil > 0.99);
    CHECK(at(c.tSpNight + 0.2, 70, 400, night).uBoil < 0.02);
    CHECK(at(c.tSpNight, 70, 400, night).heatSetPoint == Approx(c.tSpNight));
    CHECK(at(c.tSpNight, 70, 400, day).heatSetPoint == Approx(c.tSpDay));
    CHECK(at(c.tSpNight, 70, 400, lit).heatSetPoint == Approx(c.tSpDay));  // lamps on: day
  }
  SECTION("vents open above the heating set point plus the dead band") {
    const double sp = c.tSpDay;
    CHECK(at(sp + 1, 60, 400, day).uRoof < 0.02);
    CHECK(at(sp + c.heatDeadZone + c.ventHeatPband + 0.5, 60, 400, day).uRoof > 0.99);
    // humidity opens them too, unless it is too cold inside
    CHECK(at(sp + 0.5, 99, 400, day).uRoof > at(sp + 0.5, 60, 400, day).uRoof + 0.05);
    CHECK(at(sp - c.tVentOff - 1.5, 99, 400, day).uRoof < 0.02);
  }
  SECTION("thermal screen: closed on cold nights, open when warm outside or humid inside") {
    CHECK(at(c.tSpNight, 70, 400, night).uThScr > 0.99);
    GlWeather mild = night;
    mild.tOut = c.thScrSpNight + 2;
    CHECK(at(c.tSpNight, 70, 400, mild).uThScr < 0.01);
    CHECK(at(c.tSpNight + 0.3, 99, 400, night).uThScr <
          at(c.tSpNight + 0.3, 70, 400, night).uThScr - 0.3);
  }
  SECTION("lamp schedule: hours, strong sun, daily radiation sum") {
    CHECK(at(c.tSpDay, 70, 400, lit).uLamp > 0.99);
    CHECK(at(c.tSpDay, 70, 400, night).uLamp == 0);  // after lampsOff
    GlWeather sunny = day;
    sunny.timeOfDay = 10;
    CHECK(at(c.tSpDay, 70, 400, sunny).uLamp > 0.99);  // 300 W/m2 < 400
    sunny.iGlob = c.lampsOffSun + 5 * c.lampsOffSunBand;
    CHECK(at(c.tSpDay, 70, 400, sunny).uLamp < 0.01);
    GlWeather bright_day = lit;
    bright_day.dayRadSum = c.lampRadSumLimit + 1;
    CHECK(at(c.tSpDay, 70, 400, bright_day).uLamp == 0);
  }
  SECTION("CO2 injected to the set point when the sun is up or the lamps are on") {
    CHECK(at(c.tSpDay, 70, 500, lit).uExtCo2 > 0.99);
    CHECK(at(c.tSpDay, 70, 500, day).uExtCo2 > 0.99);
    CHECK(at(c.tSpDay, 70, c.co2SpDay + 10, day).uExtCo2 < 0.02);
    CHECK(at(c.tSpNight, 70, 500, night).uExtCo2 < 1e-6);
  }
}

TEST_CASE("controller settings come from the scenario", "[greenhouse][greenlight][control]") {
  const auto v = test::compile_text(
      scenario(std::string(R"("control": {"tSpNight": 16, "co2SpDay": 800, "lampsOff": 16}, )") +
               kColdNight));
  const auto& c = model_of(v).spec().c;
  CHECK(c.tSpNight == 16);
  CHECK(c.co2SpDay == 800);
  CHECK(c.lampsOff == 16);
  CHECK_THAT(error_of(scenario(std::string(R"("control": {"tSpNigth": 16}, )") + kColdNight)),
             Contains("tSpNight"));
  CHECK_THAT(error_of(scenario(std::string(R"("control": {"rhMax": 130}, )") + kColdNight)),
             Contains("/twins/gh/control/rhMax"));
}

TEST_CASE("parameters outside physical ranges are errors at their JSON pointer",
          "[greenhouse][greenlight][errors]") {
  CHECK_THAT(error_of(scenario(std::string(R"("params": {"tauRfPar": 1.5}, )") + kColdNight)),
             Contains("/twins/gh/params/tauRfPar"));
  CHECK_THAT(error_of(scenario(std::string(R"("params": {"hAir": 8}, )") + kColdNight)),
             Contains("hGh"));
  CHECK_THAT(
      error_of(scenario(std::string(R"("lamp_params": {"etaLampPar": -0.1}, )") + kColdNight)),
      Contains("/twins/gh/lamp_params/etaLampPar"));
  CHECK_THAT(error_of(scenario(std::string(R"("lamp": "xenon", )") + kColdNight)),
             Contains("/twins/gh/lamp"));
  CHECK_THAT(error_of(scenario(std::string(R"("prices": {"tomato_eur_kg": 1,
               "electricity_eur_kwh": 0.1, "co2_eur_kg": 0.1}, )") +
                               kColdNight)),
             Contains("heat_eur_mj"));
  CHECK_THAT(error_of(scenario(R"("weather": {"constant": {"rad_w_m2": 2000, "temp_c": 5,
               "rh_pct": 80, "wind_m_s": 2}})")),
             Contains("/twins/gh/weather/constant/rad_w_m2"));
}

TEST_CASE("EPW: the shipped typical year parses", "[greenhouse][greenlight][epw]") {
  const EpwData d = parse_epw(read_text(kEpw), "x.epw");
  CHECK(d.latitude == 45);
  CHECK(d.longitude == 8);
  CHECK(d.time_zone == 1);
  REQUIRE(d.line.size() == 8760);
  CHECK(d.line.front() == 9);  // after the 8 header lines
  CHECK(d.temp.front() == Approx(2.04));
  CHECK(d.dew.front() == Approx(1.21));
  CHECK(d.ir.front() == Approx(283.58));
  CHECK(d.wind.front() == Approx(0.7));
  // the sky temperature from the infrared column: (283.58 / sigma)^(1/4) - 273.15
  const auto v = test::compile_text(epw_scenario(kEpw));
  const auto& w = model_of(v).spec().weather;
  CHECK(w.filled_values == 0);
  CHECK(w.sky_computed == 0);
  // annual global radiation at 45 N: 4-6 GJ/m2 (Piedmont, ~1400 kWh/m2)
  double sum = 0;
  for (double g : d.ghi) sum += g * 3600e-6;
  CHECK(sum > 4000);
  CHECK(sum < 6000);
}

TEST_CASE("EPW bad input: clear errors naming file and line", "[greenhouse][greenlight][epw]") {
  // line numbers are 1-based; data row k (0-based) is on line 9 + k
  SECTION("a row with missing columns") {
    const auto path = epw_variant("short.epw", [](auto& l) { l[100] = "2018,1,5,5,0,x,2.0"; });
    CHECK_THAT(error_of(epw_scenario(path)), Contains("short.epw:101:") && Contains("22 fields"));
  }
  SECTION("times that go backwards") {
    const auto path = epw_variant("back.epw", [](auto& l) { l[201] = l[199]; });
    CHECK_THAT(error_of(epw_scenario(path)),
               Contains("back.epw:202:") && Contains("does not increase"));
  }
  SECTION("a missing row") {
    const auto path = epw_variant("hole.epw", [](auto& l) { l.erase(l.begin() + 300); });
    CHECK_THAT(error_of(epw_scenario(path)), Contains("hole.epw:301:") && Contains("missing"));
  }
  SECTION("a gap of missing values: filled and reported when short, an error when long") {
    auto blank = [](std::vector<std::string>& l, std::size_t from, std::size_t n) {
      for (std::size_t k = from; k < from + n; ++k) {
        auto f = fields(l[k]);
        f[6] = "99.9";  // the EPW code for a missing dry bulb temperature
        l[k] = join(f);
      }
    };
    const auto ok = epw_variant("gap2.epw", [&](auto& l) { blank(l, 500, 2); });
    const auto v = test::compile_text(epw_scenario(ok));
    CHECK(model_of(v).spec().weather.filled_values == 2);
    CHECK(model_of(v).spec().weather.longest_gap_s == 3 * 3600.0);
    test::Run r(v);
    CHECK(r.metrics().find("gh.weather.filled_values")->value == 2);
    const auto bad = epw_variant("gap9.epw", [&](auto& l) { blank(l, 500, 9); });
    CHECK_THAT(error_of(epw_scenario(bad)),
               Contains("gap9.epw:501:") && Contains("dry bulb") && Contains("max_gap"));
    // the limit is the scenario's to declare
    CHECK_NOTHROW(test::compile_text(epw_scenario(bad, R"(, "max_gap": "12h")")));
  }
  SECTION("radiation in J/cm2 where Wh/m2 is declared") {
    const auto path = epw_variant("jcm2.epw", [](auto& l) {
      for (std::size_t k = 8; k < l.size(); ++k) {
        auto f = fields(l[k]);
        f[13] = std::to_string(std::stod(f[13]) * 0.36);
        l[k] = join(f);
      }
    });
    CHECK_THAT(error_of(epw_scenario(path)), Contains("jcm2.epw:9:") && Contains("J/cm2"));
  }
  SECTION("radiation in kJ/m2 (3.6 times larger)") {
    const auto path = epw_variant("kj.epw", [](auto& l) {
      for (std::size_t k = 8; k < l.size(); ++k) {
        auto f = fields(l[k]);
        f[13] = std::to_string(std::stod(f[13]) * 3.6);
        l[k] = join(f);
      }
    });
    CHECK_THAT(error_of(epw_scenario(path)), Contains("kj.epw:") && Contains("top-of-atmosphere"));
  }
  SECTION("not an EPW file") {
    const auto path = epw_variant("csv.epw", [](auto& l) { l[0] = "time,temp,rad"; });
    CHECK_THAT(error_of(epw_scenario(path)), Contains("csv.epw:1:") && Contains("LOCATION"));
  }
  SECTION("a number that is not one") {
    const auto path = epw_variant("nan.epw", [](auto& l) {
      auto f = fields(l[42]);
      f[21] = "calm";
      l[42] = join(f);
    });
    CHECK_THAT(error_of(epw_scenario(path)), Contains("nan.epw:43:") && Contains("wind speed"));
  }
  SECTION("a file that does not exist") {
    CHECK_THAT(error_of(epw_scenario("/nonexistent/x.epw")),
               Contains("/twins/gh/weather/epw") && Contains("cannot open"));
  }
}

TEST_CASE("greenlight runs are deterministic and fork exactly", "[greenhouse][greenlight]") {
  const auto v = test::compile_text(epw_scenario(kEpw));
  World a(v.models);
  a.start(RunContext{1, 0});
  a.run_until(0.5 * 86400 + 17);  // between two steps
  World b = a.fork();
  const auto snap = a.snapshot();
  a.run_until(2 * 86400.0);
  b.run_until(2 * 86400.0);
  CHECK(a.same_state(b));
  World c(v.models);
  c.start(RunContext{9, 2});
  c.run_until(2 * 86400.0);
  CHECK(a.same_state(c));
  a.restore(snap);
  a.run_until(2 * 86400.0);
  CHECK(a.same_state(b));
  // and the same bytes out
  std::ostringstream t1, t2;
  run_one(v, RunTask{0, 0, 0}, &t1);
  run_one(v, RunTask{0, 0, 0}, &t2);
  CHECK(t1.str() == t2.str());
  CHECK_THAT(t1.str().substr(0, 2000), Contains("gh.air.temp_c") && Contains("gh.crop.lai") &&
                                           Contains("gh.crop.c_fruit_mg_m2") &&
                                           Contains("gh.control.lamps"));
}

TEST_CASE("season scenarios: HPS and LED totals are physically plausible",
          "[greenhouse][greenlight][season]") {
  auto run = [](const char* f) {
    const auto v = test::compile_file(test::source_path(f));
    return run_one(v, RunTask{0, 0, 0}, nullptr).metrics;
  };
  const Metrics hps = run("scenarios/greenhouse/tomato_season_hps.json");
  const Metrics led = run("scenarios/greenhouse/tomato_season_led.json");
  auto k = [](const Metrics& m, const char* key) {
    return m.find(std::string("gh.") + key)->value;
  };
  INFO("HPS heat " << k(hps, "heating_mj_m2") << " lamps " << k(hps, "lamp_electricity_mj_m2")
                   << " yield " << k(hps, "yield_fresh_kg_m2") << "; LED heat "
                   << k(led, "heating_mj_m2") << " lamps " << k(led, "lamp_electricity_mj_m2")
                   << " yield " << k(led, "yield_fresh_kg_m2"));
  // lamps: at most 18 h a day for 350 days at full power (HPS 2520 MJ/m2, LED 1512), and
  // the same schedule for both, so LED uses 66.7/111.1 = 0.6 of HPS's electricity
  CHECK(k(hps, "lamp_electricity_mj_m2") < 111.11 * 18 * 3600 * 350 * 1e-6);
  CHECK(k(hps, "lamp_electricity_mj_m2") > 0.25 * 111.11 * 18 * 3600 * 350 * 1e-6);
  CHECK(k(led, "lamp_electricity_mj_m2") / k(hps, "lamp_electricity_mj_m2") ==
        Approx(0.6).epsilon(0.03));
  // heating: LEDs put less heat in the greenhouse, so the boiler makes up part of it (Katzin
  // et al. 2021: +209 MJ/m2 for 584 MJ/m2 less electricity in Amsterdam, 36%)
  const double saved = k(hps, "lamp_electricity_mj_m2") - k(led, "lamp_electricity_mj_m2");
  const double extra = k(led, "heating_mj_m2") - k(hps, "heating_mj_m2");
  CHECK(extra > 0.1 * saved);
  CHECK(extra < 0.7 * saved);
  // heating of a lit Venlo greenhouse in a temperate climate: 0.1-2 GJ/m2 a year
  CHECK(k(hps, "heating_mj_m2") > 100);
  CHECK(k(hps, "heating_mj_m2") < 2000);
  // yield: lit Dutch-style tomato production gives 50-100 kg/m2 a year; the light sum is the
  // same for both lamps, so yields differ by little
  for (const Metrics* m : {&hps, &led}) {
    CHECK(k(*m, "yield_fresh_kg_m2") > 30);
    CHECK(k(*m, "yield_fresh_kg_m2") < 110);
    CHECK(k(*m, "transpiration_l_m2") > 400);  // tomato transpires ~0.5-1.2 m3/m2 a year
    CHECK(k(*m, "transpiration_l_m2") < 1500);
    CHECK(k(*m, "co2_used_kg_m2") > 5);  // practice: tens of kg/m2 a year
    CHECK(k(*m, "co2_used_kg_m2") < 150);
  }
  CHECK(std::fabs(k(led, "yield_fresh_kg_m2") / k(hps, "yield_fresh_kg_m2") - 1) < 0.05);
  // profit from the scenario's prices: revenue - costs
  CHECK(k(hps, "profit_eur_m2") ==
        Approx(k(hps, "revenue_eur_m2") - k(hps, "heating_cost_eur_m2") -
               k(hps, "electricity_cost_eur_m2") - k(hps, "co2_cost_eur_m2")));
  CHECK(k(hps, "electricity_cost_eur_m2") == Approx(k(hps, "lamp_electricity_mj_m2") / 3.6 * 0.07));
}

TEST_CASE("weather from a CSV with a column map", "[greenhouse][greenlight][csv]") {
  const std::string dir = test::temp_dir("glcsv");
  auto write = [&](const std::string& name, const std::function<std::string(int)>& row) {
    std::string text = "hour,Iglob,Tout,RHout,Wind\n";
    for (int h = 0; h <= 80; ++h) text += row(h) + "\n";
    test::write_text(dir + "/" + name, text);
    return R"("lamp": "hps", "weather": {"file": ")" + dir + "/" + name +
           R"(", "time_column": "hour", "time_format": "h", "max_gap": "3h",
             "columns": {"rad_w_m2": "Iglob", "temp_c": "Tout", "rh_pct": "RHout",
                         "wind_m_s": "Wind"}})";
  };
  auto row = [](int h) {
    const double sun = std::max(0.0, 600 * std::sin((h % 24 - 6) * 3.14159265 / 12));
    return std::to_string(h) + "," + std::to_string(sun) + "," +
           std::to_string(8 + 4 * std::sin((h % 24 - 9) * 3.14159265 / 12)) + ",80,3";
  };
  SECTION("runs, sky temperature computed, gaps filled and reported") {
    const auto gh = write("ok.csv", [&](int h) {
      if (h == 30 || h == 31) return std::to_string(h) + ",,,80,3";  // two empty rows
      return row(h);
    });
    const auto v = test::compile_text(scenario(gh, "3d"));
    const auto& w = model_of(v).spec().weather;
    CHECK(w.filled_values == 4);  // two values in each of two columns
    CHECK(w.sky_computed > 0);
    // the sky is colder than the air (clear-sky emissivity < 1)
    CHECK(w.at(10 * 3600).tSky < w.at(10 * 3600).tOut);
    // the day's radiation sum from the rows: 600 W/m2 half-sine over 12 h = 600*12*3600*2/pi
    CHECK(w.day_rad_sum_mj[2] == Approx(600 * 12 * 3600 * 2 / 3.14159265 * 1e-6).epsilon(0.02));
    std::ostringstream ts;
    const RunResult r = run_one(v, RunTask{0, 0, 0}, &ts);
    CHECK(r.metrics.find("gh.weather.filled_values")->value == 4);
    CHECK(r.metrics.find("gh.lamp_electricity_mj_m2")->value > 0);
  }
  SECTION("times that go backwards: file and line") {
    const auto gh = write("back.csv", [&](int h) { return h == 40 ? row(38) : row(h); });
    CHECK_THAT(error_of(scenario(gh, "3d")), Contains("back.csv:") && Contains("42"));
  }
  SECTION("a missing column") {
    const auto gh = write("nowind.csv", row);
    std::string s = gh;
    s.replace(s.find("\"Wind\""), 6, "\"WindSpeed\"");
    CHECK_THAT(error_of(scenario(s, "3d")), Contains("WindSpeed"));
  }
  SECTION("radiation out of its physical range") {
    const auto gh = write(
        "kj.csv", [&](int h) { return h == 12 ? std::to_string(h) + ",2160,10,80,3" : row(h); });
    CHECK_THAT(error_of(scenario(gh, "3d")), Contains("kj.csv:14") && Contains("rad_w_m2"));
  }
}

TEST_CASE("EPW: a leap year's file loses February 29", "[greenhouse][greenlight][epw]") {
  // 24 extra rows for February 29, between February 28 and March 1 (data rows 1416-1439)
  const auto path = epw_variant("leap.epw", [](auto& l) {
    std::vector<std::string> extra;
    for (int h = 1; h <= 24; ++h) {
      auto f = fields(l[8 + 58 * 24 + h - 1]);  // February 28, hour h, as a template
      f[1] = "2";
      f[2] = "29";
      extra.push_back(join(f));
    }
    l.insert(l.begin() + 8 + 59 * 24, extra.begin(), extra.end());  // before March 1
  });
  const EpwData d = parse_epw(read_text(path), "leap.epw");
  CHECK(d.skipped_feb29 == 24);
  CHECK(d.line.size() == 8760);
  CHECK_NOTHROW(test::compile_text(epw_scenario(path)));
}

TEST_CASE("the what-if scenario compiles every variant and sweep point",
          "[greenhouse][greenlight][scenario]") {
  const Scenario sc =
      Scenario::load(test::source_path("scenarios/greenhouse/tomato_season_whatif.json"));
  REQUIRE(sc.variants().size() == 1 + 4 + 6);  // baseline, 4 variants, a 3 x 2 grid
  for (std::size_t i = 0; i < sc.variants().size(); ++i) {
    INFO(sc.variants()[i].name);
    const auto v = sc.compile(i, test::registry());
    const auto& s = model_of(v).spec();
    if (sc.variants()[i].name == "led_blackout") {
      CHECK(s.lamp == "led");
      CHECK(s.c.useBlScr == 1);
    }
    if (sc.variants()[i].name == "co2_800") CHECK(s.c.co2SpDay == 800);
  }
}
