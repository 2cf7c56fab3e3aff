#include "viewer/plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <unordered_set>

#include <osg/LineWidth>

#include "engine/base/format.hpp"
#include "engine/scenario/duration.hpp"
#include "viewer/fonts.hpp"
#include "viewer/palette.hpp"

namespace dtwin::viewer {

namespace {

constexpr Rgba kPanel{0.06f, 0.07f, 0.09f, 0.85f};
constexpr Rgba kText{0.93f, 0.94f, 0.96f, 1};
constexpr Rgba kDim{0.65f, 0.67f, 0.71f, 1};
constexpr Rgba kAxis{0.45f, 0.47f, 0.52f, 1};
constexpr std::size_t kAxisVerts = 8;  // two axes, the cursor, one spare line

const double kNaN = std::numeric_limits<double>::quiet_NaN();

bool number(const std::string& cell, double* out) {
  if (cell.empty()) return false;
  char* end = nullptr;
  const double v = std::strtod(cell.c_str(), &end);
  if (end != cell.c_str() + cell.size()) return false;
  *out = v;
  return true;
}

std::string value_text(double v) {
  if (!std::isfinite(v)) return "-";
  const double a = std::abs(v);
  if (a != 0 && (a >= 1e6 || a < 1e-3)) return fmt_num(v, 3);
  return fmt_fixed(v, a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3);
}

void set_batch_bin(TextBatch& b, int bin) {
  b.node()->getOrCreateStateSet()->setRenderBinDetails(bin, "RenderBin");
}

}  // namespace

std::pair<std::string, std::string> series_label(const std::string& column) {
  std::string name = column, unit = "-";
  const auto lb = column.rfind(" [");
  if (lb != std::string::npos && column.back() == ']') {
    name = column.substr(0, lb);
    unit = column.substr(lb + 2, column.size() - lb - 3);
  } else {
    static const std::pair<const char*, const char*> units[] = {{"_kg_m2_s", "kg/m\xc2\xb2/s"},
                                                                {"_parts_h", "parts/h"},
                                                                {"_kg_m3", "kg/m\xc2\xb3"},
                                                                {"_kg_m2", "kg/m\xc2\xb2"},
                                                                {"_mj_m2", "MJ/m\xc2\xb2"},
                                                                {"_parts", "parts"},
                                                                {"_mm_s", "mm/s"},
                                                                {"_w_m2", "W/m\xc2\xb2"},
                                                                {"_l_m2", "l/m\xc2\xb2"},
                                                                {"_kwh", "kWh"},
                                                                {"_m_s", "m/s"},
                                                                {"_ppm", "ppm"},
                                                                {"_pct", "%"},
                                                                {"_deg", "deg"},
                                                                {"_rad", "rad"},
                                                                {"_kw", "kW"},
                                                                {"_kg", "kg"},
                                                                {"_c",
                                                                 "\xc2\xb0"
                                                                 "C"},
                                                                {"_h", "h"},
                                                                {"_s", "s"},
                                                                {"_m", "m"}};
    for (const auto& [suffix, u] : units) {
      const std::size_t n = std::char_traits<char>::length(suffix);
      if (column.size() > n && column.compare(column.size() - n, n, suffix) == 0) {
        name = column.substr(0, column.size() - n);
        unit = u;
        break;
      }
    }
  }
  std::replace(name.begin(), name.end(), '.', ' ');
  std::replace(name.begin(), name.end(), '_', ' ');
  return {name, unit};
}

Plot::Plot()
    : group_(new osg::Group),
      text_(std::make_unique<TextBatch>(ui_font(), 12)),
      geode_(new osg::Geode),
      geom_(new osg::Geometry),
      verts_(new osg::Vec3Array(kAxisVerts + kMaxPoints)),
      colors_(new osg::Vec4Array(kAxisVerts + kMaxPoints)),
      axes_(new osg::DrawArrays(GL_LINES, 0, 0)),
      curve_(new osg::DrawArrays(GL_LINE_STRIP, static_cast<GLint>(kAxisVerts), 0)) {
  set_batch_bin(*text_, 98);  // the panel, then its lines over it
  geom_->setUseDisplayList(false);
  geom_->setUseVertexBufferObjects(true);
  geom_->setDataVariance(osg::Object::DYNAMIC);
  geom_->setVertexArray(verts_.get());
  geom_->setColorArray(colors_.get(), osg::Array::BIND_PER_VERTEX);
  geom_->addPrimitiveSet(axes_.get());
  geom_->addPrimitiveSet(curve_.get());
  geom_->setCullingActive(false);
  geode_->addDrawable(geom_.get());
  osg::StateSet* ss = geode_->getOrCreateStateSet();
  ss->setAttributeAndModes(new osg::LineWidth(2));
  ss->setRenderBinDetails(99, "RenderBin");
  for (auto& c : *colors_) c = osg::Vec4(kPlotColor.r, kPlotColor.g, kPlotColor.b, 1);
  for (std::size_t i = 0; i < 4; ++i) (*colors_)[i] = osg::Vec4(kAxis.r, kAxis.g, kAxis.b, 1);
  for (std::size_t i = 4; i < kAxisVerts; ++i)
    (*colors_)[i] = osg::Vec4(kHighlight.r, kHighlight.g, kHighlight.b, 1);
  group_->addChild(text_->node());
  group_->addChild(geode_.get());
  group_->setNodeMask(0);
}

void Plot::resize(int w, int h, float scale, const PixelRect& below) {
  width_ = std::max(w, 1);
  height_ = std::max(h, 1);
  scale_ = scale;
  const int px = static_cast<int>(std::lround(12 * scale));
  if (text_->pixel_size() != px) {
    group_->removeChild(text_->node());
    text_ = std::make_unique<TextBatch>(ui_font(), px);
    set_batch_bin(*text_, 98);
    group_->insertChild(0, text_->node());
  }
  text_->set_viewport(width_, height_);
  const float W = static_cast<float>(width_), m = 12;
  const float pw = std::min(360.0f, W - 2 * m), ph = 140;
  rect_ = {W - m - pw, below.y1 + 8, W - m, below.y1 + 8 + ph};
  const float lh = static_cast<float>(text_->line_height());
  area_ = {rect_.x0 + 10, rect_.y0 + lh + 6, rect_.x1 - 10, rect_.y1 - lh - 8};
  drawn_.clear();
}

void Plot::set_recorded(std::shared_ptr<const TimeSeries> ts, double duration_s) {
  recorded_ = std::move(ts);
  duration_s_ = duration_s;
  ring_.clear();
  drawn_.clear();
}

std::vector<std::string> Plot::candidates(const World& w, const std::string& twin) const {
  std::vector<std::string> names, cells, out;
  w.columns(names);
  w.sample(cells);
  std::unordered_set<std::string> top;
  for (const auto& t : w.twins())
    if (t.parent.empty()) top.insert(t.id);
  for (std::size_t i = 0; i < names.size() && i < cells.size(); ++i) {
    const std::string& n = names[i];
    double v = 0;
    bool numeric = number(cells[i], &v);
    if (recorded_) {
      const int rc = recorded_->find(n);
      numeric = rc >= 0 && recorded_->numeric[static_cast<std::size_t>(rc)];
    }
    if (!numeric) continue;
    const bool ok = twin.empty() ? top.count(n.substr(0, n.find('.'))) > 0
                                 : n.compare(0, twin.size() + 1, twin + ".") == 0;
    if (ok) out.push_back(n);
  }
  return out;
}

std::string Plot::cycle(const World& w, const std::string& twin) {
  std::vector<std::string> c = candidates(w, twin);
  std::string chosen;
  if (c.empty()) {
    chosen.clear();
  } else if (!visible_ || twin != twin_) {
    chosen = std::find(c.begin(), c.end(), column_) != c.end() ? column_ : c.front();
  } else {
    auto it = std::find(c.begin(), c.end(), column_);
    chosen = it == c.end() || std::next(it) == c.end() ? c.front() : *std::next(it);
  }
  twin_ = twin;
  if (chosen.empty()) return chosen;
  if (chosen != column_) ring_.clear();
  column_ = chosen;
  names_.clear();
  w.columns(names_);
  index_ = static_cast<int>(std::find(names_.begin(), names_.end(), column_) - names_.begin());
  visible_ = true;
  group_->setNodeMask(~0u);
  drawn_.clear();
  update(w);
  return chosen;
}

void Plot::hide() {
  visible_ = false;
  group_->setNodeMask(0);
}

void Plot::trim_after(double to_s) {
  while (!ring_.empty() && ring_.back().t > to_s) ring_.pop_back();
}

double Plot::current(const World& w) {
  if (index_ < 0) return kNaN;
  cells_.clear();
  w.sample(cells_);
  double v = kNaN;
  if (static_cast<std::size_t>(index_) < cells_.size())
    number(cells_[static_cast<std::size_t>(index_)], &v);
  return v;
}

void Plot::update(const World& w) {
  if (!visible_) return;
  const double v = current(w), t = w.now();
  if (!recorded_) {
    if (!ring_.empty() && ring_.back().t > t) trim_after(t);
    if (!ring_.empty() && ring_.back().t == t)
      ring_.back().v = v;
    else
      ring_.push_back({t, v});
    while (ring_.size() > kRing) ring_.pop_front();
  }
  draw(w);
  (void)v;
}

void Plot::draw(const World& w) {
  // the points to draw, in time order
  std::vector<Point> pts;
  double t0 = 0, t1 = 1;
  if (recorded_) {
    const int rc = recorded_->find(column_);
    if (rc >= 0) {
      const auto& ts = recorded_->time_s;
      const auto& vs = recorded_->values[static_cast<std::size_t>(rc)];
      pts.reserve(ts.size());
      for (std::size_t i = 0; i < ts.size(); ++i) pts.push_back({ts[i], vs[i]});
    }
    t1 = duration_s_ > 0 ? duration_s_ : (pts.empty() ? 1 : pts.back().t);
  } else {
    pts.assign(ring_.begin(), ring_.end());
    if (!pts.empty()) {
      t0 = pts.front().t;
      t1 = std::max(pts.back().t, t0 + 1e-9);
    }
  }
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& p : pts)
    if (std::isfinite(p.v)) lo = std::min(lo, p.v), hi = std::max(hi, p.v);
  if (!(lo <= hi)) lo = 0, hi = 1;
  const double ylo = lo == hi ? lo - 0.5 : lo, yhi = lo == hi ? hi + 0.5 : hi;

