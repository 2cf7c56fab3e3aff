// The work cell's State: plain values (joint positions, parts' poses and velocities, the
// program counter, what the gripper holds, statistics). The Bullet world is a cache rebuilt
// from these values (physics/world.hpp); it is never part of the state.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/sim/rng.hpp"
#include "twins/machine/geom.hpp"
#include "twins/machine/trajectory.hpp"

namespace dtwin::machine {

class PhysicsWorld;

// Holds the Bullet world built from a state. Copying a state drops the cache on BOTH sides:
// Bullet keeps contact manifolds (warm-started impulses, persistent contact points) and pair
// caches between steps that the plain state does not hold, so a copy and its original can only
// go on identically if both rebuild from the same plain values. Snapshot, restore and fork copy
// states, so after any of them the world and its copy step bit-identically.
class PhysicsCache {
 public:
  PhysicsCache();
  ~PhysicsCache();
  PhysicsCache(const PhysicsCache& o);
  PhysicsCache& operator=(const PhysicsCache& o);
  PhysicsCache(PhysicsCache&&) noexcept;
  PhysicsCache& operator=(PhysicsCache&&) noexcept;
  bool operator==(const PhysicsCache&) const { return true; }  // not state

  PhysicsWorld* get() const { return world_.get(); }
  void set(std::unique_ptr<PhysicsWorld> w);
  void drop() const;

 private:
  mutable std::unique_ptr<PhysicsWorld> world_;
};

// Free: a dynamic rigid body. Conveyed: resting on a running conveyor, which moves it (a
// kinematic body: the belt sets its motion; dynamic bodies still collide with it). Carried: in
// the gripper (kinematic, rides with the tool). Placed: let go on a fixture (dynamic) until the
// fixture takes it away.
enum class PartWhere : std::uint8_t { Free, Carried, Placed, Conveyed };

struct PartState {
  std::uint64_t serial = 0;  // parts are numbered as they appear
  std::uint32_t shape = 0;   // 0..: conveyors' part templates, then initial parts
  Pose pose;
  Vec3 v, w;
  PartWhere where = PartWhere::Free;
  std::uint32_t conveyor = 0xffffffffu;  // fed by
  std::uint32_t fixture = 0xffffffffu;   // placed on
  double placed_at = 0;
  // Bullet's sleeping: a part at rest for 2 s stops being simulated until something touches it
  // or a conveyor moves it (its activation state and time at rest, kept here so a rebuilt
  // world sleeps and wakes the same way)
  std::int32_t activation = 1;
  double at_rest_s = 0;
  bool operator==(const PartState& o) const {
    return serial == o.serial && shape == o.shape && pose == o.pose && v == o.v && w == o.w &&
           where == o.where && conveyor == o.conveyor && fixture == o.fixture &&
           placed_at == o.placed_at && activation == o.activation && at_rest_s == o.at_rest_s;
  }
};

enum class CellStatus : std::uint8_t { Idle, Moving, Waiting, WaitingPart, Fault, Mirroring };
constexpr std::size_t kCellStatusCount = 6;
const char* cell_status_name(CellStatus s);

struct Contact {
  std::string a, b;  // body names: "link:j2", "obstacle:pillar", "part:17", "conveyor:belt"
  double depth = 0;  // penetration, m (> 0)
  bool unsafe = false;
  bool operator==(const Contact& o) const {
    return a == o.a && b == o.b && depth == o.depth && unsafe == o.unsafe;
  }
};

struct CellState {
  std::uint64_t step = 0;  // physics steps taken: the cell's time is step * dt
  std::vector<double> q, qd;
  // the program
  std::uint32_t pc = 0;           // current op
  std::uint64_t op_start = 0;     // step the op started at
  bool op_begun = false;          // the op has been set up (a move planned)
  std::vector<double> move_from;  // a move's start
  Profile profile;                // a move's profile
  CellStatus status = CellStatus::Idle;
  double override_ = 1;  // speed override
  std::string fault;     // why the program stopped
  // parts
  std::vector<PartState> parts;
  std::uint64_t next_serial = 1;
  std::vector<double> next_feed;  // per conveyor: time of its next part
  std::vector<Rng> feed_rng;      // per conveyor
  std::int64_t carried = -1;      // serial of the part in the gripper, -1 none
  Pose grasp;                     // the carried part's pose in the tool frame
  bool gripper_closed = false;
  // mirror mode: the last reported joint positions and their time
  std::vector<double> reported_q, reported_qd;
  double reported_t = -1;
  // the report before (rates: joints a report leaves out did not move since it)
  std::vector<double> prev_reported_q;
  double prev_reported_t = -1;
  // contacts after the last step
  std::vector<Contact> contacts;
  // statistics
  double stats_since = 0;
  std::uint64_t cycles = 0, cycles_total = 0, picks = 0, places = 0, delivered = 0,
                delivered_total = 0, missed_picks = 0, collision_steps = 0;
  double last_cycle_end = 0, last_cycle_s = 0, cycle_sum = 0;
  double first_cycle_end = -1;  // the first cycle after the stats reset
  double moving_s = 0;          // time spent moving since the stats reset
  // energy (dynamics.hpp): the power drawn in the last step (W, electrical, and the joints'
  // mechanical power), the energy since the stats reset and since the start (J)
  double power_w = 0, mech_w = 0;
  double energy_j = 0, mech_j = 0, energy_total_j = 0;
  PhysicsCache cache;

  bool operator==(const CellState& o) const;
};

}  // namespace dtwin::machine
