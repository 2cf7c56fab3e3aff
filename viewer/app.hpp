// The viewer of one session: an osgViewer with the scene, the HUD, the controls and a camera,
// in a window (with a trackball) or off-screen (a pbuffer context rendering into a frame-buffer
// object whose pixels are read back every frame; no window is opened). frame() is one turn:
// events, the world advanced, the scene and the HUD updated from it, one picture drawn.
// Either way it needs an X display; without a GPU, Mesa's software rasteriser draws (under
// Xvfb on a headless machine).
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <osg/Image>
#include <osgViewer/Viewer>

#include "viewer/camera.hpp"
#include "viewer/controls.hpp"
#include "viewer/hud.hpp"
#include "viewer/live_source.hpp"
#include "viewer/plot.hpp"
#include "viewer/replay.hpp"
#include "viewer/scene.hpp"
#include "viewer/scrubber.hpp"
#include "viewer/session.hpp"
#include "viewer/whatif_panel.hpp"

namespace dtwin::viewer {

// No OpenGL context: no display, or it refused the context.
class DisplayError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// where the last frame's time went
struct FrameTimes {
  double sim_s = 0;     // advancing the world
  double update_s = 0;  // reading it into the scene and the HUD
  double render_s = 0;  // culling and drawing (the software rasteriser's share)
};

class App final : public Actions {
 public:
  enum class Mode { Window, Offscreen };
  App(Session& s, int width_px, int height_px, Mode mode);
  ~App() override;
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // One frame, wall_s seconds of wall-clock time after the last.
  void frame(double wall_s);
  // Frames until the window closes or q is pressed (at most 60 a second). Returns 0.
  int run();

  const FrameTimes& times() const { return times_; }
  osgViewer::Viewer& viewer() { return *viewer_; }
  const Scene& scene() const { return *scene_; }
  Scene& scene() { return *scene_; }
  int width() const { return width_; }
  int height() const { return height_; }
  osg::Matrixd view() const;
  osg::Matrixd projection() const;
  void set_pose(const CameraPose& p);
  CameraPose pose() const;

  // off-screen: the last frame, RGB, rows from the bottom up (OpenGL's order)
  const osg::Image* image() const { return image_.get(); }
  bool save_png(const std::string& path) const;
  // off-screen: queues a click (press and release) at a pixel from the bottom-left corner,
  // handled by the next frame() as a user's click would be
  void inject_click(double x_px, double y_px);
  // off-screen: a drag along the time bar, press at x0 and release at x1 (pixels), as a user's
  void inject_drag(double x0_px, double x1_px, double y_px);

  // replay: the run's recorded time series (the plot shows it, with a cursor)
  void set_recorded(std::shared_ptr<const TimeSeries> ts);
  const Scrubber& scrubber() const { return *scrubber_; }
  const Plot& plot() const { return *plot_; }

  // Actions
  void toggle_play() override;
  void step_event() override;
  void faster() override;
  void slower() override;
  void toggle_help() override;
  void focus_selected() override;
  void toggle_follow() override;
  bool following() const { return follow_; }
  void home() override;
  void deselect() override;
  void quit() override;
  bool prompt_open() const override { return hud_in_.prompt; }
  void open_prompt() override;
  void prompt_key(int key) override;
  void click(double x, double y) override;
  bool press(double x, double y) override;
  void drag(double x, double y) override;
  void release() override;
  void scrub_step(int direction) override;
  void cycle_plot() override;
  void hide_plot() override;
  void open_edit() override;
  void open_whatif() override;
  void close_panel() override;

  // Live mode: the world shown is the mirror's, from this source (not owned; null: simulation).
  void set_live(LiveSource* src);
  // The scenario the session was made from (a what-if in simulation mode compiles from it; not
  // owned, must outlive the app).
  void set_scenario(const Scenario* sc) { scenario_ = sc; }
  const std::string& message() const { return hud_in_.message; }
  const std::string& last_edit() const { return last_edit_; }  // the last edit's outcome
  WhatIfPanel& whatif() { return whatif_; }
  const HudInput& hud_input() const { return hud_in_; }

 private:
  void note(std::string message);
  enum class PromptKind { Jump, Edit, WhatIf };
  void operator_key(int key);
  void submit_edit(const std::string& text);
  void submit_whatif(const std::string& text);
  void sync_live();
  void follow_step();  // the camera's centre onto the followed twin
  bool follow_ = false;
  CameraPose pose_;  // off-screen: the pose set last (the view matrix loses the centre)
  std::string selected_id() const;
  PromptKind prompt_kind_ = PromptKind::Jump;
  LiveSource* live_ = nullptr;
  const Scenario* scenario_ = nullptr;
  std::uint64_t live_gen_ = 0;
  bool live_lost_ = false;         // the engine stopped answering
  std::uint64_t edit_ticket_ = 0;  // a set request waiting for the engine
  struct Watch {                   // a desired value waiting for the asset
    std::string twin, prop;
    std::uint64_t version = 0;
  };
  std::optional<Watch> watch_;
  std::string last_edit_;
  WhatIfPanel whatif_;

  Session& s_;
  Mode mode_;
  int width_, height_;
  osg::ref_ptr<osgViewer::Viewer> viewer_;
  std::unique_ptr<Scene> scene_;
  std::unique_ptr<Hud> hud_;
  osg::ref_ptr<PlantManipulator> manipulator_;
  osg::ref_ptr<Controls> controls_;
  osg::ref_ptr<osg::Image> image_;
  HudInput hud_in_;
  double message_left_s_ = 0;
  FrameTimes times_;
  std::unique_ptr<Scrubber> scrubber_;
  std::unique_ptr<Plot> plot_;
  bool scrubbing_ = false;
};

}  // namespace dtwin::viewer
