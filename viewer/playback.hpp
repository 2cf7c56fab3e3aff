// The viewer's clock. It owns the world and moves it forward, the only way the viewer changes
// it: playing at a real-time factor, one event at a time, or jumping to a time (backwards by
// running again from the start, which gives the same states: runs are deterministic). Playing
// spends at most a wall-clock budget per frame, so a world too slow for the factor asked for
// lowers the achieved factor instead of freezing the window.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/mirror.hpp"
#include "engine/model.hpp"
#include "engine/world.hpp"

namespace dtwin::viewer {

class Playback {
 public:
  Playback(std::vector<std::shared_ptr<const Model>> models, RunContext ctx);

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
  // Runs to t_s, from the start again when t_s is in the past.
  void jump_to(double t_s);

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
  World world_;
  RunContext ctx_;
  bool playing_ = true;
  std::size_t speed_ = 0;  // index into the factors
  double achieved_ = 0;
};

}  // namespace dtwin::viewer
