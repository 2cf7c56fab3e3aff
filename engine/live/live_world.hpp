// The world of the models that derive properties live (Mirrorable::live_world): internal to
// engine/live (engine.cpp builds it, live_world.cpp feeds it).
#pragma once

#include <cstdint>
#include <memory>
#include <tuple>
#include <vector>

#include "engine/live/engine.hpp"
#include "engine/mirror/binding.hpp"
#include "engine/sim/world.hpp"

namespace dtwin {

struct LiveEngine::LiveWorld {
  std::unique_ptr<World> world;
  Binding binding;
  struct Twin {
    std::size_t mirror = 0, bind = 0;
    // per property: the (session, seq, source time) of the report the world took last
    std::vector<ReportKey> taken;
  };
  std::vector<Twin> twins;
  double t0 = -1;  // source time of the first report: world time 0
};

}  // namespace dtwin
