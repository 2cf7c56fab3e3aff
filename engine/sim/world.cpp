#include "engine/sim/world.hpp"

#include <algorithm>

#include <chrono>
#include <stdexcept>
#include <string>

namespace dtwin {

Snapshot::Snapshot(const Snapshot& o) : now(o.now), handled(o.handled), kernel(o.kernel) {
  states.reserve(o.states.size());
  for (const auto& s : o.states) states.push_back(s ? s->clone() : nullptr);
}

Snapshot& Snapshot::operator=(const Snapshot& o) {
  if (this != &o) {
    Snapshot copy(o);
    *this = std::move(copy);
  }
  return *this;
}

World::World(std::vector<std::shared_ptr<const Model>> models) : models_(std::move(models)) {
  for (const auto& m : models_) {
    if (!m) throw std::invalid_argument("World: null model");
    dispatch_.push_back(m.get());
    m->twins(twins_);
  }
  states_.resize(models_.size());
}

World::World(const World& o)
    : models_(o.models_),
      dispatch_(o.dispatch_),
      twins_(o.twins_),
      kernel_(o.kernel_),
      now_(o.now_),
      handled_(o.handled_) {
  states_.reserve(o.states_.size());
  for (const auto& s : o.states_) states_.push_back(s ? s->clone() : nullptr);
}

void World::start(const RunContext& ctx) {
  start(ctx, nullptr);
}

void World::start(const RunContext& ctx, const std::function<void(World&)>& init) {
  kernel_.clear();
  now_ = 0;
  handled_ = 0;
  for (std::size_t i = 0; i < models_.size(); ++i) states_[i] = models_[i]->make_state(ctx);
  if (init) init(*this);
  for (std::size_t i = 0; i < models_.size(); ++i)
    models_[i]->start(*this, static_cast<std::uint32_t>(i));
}

double steady_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

void World::set_budget(std::uint64_t max_events, double deadline, const std::atomic<bool>* cancel,
                       const std::atomic<bool>* cancel2) {
  event_limit_ =
      max_events == 0 || handled_ > UINT64_MAX - max_events ? UINT64_MAX : handled_ + max_events;
  deadline_ = deadline;
  cancel_[0] = cancel;
  cancel_[1] = cancel2;
  const bool any = event_limit_ != UINT64_MAX || deadline_ > 0 || cancel || cancel2;
  next_check_ = any ? handled_ : UINT64_MAX;
}

void World::check_budget() {
  using Why = BudgetExceeded::Why;
  for (const auto* c : cancel_)
    if (c && c->load(std::memory_order_relaxed))
      throw BudgetExceeded(Why::Cancelled, "the run was cancelled");
  if (handled_ >= event_limit_)
    throw BudgetExceeded(Why::Events, "the run took more than its budget of events (" +
                                          std::to_string(handled_) +
                                          " handled, at t = " + std::to_string(now_) + " s)");
  if (deadline_ > 0 && steady_seconds() > deadline_)
    throw BudgetExceeded(Why::WallTime,
                         "the run took more than its budget of wall-clock time "
                         "(at t = " +
                             std::to_string(now_) + " s)");
  next_check_ = std::min(handled_ + kBudgetCheckEvery, event_limit_);
}

bool World::step() {
  if (kernel_.empty()) return false;
  if (handled_ >= next_check_) check_budget();
  const Event e = kernel_.take();  // a copy: the handler may overwrite the root
  now_ = e.time;
  ++handled_;
  dispatch_[e.model]->handle(*this, e);
  kernel_.done();
  return true;
}

void World::run_until(double t) {
  while (!kernel_.empty() && kernel_.peek() <= t) {
    if (handled_ >= next_check_) check_budget();
    const Event e = kernel_.take();
    now_ = e.time;
    ++handled_;
    dispatch_[e.model]->handle(*this, e);
    kernel_.done();
  }
  if (t > now_) now_ = t;
}

void World::reset_stats() {
  for (std::size_t i = 0; i < models_.size(); ++i)
    models_[i]->reset_stats(*this, static_cast<std::uint32_t>(i));
}

Metrics World::collect() const {
  Metrics m;
  for (std::size_t i = 0; i < models_.size(); ++i)
    models_[i]->collect(*this, static_cast<std::uint32_t>(i), m);
  return m;
}

void World::columns(std::vector<std::string>& out) const {
  for (const auto& m : models_) m->columns(out);
}

void World::sample(std::vector<std::string>& out) const {
  for (std::size_t i = 0; i < models_.size(); ++i)
    models_[i]->sample(*this, static_cast<std::uint32_t>(i), out);
}

std::optional<double> World::calendar_origin() const {
  for (const auto& m : models_)
    if (auto o = m->calendar_origin()) return o;
  return std::nullopt;
}

nlohmann::json World::state_json() const {
  nlohmann::json j;
  j["time_s"] = now_;
  j["events_handled"] = handled_;
  j["events_pending"] = kernel_.size();
  nlohmann::json models = nlohmann::json::array();
  for (std::size_t i = 0; i < models_.size(); ++i)
    models.push_back(models_[i]->state_json(*this, static_cast<std::uint32_t>(i)));
  j["models"] = std::move(models);
  return j;
}

Snapshot World::snapshot() const {
  Snapshot s;
  s.now = now_;
  s.handled = handled_;
  s.kernel = kernel_;
  s.states.reserve(states_.size());
  for (const auto& st : states_) s.states.push_back(st ? st->clone() : nullptr);
  return s;
}

void World::restore(const Snapshot& s) {
  if (s.states.size() != states_.size())
    throw std::invalid_argument("World::restore: snapshot is of a different world");
  now_ = s.now;
  handled_ = s.handled;
  kernel_ = s.kernel;
  for (std::size_t i = 0; i < states_.size(); ++i)
    states_[i] = s.states[i] ? s.states[i]->clone() : nullptr;
}

bool World::same_state(const World& o) const {
  if (now_ != o.now_ || !(kernel_ == o.kernel_) || states_.size() != o.states_.size()) return false;
  for (std::size_t i = 0; i < states_.size(); ++i) {
    if (!states_[i] || !o.states_[i]) {
      if (states_[i] != o.states_[i]) return false;
      continue;
    }
    if (!states_[i]->equals(*o.states_[i])) return false;
  }
  return true;
}

}  // namespace dtwin
