// The greenhouse and work-cell scenes, in real pixels rendered off-screen (Mesa's software
// rasteriser under Xvfb): lamps bright when on and dark when off, the thermal screen where it
// is drawn closed, the crop taller and greener after two months, the arm drawn where it moved
// and the floor unchanged, the tool point on the robot, selection by a click, the inspector's
// text, and a line with its robot cell side by side. Times are found from the model's own
// state (when the lamps are on, the screen closed), never assumed.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <memory>

#include "engine/scenario/scenario.hpp"
#include "pixels.hpp"
#include "viewer/app.hpp"
#include "viewer/camera.hpp"
#include "viewer/inspector.hpp"
#include "viewer/picking.hpp"
#include "viewer/scene_cell.hpp"
#include "viewer/scene_greenhouse.hpp"

using namespace dtwin;
using namespace dtwin::viewer;

namespace {

constexpr double kDay = 86400;

using dtwin::test::at;
using dtwin::test::count;
using dtwin::test::Rgb;

// mean brightness (0..255) of the square of half-size r around c
double brightness(const osg::Image& img, osg::Vec2d c, int r) {
  double sum = 0;
  int n = 0;
  for (int y = int(c.y()) - r; y <= int(c.y()) + r; ++y)
    for (int x = int(c.x()) - r; x <= int(c.x()) + r; ++x) {
      const Rgb p = at(img, x, y);
      sum += (p.r + p.g + p.b) / 3.0;
      ++n;
    }
  return sum / n;
}

// mean red minus blue around c: the cream screen is warm, glass, floor and leaves are not
double warmth(const osg::Image& img, osg::Vec2d c, int r) {
  double sum = 0;
  int n = 0;
  for (int y = int(c.y()) - r; y <= int(c.y()) + r; ++y)
    for (int x = int(c.x()) - r; x <= int(c.x()) + r; ++x) {
      const Rgb p = at(img, x, y);
      sum += p.r - p.b;
      ++n;
    }
  return sum / n;
}

// pixels around c that differ between two pictures by more than 40 (summed over RGB)
int changed(const osg::Image& a, const osg::Image& b, osg::Vec2d c, int r) {
  int n = 0;
  for (int y = int(c.y()) - r; y <= int(c.y()) + r; ++y)
    for (int x = int(c.x()) - r; x <= int(c.x()) + r; ++x) {
      if (x < 0 || y < 0 || x >= a.s() || y >= a.t()) continue;
      const Rgb p = at(a, x, y), q = at(b, x, y);
      n += std::abs(p.r - q.r) + std::abs(p.g - q.g) + std::abs(p.b - q.b) > 40;
    }
  return n;
}

osg::ref_ptr<osg::Image> copy(const App& app) {
  return new osg::Image(*app.image(), osg::CopyOp::DEEP_COPY_ALL);
}

osg::Vec2d screen(const App& app, P3 p) {
  return project(app.view(), app.projection(), app.width(), app.height(), {p.x, p.y, p.z});
}

std::unique_ptr<Session> load(const std::string& rel) {
  const Scenario sc = Scenario::load(std::string(DTWIN_SOURCE_DIR) + "/" + rel);
  auto s = std::make_unique<Session>(sc, Session::Options{});
  s->playback().set_playing(false);
  return s;
}

const std::string kSeason = "scenarios/greenhouse/tomato_season_hps.json";
const std::string kCell = "scenarios/cell/flagship.json";

// the first time from t0 on (in steps of dt, up to t1) at which the greenhouse satisfies pred;
// the session is left there. -1 when there is none.
double find_time(Session& s, double t0, double t1, double dt,
                 const std::function<bool(const GreenhouseNow&)>& pred) {
  for (double t = t0; t <= t1; t += dt) {
    s.playback().jump_to(t);
    if (pred(s.greenhouse_now(0))) return t;
  }
  return -1;
}

void render(App& app) {
  app.frame(0);
  app.frame(0);
}

}  // namespace

