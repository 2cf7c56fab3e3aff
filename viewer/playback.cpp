#include "viewer/playback.hpp"

#include <chrono>
#include <cmath>
#include <iterator>

#include "engine/binding.hpp"

namespace dtwin::viewer {

namespace {
constexpr double kFactors[] = {0.1, 0.2, 0.5,  1,    2,    5,     10,    20,    50,    100,
                               200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000};
constexpr std::size_t kFactorCount = std::size(kFactors);
constexpr std::size_t kDefaultFactor = 6;  // 10x: a one-minute cycle takes six seconds
}  // namespace

Playback::Playback(std::vector<std::shared_ptr<const Model>> models, RunContext ctx)
    : world_(std::move(models)), ctx_(ctx), speed_(kDefaultFactor) {
  world_.start(ctx_);
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

void Playback::advance(double wall_s, double budget_s) {
  if (!playing_ || wall_s <= 0) return;
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  const double before = world_.now();
  const double target = before + wall_s * speed();
  const Kernel& queue = world_.kernel();
  bool cut = false;
  for (std::uint64_t k = 1; !queue.empty() && queue.peek() <= target; ++k) {
    world_.step();
    if ((k & 255) == 0 && std::chrono::duration<double>(clock::now() - t0).count() > budget_s) {
      cut = true;  // out of time: show the world where it got to
      break;
    }
  }
  if (!cut) world_.run_until(target);
  const double rate = (world_.now() - before) / wall_s;
  const double alpha = achieved_ > 0 ? 1 - std::exp(-wall_s / 1.0) : 1.0;  // first: as measured
  achieved_ += alpha * (rate - achieved_);
}

bool Playback::step() {
  set_playing(false);
  return world_.step();
}

void Playback::jump_to(double t_s) {
  if (t_s < world_.now()) world_.start(ctx_);
  world_.run_until(t_s);
  achieved_ = 0;
}

void Playback::restart(const std::function<void(World&)>& init) {
  world_.start(ctx_, init);
  set_playing(false);
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
  return b.apply_setpoint(world_, t, p, v, reason);
}

}  // namespace dtwin::viewer
