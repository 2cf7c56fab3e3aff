// Keyboard and mouse. The shortcuts (help_text() lists them; the README too) act on the
// viewer through the Actions interface; a click (press and release without dragging) selects
// the twin under the pointer. Orbit, pan and zoom are the camera manipulator's (a trackball
// whose space key is taken over by play/pause).
#pragma once

#include <string>

#include <osgGA/GUIEventHandler>
#include <osgGA/TrackballManipulator>

namespace dtwin::viewer {

class Actions {
 public:
  virtual ~Actions() = default;
  virtual void toggle_play() = 0;
  virtual void step_event() = 0;
  virtual void faster() = 0;
  virtual void slower() = 0;
  virtual void toggle_help() = 0;
  virtual void focus_selected() = 0;
  // F: the camera's centre follows the selected twin (a cell: its tool point) frame by frame
  virtual void toggle_follow() {}
  virtual void home() = 0;
  virtual void deselect() = 0;
  virtual void quit() = 0;
  // the jump-to-time prompt
  virtual bool prompt_open() const = 0;
  virtual void open_prompt() = 0;
  virtual void prompt_key(int key) = 0;  // a character, BackSpace, Return or Escape
  // a click, in normalised coordinates: -1 to 1 across the viewport, y up
  virtual void click(double x, double y) = 0;
  // the scrubber and the plot (normalised coordinates as for click): a press the viewer takes
  // for itself (true: on the scrubber) is followed by drags and a release, and not seen by the
  // camera
  virtual bool press(double x, double y) {
    (void)x, (void)y;
    return false;
  }
  virtual void drag(double x, double y) { (void)x, (void)y; }
  virtual void release() {}
  virtual void scrub_step(int direction) { (void)direction; }  // [ and ]: 1 % of the run
  virtual void cycle_plot() {}                                 // p
  virtual void hide_plot() {}                                  // P
  // the operator: edit a property of the selected twin (e), ask a what-if (w), close the
  // what-if panel (l)
  virtual void open_edit() {}
  virtual void open_whatif() {}
  virtual void close_panel() {}
};

std::string help_text();

class Controls : public osgGA::GUIEventHandler {
 public:
  explicit Controls(Actions& a) : actions_(a) {}
  bool handle(const osgGA::GUIEventAdapter& ea, osgGA::GUIActionAdapter& aa) override;

 private:
  Actions& actions_;
  double press_x_ = 0, press_y_ = 0;
  bool pressed_ = false;
  bool captured_ = false;  // a press the viewer took (the scrubber): drags go to it
};

// The trackball, with the space key left to play/pause.
class PlantManipulator : public osgGA::TrackballManipulator {
 protected:
  bool handleKeyDown(const osgGA::GUIEventAdapter& ea, osgGA::GUIActionAdapter& aa) override;
};

}  // namespace dtwin::viewer