TEST_CASE("greenhouse: the scene's geometry comes from the model") {
  auto s = load(kSeason);
  REQUIRE(s->greenhouses().size() == 1);
  REQUIRE(s->undrawn().empty());
  const GreenhouseGeom& g = s->greenhouses()[0].geom;
  CHECK(g.area_m2 == Approx(40000));  // Katzin et al. 2021: a 4 ha house, drawn as a section
  CHECK(g.section);
  CHECK(g.gutter == Approx(6.3));
  CHECK((g.gutter + g.ridge) / 2 == Approx(6.9));  // its mean height, hGh
  CHECK(g.has_lamps);
  CHECK(!g.lamps.empty());
  CHECK(s->default_speed() == 20000);
  const Item& it = s->layout().items[static_cast<std::size_t>(s->find("gh"))];
  CHECK(it.kind == ItemKind::Greenhouse);
  CHECK(it.length_m == Approx(g.length));
}

TEST_CASE("greenhouse: lamps are bright when on and dark when off") {
  auto s = load(kSeason);
  // a night with the lamps on, a noon with them off (sunny: above lampsOffSun)
  const double on = find_time(*s, 0, 20 * kDay, 3600, [](const GreenhouseNow& n) {
    return n.lamps > 0.95 && n.rad_w_m2 < 1;
  });
  REQUIRE(on >= 0);
  s->playback().jump_to(0);
  double off = -1;
  for (int d = 0; d < 340 && off < 0; ++d)
    off = find_time(*s, d * kDay + 12 * 3600, d * kDay + 12 * 3600, 1,
                    [](const GreenhouseNow& n) { return n.lamps < 0.05; });
  REQUIRE(off >= 0);

  s->playback().jump_to(on);
  App app(*s, 960, 540, App::Mode::Offscreen);
  // from the front, below the screen: the lamps' sides through the front wall
  const GreenhouseGeom& g = s->greenhouses()[0].geom;
  const double cx = g.x0 + g.length / 2;
  CameraPose pose;
  pose.eye.set(cx, g.y0 - 14, 3.0);
  pose.center.set(cx, g.y0 + 6, g.gutter - 0.7);
  app.set_pose(pose);
  render(app);
  const auto lit = copy(app);
  s->playback().jump_to(off);
  render(app);
  const auto dark = copy(app);

  // the front row of lamps, nearest the middle
  int checked = 0;
  for (const P3& lamp : g.lamps) {
    if (lamp.y > g.y0 + g.span * 0.3 || std::abs(lamp.x - cx) > 6) continue;
    const osg::Vec2d px = screen(app, lamp);
    const double b_on = brightness(*lit, px, 1), b_off = brightness(*dark, px, 1);
    INFO("lamp at x " << lamp.x << " on screen " << px.x() << ", " << px.y() << ": brightness "
                      << b_on << " on, " << b_off << " off");
    CHECK(b_on > 200);
    CHECK(b_off < 110);
    ++checked;
  }
  CHECK(checked >= 3);
}

TEST_CASE("greenhouse: the thermal screen shows where it is closed") {
  auto s = load(kSeason);
  const double closed =
      find_time(*s, 0, 30 * kDay, 1800, [](const GreenhouseNow& n) { return n.screen > 0.97; });
  REQUIRE(closed >= 0);
  s->playback().jump_to(0);
  const double open =
      find_time(*s, 0, 30 * kDay, 1800, [](const GreenhouseNow& n) { return n.screen < 0.03; });
  REQUIRE(open >= 0);
  s->playback().jump_to(closed);
  App app(*s, 960, 540, App::Mode::Offscreen);
  render(app);
  const auto a = copy(app);
  s->playback().jump_to(open);
  render(app);
  const auto b = copy(app);

  const GreenhouseGeom& g = s->greenhouses()[0].geom;
  const double cx = g.x0 + g.length / 2;
  int screen_changed = 0, points = 0;
  // the middle spans, a third across: clear of the lamps below, the vents on the other slope,
  // the folded screen at the start of the span and the label over the middle of the house
  for (int k = 1; k + 1 < g.spans; ++k) {
    const P3 p{cx + 9, g.y0 + (k + 0.35) * g.span, g.screen_z};
    const osg::Vec2d px = screen(app, p);
    const double la = brightness(*a, px, 2), wa = warmth(*a, px, 2);
    INFO("span " << k << ": brightness " << la << " closed, " << brightness(*b, px, 2)
                 << " open; warmth (red - blue) " << wa << " closed, " << warmth(*b, px, 2)
                 << " open");
    CHECK(la > 170);  // the light, cream sheet
    CHECK(wa > 25);
    screen_changed += changed(*a, *b, px, 2);
    points += 25;
  }
  CHECK(screen_changed > points * 8 / 10);
  // the bare floor in front of the house is the same
  const int floor = changed(*a, *b, screen(app, {cx, g.y0 - 4, 0}), 6);
  CHECK(floor == 0);
}

