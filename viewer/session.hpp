// What the viewer shows: one variant of a scenario, its world (owned by the playback), the
// production lines in it, where their twins stand (the layout) and which twin is selected.
// The viewer reads the lines' specs and states; it never writes them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/scenario.hpp"
#include "twins/line/model.hpp"
#include "viewer/layout.hpp"
#include "viewer/playback.hpp"

namespace dtwin::viewer {

struct LineView {
  std::uint32_t model = 0;  // index in the world
  const line::LineModel* line = nullptr;
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
  std::vector<std::string> undrawn_;
  Layout layout_;
  int selected_ = -1;
};

}  // namespace dtwin::viewer
