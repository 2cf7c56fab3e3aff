// What the viewer shows: one variant of a scenario, its world (owned by the playback), the
// production lines, greenhouses and work cells in it, where their twins stand (the layout) and
// which twin is selected. The viewer reads the models' specs and states; it never writes them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/scenario/scenario.hpp"
#include "twins/greenhouse/step_twin.hpp"
#include "twins/line/model.hpp"
#include "twins/machine/model.hpp"
#include "viewer/layout.hpp"
#include "viewer/playback.hpp"
#include "viewer/scene_cell.hpp"
#include "viewer/scene_greenhouse.hpp"

namespace dtwin::viewer {

struct LineView {
  std::uint32_t model = 0;  // index in the world
  const line::LineModel* line = nullptr;
};

// a greenhouse twin (any of the greenhouse kinds) and where it is drawn
struct GreenhouseView {
  std::uint32_t model = 0;
  const greenhouse::StepTwin* twin = nullptr;
  int item = -1;  // in the layout
  GreenhouseGeom geom;
};

// a work cell and where it is drawn
struct CellView {
  std::uint32_t model = 0;
  const machine::CellModel* cell = nullptr;
  int item = -1;
  int station = -1;  // the line station that takes its process time from the cell, -1 none
  CellGeom geom;
};

class Session {
 public:
  struct Options {
    std::string variant = "baseline";
    long long seed = -1;  // -1: the scenario's
  };
  // Compiles the variant (ScenarioError or UsageError on bad input) and starts its world.
  Session(const Scenario& sc, const Options& o);

  const std::string& scenario_name() const { return name_; }
  const std::string& variant() const { return variant_; }
  std::uint64_t seed() const { return seed_; }
  double duration_s() const { return duration_s_; }

  Playback& playback() { return playback_; }
  const Playback& playback() const { return playback_; }
  const World& world() const { return playback_.world(); }

  const std::vector<LineView>& lines() const { return lines_; }
  const line::LineSpec& spec(std::uint32_t line) const { return lines_[line].line->spec(); }
  const line::LineState& state(std::uint32_t line) const {
    return world().state<line::LineState>(lines_[line].model);
  }
  const std::vector<GreenhouseView>& greenhouses() const { return greenhouses_; }
  // the greenhouse's figures now (read once per world time and event count)
  const GreenhouseNow& greenhouse_now(std::size_t i) const;
  // Live mode: what each twin's asset reported (twin id -> the mirror's "reported"), shown
  // over the fresh world's figures of a greenhouse (overlay_reported)
  void set_live_reported(std::map<std::string, nlohmann::json> reported);
  const std::vector<CellView>& cells() const { return cells_; }
  const machine::CellState& cell_state(std::size_t i) const {
    return world().state<machine::CellState>(cells_[i].model);
  }
  // the real-time factor to start with: 20000x for greenhouses alone (a day in about 4 s: the
  // lamps' and screens' daily rhythm shows, and a month of growth takes two minutes), 1x when a
  // work cell is shown (its arm moves at its own pace), 10x otherwise (lines)
  double default_speed() const;

  const Layout& layout() const { return layout_; }
  // kinds of the models the viewer does not draw (yet)
  const std::vector<std::string>& undrawn() const { return undrawn_; }

  int selected() const { return selected_; }  // an item of the layout, -1 for none
  void select(int item) { selected_ = item; }
  // the item with this twin id; UsageError naming the ids (and the likely one) otherwise
  int find(const std::string& id) const;

 private:
  Session(const Scenario& sc, CompiledVariant v);

  std::string name_, variant_;
  std::uint64_t seed_ = 0;
  double duration_s_ = 0;
  Playback playback_;
  std::vector<LineView> lines_;
  std::vector<GreenhouseView> greenhouses_;
  std::vector<CellView> cells_;
  mutable std::vector<GreenhouseNow> gh_now_;
  std::map<std::string, nlohmann::json> live_reported_;
  std::uint64_t live_reported_gen_ = 0;  // bumped by set_live_reported
  std::vector<std::string> undrawn_;
  Layout layout_;
  int selected_ = -1;
};

}  // namespace dtwin::viewer
