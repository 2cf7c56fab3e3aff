#include "viewer/controls.hpp"

#include <cmath>

namespace dtwin::viewer {

using GEA = osgGA::GUIEventAdapter;

std::string help_text() {
  return "Keyboard and mouse\n"
         "\n"
         "Space        play / pause\n"
         ".            step one event (and pause)\n"
         "+ / -        faster / slower (real-time factor)\n"
         "j            jump to a time: type 2h, 90min, 3d ..., Enter\n"
         "[ / ]        back / forward 1 % of the run (or click the time bar)\n"
         "p / P        plot the next series of the selection / hide the plot\n"
         "click        select a twin: highlight and inspector\n"
         "f            focus the camera on the selected twin\n"
         "F            follow the selected twin (again, or Esc: stop)\n"
         "Home         back to the view of the whole plant\n"
         "Esc          close this help / clear the selection\n"
         "h            show / hide this help\n"
         "s            frame-rate statistics (press again for more)\n"
         "c            save a screenshot (dtwin_view_*.png)\n"
         "e            edit the selected twin: prop = value (Tab completes)\n"
         "w            what-if from now: prop = value or variant NAME\n"
         "l            close the what-if panel\n"
         "q            quit\n"
         "\n"
         "left drag    orbit        middle drag  pan\n"
         "right drag   zoom         wheel        zoom";
}

bool Controls::handle(const GEA& ea, osgGA::GUIActionAdapter& /*aa*/) {
  switch (ea.getEventType()) {
    case GEA::KEYDOWN: {
      const int key = ea.getKey();
      if (actions_.prompt_open()) {
        actions_.prompt_key(key);
        return true;
      }
      switch (key) {
        case ' ':
          actions_.toggle_play();
          return true;
        case '.':
          actions_.step_event();
          return true;
        case '+':
        case '=':
        case GEA::KEY_KP_Add:
          actions_.faster();
          return true;
        case '-':
        case '_':
        case GEA::KEY_KP_Subtract:
          actions_.slower();
          return true;
        case 'j':
          actions_.open_prompt();
          return true;
        case 'h':
        case '?':
        case GEA::KEY_F1:
          actions_.toggle_help();
          return true;
        case 'f':
          actions_.focus_selected();
          return true;
        case 'F':
          actions_.toggle_follow();
          return true;
        case GEA::KEY_Home:
          actions_.home();
          return true;
        case GEA::KEY_Escape:
          actions_.deselect();
          return true;
        case 'q':
          actions_.quit();
          return true;
        case '[':
          actions_.scrub_step(-1);
          return true;
        case ']':
          actions_.scrub_step(+1);
          return true;
        case 'p':
          actions_.cycle_plot();
          return true;
        case 'P':
          actions_.hide_plot();
          return true;
        case 'e':
          actions_.open_edit();
          return true;
        case 'w':
          actions_.open_whatif();
          return true;
        case 'l':
          actions_.close_panel();
          return true;
        default:
          return false;
      }
    }
    case GEA::PUSH:
      if (ea.getButton() == GEA::LEFT_MOUSE_BUTTON &&
          actions_.press(ea.getXnormalized(), ea.getYnormalized())) {
        captured_ = true;
        return true;  // the scrubber's, not the camera's
      }
      if (ea.getButton() == GEA::LEFT_MOUSE_BUTTON) {
        pressed_ = true;
        press_x_ = ea.getXnormalized();
        press_y_ = ea.getYnormalized();
      }
      return false;  // the manipulator sees it too
    case GEA::DRAG:
      if (!captured_) return false;
      actions_.drag(ea.getXnormalized(), ea.getYnormalized());
      return true;
    case GEA::RELEASE: {
      if (captured_) {
        captured_ = false;
        actions_.drag(ea.getXnormalized(), ea.getYnormalized());
        actions_.release();
        return true;
      }
      if (!pressed_ || ea.getButton() != GEA::LEFT_MOUSE_BUTTON) return false;
      pressed_ = false;
      const double x = ea.getXnormalized(), y = ea.getYnormalized();
      if (std::hypot(x - press_x_, y - press_y_) < 0.01) actions_.click(x, y);
      return false;
    }
    default:
      return false;
  }
}

bool PlantManipulator::handleKeyDown(const GEA& ea, osgGA::GUIActionAdapter& aa) {
  if (ea.getKey() == GEA::KEY_Space) return false;  // play / pause, not home
  return osgGA::TrackballManipulator::handleKeyDown(ea, aa);
}

}  // namespace dtwin::viewer
