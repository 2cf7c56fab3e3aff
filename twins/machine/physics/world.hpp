// The Bullet side of a work cell: a btDiscreteDynamicsWorld built from a CellSpec and the plain
// values of a CellState, stepped one fixed step at a time (one sub-step per tick:
// stepSimulation(dt, 0, dt)). Bullet (double-precision build, BT_USE_DOUBLE_PRECISION) is used
// only here; nothing outside twins/machine/physics includes its headers.
//
// Why the robot is driven kinematically rather than as a btMultiBody with joint motors: an
// industrial controller tracks its planned trajectory stiffly, so what the twin must get right
// is the planned motion itself (timing under speed and acceleration limits, which parts and
// bodies it touches), not a servo loop's tracking error. Kinematic links follow the trajectory
// generator (trajectory.hpp) exactly, so cycle times are those of the plan, the joint limits hold
// by construction (and the safety check can say which limit a program breaks and when), mirror
// mode can put the links where the machine reports them, and the links still push parts through
// Bullet's contact solver (they carry the velocities of their motion). Parts are dynamic
// btRigidBody boxes, cylinders or spheres; a carried part is kinematic and rides with the tool.
//
// Each step: links at FK(q) with the velocities of FK(q) -> FK(q + qd dt); parts' velocities
// from the state (the conveyors set theirs); stepSimulation; parts' poses and velocities back
// into the state. Semi-implicit Euler: v += g dt, then x += v dt.
#pragma once

#include <memory>
#include <vector>

#include "twins/machine/spec.hpp"
#include "twins/machine/state.hpp"

namespace dtwin::machine {

class PhysicsWorld {
 public:
  // Builds the world for `s` (the parts and the links where the state has them).
  PhysicsWorld(const CellSpec& spec, const CellState& s);
  ~PhysicsWorld();
  PhysicsWorld(const PhysicsWorld&) = delete;
  PhysicsWorld& operator=(const PhysicsWorld&) = delete;

  // One fixed step from the state's time: links move from FK(q) with joint rates qd; parts are
  // made to match the state (added, removed, switched between free and carried), stepped, and
  // written back.
  void step(const CellSpec& spec, CellState& s, const std::vector<double>& qd);
  // Contacts between the links, the carried part and the rest, at the current poses.
  void contacts(const CellSpec& spec, const CellState& s, std::vector<Contact>& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The world for `s`, built if the state has none (after a copy, a restore or a reset).
PhysicsWorld& physics_of(const CellSpec& spec, CellState& s);

}  // namespace dtwin::machine
