// A progress bar for long runs, on stderr and only when stderr is a terminal: piped or logged
// output gets nothing extra.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace dtwin {

class Progress {
 public:
  // enabled: usually stderr_is_terminal() && !quiet
  Progress(std::uint64_t total, std::string what, bool enabled);
  ~Progress();
  void tick(std::uint64_t n = 1);  // thread-safe
  void finish();                   // clears the bar

 private:
  void draw(std::uint64_t done, bool force);
  std::uint64_t total_;
  std::string what_;
  bool enabled_;
  bool finished_ = false;
  std::atomic<std::uint64_t> done_{0};
  std::mutex mu_;
  std::chrono::steady_clock::time_point start_, last_;
};

bool stderr_is_terminal();

}  // namespace dtwin
