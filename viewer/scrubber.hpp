// The time scrubber at the bottom of the window: a bar over the run's whole duration, the part
// played filled, the current time as a handle, ticks at round times (1 min, 10 min, 1 h, 6 h,
// 1 d, 7 d, ...) with their labels. A click or a drag on it asks for that time (App jumps
// there); `[` and `]` step 1 % of the run. Drawn in the HUD's camera as one text batch (its
// rectangles and labels), rebuilt only when what it shows changes.
#pragma once

#include <memory>

#include <osg/Node>

#include "viewer/text_batch.hpp"

namespace dtwin::viewer {

struct PixelRect {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // from the bottom-left corner
  bool contains(double x, double y) const { return x >= x0 && x <= x1 && y >= y0 && y <= y1; }
  float width() const { return x1 - x0; }
  float height() const { return y1 - y0; }
};

// The HUD's text scale for a window height (as Hud uses).
inline float hud_scale(int height_px) {
  const float s = static_cast<float>(height_px) / 800.0f;
  return s < 0.6f ? 0.6f : s > 1.6f ? 1.6f : s;
}

// Round tick spacing for a span: about `ticks` of them.
double tick_step(double span_s, int ticks = 8);

class Scrubber {
 public:
  Scrubber();
  Scrubber(const Scrubber&) = delete;
  Scrubber& operator=(const Scrubber&) = delete;

  osg::Node* node() const;
  // the window's size and the HUD's text scale
  void resize(int width_px, int height_px, float scale);

  // the strip (panel) and the track within it that maps time to x
  const PixelRect& strip() const { return strip_; }
  const PixelRect& track() const { return track_; }
  // the time under pixel column x (clamped to the run), and the column of a time
  double time_at(double x_px) const;
  double x_of(double t_s) const;

  void set_duration(double duration_s) { duration_s_ = duration_s; }
  double duration() const { return duration_s_; }
  void update(double now_s);

 private:
  std::unique_ptr<TextBatch> batch_;
  int width_ = 1, height_ = 1;
  float scale_ = 1;
  double duration_s_ = 0;
  PixelRect strip_, track_;
  long long drawn_ = -1;  // the handle's pixel when last drawn
};

}  // namespace dtwin::viewer
