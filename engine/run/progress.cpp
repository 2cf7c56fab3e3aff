#include "engine/run/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace dtwin {

bool stderr_is_terminal() {
  return isatty(STDERR_FILENO) == 1;
}

Progress::Progress(std::uint64_t total, std::string what, bool enabled)
    : total_(total), what_(std::move(what)), enabled_(enabled && total > 0) {
  start_ = last_ = std::chrono::steady_clock::now();
  if (enabled_) draw(0, true);
}

Progress::~Progress() {
  finish();
}

void Progress::tick(std::uint64_t n) {
  const std::uint64_t d = done_.fetch_add(n) + n;
  if (enabled_) draw(d, d == total_);
}

void Progress::draw(std::uint64_t done, bool force) {
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  const double el = std::chrono::duration<double>(now - start_).count();
  const int width = 30;
  const int fill = static_cast<int>(static_cast<double>(width) * static_cast<double>(done) /
                                    static_cast<double>(total_));
  char bar[width + 1];
  for (int i = 0; i < width; ++i) bar[i] = i < fill ? '#' : '.';
  bar[width] = 0;
  double eta = done > 0 ? el * static_cast<double>(total_ - done) / static_cast<double>(done) : 0;
  std::fprintf(stderr, "\r[%s] %llu/%llu %s  %.1fs elapsed, ~%.0fs left ", bar,
               static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
               what_.c_str(), el, eta);
  std::fflush(stderr);
}

void Progress::finish() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!enabled_ || finished_) return;
  finished_ = true;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

}  // namespace dtwin
