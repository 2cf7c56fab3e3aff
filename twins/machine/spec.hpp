// The work cell's Spec: a robot (a serial chain of revolute and prismatic joints: an arm, a
// SCARA or a gantry), static bodies (fixtures, obstacles, pedestals), conveyors that carry parts
// as rigid bodies, and a motion program. Read once from scenario JSON (parse.hpp), then const.
//
// Conventions (also in the README):
//  - SI units inside: metres, seconds, radians, kilograms. The JSON says its units in the key
//    ("min_deg", "speed_m_s"); revolute limits are given in degrees, prismatic ones in metres.
//  - z is up; gravity is (0, 0, -9.81) m/s^2 unless the cell says otherwise.
//  - Joint k's frame is the frame of link k-1's end, moved by the joint's origin offset, then
//    turned (revolute) or slid (prismatic) about its axis by q_k. Link k runs from that frame's
//    origin along its direction for its length; link k's end is where joint k+1 sits. The tool
//    point is the last link's end plus the tool offset (in the last link's frame).
//  - The program's waypoints are all resolved to joint vectors when the cell is parsed
//    (Cartesian targets through inverse kinematics), so a program is a list of joint-space
//    moves, waits, picks and places.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "engine/sim/distribution.hpp"
#include "twins/machine/geom.hpp"

namespace dtwin::machine {

constexpr std::uint32_t kNoIndex = std::numeric_limits<std::uint32_t>::max();

enum class Shape : std::uint8_t { Box, Cylinder, Sphere };

// Geometry for collisions and the viewer. Box: size = full extents (x, y, z). Cylinder: radius
// and length along the local z axis (size.x = radius, size.z = length). Sphere: size.x = radius.
struct Geometry {
  Shape shape = Shape::Box;
  Vec3 size;
  std::string color = "#999999";
  bool operator==(const Geometry& o) const {
    return shape == o.shape && size == o.size && color == o.color;
  }
};

enum class BodyRole : std::uint8_t { Obstacle, Fixture, Structure };

struct BodySpec {
  std::string id;
  BodyRole role = BodyRole::Obstacle;
  Geometry geom;
  Pose pose;                     // of the geometry's centre
  double removes_after_s = 0.5;  // fixture: a part placed on it is taken away after this
};

enum class JointType : std::uint8_t { Revolute, Prismatic };

struct JointSpec {
  std::string name;
  JointType type = JointType::Revolute;
  Vec3 origin;                // offset from the previous link's end, in its frame
  Vec3 axis{0, 0, 1};         // unit, in the joint frame
  double min = 0, max = 0;    // rad or m
  double vmax = 0, amax = 0;  // rad/s, rad/s^2 or m/s, m/s^2
  double home = 0;            // initial position
  // the link it moves
  double length = 0;
  Vec3 direction{1, 0, 0};  // unit, in the joint frame
  double radius = 0.03;     // links are cylinders of this radius
  double mass = 1;          // kg; the inverse dynamics (energy) and the viewer
  std::string color = "#e07020";
  std::string pointer;  // JSON pointer of the joint, for messages
};

struct RobotSpec {
  bool present = false;
  Pose base;
  std::string mount;  // a body the base stands on: not checked against the first link
  std::vector<JointSpec> joints;
  Vec3 tool_offset;             // from the last link's end, in its frame
  double grip_distance = 0.04;  // a pick takes the nearest part whose centre is this close
  double payload_kg = 1e300;
  bool self_collision = true;  // check links against non-adjacent links (a gantry's overlap)
};

struct PartTemplate {
  Geometry geom;
  double mass = 0.2;
  double friction = 0.6;
};

struct ConveyorSpec {
  std::string id;
  Vec3 start;         // centre of the belt's top surface at its start
  Vec3 dir{1, 0, 0};  // unit, horizontal: the direction parts travel
  double length = 1, width = 0.3, thickness = 0.05;
  double speed = 0.2;     // m/s
  bool feeds = false;     // makes parts at its start
  Distribution interval;  // between parts made at its start
  double first_s = 0;     // first part at
  PartTemplate part;
  std::string color = "#404040";
  double gap = 0.01;  // parts stop this far behind the part ahead (accumulation)
  // where a part stops: its centre, on the belt at the end
  Vec3 pick_point() const {
    return start + dir * (length - part.geom.size.x / 2) + Vec3{0, 0, part.geom.size.z / 2};
  }
};

// A free part at the start of a run (tests: free fall, a part on a belt).
struct InitialPart {
  Pose pose;
  Vec3 v, w;
  PartTemplate part;
};

enum class OpKind : std::uint8_t { Move, Wait, WaitPart, Pick, Place };

struct Op {
  OpKind kind = OpKind::Move;
  std::string name;  // the step's name or "step <k>"
  std::string pointer;
  std::vector<double> target;         // Move: joint vector
  double speed = 1;                   // Move: fraction of the joints' speed limits (x override)
  double duration_s = 0;              // Wait
  std::uint32_t conveyor = kNoIndex;  // WaitPart, Pick (the conveyor whose end part is taken)
  std::uint32_t body = kNoIndex;      // Place (the fixture)
};

// The cell's electrical power ("power", optional; see README.md for the defaults' argument):
// a base power per state (W) plus, per joint, the mechanical power of the torques its motion
// needs and the drives' copper losses (dynamics.hpp).
struct CellPowerSpec {
  bool given = false;      // the scenario gave "power" (a line station timed by the cell then
                           // takes its energy from the cell)
  double idle_w = 200;     // controller and drives energised, robot still (waiting for a part)
  double working_w = 300;  // running the program: controller, drives, cooling, tool
  double down_w = 50;      // stopped on a fault: controller only, drives off
  std::vector<double> copper{1e-3};  // W/(N m)^2 or W/N^2 per joint (the last repeats)
  bool regenerative = false;         // braking power returned to the supply (else dissipated)
};

struct CellSpec {
  std::string id;
  double dt = 0.004;  // physics step, s
  Vec3 gravity{0, 0, -9.81};
  bool ground = true;  // a static ground plane at z = 0
  double speed_override = 1;
  double contact_tolerance = 0.002;  // m: a penetration deeper than this is a collision
  RobotSpec robot;
  std::vector<BodySpec> bodies;
  std::vector<ConveyorSpec> conveyors;
  std::vector<InitialPart> parts;
  std::vector<Op> program;
  bool mirror = false;  // joints follow reported positions instead of the program
  CellPowerSpec power;
  std::string pointer;  // "/twins/<id>"
};

}  // namespace dtwin::machine