  const PixelRect& a = area_;
  auto X = [&](double t) { return static_cast<float>(a.x0 + (t - t0) / (t1 - t0) * a.width()); };
  auto Y = [&](double v) {
    return static_cast<float>(a.y0 + (v - ylo) / (yhi - ylo) * a.height());
  };
  // axes
  (*verts_)[0] = {a.x0, a.y0, 0};
  (*verts_)[1] = {a.x1, a.y0, 0};
  (*verts_)[2] = {a.x0, a.y0, 0};
  (*verts_)[3] = {a.x0, a.y1, 0};
  GLsizei axes = 4;
  if (recorded_) {  // the cursor at the current time
    const float cx = std::round(X(std::clamp(w.now(), t0, t1))) + 0.5f;
    (*verts_)[4] = {cx, a.y0, 0};
    (*verts_)[5] = {cx, a.y1, 0};
    axes = 6;
  }
  axes_->setCount(axes);
  // the curve: all the points, or per pixel column its first, lowest, highest and last
  std::size_t n = 0;
  auto put = [&](const Point& p) {
    if (n < kMaxPoints && std::isfinite(p.v)) (*verts_)[kAxisVerts + n++] = {X(p.t), Y(p.v), 0};
  };
  if (pts.size() <= kMaxPoints) {
    for (const auto& p : pts) put(p);
  } else {
    const std::size_t cols = kMaxPoints / 4;
    std::size_t i = 0;
    for (std::size_t c = 0; c < cols && i < pts.size(); ++c) {
      const double tend = t0 + (t1 - t0) * static_cast<double>(c + 1) / static_cast<double>(cols);
      const std::size_t first = i;
      std::size_t lo_i = i, hi_i = i;
      while (i < pts.size() && (pts[i].t <= tend || c + 1 == cols)) {
        if (pts[i].v < pts[lo_i].v) lo_i = i;
        if (pts[i].v > pts[hi_i].v) hi_i = i;
        ++i;
      }
      if (i == first) continue;
      put(pts[first]);
      put(pts[std::min(lo_i, hi_i)]);
      put(pts[std::max(lo_i, hi_i)]);
      put(pts[i - 1]);
    }
  }
  curve_->setCount(static_cast<GLsizei>(n));
  verts_->dirty();
  geom_->dirtyBound();

