#include "engine/live/emulator.hpp"

namespace dtwin {

struct LiveEmulator::Asset {
  std::unique_ptr<Link> link;
  std::unique_ptr<AssetAgent> agent;
  bool silent = false;
};

LiveEmulator::LiveEmulator(const CompiledVariant& v, LiveSettings live, std::uint64_t seed,
                           LinkFactory make_link, AssetAgent::Clock clock)
    : v_(v),
      live_(std::move(live)),
      clock_(std::move(clock)),
      world_(v.models),
      noise_rng_(make_stream(seed, 0, "emulator", "noise")) {
  world_.start(RunContext{seed, 0});
  binding_ = Binding::of(world_);
  const std::uint64_t session = static_cast<std::uint64_t>(clock_() * 1000.0);
  for (std::size_t t = 0; t < binding_.twins.size(); ++t) {
    auto a = std::make_unique<Asset>();
    a->link = make_link(binding_.twins[t].id);
    a->agent =
        std::make_unique<AssetAgent>(world_, binding_, t, *a->link, live_.plant, clock_, session);
    for (const auto& z : live_.noise) {
      if (!z.twin.empty() && z.twin != binding_.twins[t].id) continue;
      for (std::size_t p = 0; p < binding_.twins[t].properties.size(); ++p)
        if (binding_.twins[t].properties[p].name == z.prop)
          a->agent->set_noise(p, z.sigma, &noise_rng_);
    }
    a->agent->delay_s = live_.delay_s;
    assets_.push_back(std::move(a));
  }
}

LiveEmulator::~LiveEmulator() = default;

void LiveEmulator::start() {
  wall0_ = clock_();
  sim0_ = world_.now();
  for (auto& a : assets_) a->agent->start();
}

void LiveEmulator::advance() {
  if (paused_) return;
  const double target = sim0_ + (clock_() - wall0_) * live_.speed;
  if (target > world_.now()) world_.run_until(target);
}

void LiveEmulator::pause(bool p) {
  if (p == paused_) return;
  if (!p) {  // resume from where the world stands
    wall0_ = clock_();
    sim0_ = world_.now();
  } else {
    advance();
  }
  paused_ = p;
}

void LiveEmulator::silence(const std::string& twin, bool silent) {
  for (std::size_t t = 0; t < binding_.twins.size(); ++t)
    if (binding_.twins[t].id == twin) assets_[t]->silent = silent;
}

bool LiveEmulator::truth(const std::string& twin, const std::string& prop, Value& out) const {
  const auto [t, p] = binding_.find(twin, prop);
  return t != std::string::npos && p != std::string::npos && binding_.read(world_, t, p, out);
}

std::uint64_t LiveEmulator::setpoints_applied() const {
  std::uint64_t n = 0;
  for (const auto& a : assets_) n += a->agent->setpoints_applied;
  return n;
}

int LiveEmulator::poll(int timeout_ms) {
  int n = 0;
  // the first link waits, the others are drained
  for (std::size_t i = 0; i < assets_.size(); ++i)
    n += assets_[i]->agent->poll(i == 0 ? timeout_ms : 0);
  advance();
  const double now = clock_();
  const bool full = now - last_full_ >= live_.full_every_s;
  if (full || now - last_report_ >= live_.report_every_s) {
    for (auto& a : assets_)
      if (!a->silent)
        a->agent->report(full ? AssetAgent::Report::Refresh : AssetAgent::Report::Changes);
    last_report_ = now;
    if (full) last_full_ = now;
  }
  for (auto& a : assets_)
    if (!a->silent) a->agent->send_due();
  return n;
}

}  // namespace dtwin
