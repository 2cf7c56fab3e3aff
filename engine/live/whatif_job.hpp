// A what-if the live engine runs on a worker thread (op_whatif.cpp): the question, what the
// mirror held at the fork, and the answer. Internal to engine/live.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "engine/live/engine.hpp"
#include "engine/run/whatif.hpp"

namespace dtwin {

struct LiveEngine::WhatIfJob {
  WhatIf question;  // the variants (baseline first), the fork's observations, the objective
  bool apply = false;
  // the KPIs the table shows first (a twin's by its own name); empty: headline_kpis()
  std::vector<std::string> kpis;
  // the fork: when, and the revisions and desired versions of every twin then (an apply is
  // refused when a property it would set got a new desired value since)
  double forked_at = 0;
  std::vector<std::uint64_t> fork_revision;
  std::vector<std::vector<std::uint64_t>> fork_desired_version;
  Reply reply;
  // written by the thread before `done`
  std::thread thread;
  std::atomic<bool> done{false};
  WhatIfResult result;
  std::string error, code;  // when it failed: what happened, and the answer's code
};

}  // namespace dtwin
