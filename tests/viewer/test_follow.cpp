// The camera following the selection (F), and the stale shade on every kind of twin, in real
// pixels rendered off-screen (Mesa's software rasteriser under Xvfb). The follow test moves a
// work cell's arm and checks where its tool point lands on the screen, with and without
// following; the stale test shades a buffer, a conveyor and a sink by hand (Scene::set_stale,
// as live mode does from the mirror's staleness) and looks for the stale shade in their pixels.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <memory>

#include "engine/scenario/scenario.hpp"
#include "pixels.hpp"
#include "viewer/app.hpp"
#include "viewer/camera.hpp"
#include "viewer/hud.hpp"
#include "viewer/picking.hpp"
#include "viewer/scene_cell.hpp"

using namespace dtwin;
using namespace dtwin::viewer;

namespace {

using dtwin::test::at;
using dtwin::test::count;
using dtwin::test::Rgb;
// the stale shade as a face of a box shows it: kStale, darker or lighter by the face's light
bool stale_shade(Rgb p) {
  if (p.g < 100) return false;
  const double rg = double(p.r) / p.g, bg = double(p.b) / p.g;
  return std::abs(rg - kStale.r / kStale.g) < 0.05 && std::abs(bg - kStale.b / kStale.g) < 0.05;
}

std::unique_ptr<Session> load(const std::string& rel) {
  const Scenario sc = Scenario::load(std::string(DTWIN_SOURCE_DIR) + "/" + rel);
  auto s = std::make_unique<Session>(sc, Session::Options{});
  s->playback().set_playing(false);
  return s;
}

osg::Vec2d screen(const App& app, P3 p) {
  return project(app.view(), app.projection(), app.width(), app.height(), {p.x, p.y, p.z});
}

void press(App& app, int key) {  // a key as the window would deliver it
  app.viewer().getEventQueue()->keyPress(key);
  app.frame(0);
}

}  // namespace

TEST_CASE("follow: the camera's centre tracks a cell's tool point while F is on") {
  auto s = load("scenarios/cell/flagship.json");
  REQUIRE(s->cells().size() == 1);
  const CellView& v = s->cells()[0];
  auto tool = [&] { return cell_tool_point(v.cell->spec(), s->cell_state(0), v.geom); };
  auto dist = [](P3 a, P3 b) { return std::hypot(a.x - b.x, a.y - b.y, a.z - b.z); };
  // two moments the tool point is at least 0.5 m apart (the arm moved)
  s->playback().jump_to(1);
  const P3 tool1 = tool();
  double t2 = -1;
  for (double t = 1.1; t < 30 && t2 < 0; t += 0.1) {
    s->playback().jump_to(t);
    if (dist(tool(), tool1) > 0.5) t2 = t;
  }
  REQUIRE(t2 > 0);
  s->playback().jump_to(1);

  App app(*s, 960, 540, App::Mode::Offscreen);
  const osg::Vec2d mid(app.width() / 2.0, app.height() / 2.0);
  press(app, 'F');  // nothing selected: nothing to follow
  CHECK_FALSE(app.following());
  s->select(v.item);
  app.focus_selected();
  press(app, 'F');
  REQUIRE(app.following());
  CHECK(app.hud_input().follow == "following " + s->layout().items[std::size_t(v.item)].id);
  auto off_centre = [&](P3 p) { return (screen(app, p) - mid).length(); };
  CHECK(off_centre(tool1) < 3);
  // the arm moves: the camera goes with it, at the same distance
  s->playback().jump_to(t2);
  const P3 tool2 = tool();
  app.frame(0);
  INFO("tool point " << off_centre(tool2) << " px from the centre while following");
  CHECK(off_centre(tool2) < 3);
  const osg::Vec3d eye = app.pose().eye;
  CHECK(std::abs((eye - osg::Vec3d(tool2.x, tool2.y, tool2.z)).length() -
                 (eye - app.pose().center).length()) < 1e-6);

  // F again: the camera stays where it is and the tool point moves off the centre
  press(app, 'F');
  CHECK_FALSE(app.following());
  CHECK(app.hud_input().follow.empty());
  s->playback().jump_to(1);
  app.frame(0);
  INFO("tool point " << off_centre(tool1) << " px from the centre, not following");
  CHECK(off_centre(tool1) > 15);

  // Esc ends following (the selection stays), and selecting nothing ends it too
  press(app, 'F');
  CHECK(app.following());
  press(app, osgGA::GUIEventAdapter::KEY_Escape);
  CHECK_FALSE(app.following());
  CHECK(s->selected() == v.item);
  press(app, 'F');
  REQUIRE(app.following());
  s->select(-1);
  app.frame(0);
  CHECK_FALSE(app.following());
}

