// The discrete-event kernel: a binary heap of events ordered by (time, priority, sequence),
// after SimPy's core (a heap of (time, priority, id, event) and a step that pops one).
//
// Step order inside one instant is set by priority, lowest first:
//   0 inputs and mirror updates, 1 control, 2 models and physics, 3 derived outputs and KPIs.
// Recorders and publishers are not events: the runner calls them, read-only, after every event
// up to a sample time has been handled (so they see the instant complete).
// Ties in time and priority break first-in-first-out by the insertion sequence, so a run is
// deterministic.
//
// Events are plain data (no closures): the whole queue is a copyable value, which is what makes
// World::snapshot() and fork() exact. Cancelling is lazy: a model stamps events with a token and
// ignores those whose token is out of date. The heap's storage is reserved up front and reused,
// so steady-state scheduling does not allocate.
#pragma once

#include <cstdint>
#include <vector>

namespace dtwin {

enum Priority : std::uint8_t { kInput = 0, kControl = 1, kModel = 2, kDerived = 3 };

struct Event {
  double time;
  std::uint64_t order;   // priority in the top 8 bits, insertion sequence below
  std::uint32_t model;   // which model handles it (index in the world)
  std::uint32_t entity;  // which entity inside that model
  std::uint32_t code;    // what happened (the model's own enumeration)
  std::uint32_t token;   // the model's cancellation stamp

  std::uint8_t priority() const { return static_cast<std::uint8_t>(order >> 56); }
  bool operator==(const Event& o) const {
    return time == o.time && order == o.order && model == o.model && entity == o.entity &&
           code == o.code && token == o.token;
  }
};

class Kernel {
 public:
  explicit Kernel(std::size_t reserve = 1024) { heap_.reserve(reserve); }

  void schedule(double time, std::uint8_t priority, std::uint32_t model, std::uint32_t entity,
                std::uint32_t code, std::uint32_t token = 0) {
    const std::uint64_t order = (static_cast<std::uint64_t>(priority) << 56) | (seq_++ & kSeqMask);
    const Event e{time, order, model, entity, code, token};
    if (hole_) {  // the event being handled still sits at the root: replace it
      hole_ = false;
      heap_.front() = e;
      sift_down(0);
      return;
    }
    heap_.push_back(e);
    sift_up(heap_.size() - 1);
  }

  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  // time of the next event; only valid when !empty()
  double peek() const { return heap_.front().time; }
  const Event& top() const { return heap_.front(); }

  Event pop() {
    Event e = heap_.front();
    heap_.front() = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0);
    return e;
  }

  // Handling an event usually schedules another: take() leaves the event at the root and the
  // first schedule() during its handling overwrites it (one sift instead of two); done() pops
  // it if nothing did. Between take() and done() only schedule() may be called.
  const Event& take() {
    hole_ = true;
    return heap_.front();
  }
  void done() {
    if (hole_) {
      hole_ = false;
      pop();
    }
  }

  void clear() {
    heap_.clear();
    seq_ = 0;
    hole_ = false;
  }
  std::uint64_t scheduled_total() const { return seq_; }

  bool operator==(const Kernel& o) const { return seq_ == o.seq_ && heap_ == o.heap_; }

 private:
  static constexpr std::uint64_t kSeqMask = (std::uint64_t{1} << 56) - 1;

  static bool before(const Event& a, const Event& b) {
    return a.time < b.time || (a.time == b.time && a.order < b.order);
  }
  void sift_up(std::size_t i) {
    Event e = heap_[i];
    while (i > 0) {
      std::size_t p = (i - 1) / 2;
      if (!before(e, heap_[p])) break;
      heap_[i] = heap_[p];
      i = p;
    }
    heap_[i] = e;
  }
  void sift_down(std::size_t i) {
    const std::size_t n = heap_.size();
    Event e = heap_[i];
    for (;;) {
      std::size_t c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && before(heap_[c + 1], heap_[c])) ++c;
      if (!before(heap_[c], e)) break;
      heap_[i] = heap_[c];
      i = c;
    }
    heap_[i] = e;
  }

  std::vector<Event> heap_;
  std::uint64_t seq_ = 0;
  bool hole_ = false;
};

}  // namespace dtwin
