#include "viewer/playback.hpp"

#include <chrono>
#include <cmath>
#include <iterator>

#include "engine/mirror/binding.hpp"

namespace dtwin::viewer {

namespace {
constexpr double kFactors[] = {0.1, 0.2, 0.5,  1,    2,    5,     10,    20,    50,    100,
                               200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000};
constexpr std::size_t kFactorCount = std::size(kFactors);
constexpr std::size_t kDefaultFactor = 6;  // 10x: a one-minute cycle takes six seconds

using Clock = std::chrono::steady_clock;

// Handles the events up to t (not setting the clock to t). With a deadline, gives up when past
// it (looked at every 256 events) and returns false.
bool handle_until(World& w, double t, const Clock::time_point* deadline) {
  const Kernel& queue = w.kernel();
  for (std::uint64_t k = 1; !queue.empty() && queue.peek() <= t; ++k) {
    w.step();
    if (deadline && (k & 255) == 0 && Clock::now() > *deadline) return false;
  }
  return true;
}
}  // namespace

Playback::Playback(std::vector<std::shared_ptr<const Model>> models, RunContext ctx,
                   double warmup_s, double duration_s)
    : world_(std::move(models)), ctx_(ctx), warmup_s_(warmup_s), speed_(kDefaultFactor) {
  if (duration_s > 0 && std::isfinite(duration_s)) base_s_ = duration_s / 160;
  restart();
}

void Playback::restart() {
  world_.start(ctx_);
  warmed_ = !(warmup_s_ > 0);
  if (keys_.empty()) keys_[0] = Key{world_.snapshot(), warmed_};
}

void Playback::set_playing(bool on) {
  playing_ = on;
  if (!on) achieved_ = 0;
}

double Playback::speed() const {
  return kFactors[speed_];
}

void Playback::faster() {
  if (speed_ + 1 < kFactorCount) ++speed_;
}

void Playback::slower() {
  if (speed_ > 0) --speed_;
}

void Playback::set_speed(double factor) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < kFactorCount; ++i)
    if (std::abs(std::log(kFactors[i] / factor)) < std::abs(std::log(kFactors[best] / factor)))
      best = i;
  speed_ = best;
}

bool Playback::run_segment(double t, double budget_s) {
  Clock::time_point deadline;
  const Clock::time_point* dl = nullptr;
  if (budget_s > 0) {
    deadline = Clock::now() +
               std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(budget_s));
    dl = &deadline;
  }
  if (!warmed_ && t >= warmup_s_) {
    // as dtwin run does: the events up to the warm-up's end, then the statistics restart
    if (!handle_until(world_, warmup_s_, dl)) return false;
    world_.run_until(warmup_s_);
    world_.reset_stats();
    warmed_ = true;
  }
  if (!handle_until(world_, t, dl)) return false;
  world_.run_until(t);
  return true;
}

bool Playback::run_to(double t, double budget_s) {
  const auto t0 = Clock::now();
  for (;;) {
    const double left =
        budget_s > 0 ? budget_s - std::chrono::duration<double>(Clock::now() - t0).count() : 0;
    if (budget_s > 0 && left <= 0) return false;
    // the next keyframe's index: the first multiple of the stride after now
    const double span = base_s_ * static_cast<double>(stride_);
    std::uint64_t n = (static_cast<std::uint64_t>(std::floor(world_.now() / span)) + 1) * stride_;
    while (static_cast<double>(n) * base_s_ <= world_.now()) n += stride_;
    const double tk = static_cast<double>(n) * base_s_;
    if (tk > t) return run_segment(t, left);
    if (!run_segment(tk, left)) return false;
    if (!keys_.count(n)) {
      keys_[n] = Key{world_.snapshot(), warmed_};
      if (keys_.size() > max_keys_) {  // thin: every other one goes
        stride_ *= 2;
        for (auto it = keys_.begin(); it != keys_.end();)
          it = it->first % stride_ ? keys_.erase(it) : std::next(it);
      }
    }
  }
}

void Playback::advance(double wall_s, double budget_s) {
  if (!playing_ || wall_s <= 0) return;
  const double before = world_.now();
  run_to(before + wall_s * speed(), budget_s);  // out of time: show the world where it got to
  const double rate = (world_.now() - before) / wall_s;
  const double alpha = achieved_ > 0 ? 1 - std::exp(-wall_s / 1.0) : 1.0;  // first: as measured
  achieved_ += alpha * (rate - achieved_);
}

bool Playback::step() {
  set_playing(false);
  const Kernel& queue = world_.kernel();
  if (!warmed_ && !queue.empty() && queue.peek() > warmup_s_) run_segment(warmup_s_, 0);
  return world_.step();
}

void Playback::jump_to(double t_s) {
  const double from = world_.now();
  if (t_s < 0) t_s = 0;
  // the last keyframe at or before t_s
  auto it = keys_.upper_bound(static_cast<std::uint64_t>(std::floor(t_s / base_s_)) + 1);
  while (it != keys_.begin() && static_cast<double>(std::prev(it)->first) * base_s_ > t_s) --it;
  if (it != keys_.begin()) {
    const auto& [index, key] = *std::prev(it);
    const double tk = static_cast<double>(index) * base_s_;
    if (t_s < from || tk > from) {
      world_.restore(key.snap);
      warmed_ = key.warmed;
      ++restores_;
    }
  } else if (t_s < from) {
    restart();
  }
  run_to(t_s, 0);
  achieved_ = 0;
  if (on_jump_ && t_s < from) on_jump_(from, t_s);
}

void Playback::restart(const std::function<void(World&)>& init) {
  world_.start(ctx_, init);
  ++rebuilds_;
  set_playing(false);
  keys_.clear();  // the keyframes were of the simulated world, not of this one
  warmed_ = true;
}

bool Playback::apply_setpoint(const std::string& twin, const std::string& prop, const Value& v,
                              std::string* reason) {
  const Binding b = Binding::of(world_);
  const auto [t, p] = b.find(twin, prop);
  if (t == std::string::npos) {
    if (reason) *reason = "no twin \"" + twin + "\" with properties";
    return false;
  }
  if (p == std::string::npos) {
    if (reason) *reason = "twin \"" + twin + "\" has no property \"" + prop + "\"";
    return false;
  }
  if (!b.twins[t].properties[p].writable) {
    if (reason) *reason = twin + "." + prop + " is not writable";
    return false;
  }
  if (!b.apply_setpoint(world_, t, p, v, reason)) return false;
  // keyframes ahead of now (left by a jump back) hold a future without this edit
  keys_.erase(keys_.upper_bound(static_cast<std::uint64_t>(std::floor(world_.now() / base_s_))),
              keys_.end());
  return true;
}

}  // namespace dtwin::viewer