TEST_CASE("greenhouse: after two months the crop is taller and greener") {
  auto s = load(kSeason);
  auto clear = [](const GreenhouseNow& n) { return n.screen < 0.03; };  // screen open
  const double early = find_time(*s, 1 * kDay, 3 * kDay, 1800, clear);
  REQUIRE(early >= 0);
  const double lai0 = s->greenhouse_now(0).lai;
  App app(*s, 960, 540, App::Mode::Offscreen);
  render(app);
  const auto a = copy(app);
  const double late = find_time(*s, 60 * kDay, 63 * kDay, 1800, clear);
  REQUIRE(late >= 0);
  const double lai1 = s->greenhouse_now(0).lai;
  render(app);
  const auto b = copy(app);
  INFO("LAI " << lai0 << " on day " << early / kDay << ", " << lai1 << " on day " << late / kDay);
  REQUIRE(lai1 > lai0 + 1);

  // green pixels over the house
  const GreenhouseGeom& g = s->greenhouses()[0].geom;
  const osg::Vec2d c = screen(app, {g.x0 + g.length / 2, g.y0 + g.width / 2, 1});
  auto green = [](Rgb p) { return p.g > p.r + 25 && p.g > p.b + 20; };
  const int g0 = count(*a, c, 150, green), g1 = count(*b, c, 150, green);
  INFO("green pixels: " << g0 << " early, " << g1 << " after two months");
  CHECK(g1 > g0 + 3000);
  CHECK(g1 > 2 * g0);
}

TEST_CASE("cell: the arm is drawn where it moved, the floor stays, the tool is on the robot") {
  auto s = load(kCell);
  REQUIRE(s->cells().size() == 1);
  CHECK(s->default_speed() == 1);
  const CellView& v = s->cells()[0];
  const auto& spec = v.cell->spec();
  // a moment the arm moves with an empty gripper, and half a second later its tool has moved
  // by 10 cm or more (recorded in one sweep, then replayed: runs are deterministic)
  struct Probe {
    double t;
    P3 tool;
    bool moving_empty;
  };
  std::vector<Probe> probes;
  for (double t = 1; t < 30; t += 0.1) {
    s->playback().jump_to(t);
    const auto& st = s->cell_state(0);
    probes.push_back({t, cell_tool_point(spec, st, v.geom),
                      st.status == machine::CellStatus::Moving && st.carried < 0});
  }
  auto dist = [](P3 a, P3 b) { return std::hypot(a.x - b.x, a.y - b.y, a.z - b.z); };
  double t1 = -1;
  for (std::size_t i = 0; i + 5 < probes.size() && t1 < 0; ++i)
    if (probes[i].moving_empty && dist(probes[i].tool, probes[i + 5].tool) > 0.1) t1 = probes[i].t;
  REQUIRE(t1 > 0);
  s->playback().jump_to(t1);
  const P3 tool1 = cell_tool_point(spec, s->cell_state(0), v.geom);
  App app(*s, 960, 540, App::Mode::Offscreen);
  render(app);
  const auto a = copy(app);
  // the tool point lies on robot pixels (links and gripper in the status colour, moving green)
  const osg::Vec2d tp = screen(app, tool1);
  auto robot = [](Rgb p) { return p.g > p.r + 20 && p.g > p.b + 15; };
  INFO("tool point on screen " << tp.x() << ", " << tp.y());
  CHECK(count(*a, tp, 3, robot) >= 5);

  s->playback().jump_to(t1 + 0.5);
  const P3 tool2 = cell_tool_point(spec, s->cell_state(0), v.geom);
  REQUIRE(dist(tool2, tool1) > 0.1);
  render(app);
  const auto b = copy(app);
  const int moved = changed(*a, *b, tp, 12) + changed(*a, *b, screen(app, tool2), 12);
  const Item& it = s->layout().items[static_cast<std::size_t>(v.item)];
  const int floor = changed(*a, *b, screen(app, {it.x_m + it.length_m / 2 + 1.2, it.y_m, 0}), 12);
  INFO("changed pixels: " << moved << " where the tool was and went, " << floor
                          << " on the floor beside the cell");
  CHECK(moved > 60);
  CHECK(floor == 0);
}