  // the labels: rebuilt when they change
  const auto [name, unit] = series_label(column_);
  const double now_v = recorded_ ? current(w) : (ring_.empty() ? kNaN : ring_.back().v);
  const std::string title = name + " [" + unit + "]";
  const std::string value = "now " + value_text(now_v);
  const std::string key = title + '\x1f' + value + '\x1f' + value_text(lo) + '\x1f' +
                          value_text(hi) + '\x1f' + format_duration(t0) + '\x1f' +
                          format_duration(t1);
  if (key == drawn_) return;
  drawn_ = key;
  auto o = [](float x, float y) { return osg::Vec3(x, y, 0); };
  TextBatch& b = *text_;
  b.clear();
  b.rect(o(0, 0), rect_.x0, rect_.y0, rect_.x1, rect_.y1, kPanel);
  b.text(o(rect_.x0 + 8, rect_.y1 - 4), title, kText, Align::LeftTop);
  b.text(o(rect_.x1 - 8, rect_.y1 - 4), value, kPlotColor, Align::RightTop);
  // under the axis: the time span, and the range of the values shown
  if (std::isfinite(lo))
    b.text(o((a.x0 + a.x1) / 2, a.y0 - 3), "min " + value_text(lo) + "   max " + value_text(hi),
           kDim, Align::CenterTop);
  b.text(o(a.x0, a.y0 - 3), format_duration(t0), kDim, Align::LeftTop);
  b.text(o(a.x1, a.y0 - 3), format_duration(t1), kDim, Align::RightTop);
  b.commit();
}

}  // namespace dtwin::viewer
