// The viewer's clock. It owns the world and moves it forward, the only way the viewer changes
// it: playing at a real-time factor, one event at a time, or jumping to a time. The world is the
// run's: at the end of the warm-up its statistics restart, as `dtwin run` does, so the values
// the viewer samples are those of the run's time series. Playing spends at most a wall-clock
// budget per frame, so a world too slow for the factor asked for lowers the achieved factor
// instead of freezing the window.
//
// Keyframes: while the world moves forward, a snapshot of it is kept every `keyframe interval`
// of sim time (at whole multiples of it). At most kMaxKeyframes are kept: when full, every
// other one goes and the interval doubles. A jump restores the last keyframe at or before the
// target (when that is not behind the world already) and runs on from there: runs are
// deterministic, so this gives the same states as running from the start.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/mirror/mirror.hpp"
#include "engine/sim/model.hpp"
#include "engine/sim/world.hpp"

namespace dtwin::viewer {

class Playback {
 public:
  static constexpr std::size_t kMaxKeyframes = 200;

  // warmup_s: the statistics restart then (0: never). duration_s: the run's length, which
  // sets the first keyframe interval (duration / 160; 60 s without a duration).
  Playback(std::vector<std::shared_ptr<const Model>> models, RunContext ctx, double warmup_s = 0,
           double duration_s = 0);

  const World& world() const { return world_; }
  double now() const { return world_.now(); }
  std::uint64_t events() const { return world_.events_handled(); }

  bool playing() const { return playing_; }
  void set_playing(bool on);
  double speed() const;  // the real-time factor asked for: sim seconds per wall second
  void faster();         // the next step of 1, 2, 5, 10, 20, ...
  void slower();
  void set_speed(double factor);                 // the nearest step
  double achieved() const { return achieved_; }  // measured, smoothed over about a second

  // Advances by wall_s x speed() when playing, spending at most budget_s of wall time.
  void advance(double wall_s, double budget_s);
  // Handles the next event and pauses. False when nothing is scheduled.
  bool step();
  // Runs to t_s: from the last keyframe at or before it, or from the start again.
  void jump_to(double t_s);

  // ---- keyframes ----
  std::size_t keyframes() const { return keys_.size(); }
  double keyframe_interval() const { return base_s_ * static_cast<double>(stride_); }
  // a smaller bound, for tests of the thinning (at least 4)
  void set_max_keyframes(std::size_t n) { max_keys_ = n < 4 ? 4 : n; }
  // called after every jump back (the viewer trims what it sampled after the new time)
  void on_jump(std::function<void(double from_s, double to_s)> f) { on_jump_ = std::move(f); }
  std::uint64_t restores() const { return restores_; }  // keyframes restored so far
  // live rebuilds so far: a rebuilt world stands at time 0 with no events, like the last one
  std::uint64_t rebuilds() const { return rebuilds_; }
  // Live mode: a fresh world (the same seed and replication) with `init` called between its
  // fresh states and its first events (World::start): the mirrored values are put in there
  // through Model::assimilate. Paused: the live world is not advanced.
  void restart(const std::function<void(World&)>& init);
  // A setpoint as a command reaches it: the model applies it to its state or refuses (reason).
  // The only way an operator's edit changes the world. (A jump back in time runs the world
  // again from the start, without the edits.)
  bool apply_setpoint(const std::string& twin, const std::string& prop, const Value& v,
                      std::string* reason);

 private:
  struct Key {
    Snapshot snap;
    bool warmed = false;
  };
  // runs to t (t >= now), keeping keyframes; with a deadline, stops early when out of time
  // (checked every 256 events) and returns false
  bool run_to(double t, double budget_s);
  // runs to t (no keyframe on the way), restarting the statistics at the warm-up's end
  bool run_segment(double t, double budget_s);
  void keep_keyframe();  // at now, a multiple of the interval
  void restart();

  World world_;
  RunContext ctx_;
  double warmup_s_ = 0;
  bool warmed_ = true;  // the statistics were restarted at the warm-up's end (or there is none)
  double base_s_ = 60;  // keyframes sit at multiples of base_s_ x stride_
  std::uint64_t stride_ = 1;
  std::size_t max_keys_ = kMaxKeyframes;
  std::map<std::uint64_t, Key> keys_;  // by index: time = index x base_s_
  std::function<void(double, double)> on_jump_;
  std::uint64_t restores_ = 0;
  std::uint64_t rebuilds_ = 0;
  bool playing_ = true;
  std::size_t speed_ = 0;  // index into the factors
  double achieved_ = 0;
};

}  // namespace dtwin::viewer
