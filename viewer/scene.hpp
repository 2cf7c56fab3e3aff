// The plant in 3D. Built once from the layout: a floor with a metre grid, the flow painted on it
// as lanes with arrows, every twin as a few boxes (a machine's body in the colour of its state),
// a label over each twin, and the selection highlight. update() then reads the world: machine
// colours, the parts (drawn where parts.hpp puts them), label texts and the highlight. All boxes
// are instances of one shared cube (instances.hpp): the graph does not grow with the number of
// parts, and the whole plant is a few draw calls plus the labels. Greenhouses and work cells
// (scene_greenhouse.hpp, scene_cell.hpp) add two batches: their changing boxes, and glass.
#pragma once

#include <string>
#include <vector>

#include <memory>

#include <osg/Group>
#include <osg/MatrixTransform>
#include <osg/Matrixd>

#include "viewer/instances.hpp"
#include "viewer/session.hpp"
#include "viewer/text_batch.hpp"

namespace dtwin::viewer {

class Scene {
 public:
  explicit Scene(const Session& s);
  Scene(const Scene&) = delete;
  Scene& operator=(const Scene&) = delete;

  osg::Group* root() const { return root_.get(); }
  // the camera's view and projection: to label the twins in sight and near, and to draw parts
  // only a few pixels tall more simply
  void update(const Session& s, const osg::Matrixd& view, const osg::Matrixd& proj);
  // labels are sized for the window's height
  void set_viewport(int width_px, int height_px);

  // live mode: per layout item, whether its mirror is stale (every box of it drawn in kStale,
  // not the parts it holds); empty: none
  void set_stale(std::vector<bool> by_item) { stale_ = std::move(by_item); }
  // live mode: per layout item, the mirror's word over the world's, which cannot carry a
  // station's working, starved or blocked state: the reported state a station is coloured by
  // (-1: the world's) and its label ("": the world's); empty vectors: none
  void set_live(std::vector<int> status_by_item, std::vector<std::string> label_by_item) {
    live_status_ = std::move(status_by_item);
    live_label_ = std::move(label_by_item);
  }

  // live mode: per layout item, the most severe active alert of its twin (-1 none, 0 info,
  // 1 warning, 2 critical): a beacon over it in that colour and its label tagged; empty: none
  void set_alerts(std::vector<int> level_by_item) { alert_level_ = std::move(level_by_item); }
  std::size_t beacons_drawn() const { return beacons_; }

  std::size_t parts_drawn() const { return parts_.size(); }
  std::size_t boxes_drawn() const {
    return statics_.size() + parts_.size() + models_.size() + glass_.size();
  }
  std::size_t labels_drawn() const { return labels_shown_; }

 private:
  void build_floor(const Layout& L);
  void build_statics(const Session& s);
  void build_highlight();
  std::string label_text(const Session& s, const Item& it) const;

  osg::ref_ptr<osg::Group> root_;
  InstancedBoxes statics_, parts_;
  InstancedBoxes models_, glass_;  // greenhouses' and cells' changing parts; translucent ones
  std::vector<std::vector<int>> bodies_;  // per line, per machine: its body in statics_
  std::unique_ptr<TextBatch> labels_;     // every label in one draw
  double label_range_m_ = 60;             // labels further from the eye are left out
  std::string labels_key_;                // what the labels showed last: rebuilt on change
  std::size_t labels_shown_ = 0;
  int viewport_h_ = 720;
  osg::ref_ptr<osg::MatrixTransform> outline_, halo_;
  std::vector<Box> boxes_, glass_boxes_;   // scratch, reused every frame
  std::vector<bool> stale_;                // live mode, per item
  std::vector<bool> stale_shown_;          // what statics_ shows: restored when it changes
  std::vector<std::size_t> item_statics_;  // per item, its first box in statics_ (then one past)
  std::vector<Rgba> static_colors_;        // statics_' own colours
  std::vector<int> live_status_;
  std::vector<std::string> live_label_;
  std::vector<int> alert_level_;
  std::size_t beacons_ = 0;
};

}  // namespace dtwin::viewer
