// The heads-up display, drawn over the scene in pixels: what is shown and how far it has run
// (scenario, variant, seed, sim time, the pace asked for and the pace achieved), the headline
// KPIs, a colour legend, the inspector panel of the selected twin, the keyboard help and the
// jump-to-time prompt. Its orthographic camera is nested in the scene's (drawn last, without
// depth), so an off-screen render captures it too. Two text batches draw it all: proportional
// text and the monospaced panels (the inspector's columns, the help table).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <osg/Camera>

#include "viewer/palette.hpp"
#include "viewer/session.hpp"
#include "viewer/text_batch.hpp"

namespace dtwin::viewer {

struct HudInput {
  bool help = false;
  bool prompt = false;      // the jump-to-time prompt is open
  std::string prompt_text;  // what has been typed into it
  std::string message;      // a short note at the bottom ("jumped to 2:00:00")
  // live mode and the operator's prompts (empty: not shown)
  std::string live;             // the status in live mode: LIVE, plant, engine, poll age ...
  bool stale_legend = false;    // the legend explains the stale shade
  std::string inspector_extra;  // appended to the inspector (live: reported/desired/delta)
  std::string prompt_label;     // another prompt than the jump: "edit m2: " ...
  std::string prompt_hint;      // ... and its second line
  std::string panel;            // the what-if comparison, centred
  std::string follow;           // "following lathe": the camera follows the selection
  std::string alerts;           // live: the active alerts (alerts_text), bottom right
};

// The legend's swatches for what the session draws: the line states and a part; the robot's
// states (a cell); lamps, screen, crop, fruit and pipes (a greenhouse); the stale shade (live).
std::vector<std::pair<Rgba, std::string>> legend(const Session& s, bool stale);
// The headline figures of every drawn line together: "throughput 39.6 parts/h   WIP 18 ...".
std::string kpi_text(const Session& s);
// "gearbox line · baseline · seed 2026", the clock with the pace, the KPIs.
std::string status_text(const Session& s);

class Hud {
 public:
  Hud(int width_px, int height_px);
  Hud(const Hud&) = delete;
  Hud& operator=(const Hud&) = delete;

  osg::Camera* camera() const { return camera_.get(); }
  void resize(int width_px, int height_px);
  void update(const Session& s, const HudInput& in);

 private:
  osg::ref_ptr<osg::Camera> camera_;
  std::unique_ptr<TextBatch> sans_, mono_;
  int width_ = 0, height_ = 0;
  float scale_ = 1;  // text size follows the window height
  std::string key_;  // what was drawn last: rebuilt only on change
};

}  // namespace dtwin::viewer
