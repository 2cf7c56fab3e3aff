#include "viewer/scrubber.hpp"

#include <algorithm>
#include <cmath>

#include "engine/scenario/duration.hpp"
#include "viewer/fonts.hpp"
#include "viewer/palette.hpp"

namespace dtwin::viewer {

namespace {
constexpr Rgba kPanel{0.06f, 0.07f, 0.09f, 0.80f};
constexpr Rgba kTrack{0.30f, 0.32f, 0.36f, 1};
constexpr Rgba kPlayed{0.05f, 0.55f, 0.68f, 1};
constexpr Rgba kTick{0.62f, 0.64f, 0.68f, 1};
constexpr Rgba kLabel{0.80f, 0.82f, 0.85f, 1};
}  // namespace

double tick_step(double span_s, int ticks) {
  static const double steps[] = {1,       2,       5,       10,       15,      30,     60,
                                 120,     300,     600,     900,      1800,    3600,   2 * 3600,
                                 10800,   21600,   43200,   86400,    172800,  432000, 604800,
                                 1209600, 2592000, 7776000, 15552000, 31536000};
  const double want = span_s / std::max(ticks, 1);
  for (double s : steps)
    if (s >= want) return s;
  return steps[std::size(steps) - 1] * std::ceil(want / steps[std::size(steps) - 1]);
}

Scrubber::Scrubber() : batch_(std::make_unique<TextBatch>(ui_font(), 12)) {
  // under the HUD's text (a note at the bottom of the window stays readable over it)
  batch_->node()->getOrCreateStateSet()->setRenderBinDetails(99, "RenderBin");
}

osg::Node* Scrubber::node() const {
  return batch_->node();
}

void Scrubber::resize(int w, int h, float scale) {
  width_ = std::max(w, 1);
  height_ = std::max(h, 1);
  scale_ = scale;
  const int px = static_cast<int>(std::lround(12 * scale));
  if (batch_->pixel_size() != px) {
    osg::ref_ptr<osg::Node> old = batch_->node();
    batch_ = std::make_unique<TextBatch>(ui_font(), px);
    batch_->node()->getOrCreateStateSet()->setRenderBinDetails(99, "RenderBin");
    for (unsigned i = 0; i < old->getNumParents(); ++i)
      old->getParent(i)->replaceChild(old.get(), batch_->node());
  }
  batch_->set_viewport(width_, height_);
  const float m = 12;
  const float W = static_cast<float>(width_);
  // right of the legend (bottom left), to the right edge
  strip_ = {m + std::round(150 * scale), m, W - m, m + std::round(38 * scale)};
  if (strip_.x1 - strip_.x0 < 60) strip_.x0 = std::max(0.0f, strip_.x1 - 60);
  const float pad = std::round(10 * scale);
  const float ty = strip_.y1 - std::round(12 * scale);
  track_ = {strip_.x0 + pad, ty - std::round(3 * scale), strip_.x1 - pad,
            ty + std::round(3 * scale)};
  drawn_ = -1;
}

double Scrubber::time_at(double x) const {
  if (duration_s_ <= 0 || track_.width() <= 0) return 0;
  const double f = std::clamp((x - track_.x0) / track_.width(), 0.0, 1.0);
  return f * duration_s_;
}

double Scrubber::x_of(double t) const {
  if (duration_s_ <= 0) return track_.x0;
  return track_.x0 + std::clamp(t / duration_s_, 0.0, 1.0) * track_.width();
}

void Scrubber::update(double now) {
  const long long at = std::lround(x_of(now));
  if (at == drawn_) return;
  drawn_ = at;
  auto o = [](float x, float y) { return osg::Vec3(x, y, 0); };
  TextBatch& b = *batch_;
  b.clear();
  b.rect(o(0, 0), strip_.x0, strip_.y0, strip_.x1, strip_.y1, kPanel);
  b.rect(o(0, 0), track_.x0, track_.y0, track_.x1, track_.y1, kTrack);
  const float hx = static_cast<float>(at);
  b.rect(o(0, 0), track_.x0, track_.y0, hx, track_.y1, kPlayed);
  if (duration_s_ > 0) {
    const double step = tick_step(duration_s_, std::max(2, static_cast<int>(track_.width() / 90)));
    const float ty0 = track_.y0 - std::round(5 * scale_);
    for (double t = 0; t <= duration_s_ + 1e-9; t += step) {
      const float x = std::round(static_cast<float>(x_of(t)));
      b.rect(o(0, 0), x, ty0, x + 1, track_.y0, kTick);
      // the last label ends at the bar's end
      const bool last = t + step > duration_s_ + 1e-9;
      b.text(o(x, ty0 - 1), format_duration(t), kLabel,
             last && x_of(duration_s_) - x < 30 ? Align::RightTop : Align::CenterTop);
    }
  }
  const float hw = std::round(4 * scale_), hh = std::round(8 * scale_);
  const float cy = (track_.y0 + track_.y1) / 2;
  b.rect(o(0, 0), hx - hw, cy - hh, hx + hw, cy + hh, kHighlight);
  b.commit();
}

}  // namespace dtwin::viewer