TEST_CASE("follow: in a window, the trackball's centre goes with the tool point") {
  auto s = load("scenarios/cell/flagship.json");
  const CellView& v = s->cells()[0];
  auto tool = [&] { return cell_tool_point(v.cell->spec(), s->cell_state(0), v.geom); };
  s->playback().jump_to(1);
  App app(*s, 640, 360, App::Mode::Window);
  app.frame(0);
  s->select(v.item);
  app.toggle_follow();
  REQUIRE(app.following());
  const osg::Vec2d mid(app.width() / 2.0, app.height() / 2.0);
  for (double t : {5.0, 9.0, 13.0}) {
    s->playback().jump_to(t);
    app.frame(0);
    app.frame(0);
    const P3 p = tool();
    INFO("t = " << t);
    CHECK((screen(app, p) - mid).length() < 3);
  }
}

TEST_CASE("follow: keeps the distance and angles the user chose, a station is centred") {
  auto s = load("scenarios/line/flagship.json");
  App app(*s, 960, 540, App::Mode::Offscreen);
  const int lathe = s->find("lathe");
  s->select(lathe);
  const CameraPose before = app.pose();
  osg::Vec3d dir = before.eye - before.center;
  dir.normalize();
  press(app, 'F');
  REQUIRE(app.following());
  const CameraPose p = app.pose();
  osg::Vec3d dir2 = p.eye - p.center;
  dir2.normalize();
  CHECK((dir2 - dir).length() < 1e-6);  // the same angles
  const Item& it = s->layout().items[std::size_t(lathe)];
  const osg::Vec2d c = project(app.view(), app.projection(), app.width(), app.height(),
                               {it.x_m, it.y_m, it.height_m / 2});
  CHECK(std::abs(c.x() - app.width() / 2.0) < 1);
  CHECK(std::abs(c.y() - app.height() / 2.0) < 1);
}

TEST_CASE("stale: buffers, conveyors and sinks are drawn in the stale shade, and back") {
  auto s = load("scenarios/line/flagship.json");
  s->playback().jump_to(3600);
  App app(*s, 960, 540, App::Mode::Offscreen);
  for (const char* id : {"b_cnc", "conv1", "sink"}) {
    const int i = s->find(id);
    REQUIRE(i >= 0);
    const Item& it = s->layout().items[std::size_t(i)];
    s->select(i);
    app.focus_selected();
    s->select(-1);  // no highlight over the pixels
    // the front face of its lowest box, half way up
    const osg::Vec2d front =
        project(app.view(), app.projection(), app.width(), app.height(),
                {it.x_m, it.y_m - (it.width_m - 0.3) / 2, (it.height_m - 0.1) / 2});
    app.frame(0);
    INFO(id);
    CHECK(count(*app.image(), front, 3, stale_shade) == 0);
    std::vector<bool> stale(s->layout().items.size(), false);
    stale[std::size_t(i)] = true;
    app.scene().set_stale(stale);
    app.frame(0);
    CHECK(count(*app.image(), front, 3, stale_shade) >= 40);  // of 49
    app.scene().set_stale({});
    app.frame(0);
    CHECK(count(*app.image(), front, 3, stale_shade) == 0);
  }
}

TEST_CASE("legend: only what the scenario draws") {
  auto names = [](const Session& s, bool stale) {
    std::string t;
    for (const auto& e : legend(s, stale)) t += e.second + ";";
    return t;
  };
  const std::string line = names(*load("scenarios/line/flagship.json"), false);
  CHECK(line.find("working;") != std::string::npos);
  CHECK(line.find("part;") != std::string::npos);
  CHECK(line.find("lamps") == std::string::npos);
  CHECK(line.find("moving") == std::string::npos);
  const std::string cell = names(*load("scenarios/cell/flagship.json"), false);
  CHECK(cell == "moving;waiting;idle;fault;");
  const std::string gh = names(*load("scenarios/greenhouse/tomato_season_hps.json"), true);
  CHECK(gh.find("working") == std::string::npos);
  CHECK(gh.find("part;") == std::string::npos);
  CHECK(gh.find("lamps on;") != std::string::npos);
  CHECK(gh.find("fruit;") != std::string::npos);
  CHECK(gh.find("stale") != std::string::npos);
  const std::string both = names(*load("scenarios/cell/line_with_cell.json"), false);
  CHECK(both.find("working;") != std::string::npos);
  CHECK(both.find("robot moving;") != std::string::npos);
}
