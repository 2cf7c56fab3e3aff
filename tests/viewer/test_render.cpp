// Real pixels, rendered off-screen by Mesa's software rasteriser (ctest runs this under Xvfb):
// the picture is not blank, a machine that is down is red where it stands, a click selects and
// highlights a twin, and parts moving along a conveyor change the picture there.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include "pixels.hpp"
#include "scenes.hpp"
#include "viewer/app.hpp"
#include "viewer/camera.hpp"
#include "viewer/picking.hpp"

using namespace dtwin;
using namespace dtwin::viewer;

namespace {

using dtwin::test::at;
using dtwin::test::count;
using dtwin::test::Rgb;

bool red(Rgb p) {
  return p.r > 140 && p.g < 80 && p.b < 80;
}
bool cyan(Rgb p) {
  return p.r < 90 && p.g > 170 && p.b > 210;
}

const Item& item(const Session& s, const std::string& id) {
  return s.layout().items[static_cast<std::size_t>(s.find(id))];
}

// where a point of the world lands in the app's picture
osg::Vec2d screen(const App& app, osg::Vec3d p) {
  return project(app.view(), app.projection(), app.width(), app.height(), p);
}

// a point on the front face of a machine's body
osg::Vec3d front_of(const Item& it) {
  return {it.x_m, it.y_m - (it.width_m - 0.3) / 2, 0.8};
}

}  // namespace

TEST_CASE("render: the picture is not blank") {
  const Scenario sc =
      Scenario::load(std::string(DTWIN_SOURCE_DIR) + "/scenarios/line/flagship.json");
  Session s(sc, Session::Options{});
  s.playback().jump_to(3600);
  s.playback().set_playing(false);
  App app(s, 640, 360, App::Mode::Offscreen);
  app.frame(0);
  const osg::Image& img = *app.image();
  REQUIRE(img.s() == 640);
  REQUIRE(img.t() == 360);
  // many colours (floor, machines in their states, parts, text), little bare background
  std::set<int> colours;
  int background = 0;
  for (int y = 0; y < img.t(); ++y)
    for (int x = 0; x < img.s(); ++x) {
      const Rgb p = at(img, x, y);
      colours.insert((p.r / 16) << 8 | (p.g / 16) << 4 | (p.b / 16));
      background += std::abs(p.r - 41) + std::abs(p.g - 46) + std::abs(p.b - 54) < 6;
    }
  CHECK(colours.size() > 40);
  CHECK(background < img.s() * img.t() * 6 / 10);
  CHECK(app.scene().parts_drawn() > 10);
}

TEST_CASE("render: a machine that is down shows the down colour where it stands") {
  auto s = test::session(test::kDownLine);
  s->playback().jump_to(3600);
  s->playback().set_playing(false);
  REQUIRE(s->state(0).machines[item(*s, "m2").index].status == line::Status::Down);
  App app(*s, 800, 450, App::Mode::Offscreen);
  app.frame(0);
  const osg::Image& img = *app.image();
  const osg::Vec2d m2 = screen(app, front_of(item(*s, "m2")));
  INFO("m2 drawn at " << m2.x() << ", " << m2.y());
  CHECK(count(img, m2, 3, red) >= 40);  // of 49
  // its neighbours are not: m1 is blocked, m3 starved
  CHECK(count(img, screen(app, front_of(item(*s, "m1"))), 3, red) == 0);
  CHECK(count(img, screen(app, front_of(item(*s, "m3"))), 3, red) == 0);
}

TEST_CASE("render: a click on a machine selects it and highlights it") {
  auto s = test::session(test::kDownLine);
  s->playback().jump_to(600);
  s->playback().set_playing(false);
  App app(*s, 800, 450, App::Mode::Offscreen);
  app.frame(0);
  const Item& m3 = item(*s, "m3");
  const osg::Vec2d c = screen(app, {m3.x_m, m3.y_m, m3.height_m});
  const int before = count(*app.image(), c, 40, cyan);
  CHECK(s->selected() == -1);

  app.inject_click(c.x(), c.y());
  app.frame(0);
  CHECK(s->selected() == s->find("m3"));
  const int after = count(*app.image(), c, 40, cyan);
  INFO("cyan pixels near m3: " << before << " before, " << after << " after");
  CHECK(before < 5);
  CHECK(after > 150);

  // a click on the bare floor clears the selection
  app.inject_click(4, 4);
  app.frame(0);
  CHECK(s->selected() == -1);
  CHECK(count(*app.image(), c, 40, cyan) < 5);
}

TEST_CASE("render: parts moving along a conveyor change the picture there") {
  auto s = test::session(test::kConveyorLine);
  s->playback().set_playing(false);
  s->playback().jump_to(1800);
  App app(*s, 800, 450, App::Mode::Offscreen);
  app.frame(0);
  const osg::ref_ptr<osg::Image> first = new osg::Image(*app.image(), osg::CopyOp::DEEP_COPY_ALL);
  s->playback().jump_to(1830);  // 1.5 m further along the belt
  app.frame(0);
  const osg::Image& second = *app.image();

  const Item& conv = item(*s, "conv");
  // pixels that changed along the belt, and in a patch of bare floor in front of the line
  auto changed = [&](osg::Vec2d a, osg::Vec2d b) {
    int n = 0;
    const int x0 = int(std::min(a.x(), b.x())), x1 = int(std::max(a.x(), b.x()));
    const int y0 = int(std::min(a.y(), b.y())), y1 = int(std::max(a.y(), b.y()));
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) {
        const Rgb p = at(*first, x, y), q = at(second, x, y);
        n += std::abs(p.r - q.r) + std::abs(p.g - q.g) + std::abs(p.b - q.b) > 60;
      }
    return n;
  };
  const double top = conv.height_m + 0.1;
  const int on_belt = changed(screen(app, {conv.x_m - conv.length_m / 2, conv.y_m - 0.4, top}),
                              screen(app, {conv.x_m + conv.length_m / 2, conv.y_m + 0.4, top}));
  const int on_floor = changed(screen(app, {conv.x_m - 3, conv.y_m - 5, 0}),
                               screen(app, {conv.x_m + 3, conv.y_m - 3, 0}));
  INFO("changed pixels: " << on_belt << " on the belt, " << on_floor << " on the floor");
  CHECK(on_belt > 30);
  CHECK(on_floor == 0);
}
