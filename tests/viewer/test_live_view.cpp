// The viewer as an operator of a live plant: the engine's snapshot op; a real Mosquitto broker
// with `dtwin serve` and `dtwin emulate` as processes, watched by the viewer's live source
// (in this process, off-screen under Xvfb): the twins converge, the picture is not blank, a
// twin whose asset is gone turns the stale shade where it stands, an edit becomes a desired
// value the asset applies (or the engine's refusal). In simulation mode: an edit is a command
// the model handles, and a what-if from the current moment shows the comparison without
// touching the world shown.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "engine/live/engine.hpp"
#include "engine/mirror/binding.hpp"
#include "engine/transport/inproc_link.hpp"
#include "engine/transport/mqtt_link.hpp"
#include "pixels.hpp"
#include "tests/support/broker.hpp"
#include "tests/support/process.hpp"
#include "twins/register.hpp"
#include "viewer/app.hpp"
#include "viewer/camera.hpp"
#include "viewer/edit.hpp"
#include "viewer/live_source.hpp"
#include "viewer/palette.hpp"
#include "viewer/picking.hpp"
#include "viewer/whatif_panel.hpp"

using namespace dtwin;
using namespace dtwin::viewer;
namespace fs = std::filesystem;

namespace {

const std::string kLive = std::string(DTWIN_SOURCE_DIR) + "/scenarios/live/line.json";

using dtwin::test::at;
using dtwin::test::count;
using dtwin::test::Rgb;
// the stale shade as a face of a box shows it: kStale, darker or lighter by the face's light
bool stale_shade(Rgb p) {
  if (p.g < 100) return false;
  const double rg = double(p.r) / p.g, bg = double(p.b) / p.g;
  return std::abs(rg - kStale.r / kStale.g) < 0.05 && std::abs(bg - kStale.b / kStale.g) < 0.05;
}
// the critical alert's beacon (alert_color(2)) as a face of a box shows it
bool hot_pink(Rgb p) {
  if (p.r < 100) return false;
  const double gr = double(p.g) / p.r, br = double(p.b) / p.r;
  return gr < 0.25 && br > 0.35 && br < 0.75;
}
const Item& item(const Session& s, const std::string& id) {
  return s.layout().items[static_cast<std::size_t>(s.find(id))];
}
osg::Vec2d front_of(const App& app, const Item& it) {
  return project(app.view(), app.projection(), app.width(), app.height(),
                 {it.x_m, it.y_m - (it.width_m - 0.3) / 2, 0.8});
}
// the front of a buffer's rack stand, half way up
osg::Vec2d stand_of(const App& app, const Item& it) {
  return project(app.view(), app.projection(), app.width(), app.height(),
                 {it.x_m, it.y_m - (it.width_m - 0.3) / 2, (it.height_m - 0.08) / 2});
}
void type(App& app, const std::string& text) {
  for (char c : text) app.prompt_key(c);
  app.prompt_key(osgGA::GUIEventAdapter::KEY_Return);
}
template <class Pred>
bool frames_until(App& app, Pred pred, double timeout_s) {
  const double end = steady_now() + timeout_s;
  while (steady_now() < end) {
    app.frame(0.02);
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace

TEST_CASE("live view: the snapshot op, changed twins only, and bad requests") {
  Registry reg;
  twins::register_all(reg);
  const Scenario sc = Scenario::load(kLive);
  Bus bus;
  auto link = bus.link("engine");
  double now = 1000;
  LiveEngine engine(sc, reg, *link, LiveOptions{}, [&] { return now; });
  engine.start();
  auto rpc = [&](const nlohmann::json& req) {
    nlohmann::json out;
    bool got = false;
    engine.request(req, [&](nlohmann::json j) {
      out = std::move(j);
      got = true;
    });
    const double end = steady_now() + 120;
    while (!got && steady_now() < end) {
      engine.poll(1);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    REQUIRE(got);
    return out;
  };
  const std::size_t n = engine.mirror().twin_count();
  REQUIRE(n == 10);  // the line, 5 machines, 4 buffers
  const auto all = rpc({{"op", "snapshot"}});
  REQUIRE(all["ok"]);
  CHECK(all["result"]["plant"] == "line1");
  CHECK(all["result"]["twins"].size() == n);
  CHECK(all["result"]["unchanged"] == 0);
  CHECK(all["result"]["time"] == 1000.0);
  // each as `get` gives it
  const auto m2 = rpc({{"op", "get"}, {"twin", "m2"}})["result"];
  bool found = false;
  nlohmann::json since = nlohmann::json::object();
  for (const auto& t : all["result"]["twins"]) {
    since[t["id"].get<std::string>()] = t["revision"];
    if (t["id"] == "m2") {
      found = true;
      CHECK(t == m2);
    }
  }
  CHECK(found);
  // nothing changed: nothing comes back
  const auto none = rpc({{"op", "snapshot"}, {"since", since}});
  CHECK(none["result"]["twins"].empty());
  CHECK(none["result"]["unchanged"] == n);
  // m3 is born (its revision moves): only m3 comes back; a twin the client does not hold too
  now = 1001;
  engine.mirror().birth(engine.mirror().find_twin("m3"), 7, now);
  since.erase("b1");
  const auto some = rpc({{"op", "snapshot"}, {"since", since}});
  REQUIRE(some["result"]["twins"].size() == 2);
  std::set<std::string> ids;
  for (const auto& t : some["result"]["twins"]) ids.insert(t["id"].get<std::string>());
  CHECK(ids == std::set<std::string>{"b1", "m3"});
  CHECK(some["result"]["unchanged"] == n - 2);
  // bad requests
  for (const auto& bad : {nlohmann::json{{"op", "snapshot"}, {"since", 3}},
                          nlohmann::json{{"op", "snapshot"}, {"since", {{"m1", -1}}}},
                          nlohmann::json{{"op", "snapshot"}, {"since", {{"m1", "x"}}}},
                          nlohmann::json{{"op", "snapshot"}, {"since", {{"m1", 1.5}}}}}) {
    const auto r = rpc(bad);
    INFO(bad.dump() << " -> " << r.dump());
    CHECK_FALSE(r["ok"]);
    CHECK(r["code"] == "bad_request");
  }
  CHECK(rpc({{"op", "snapshots"}})["code"] == "bad_request");
  // what-if "set": refusals name the property
  CHECK(rpc({{"op", "whatif"}, {"set", {{"m9.speed", 1.2}}}})["code"] == "unknown_twin");
  CHECK(rpc({{"op", "whatif"}, {"set", {{"m2.speed", 99}}}})["code"] == "out_of_range");
  CHECK(rpc({{"op", "whatif"}, {"set", {{"m2.state", "down"}}}})["code"] == "not_writable");
  CHECK(rpc({{"op", "whatif"}, {"set", {{"m2", 1}}}})["code"] == "bad_request");
  // and a what-if with one: the baseline and "set m3.speed=1.5", nothing else
  const auto w = rpc({{"op", "whatif"},
                      {"set", {{"m3.speed", 1.5}}},
                      {"horizon_s", 8 * 3600},
                      {"replications", 5}});
  REQUIRE(w["ok"]);
  const auto& vs = w["result"]["report"]["variants"];
  CHECK(vs.size() == 2);
  REQUIRE(vs.contains("set m3.speed=1.5"));
  const auto& d = vs["set m3.speed=1.5"]["delta_vs_baseline"]["kpis"]["throughput_per_h"];
  INFO(d.dump());
  CHECK(d["ci95"][0].get<double>() > 0);  // the bottleneck faster: more parts an hour
}

TEST_CASE(
    "live view: serve + emulate through Mosquitto: the viewer converges, edits, shades "
    "stale twins",
    "[live][mqtt]") {
  test::BrokerOptions bo;
  bo.extra = "set_tcp_nodelay true\n";  // as assets/mosquitto/dtwin.conf (MQTT.md: Nagle)
  test::Broker broker(bo);
  const fs::path dir = fs::temp_directory_path() / ("dtwin-vlive-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto serve = std::make_unique<test::Child>(
      std::vector<std::string>{DTWIN_BIN, "serve", kLive, "--mqtt", broker.url()},
      (dir / "serve.log").string());
  auto emulate = std::make_unique<test::Child>(
      std::vector<std::string>{DTWIN_BIN, "emulate", kLive, "--mqtt", broker.url()},
      (dir / "emulate.log").string());
  const std::string mq = " --mqtt " + broker.url() + " --plant line1";

  const Scenario sc = Scenario::load(kLive);
  Session s(sc, Session::Options{});
  s.playback().set_playing(false);
  MqttOptions mo;
  mo.url = broker.url();
  LiveSource src([&] { return std::unique_ptr<Link>(new MqttLink(mo)); },
                 LiveSource::Options{"line1", 0.1, 2000});
  App app(s, 800, 450, App::Mode::Offscreen);
  app.set_live(&src);

  // every twin online and reporting
  REQUIRE(frames_until(
      app,
      [&] {
        const auto st = src.state();
        if (st.twins.size() != 10) return false;
        for (const auto& [id, t] : st.twins)
          if (!t.j.value("online", false) || t.j["reported"].empty()) return false;
        return true;
      },
      30));
  const auto st0 = src.state();
  CHECK(st0.reachable);
  INFO("poll latency " << st0.latency_s * 1000 << " ms (max " << st0.latency_max_s * 1000
                       << " ms) over " << st0.polls << " polls");
  CHECK(st0.latency_s < 0.5);
  app.frame(0.02);
  CHECK(app.hud_input().live.find("LIVE  plant line1   engine connected") == 0);

  SECTION("converged: each machine's state as dtwin get has it, at the same revision") {
    for (const std::string m : {"m1", "m2", "m3", "m4", "m5"}) {
      int compared = 0;
      for (int attempt = 0; attempt < 20 && compared < 2; ++attempt) {
        const auto r = test::sh_cmd(std::string(DTWIN_BIN) + " get " + m + mq);
        REQUIRE(r.status == 0);
        const auto g = nlohmann::json::parse(r.out);
        const auto rev = g["revision"].get<std::uint64_t>();
        // the viewer catches up with that revision (or passes it: then try again)
        std::uint64_t held = 0;
        nlohmann::json mine;
        frames_until(
            app,
            [&] {
              mine = src.state().twins.at(m).j;
              held = mine["revision"].get<std::uint64_t>();
              return held >= rev;
            },
            3);
        if (held != rev) continue;
        ++compared;
        CHECK(mine["reported"]["state"]["value"] == g["reported"]["state"]["value"]);
        CHECK(mine["reported"].size() == g["reported"].size());
      }
      INFO(m);
      CHECK(compared >= 1);
    }
    // the world shown carries what the mirror says: a machine reported down is down there
    app.frame(0.02);
    const auto st = src.state();
    const line::LineState& ls = s.state(0);
    for (std::uint32_t k = 0; k < s.spec(0).machines.size(); ++k) {
      const std::string id = s.spec(0).machines[k].id;
      if (st.twins.at(id).j["reported"]["state"]["value"] == "down") {
        INFO(id << " is down in the mirror");
        CHECK(ls.machines[k].status == line::Status::Down);
      }
    }
    // a station shows what its asset says (the world cannot carry working/starved/blocked)
    std::vector<int> status;
    std::vector<std::string> labels;
    live_view_of(s.layout(), st.twins, status, labels);
    for (std::uint32_t k = 0; k < s.spec(0).machines.size(); ++k) {
      const std::string id = s.spec(0).machines[k].id;
      const auto i = static_cast<std::size_t>(s.find(id));
      const std::string rep = st.twins.at(id).j["reported"]["state"]["value"];
      CHECK(labels[i] == id + "\n" + rep + (is_stale(st.twins.at(id).j) ? " (stale)" : ""));
      CHECK(line::status_name(static_cast<line::Status>(status[i])) == rep);
    }
    // a buffer shows the level the mirror holds
    const auto& b1 = st.twins.at("b1").j["reported"]["level"];
    CHECK(labels[static_cast<std::size_t>(s.find("b1"))] ==
          "b1\n" + b1["value"].dump() + " parts" +
              (is_stale(st.twins.at("b1").j) ? " (stale)" : ""));
    CHECK(labels[static_cast<std::size_t>(s.find("src"))].empty());  // no twin in the mirror
    // the picture is not blank: many colours, and the live status on it
    const osg::Image& img = *app.image();
    std::set<int> colours;
    for (int y = 0; y < img.t(); y += 2)
      for (int x = 0; x < img.s(); x += 2) {
        const Rgb p = at(img, x, y);
        colours.insert((p.r / 16) << 8 | (p.g / 16) << 4 | (p.b / 16));
      }
    CHECK(colours.size() > 30);
    CHECK(app.save_png((dir / "live.png").string()));
    // and through the CLI: dtwin view --mqtt --screenshot
    const auto shot = test::sh_cmd(std::string(DTWIN_BIN) + " view " + kLive + " --screenshot " +
                                   (dir / "cli.png").string() + " --size 640x360" + mq);
    INFO(shot.out);
    CHECK(shot.status == 0);
    CHECK(fs::file_size(dir / "cli.png") > 10000);
  }

  SECTION("e: a desired value the asset applies; a refusal shows the engine's reason") {
    s.select(s.find("m2"));
    app.open_edit();
    REQUIRE(app.hud_input().prompt);
    CHECK(app.hud_input().prompt_hint.find("writable: speed") != std::string::npos);
    app.prompt_key(osgGA::GUIEventAdapter::KEY_Tab);  // "" -> "speed = "
    CHECK(app.hud_input().prompt_text == "speed = ");
    type(app, "1.3");
    REQUIRE(frames_until(
        app, [&] { return app.last_edit().find("applied") != std::string::npos; }, 15));
    CHECK(app.last_edit() == "m2.speed: applied");
    const auto r = test::sh_cmd(std::string(DTWIN_BIN) + " get m2.speed" + mq);
    REQUIRE(r.status == 0);
    const auto g = nlohmann::json::parse(r.out);
    CHECK(g["desired"]["state"] == "applied");
    CHECK(g["desired"]["value"] == 1.3);
    CHECK(g["reported"]["value"] == 1.3);
    // the inspector shows it: reported, desired (applied), ages
    const std::string ins = app.hud_input().inspector_extra;
    INFO(ins);
    CHECK(ins.find("desired   1.3  (applied, ") != std::string::npos);
    CHECK(ins.find(" s ago)") != std::string::npos);

    app.open_edit();
    type(app, "speed = 99");
    REQUIRE(frames_until(
        app, [&] { return app.last_edit().rfind("refused", 0) == 0; }, 10));
    INFO(app.last_edit());
    CHECK(app.last_edit().find("out_of_range") != std::string::npos);
    CHECK(app.last_edit().find("20") != std::string::npos);  // the range it accepts
  }

  SECTION("w: a what-if from the live plant, its comparison in the panel") {
    s.select(s.find("m3"));
    app.open_whatif();
    type(app, "speed = 1.5 for 4h x 5");
    CHECK(app.whatif().running());
    REQUIRE(frames_until(
        app, [&] { return !app.whatif().running(); }, 120));
    REQUIRE(app.whatif().error().empty());
    const auto& vs = app.whatif().report()["variants"];
    REQUIRE(vs.contains("set m3.speed=1.5"));
    const auto& d = vs["set m3.speed=1.5"]["delta_vs_baseline"]["kpis"]["throughput_per_h"];
    INFO(d.dump());
    CHECK(d["n"] == 5);
    CHECK(d["mean"].get<double>() > 0);
    const std::string panel = app.hud_input().panel;
    INFO(panel);
    CHECK(panel.find("what-if from the live plant: m3.speed=1.5, 4h ahead, 5 replications") == 0);
    CHECK(panel.find("throughput_per_h [parts/h]") != std::string::npos);
    CHECK(app.whatif().forked_at() > 1e9);  // the engine's wall clock
  }

  SECTION("staleness: the emulated plant killed, its stations turn the stale shade") {
    app.frame(0.02);
    const Item& m3 = item(s, "m3");
    const osg::Vec2d where = front_of(app, m3), rack = stand_of(app, item(s, "b2"));
    CHECK(count(*app.image(), where, 3, stale_shade) == 0);
    CHECK(count(*app.image(), rack, 2, stale_shade) == 0);
    emulate->kill();  // every asset's will: offline, stale
    REQUIRE(frames_until(
        app, [&] { return is_stale(src.state().twins.at("m3").j); }, 10));
    REQUIRE(frames_until(
        app, [&] { return is_stale(src.state().twins.at("b2").j); }, 10));
    app.frame(0.02);
    INFO("m3 at " << where.x() << ", " << where.y() << ", b2's rack at " << rack.x() << ", "
                  << rack.y());
    CHECK(count(*app.image(), where, 3, stale_shade) >= 40);  // of 49
    CHECK(count(*app.image(), rack, 2, stale_shade) >= 20);   // of 25: a buffer too
    CHECK(app.hud_input().live.find("stale") != std::string::npos);
    // the scenario's "silent" rule: every twin offline for 30 s of the plant (0.5 s here) is a
    // critical alert, listed in the HUD and marked by a beacon over the station
    REQUIRE(frames_until(
        app, [&] { return src.state().alerts.size() >= 10; }, 10));
    app.frame(0.02);
    const std::string listed = app.hud_input().alerts;
    INFO(listed);
    CHECK(listed.find("ALERTS (10)") == 0);
    CHECK(listed.find("CRITICAL  m3 is offline") != std::string::npos);
    CHECK(app.scene().beacons_drawn() == 9);  // the stations; the line has no place of its own
    const osg::Vec2d beacon = project(app.view(), app.projection(), app.width(), app.height(),
                                      {m3.x_m, m3.y_m, m3.height_m + 0.15});
    INFO("m3's beacon at " << beacon.x() << ", " << beacon.y());
    CHECK(count(*app.image(), beacon, 2, hot_pink) >= 8);  // of 25
    CHECK(app.save_png((dir / "stale.png").string()));
  }
  SECTION("the engine lost: the HUD says so and every station is shaded stale") {
    app.frame(0.02);
    const osg::Vec2d where = front_of(app, item(s, "m2"));
    CHECK(count(*app.image(), where, 3, stale_shade) == 0);
    serve->kill();
    REQUIRE(frames_until(
        app, [&] { return !src.state().reachable; }, 10));
    app.frame(0.02);
    CHECK(app.hud_input().live.find("engine UNREACHABLE") != std::string::npos);
    for (const std::string m : {"m1", "m2", "m3", "m4", "m5"}) {
      INFO(m);
      CHECK(count(*app.image(), front_of(app, item(s, m)), 3, stale_shade) >= 40);
    }
  }
  emulate.reset();
  serve.reset();
  fs::remove_all(dir);
}

TEST_CASE("sim view: an edit is a command the model handles, refused out of range") {
  const Scenario sc = Scenario::load(kLive);
  Session s(sc, Session::Options{});
  s.playback().jump_to(3600);
  s.playback().set_playing(false);
  Session plain(sc, Session::Options{});
  plain.playback().jump_to(3600);
  REQUIRE(s.world().same_state(plain.world()));
  App app(s, 640, 360, App::Mode::Offscreen);
  app.set_scenario(&sc);
  s.select(s.find("m3"));
  app.open_edit();
  type(app, "speed = 2");
  INFO(app.last_edit());
  CHECK(app.last_edit().find("m3.speed := 2: applied") == 0);
  const Binding b = Binding::of(s.world());
  const auto [t, p] = b.find("m3", "speed");
  Value v;
  REQUIRE(b.read(s.world(), t, p, v));
  CHECK(v.num == 2);
  CHECK_FALSE(s.world().same_state(plain.world()));
  // the model's answer: m3, the bottleneck, twice as fast -> more parts out over the next 4 h
  s.playback().jump_to(5 * 3600);
  plain.playback().jump_to(5 * 3600);
  const auto out_edit = s.state(0).out, out_plain = plain.state(0).out;
  INFO("out " << out_edit << " with the edit, " << out_plain << " without");
  CHECK(out_edit > out_plain);
  // the model holds the setpoint and starts m3's parts at it (process times divided by it)
  const auto& m3 = s.state(0).machines[item(s, "m3").index];
  CHECK(m3.speed == 2);
  CHECK((m3.status != line::Status::Working || m3.part_speed == 2));
  CHECK(plain.state(0).machines[item(plain, "m3").index].speed == 1);
  // refused: the state unchanged
  s.select(s.find("m2"));
  app.open_edit();
  type(app, "speed = 99");
  CHECK(app.last_edit().rfind("refused", 0) == 0);
  REQUIRE(b.read(s.world(), b.find("m2", "speed").first, p, v));
  CHECK(v.num == 1);
  app.open_edit();
  type(app, "speed");
  CHECK(app.last_edit().find("expected prop = value") == 0);
}

TEST_CASE("sim view: a what-if from the current moment, the world shown untouched") {
  const Scenario sc = Scenario::load(kLive);
  Session s(sc, Session::Options{});
  s.playback().jump_to(2 * 3600);
  s.playback().set_playing(false);
  const World before(s.world());
  App app(s, 640, 360, App::Mode::Offscreen);
  app.set_scenario(&sc);
  s.select(s.find("m3"));
  app.open_whatif();
  REQUIRE(app.hud_input().prompt);
  type(app, "speed = 1.5");
  CHECK(app.whatif().running());
  CHECK(app.whatif().open());
  REQUIRE(frames_until(
      app, [&] { return !app.whatif().running(); }, 300));
  REQUIRE(app.whatif().error().empty());
  const auto& rep = app.whatif().report();
  REQUIRE(rep.is_object());
  const auto& d = rep["variants"]["m3.speed=1.5"]["delta_vs_baseline"]["kpis"]["throughput_per_h"];
  INFO(d.dump());
  CHECK(d["n"] == 5);
  CHECK(d["mean"].get<double>() > 0);
  CHECK(d["ci95"][0].get<double>() > 0);  // the interval excludes 0
  const std::string panel = app.hud_input().panel;
  INFO(panel);
  CHECK(panel.find("what-if from t = 2:00:00: m3.speed=1.5, 8h ahead, 5 replications") == 0);
  CHECK(panel.find("throughput_per_h [parts/h]") != std::string::npos);
  CHECK(panel.find(" *\n") != std::string::npos);
  CHECK(app.whatif().forked_at() == 2 * 3600);
  // the world shown was only read: the same state as before, and as a run without the what-if
  CHECK(s.world().same_state(before));
  Session plain(sc, Session::Options{});
  plain.playback().jump_to(2 * 3600);
  CHECK(s.world().state_json().dump() == plain.world().state_json().dump());
  CHECK(s.world().same_state(plain.world()));
  // l closes the panel
  app.close_panel();
  app.frame(0);
  CHECK(app.hud_input().panel.empty());
  // a variant of the scenario, from the same moment
  app.open_whatif();
  type(app, "variant faster_m3 for 4h x 3");
  REQUIRE(frames_until(
      app, [&] { return !app.whatif().running(); }, 300));
  REQUIRE(app.whatif().error().empty());
  CHECK(app.whatif().report()["variants"]["faster_m3"]["runs"] == 3);
  // a bad one says why
  app.open_whatif();
  type(app, "variant nope");
  CHECK(app.message().find("what-if: ") == 0);
}

TEST_CASE("edit and what-if prompts: parsing") {
  std::string why;
  auto e = parse_edit("speed = 1.3", "m2", &why);
  REQUIRE(e);
  CHECK(e->twin == "m2");
  CHECK(e->prop == "speed");
  CHECK(e->value == 1.3);
  e = parse_edit(" m4.speed=2 ", "m2", &why);
  REQUIRE(e);
  CHECK(e->twin == "m4");
  CHECK(e->value == 2);
  CHECK_FALSE(parse_edit("speed", "m2", &why));
  CHECK_FALSE(parse_edit("speed = 1", "", &why));
  CHECK(complete_property("sp", {"speed"}) == "speed = ");
  CHECK(complete_property("x", {"speed"}) == "x");
  WhatIfAsk a;
  REQUIRE(parse_whatif("variant faster_m2", "m2", a, &why));
  CHECK(a.variant == "faster_m2");
  CHECK(a.horizon_s == 8 * 3600);
  CHECK(a.replications == 5);
  REQUIRE(parse_whatif("speed=1.3 for 4h x 10", "m2", a, &why));
  CHECK(a.label() == "m2.speed=1.3");
  CHECK(a.horizon_s == 4 * 3600);
  CHECK(a.replications == 10);
  CHECK_FALSE(parse_whatif("faster please", "m2", a, &why));
  CHECK(age_text(3.24) == "3.2 s ago");
  CHECK(age_text(300) == "5 min ago");
}

TEST_CASE("live view: no engine, quitting does not wait for a request, bad options") {
  MqttOptions mo;
  mo.url = "mqtt://127.0.0.1:1";  // nothing listens there
  const double t0 = steady_now();
  {
    LiveSource src([&] { return std::unique_ptr<Link>(new MqttLink(mo)); },
                   LiveSource::Options{"line1", 0.1, 300});
    const std::uint64_t ticket = src.submit({{"op", "whatif"}}, 600 * 1000);
    const double end = steady_now() + 10;
    while (src.state().failures < 2 && steady_now() < end)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const auto st = src.state();
    CHECK_FALSE(st.reachable);
    CHECK(st.failures >= 2);
    CHECK(st.error.find("could not reach the broker") != std::string::npos);
    CHECK(live_status_text(st, "line1", steady_now()).find("engine UNREACHABLE") !=
          std::string::npos);
    CHECK_FALSE(src.answer(ticket));
  }  // the what-if's 10 minutes are not waited for
  CHECK(steady_now() - t0 < 5);

  const std::string view = std::string(DTWIN_BIN) + " view " + kLive;
  auto r = test::sh_cmd(view + " --mqtt mqtt://127.0.0.1:1 --at 2h --screenshot /tmp/x.png");
  CHECK(r.status == 2);
  CHECK(r.out.find("a live plant runs by itself") != std::string::npos);
  r = test::sh_cmd(view + " --mqtt http://x --screenshot /tmp/x.png");
  CHECK(r.status == 2);
  CHECK(r.out.find("http://x") != std::string::npos);
}

TEST_CASE("live view: derived values marked in the inspector, alerts listed and by station") {
  LiveSource::Twin t;
  t.j = nlohmann::json::parse(R"({"id": "press", "online": true, "revision": 7,
    "reported": {"rul_est": {"value": 42.5, "unit": "h", "quality": "good", "age_s": 1,
                             "derived": true},
                 "vibration": {"value": 2.5, "unit": "mm/s", "quality": "good", "age_s": 1}},
    "desired": {}, "delta": {}})");
  const std::string ins = live_inspector_text(t, t.received);
  INFO(ins);
  CHECK(ins.find("rul_est\n  derived   42.5 h  (good, ") != std::string::npos);
  CHECK(ins.find("vibration\n  reported  2.5 mm/s") != std::string::npos);

  const auto alerts = nlohmann::json::parse(R"([
    {"id": 4, "twin": "m2", "severity": "warning", "state": "raised", "message": "m2 hot"},
    {"id": 9, "twin": "m3", "severity": "critical", "state": "acknowledged", "acked_by": "anna",
     "message": "m3 down for 10 min"},
    {"id": 11, "twin": "m2", "severity": "info", "state": "raised", "message": "m2 slow"}])");
  const std::string text = alerts_text(alerts);
  CHECK(text ==
        "ALERTS (3)\n9  CRITICAL  m3 down for 10 min  (ack anna)\n4  WARNING  m2 hot\n11  INFO  "
        "m2 slow");
  CHECK(alerts_text(nlohmann::json::array()).empty());
  CHECK(alerts_text(alerts, 1).find("... 2 more") != std::string::npos);
  const Scenario sc = Scenario::load(kLive);
  Session s(sc, Session::Options{});
  const std::vector<int> level = alert_levels(s.layout(), alerts);
  CHECK(level[static_cast<std::size_t>(s.find("m2"))] == 1);  // the worse of its two
  CHECK(level[static_cast<std::size_t>(s.find("m3"))] == 2);
  CHECK(level[static_cast<std::size_t>(s.find("m1"))] == -1);

  // labels are the mirror's word: a machine that never reported is not "working", a buffer
  // holding 99 against a capacity of 6 says so
  std::map<std::string, LiveSource::Twin> twins;
  twins["m1"].j = nlohmann::json::parse(R"({"online": false, "reported": {}})");
  twins["b2"].j = nlohmann::json::parse(
      R"({"online": true, "reported": {"level": {"value": 99, "quality": "uncertain"}}})");
  std::vector<int> status;
  std::vector<std::string> labels;
  live_view_of(s.layout(), twins, status, labels);
  CHECK(labels[static_cast<std::size_t>(s.find("m1"))] == "m1\n(no report)");
  CHECK(status[static_cast<std::size_t>(s.find("m1"))] == -1);
  CHECK(labels[static_cast<std::size_t>(s.find("b2"))] == "b2\n99 parts (uncertain)");
}
