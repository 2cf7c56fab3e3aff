// The live plot panel (bottom right, above the scrubber): one time series of the selected twin,
// or of the plant (its top-level twins' KPIs) when nothing is selected. `p` shows it and cycles
// through the series, `P` hides it. The series are the world's time-series columns (what
// `dtwin run` writes to timeseries.csv, their names carrying the unit: "b1.level_parts").
//
// Simulation: the series is sampled from the world as it plays, into a ring of the last
// kRing samples; a jump back drops the samples after the new time. Replay: the series is the
// run's recorded column over the whole run, with a cursor at the current time.
//
// Drawn in the HUD's camera: the panel and its labels as a text batch, the axes, the curve and
// the cursor as one line geometry whose vertex arrays are rewritten in place (the scene graph
// does not grow).
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <osg/Geode>
#include <osg/Geometry>

#include "engine/sim/world.hpp"
#include "viewer/replay.hpp"
#include "viewer/scrubber.hpp"
#include "viewer/text_batch.hpp"

namespace dtwin::viewer {

// "b1.level_parts" -> {"b1 level", "parts"}; "m1.vibration_mm_s" -> {"m1 vibration", "mm/s"};
// "x [kW]" -> {"x", "kW"}; no known unit: "-".
std::pair<std::string, std::string> series_label(const std::string& column);

constexpr Rgba kPlotColor{1.00f, 0.30f, 0.75f, 1};  // the curve: pink, unlike any state colour

class Plot {
 public:
  static constexpr std::size_t kRing = 720;
  static constexpr std::size_t kMaxPoints = 1024;  // vertices of the curve

  Plot();
  Plot(const Plot&) = delete;
  Plot& operator=(const Plot&) = delete;

  osg::Node* node() const { return group_.get(); }
  // the window's size, the HUD's scale, and the strip it sits above
  void resize(int width_px, int height_px, float scale, const PixelRect& below);
  const PixelRect& rect() const { return rect_; }  // the panel
  const PixelRect& area() const { return area_; }  // the plotting area inside it

  // replay: the run's series (nullptr: simulation, sampled as it plays)
  void set_recorded(std::shared_ptr<const TimeSeries> ts, double duration_s);

  bool visible() const { return visible_; }
  // shows the panel, or moves to the next series; `twin`: the selected twin's id ("" for the
  // plant). Returns the series now shown ("" when there is none to show).
  std::string cycle(const World& w, const std::string& twin);
  void hide();
  // has the twin ("" the plant) any series to plot?
  bool has_series(const World& w, const std::string& twin) const {
    return !candidates(w, twin).empty();
  }
  const std::string& column() const { return column_; }
  std::size_t samples() const { return ring_.size(); }

  // a jump back: drops the samples after to_s
  void trim_after(double to_s);
  // samples the world (simulation) and redraws
  void update(const World& w);

 private:
  struct Point {
    double t, v;
  };
  std::vector<std::string> candidates(const World& w, const std::string& twin) const;
  double current(const World& w);  // the column's value now, NaN when not a number
  void draw(const World& w);

  osg::ref_ptr<osg::Group> group_;
  std::unique_ptr<TextBatch> text_;
  osg::ref_ptr<osg::Geode> geode_;
  osg::ref_ptr<osg::Geometry> geom_;
  osg::ref_ptr<osg::Vec3Array> verts_;
  osg::ref_ptr<osg::Vec4Array> colors_;
  osg::ref_ptr<osg::DrawArrays> axes_, curve_;
  int width_ = 1, height_ = 1;
  float scale_ = 1;
  PixelRect rect_, area_;

  std::shared_ptr<const TimeSeries> recorded_;
  double duration_s_ = 0;
  bool visible_ = false;
  std::string column_, twin_;
  int index_ = -1;  // of column_ in the world's columns
  std::deque<Point> ring_;
  std::vector<std::string> names_, cells_;  // scratch
  std::string drawn_;                       // what the labels show: rebuilt on change
};

}  // namespace dtwin::viewer
