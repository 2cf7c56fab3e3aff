// A progress bar for long runs, on stderr and only when stderr is a terminal: piped or logged
// output gets nothing extra. It advances within a run, not only when runs finish: each worker
// has a slot where the runner publishes the simulated time its run has reached, and the bar
// counts a run in flight as that fraction of a run (redrawn by its own thread, ~5 times a
// second).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace dtwin {

class Progress {
 public:
  // A run in flight on one worker: `end` its simulated duration (0: idle), `now` how far it is.
  struct Slot {
    std::atomic<double> now{0}, end{0};
  };

  // enabled: usually stderr_is_terminal() && !quiet
  Progress(std::uint64_t total, std::string what, bool enabled);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Before the workers start: one slot per worker. nullptr when the bar is disabled.
  void use_slots(std::size_t workers);
  Slot* slot(std::size_t worker);

  void tick(std::uint64_t n = 1);  // thread-safe: n runs finished
  void finish();                   // clears the bar

  // The bar's text for `done` whole runs and `in_flight` fractions of runs, after `elapsed_s`.
  static std::string line(std::uint64_t done, double in_flight, std::uint64_t total,
                          const std::string& what, double elapsed_s);

 private:
  void draw(bool force);
  double in_flight() const;
  std::uint64_t total_;
  std::string what_;
  bool enabled_;
  bool finished_ = false;
  std::atomic<std::uint64_t> done_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::chrono::steady_clock::time_point start_, last_;
  std::unique_ptr<Slot[]> slots_;
  std::size_t nslots_ = 0;
  std::thread painter_;
};

bool stderr_is_terminal();

}  // namespace dtwin
