// The time scrubber and the plot panel, in real pixels (off-screen, Mesa's software
// rasteriser): a click on the bar at its middle takes the world to the middle of the run, a
// drag to where it ends, [ and ] step 1 % of the run; the plot panel draws its curve in the
// plot colour when shown and nothing of it when hidden; a jump back trims what was sampled; in a
// window, a drag on the bar is the bar's and does not orbit the camera.
#include <catch2/catch.hpp>

#include <cmath>

#include <osgViewer/GraphicsWindow>

#include "scenes.hpp"
#include "viewer/app.hpp"

using namespace dtwin;
using namespace dtwin::viewer;

namespace {

void key(App& app, int k) {
  app.viewer().getEventQueue()->keyPress(k);
  app.viewer().getEventQueue()->keyRelease(k);
  app.frame(0);
}

// pixels of the plot's colour (with tolerance) inside a rectangle
int plot_pixels(const osg::Image& img, const PixelRect& r) {
  int n = 0;
  for (int y = static_cast<int>(r.y0); y < static_cast<int>(r.y1); ++y)
    for (int x = static_cast<int>(r.x0); x < static_cast<int>(r.x1); ++x) {
      if (x < 0 || y < 0 || x >= img.s() || y >= img.t()) continue;
      const unsigned char* p = img.data(x, y);
      if (std::abs(p[0] - 255) < 45 && std::abs(p[1] - 77) < 45 && std::abs(p[2] - 191) < 45) ++n;
    }
  return n;
}

}  // namespace

TEST_CASE("scrubber: a click at the middle of the bar goes to the middle of the run") {
  auto s = test::session(test::kConveyorLine);
  Playback& p = s->playback();
  p.set_playing(false);
  App app(*s, 640, 360, App::Mode::Offscreen);
  app.frame(0);
  const PixelRect bar = app.scrubber().track();
  const double D = s->duration_s();
  REQUIRE(D == 36000);
  const double px = D / bar.width();  // the time one pixel of the bar stands for
  const double y = (bar.y0 + bar.y1) / 2;

  app.inject_click(bar.x0 + 0.5 * bar.width(), y);
  app.frame(0);
  CHECK(std::abs(p.now() - D / 2) <= px);
  CHECK(s->selected() == -1);  // the click was the bar's, not a selection

  // forwards and backwards with the keys: 1 % of the run
  const double t = p.now();
  key(app, ']');
  CHECK(p.now() == Approx(t + D / 100));
  key(app, '[');
  key(app, '[');
  CHECK(p.now() == Approx(t - D / 100));

  // a drag from the start to a quarter
  app.inject_drag(bar.x0 + 1, bar.x0 + 0.25 * bar.width(), y);
  app.frame(0);
  CHECK(std::abs(p.now() - D / 4) <= px);

  // the handle is drawn where the time is: highlight-coloured pixels there
  app.frame(0);
  const osg::Image& img = *app.image();
  const int hx = static_cast<int>(std::lround(app.scrubber().x_of(p.now())));
  int cyan = 0;
  for (int x = hx - 2; x <= hx + 2; ++x) {
    const unsigned char* q = img.data(x, static_cast<int>(y));
    if (q[0] < 90 && q[1] > 170 && q[2] > 210) ++cyan;
  }
  CHECK(cyan >= 3);
}