TEST_CASE("inspector: a greenhouse's and a cell's figures with units") {
  auto g = load(kSeason);
  g->playback().jump_to(10 * kDay);
  const std::string gt = inspect(*g, g->find("gh"));
  INFO(gt);
  for (const char* want :
       {"gh  (greenhouse: greenlight_tomato)", "-- climate",
        "\xc2\xb0"
        "C",
        "RH ", "ppm", "W/m2", "-- actuators", "screen", "lamps", "vents", "pipes", "-- crop", "LAI",
        "m2/m2", "kg/m2 harvested", "-- energy so far", "MJ/m2", "40000 m2", "section"})
    CHECK(gt.find(want) != std::string::npos);
  const std::string gk = kpi_text(*g);
  CHECK(gk.find("yield") != std::string::npos);
  CHECK(gk.find("kg/m2") != std::string::npos);
  CHECK(gk.find("heating") != std::string::npos);
  CHECK(gk.find("MJ/m2") != std::string::npos);

  auto c = load(kCell);
  c->playback().jump_to(150);  // after the 1 min warm-up (statistics restart then)
  const std::string ct = inspect(*c, c->find("cell1"));
  INFO(ct);
  for (const char* want :
       {"cell1  (work cell)", "status", "tool", " m", "carrying", "cycles", "mean", " s",
        "-- joints", "j1", "\xc2\xb0", "(-160 .. 160", "j3", "(0 .. 0.15 m)"})
    CHECK(ct.find(want) != std::string::npos);
  CHECK(c->cell_state(0).cycles > 0);
  const std::string ck = kpi_text(*c);
  CHECK(ck.find("cycles") != std::string::npos);
  CHECK(ck.find("mean cycle") != std::string::npos);
}

TEST_CASE("selection: a click on a greenhouse or a cell highlights it and inspects it") {
  bool cyan_seen = false;
  for (const char* file :
       {"scenarios/greenhouse/tomato_season_hps.json", "scenarios/cell/flagship.json"}) {
    auto s = load(file);
    s->playback().jump_to(file == kSeason ? 5 * kDay : 5.0);
    const Item& it = s->layout().items.back();
    App app(*s, 960, 540, App::Mode::Offscreen);
    render(app);
    const osg::Vec2d c = screen(app, {it.x_m, it.y_m, it.height_m * 0.5});
    auto cyan = [](Rgb p) { return p.r < 90 && p.g > 170 && p.b > 210; };
    const int before = count(*app.image(), osg::Vec2d(app.width() / 2.0, app.height() / 2.0),
                             app.height() / 2 - 1, cyan);
    app.inject_click(c.x(), c.y());
    render(app);
    INFO(it.id);
    CHECK(s->selected() == s->find(it.id));
    const int after = count(*app.image(), osg::Vec2d(app.width() / 2.0, app.height() / 2.0),
                            app.height() / 2 - 1, cyan);
    INFO("cyan pixels " << before << " before, " << after << " after the click");
    CHECK(after > before + 200);
    cyan_seen = after > 0;
    CHECK(inspect(*s, s->selected()).rfind(it.id + "  (", 0) == 0);
  }
  CHECK(cyan_seen);
}

