// The keyboard shortcuts and the jump-to-time prompt, driven through the viewer's event queue
// as a user's key presses would be.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "scenes.hpp"
#include "viewer/app.hpp"
#include "viewer/controls.hpp"

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

namespace {

// the rows of the first "| key | action |" table after `heading` in a Markdown file
std::string key_table(const std::string& file, const std::string& heading) {
  std::ifstream in(std::string(DTWIN_SOURCE_DIR) + "/" + file);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  const auto h = text.find(heading);
  REQUIRE(h != std::string::npos);
  const auto begin = text.find("| key | action |", h);
  REQUIRE(begin != std::string::npos);
  const auto end = text.find("\n\n", begin);
  return text.substr(begin, end - begin);
}

}  // namespace

TEST_CASE("docs: both keyboard tables list every key the viewer's help lists") {
  // the help's key column: "p / P        plot ..." -> "p", "P"
  std::vector<std::string> keys;
  std::istringstream help(help_text());
  std::string line;
  std::getline(help, line);  // the title
  std::getline(help, line);  // blank
  while (std::getline(help, line) && !line.empty()) {
    const std::string col = line.substr(0, line.find("  "));
    std::size_t from = 0;
    for (;;) {
      const auto slash = col.find(" / ", from);
      keys.push_back(col.substr(from, slash - from));
      if (slash == std::string::npos) break;
      from = slash + 3;
    }
  }
  REQUIRE(keys.size() >= 20);
  for (const auto& [file, heading] : std::vector<std::pair<std::string, std::string>>{
           {"README.md", "### Keyboard and mouse"}, {"viewer/README.md", "Keyboard"}}) {
    const std::string table = key_table(file, heading);
    for (const auto& k : keys) {
      INFO(file << ": key " << k);
      const std::string cell = k == "click" ? "| click |" : "`" + k + "`";
      CHECK(table.find(cell) != std::string::npos);
    }
  }
}