TEST_CASE("plot: p shows the panel with its curve, P hides it, a jump back trims the samples") {
  auto s = test::session(test::kConveyorLine);
  Playback& p = s->playback();
  p.set_playing(false);
  App app(*s, 800, 600, App::Mode::Offscreen);
  p.set_playing(true);
  p.set_speed(200);
  for (int i = 0; i < 40; ++i) app.frame(0.05);  // nothing sampled: the panel is hidden
  const PixelRect r = app.plot().rect();
  CHECK(plot_pixels(*app.image(), r) == 0);

  key(app, 'p');  // the plant's first series
  REQUIRE(app.plot().visible());
  CHECK(app.plot().column().find("wip_parts") != std::string::npos);
  for (int i = 0; i < 60; ++i) app.frame(0.05);
  CHECK(app.plot().samples() > 30);
  const int shown = plot_pixels(*app.image(), r);
  CHECK(shown > 100);
  CHECK(plot_pixels(*app.image(), {0, 0, r.x0 - 1, r.y0 - 1}) == 0);  // only in the panel

  key(app, 'p');  // the next one
  CHECK(app.plot().column().find("output_parts") != std::string::npos);

  // a twin's series: the buffer-like conveyor has a level
  s->select(s->find("conv"));
  key(app, 'p');
  CHECK(app.plot().column() == "conv.level_parts");
  CHECK(app.plot().samples() == 1);  // a new series starts afresh
  for (int i = 0; i < 30; ++i) app.frame(0.05);
  CHECK(plot_pixels(*app.image(), r) > 100);

  // back in time: the samples after the new time go
  const double t = p.now(), t_first = t - 29 * 10;  // 10 s of sim time per frame
  const std::size_t before = app.plot().samples();
  REQUIRE(before == 31);
  p.jump_to((t + t_first) / 2);
  app.frame(0);
  CHECK(app.plot().samples() == 16 + 1);  // the 16 before the new time, and now

  key(app, 'P');
  CHECK_FALSE(app.plot().visible());
  app.frame(0);
  CHECK(plot_pixels(*app.image(), r) == 0);
}

TEST_CASE("plot: series names carry their unit") {
  CHECK(series_label("b1.level_parts") ==
        std::make_pair(std::string("b1 level"), std::string("parts")));
  CHECK(series_label("line.throughput_parts_h").second == "parts/h");
  CHECK(series_label("m1.vibration_mm_s").second == "mm/s");
  CHECK(series_label("m1.power_kw").second == "kW");
  CHECK(series_label("m1.utilisation [-]") ==
        std::make_pair(std::string("m1 utilisation"), std::string("-")));
  CHECK(series_label("m1.health").second == "-");
  CHECK(tick_step(30 * 86400.0) == 432000);  // 30 days: every 5 days
  CHECK(tick_step(3600.0) == 600);
}

TEST_CASE("scrubber: in a window, a drag on the bar moves the time and not the camera") {
  auto s = test::session(test::kConveyorLine);
  Playback& p = s->playback();
  p.set_playing(false);
  App app(*s, 640, 360, App::Mode::Window);
  app.frame(0);
  app.frame(0);
  const PixelRect bar = app.scrubber().track();
  const double D = s->duration_s();
  // a window's events count y from the top
  const float y = static_cast<float>(app.height()) - (bar.y0 + bar.y1) / 2;
  auto drag = [&](float x0, float x1, float yy) {
    // the window's own queue, as the X server's events arrive
    auto* gw =
        dynamic_cast<osgViewer::GraphicsWindow*>(app.viewer().getCamera()->getGraphicsContext());
    REQUIRE(gw);
    osgGA::EventQueue* q = gw->getEventQueue();
    q->mouseButtonPress(x0, yy, 1);
    app.frame(0);
    q->mouseMotion((x0 + x1) / 2, yy);
    app.frame(0);
    q->mouseMotion(x1, yy);
    app.frame(0);
    q->mouseButtonRelease(x1, yy, 1);
    app.frame(0);
  };
  auto eye = [&] { return app.pose().eye; };
  const osg::Vec3d before = eye();
  drag(bar.x0 + 0.2f * bar.width(), bar.x0 + 0.6f * bar.width(), y);
  CHECK(std::abs(p.now() - 0.6 * D) <= D / bar.width());
  CHECK((eye() - before).length() < 1e-6);  // the camera did not orbit

  // the same drag over the plant orbits the camera (so the check above can fail)
  drag(200, 400, 150);
  CHECK((eye() - before).length() > 0.1);
  CHECK(std::abs(p.now() - 0.6 * D) <= D / bar.width());
}
