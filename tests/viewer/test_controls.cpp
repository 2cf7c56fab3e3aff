// The keyboard shortcuts and the jump-to-time prompt, driven through the viewer's event queue
// as a user's key presses would be.
#include <catch2/catch.hpp>

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

void type(App& app, const std::string& text) {
  for (char c : text) key(app, c);
}

}  // namespace

TEST_CASE("controls: play, pause, step, speed and jump") {
  using GEA = osgGA::GUIEventAdapter;
  auto s = test::session(test::kConveyorLine);
  Playback& p = s->playback();
  App app(*s, 320, 240, App::Mode::Offscreen);
  REQUIRE(p.playing());

  key(app, ' ');
  CHECK_FALSE(p.playing());
  key(app, ' ');
  CHECK(p.playing());

  const double speed = p.speed();
  key(app, '+');
  CHECK(p.speed() == Approx(2 * speed));
  key(app, '-');
  key(app, '-');
  CHECK(p.speed() == Approx(speed / 2));

  const auto events = p.events();
  key(app, '.');
  CHECK_FALSE(p.playing());
  CHECK(p.events() == events + 1);

  // j, a time, Enter: the world jumps there (forward, then back by running again)
  key(app, 'j');
  CHECK(app.prompt_open());
  type(app, "2h");
  key(app, GEA::KEY_Return);
  CHECK_FALSE(app.prompt_open());
  CHECK(p.now() == Approx(7200));
  key(app, 'j');
  type(app, "90mi");
  key(app, GEA::KEY_BackSpace);
  key(app, GEA::KEY_BackSpace);
  type(app, "min");
  key(app, GEA::KEY_Return);
  CHECK(p.now() == Approx(5400));
  // nonsense is refused and changes nothing
  key(app, 'j');
  type(app, "soon");
  key(app, GEA::KEY_Return);
  CHECK(p.now() == Approx(5400));
  // Esc closes the prompt without jumping
  key(app, 'j');
  type(app, "3h");
  key(app, GEA::KEY_Escape);
  CHECK_FALSE(app.prompt_open());
  CHECK(p.now() == Approx(5400));
}

TEST_CASE("controls: help, selection, focus and quit") {
  using GEA = osgGA::GUIEventAdapter;
  auto s = test::session(test::kDownLine);
  s->playback().set_playing(false);
  App app(*s, 320, 240, App::Mode::Offscreen);
  s->select(s->find("m2"));
  const CameraPose before = app.pose();
  key(app, 'f');
  const CameraPose after = app.pose();
  const Item& m2 = s->layout().items[static_cast<std::size_t>(s->find("m2"))];
  // the camera moved in towards m2, looking from the same direction
  CHECK((after.eye - osg::Vec3d(m2.x_m, m2.y_m, 0)).length() <
        (before.eye - osg::Vec3d(m2.x_m, m2.y_m, 0)).length());
  CHECK(app.view() != osg::Matrixd(view_matrix(before)));

  key(app, 'h');  // help over the inspector; Esc closes it, a second Esc clears the selection
  key(app, GEA::KEY_Escape);
  CHECK(s->selected() == s->find("m2"));
  key(app, GEA::KEY_Escape);
  CHECK(s->selected() == -1);

  CHECK_FALSE(app.viewer().done());
  key(app, 'q');
  CHECK(app.viewer().done());
}
