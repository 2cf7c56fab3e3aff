// The condition monitors of the live engine (Mirrorable::make_monitor): internal to engine/live
// (engine.cpp makes them, monitors.cpp feeds them).
#pragma once

#include <cstdint>
#include <memory>
#include <tuple>
#include <vector>

#include "engine/live/engine.hpp"
#include "engine/mirror/mirrorable.hpp"

namespace dtwin {

struct LiveEngine::Monitors {
  struct One {
    std::size_t mirror = 0;  // the twin's index in the mirror
    std::unique_ptr<LiveMonitor> mon;
    std::vector<ReportKey> taken;  // per property: the report it took last
  };
  std::vector<One> list;
  std::vector<std::int32_t> of;  // per mirror twin: its index in list, -1 when none
  double t0 = -1;                // source time of the first report taken: plant time 0
};

}  // namespace dtwin
