// What the viewer reads from a world, without drawing it: parts placed where the state says
// they are, picking by ray, the playback clock, and the inspector's text.
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/base/error.hpp"
#include "scenes.hpp"
#include "viewer/camera.hpp"
#include "viewer/inspector.hpp"
#include "viewer/parts.hpp"
#include "viewer/picking.hpp"

using namespace dtwin;
using namespace dtwin::viewer;

namespace {

bool inside(const Item& it, const Box& b) {
  double cx, cy;
  to_floor(it, 0, 0, &cx, &cy);
  return std::abs(b.x - cx) <= it.length_m / 2 + 1e-6 &&
         std::abs(b.y - cy) <= it.width_m / 2 + 1e-6;
}

}  // namespace

TEST_CASE("every part in a place or on a machine is drawn there") {
  auto s = test::session(test::kDownLine);
  s->playback().jump_to(3600);
  const line::LineState& st = s->state(0);
  const line::LineSpec& spec = s->spec(0);
  std::vector<Box> boxes;
  place_parts(s->layout(), 0, spec, st, s->world().now(), boxes);
  // b1 is full (m2 is down), m1 holds a part it cannot pass on, m2 holds the one it failed on
  const Item& b1 = s->layout().items[static_cast<std::size_t>(s->layout().find("b1"))];
  std::size_t on_b1 = 0;
  for (const auto& b : boxes) on_b1 += inside(b1, b);
  CHECK(st.places[b1.index].births.size() == 6);
  CHECK(on_b1 == 6);
  std::size_t expected = 8;  // the saturated source's raw stock
  for (const auto& m : st.machines) expected += m.part_units > 0;
  for (std::size_t p = 0; p < spec.places.size(); ++p) {
    if (spec.places[p].kind == line::PlaceKind::Sink)
      expected += std::min<std::uint64_t>(st.places[p].entered, 48);
    else if (spec.places[p].kind != line::PlaceKind::Supply)
      expected += st.places[p].births.size();
  }
  CHECK(boxes.size() == expected);
}

TEST_CASE("parts move along a conveyor and queue at its end without overtaking") {
  // 10 m of travel in 100 s, parts 0.5 m apart when they queue
  CHECK(conveyor_offset_m(150, 100, 100, 10, 0.5, 0, true) == Approx(5));
  CHECK(conveyor_offset_m(100, 100, 100, 10, 0.5, 0, true) == Approx(10));
  CHECK(conveyor_offset_m(90, 100, 100, 10, 0.5, 0, true) == Approx(10));      // waiting at the end
  CHECK(conveyor_offset_m(100, 100, 100, 10, 0.5, 10, false) == Approx(9.5));  // queued behind
  CHECK(conveyor_offset_m(200, 100, 100, 10, 0.5, 10, false) == Approx(0));    // just entered
  CHECK(conveyor_offset_m(150, 100, 100, 10, 0.5, 5.2, false) == Approx(4.7));  // no overtaking

  auto s = test::session(test::kConveyorLine);
  s->playback().jump_to(1800);
  const Item& conv = s->layout().items[static_cast<std::size_t>(s->layout().find("conv"))];
  auto along = [&] {
    std::vector<Box> boxes;
    place_parts(s->layout(), 0, s->spec(0), s->state(0), s->world().now(), boxes);
    std::vector<double> xs;
    for (const auto& b : boxes)
      if (inside(conv, b) && b.z > 0.5f) xs.push_back(b.x);
    return xs;
  };
  const auto before = along();
  REQUIRE(before.size() >= 3);
  s->playback().jump_to(1810);
  const auto after = along();
  // the part at the back has moved forward by about 10 s x 0.05 m/s
  CHECK(after.back() - before.back() == Approx(0.5).margin(0.05));
}

TEST_CASE("a ray through a twin's projected centre picks that twin") {
  const Scenario sc =
      Scenario::load(std::string(DTWIN_SOURCE_DIR) + "/scenarios/line/flagship.json");
  Session s(sc, Session::Options{});
  const double w = 1280, h = 720;
  const CameraPose pose = home_pose(s.layout(), w / h);
  const osg::Matrixd view = view_matrix(pose), proj = projection_matrix(pose, w / h);
  for (std::size_t i = 0; i < s.layout().items.size(); ++i) {
    const Item& it = s.layout().items[i];
    const osg::Vec2d px =
        project(view, proj, w, h, osg::Vec3d(it.x_m, it.y_m, std::max(it.height_m, 0.3) - 0.01));
    CHECK(px.x() > 0);
    CHECK(px.x() < w);
    CHECK(px.y() > 0);
    CHECK(px.y() < h);
    INFO(it.id);
    CHECK(pick(s.layout(), pixel_ray(view, proj, w, h, px.x(), px.y())) == static_cast<int>(i));
  }
  // the empty floor in a corner picks nothing
  CHECK(pick(s.layout(), pixel_ray(view, proj, w, h, 5, 5)) == -1);
}

TEST_CASE("playback: stepping, speeds, and jumping back gives the same state") {
  auto s = test::session(test::kConveyorLine);
  Playback& p = s->playback();
  CHECK(p.speed() == 10);
  p.faster();
  CHECK(p.speed() == 20);
  p.slower();
  p.slower();
  CHECK(p.speed() == 5);
  p.set_speed(900);
  CHECK(p.speed() == 1000);

  const auto events = p.events();
  REQUIRE(p.step());
  CHECK(p.events() == events + 1);
  CHECK_FALSE(p.playing());

  p.jump_to(7200);
  const World at_2h = s->world();
  p.jump_to(3600);
  CHECK(p.now() == 3600);
  p.jump_to(7200);
  CHECK(s->world().same_state(at_2h));

  // playing advances by wall time x factor
  p.set_playing(true);
  p.set_speed(100);
  p.advance(0.5, 1.0);
  CHECK(p.now() == Approx(7250));
  CHECK(p.achieved() > 0);
}

TEST_CASE("the inspector shows a twin's spec and state") {
  auto s = test::session(test::kDownLine);
  s->playback().jump_to(3600);
  const std::string m2 = inspect(*s, s->find("m2"));
  CHECK_THAT(m2, Catch::StartsWith("m2  (machine)"));
  CHECK_THAT(m2, Catch::Contains("down for"));
  CHECK_THAT(m2, Catch::Contains("failures     1"));
  CHECK_THAT(m2, Catch::Contains("from         b1"));
  CHECK_THAT(m2, Catch::Contains("to           conv"));
  const std::string b1 = inspect(*s, s->find("b1"));
  CHECK_THAT(b1, Catch::Contains("parts        6 of 6"));
  const std::string conv = inspect(*s, s->find("conv"));
  CHECK_THAT(conv, Catch::Contains("transit      1.67min"));
  CHECK_THAT(inspect(*s, s->find("src")), Catch::Contains("saturated"));
  CHECK(inspect(*s, -1).empty());
}

TEST_CASE("selecting an unknown twin names the likely one") {
  auto s = test::session(test::kDownLine);
  CHECK_THROWS_WITH(s->find("m4"),
                    Catch::Contains("no twin \"m4\"") && Catch::Contains("did you mean"));
  CHECK(s->find("conv") >= 0);
}
