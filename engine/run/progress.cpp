#include "engine/run/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace dtwin {

bool stderr_is_terminal() {
  return isatty(STDERR_FILENO) == 1;
}

Progress::Progress(std::uint64_t total, std::string what, bool enabled)
    : total_(total), what_(std::move(what)), enabled_(enabled && total > 0) {
  start_ = last_ = std::chrono::steady_clock::now();
  if (enabled_) draw(true);
}

Progress::~Progress() {
  finish();
}

void Progress::use_slots(std::size_t workers) {
  if (!enabled_ || slots_) return;
  slots_ = std::make_unique<Slot[]>(workers);
  nslots_ = workers;
  painter_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!finished_) {
      cv_.wait_for(lock, std::chrono::milliseconds(200));
      if (finished_) break;
      lock.unlock();
      draw(false);
      lock.lock();
    }
  });
}

Progress::Slot* Progress::slot(std::size_t worker) {
  return slots_ && worker < nslots_ ? &slots_[worker] : nullptr;
}

double Progress::in_flight() const {
  double f = 0;
  for (std::size_t i = 0; i < nslots_; ++i) {
    const double end = slots_[i].end.load(std::memory_order_relaxed);
    if (end > 0) f += std::clamp(slots_[i].now.load(std::memory_order_relaxed) / end, 0.0, 1.0);
  }
  return f;
}

void Progress::tick(std::uint64_t n) {
  const std::uint64_t d = done_.fetch_add(n) + n;
  if (enabled_) draw(d == total_);
}

std::string Progress::line(std::uint64_t done, double in_flight, std::uint64_t total,
                           const std::string& what, double elapsed_s) {
  const double progress =
      std::min(static_cast<double>(total), static_cast<double>(done) + in_flight);
  const double frac = total ? progress / static_cast<double>(total) : 1.0;
  const int width = 30;
  const int fill = std::clamp(static_cast<int>(std::floor(width * frac)), 0, width);
  std::string bar(static_cast<std::size_t>(fill), '#');
  bar.append(static_cast<std::size_t>(width - fill), '.');
  char buf[200];
  if (frac > 0) {
    const double eta = elapsed_s * (1 - frac) / frac;
    std::snprintf(buf, sizeof buf, "[%s] %3.0f%%  %llu/%llu %s done  %.1fs elapsed, ~%.0fs left ",
                  bar.c_str(), std::floor(100 * frac), static_cast<unsigned long long>(done),
                  static_cast<unsigned long long>(total), what.c_str(), elapsed_s, eta);
  } else {
    std::snprintf(buf, sizeof buf, "[%s] %3.0f%%  %llu/%llu %s done  %.1fs elapsed ", bar.c_str(),
                  0.0, static_cast<unsigned long long>(done),
                  static_cast<unsigned long long>(total), what.c_str(), elapsed_s);
  }
  return buf;
}

void Progress::draw(bool force) {
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  const double el = std::chrono::duration<double>(now - start_).count();
  const std::string text = line(done_.load(), in_flight(), total_, what_, el);
  std::fprintf(stderr, "\r%s", text.c_str());
  std::fflush(stderr);
}

void Progress::finish() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!enabled_ || finished_) return;
    finished_ = true;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
  cv_.notify_all();
  if (painter_.joinable()) painter_.join();
}

}  // namespace dtwin
