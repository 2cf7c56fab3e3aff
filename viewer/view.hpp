// `dtwin view FILE`: the plant of a scenario in 3D, running. Opens a window, or with
// --screenshot runs the world to --at, renders one frame off-screen, writes it as PNG and exits.
// The viewer owns its world and only advances it; it reads the twins' states and never writes
// them.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "engine/transport/link.hpp"

namespace dtwin::viewer {

struct ViewOptions {
  std::string file;
  std::string variant = "baseline";
  long long seed = -1;     // -1: the scenario's
  std::string at;          // sim time to start from or to take the screenshot at ("2h")
  std::string screenshot;  // a .png path: render one frame off-screen, write it, exit
  std::string size = "1280x720";
  std::string select;  // a twin to select first
  double speed = 0;    // the real-time factor to start with; 0: the kind's default (Session)
  bool paused = false;
  std::string replay;          // the output directory of dtwin run: replay its first replication
  bool variant_given = false;  // --variant was given (a replay's default is the run's first)
  bool plot = false;           // show the plot panel (the selection's first series, or the plant's)
  // live mode (`--mqtt URL`): the viewer is an operator client of a running `dtwin serve`;
  // this makes its connections (two: snapshots, requests). Empty: simulation.
  std::function<std::unique_ptr<Link>()> live_link;
  std::string plant;  // empty: the scenario's live.plant
};

// Exit status: 0 success; 1 no display or OpenGL context. Bad input throws UsageError or
// ScenarioError (exit status 2 in the CLI).
int run_view(const ViewOptions& o);

// "1280x720" -> {1280, 720}; UsageError for anything else or sizes outside 16..8192.
std::pair<int, int> parse_size(const std::string& text);

}  // namespace dtwin::viewer
