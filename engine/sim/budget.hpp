// What a run may spend: events and wall-clock time, and flags that cancel it (a shutdown, a
// failed sibling run). A world checks its budget every kBudgetCheckEvery events, so a model that
// cannot advance time (a zero-time cycle) or a run that is no longer wanted stops within about a
// millisecond of the limit instead of running forever. Without a budget the check costs one
// comparison per event.
#pragma once

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace dtwin {

struct Budget {
  std::uint64_t max_events = 0;  // per run (one world); 0: no limit
  double max_wall_s = 0;         // for the whole call (every run of a what-if); 0: no limit
  const std::atomic<bool>* cancel = nullptr;  // set by another thread: stop now
};

constexpr std::uint64_t kBudgetCheckEvery = 1024;

class BudgetExceeded : public std::runtime_error {
 public:
  enum class Why { Events, WallTime, Cancelled };
  BudgetExceeded(Why why, const std::string& what) : std::runtime_error(what), why_(why) {}
  Why why() const { return why_; }

 private:
  Why why_;
};

// seconds on the steady clock (deadlines of wall-clock budgets)
double steady_seconds();

}  // namespace dtwin