TEST_CASE("a line with a robot cell shows both, the cell beside the station it times") {
  auto s = load("scenarios/cell/line_with_cell.json");
  REQUIRE(s->lines().size() == 1);
  REQUIRE(s->cells().size() == 1);
  const CellView& v = s->cells()[0];
  CHECK(v.station == s->find("robot"));
  const Item& cell = s->layout().items[static_cast<std::size_t>(v.item)];
  const Item& robot = s->layout().items[static_cast<std::size_t>(s->find("robot"))];
  CHECK(std::abs(cell.x_m - robot.x_m) < 0.01);
  CHECK(robot.y_m - cell.y_m < robot.width_m / 2 + cell.width_m / 2 + 1.5);
  // no line twin overlaps the cell's region
  for (const Item& it : s->layout().items) {
    if (&it == &cell) continue;
    const bool apart = std::abs(it.x_m - cell.x_m) >= (it.length_m + cell.length_m) / 2 ||
                       std::abs(it.y_m - cell.y_m) >= (it.width_m + cell.width_m) / 2;
    INFO(it.id);
    CHECK(apart);
  }
  s->playback().jump_to(20);
  App app(*s, 960, 540, App::Mode::Offscreen);
  render(app);
  const osg::Image& img = *app.image();
  // the station's body and the robot on its pedestal are drawn (not floor, not background)
  auto floorish = [](Rgb p) {
    return (std::abs(p.r - 199) + std::abs(p.g - 201) + std::abs(p.b - 204) < 30) ||
           (std::abs(p.r - 41) + std::abs(p.g - 46) + std::abs(p.b - 54) < 30);
  };
  const osg::Vec2d st = screen(app, {robot.x_m, robot.y_m - (robot.width_m - 0.3) / 2, 0.8});
  CHECK(count(img, st, 3, floorish) == 0);
  const auto& base = v.cell->spec().robot.base.p;
  // the front of the pedestal the robot stands on (the cell's label is drawn above the base)
  const osg::Vec2d rb = screen(app, {v.geom.ox + base.x, v.geom.oy + base.y - 0.14, 0.15});
  CHECK(count(img, rb, 2, floorish) == 0);
  CHECK(kpi_text(*s).find("throughput") != std::string::npos);
  CHECK(kpi_text(*s).find("cell1") != std::string::npos);
}

namespace {
struct CountNodes : osg::NodeVisitor {
  CountNodes() : osg::NodeVisitor(TRAVERSE_ALL_CHILDREN) {}
  void apply(osg::Node& n) override {
    ++nodes;
    traverse(n);
  }
  void apply(osg::Geode& g) override {
    ++nodes;
    drawables += g.getNumDrawables();
  }
  std::size_t nodes = 0, drawables = 0;
};
}  // namespace

TEST_CASE("instancing: the greenhouse and cell scenes do not grow as the plant runs") {
  for (const char* file : {"scenarios/greenhouse/tomato_season_hps.json",
                           "scenarios/cell/flagship.json", "scenarios/cell/line_with_cell.json"}) {
    auto s = load(file);
    const bool gh = file == kSeason;
    s->playback().jump_to(gh ? 1 * kDay : 2.0);
    App app(*s, 480, 270, App::Mode::Offscreen);
    render(app);
    CountNodes before;
    app.scene().root()->accept(before);
    s->playback().jump_to(gh ? 90 * kDay : 40.0);  // grown crop, many parts made
    render(app);
    CountNodes after;
    app.scene().root()->accept(after);
    INFO(file);
    CHECK(after.nodes == before.nodes);
    CHECK(after.drawables == before.drawables);
  }
}
