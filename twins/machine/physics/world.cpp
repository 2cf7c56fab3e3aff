#include "twins/machine/physics/world.hpp"

#include <algorithm>

#include <btBulletDynamicsCommon.h>

#include "twins/machine/kinematics.hpp"

namespace dtwin::machine {

namespace {

constexpr btScalar kMargin = 0.001;  // m; Bullet's default 0.04 would swallow a 5 cm part
// a part slower than this for 2 s (Bullet's gDeactivationTime) goes to sleep
constexpr btScalar kSleepLinear = 0.002;  // m/s
constexpr btScalar kSleepAngular = 0.02;  // rad/s

btVector3 bt(const Vec3& v) {
  return btVector3(v.x, v.y, v.z);
}
Vec3 vec(const btVector3& v) {
  return {v.x(), v.y(), v.z()};
}

btTransform bt(const Pose& p) {
  const Mat3& R = p.R;
  return btTransform(
      btMatrix3x3(R(0, 0), R(0, 1), R(0, 2), R(1, 0), R(1, 1), R(1, 2), R(2, 0), R(2, 1), R(2, 2)),
      bt(p.p));
}
Pose pose(const btTransform& t) {
  Pose p;
  const btMatrix3x3& b = t.getBasis();
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) p.R(r, c) = b[r][c];
  p.p = vec(t.getOrigin());
  return p;
}

std::unique_ptr<btCollisionShape> make_shape(const Geometry& g) {
  std::unique_ptr<btCollisionShape> s;
  switch (g.shape) {
    case Shape::Box:
      s = std::make_unique<btBoxShape>(bt(g.size * 0.5));
      break;
    case Shape::Cylinder:
      s = std::make_unique<btCylinderShapeZ>(btVector3(g.size.x, g.size.x, g.size.z / 2));
      break;
    case Shape::Sphere:
      return std::make_unique<btSphereShape>(g.size.x);
  }
  s->setMargin(kMargin);
  return s;
}

const PartTemplate& part_template(const CellSpec& spec, std::uint32_t shape) {
  if (shape < spec.conveyors.size()) return spec.conveyors[shape].part;
  return spec.parts[shape - spec.conveyors.size()].part;
}

struct MinDistance final : btCollisionWorld::ContactResultCallback {
  btScalar min = 0;
  bool hit = false;
  btScalar addSingleResult(btManifoldPoint& cp, const btCollisionObjectWrapper*, int, int,
                           const btCollisionObjectWrapper*, int, int) override {
    if (!hit || cp.getDistance() < min) min = cp.getDistance();
    hit = true;
    return 0;
  }
};

}  // namespace

struct PhysicsWorld::Impl {
  btDefaultCollisionConfiguration config;
  btCollisionDispatcher dispatcher{&config};
  btDbvtBroadphase broadphase;
  btSequentialImpulseConstraintSolver solver;
  btDiscreteDynamicsWorld world{&dispatcher, &broadphase, &solver, &config};
  std::vector<std::unique_ptr<btCollisionShape>> shapes;
  std::vector<std::unique_ptr<btRigidBody>> owned;

  struct Static {
    btRigidBody* body;
    std::string name;
    bool ground = false;
    std::string id;  // the body or conveyor id
    btVector3 lo, hi;
  };
  std::vector<Static> statics;
  std::vector<btRigidBody*> links;
  std::vector<btCollisionShape*> part_shapes;  // per part template
  struct Part {
    std::uint64_t serial;
    bool kinematic;
    std::unique_ptr<btRigidBody> body;
  };
  std::vector<Part> parts;
  double dt = 0;

  ~Impl() {
    for (auto& p : parts) world.removeRigidBody(p.body.get());
    for (auto& b : owned) world.removeRigidBody(b.get());
  }

  btRigidBody* add_static(btCollisionShape* shape, const btTransform& t, double friction) {
    btRigidBody::btRigidBodyConstructionInfo ci(0, nullptr, shape);
    ci.m_startWorldTransform = t;
    ci.m_friction = friction;
    owned.push_back(std::make_unique<btRigidBody>(ci));
    world.addRigidBody(owned.back().get());
    return owned.back().get();
  }

  std::unique_ptr<btRigidBody> make_part(const CellSpec& spec, const PartState& p, bool kinematic) {
    const PartTemplate& t = part_template(spec, p.shape);
    btCollisionShape* shape = part_shapes[p.shape];
    btVector3 inertia(0, 0, 0);
    const btScalar mass = kinematic ? 0 : t.mass;
    if (!kinematic) shape->calculateLocalInertia(mass, inertia);
    btRigidBody::btRigidBodyConstructionInfo ci(mass, nullptr, shape, inertia);
    ci.m_startWorldTransform = bt(p.pose);
    ci.m_friction = t.friction;
    auto b = std::make_unique<btRigidBody>(ci);
    b->setLinearVelocity(bt(p.v));
    b->setAngularVelocity(bt(p.w));
    if (kinematic) {
      b->setCollisionFlags(b->getCollisionFlags() | btCollisionObject::CF_KINEMATIC_OBJECT);
      b->setActivationState(DISABLE_DEACTIVATION);
    } else {
      b->setSleepingThresholds(kSleepLinear, kSleepAngular);
      b->forceActivationState(p.activation);
      b->setDeactivationTime(p.at_rest_s);
    }
    world.addRigidBody(b.get());
    return b;
  }

  // bodies for exactly the state's parts, in its order
  void sync_parts(const CellSpec& spec, const CellState& s) {
    std::vector<Part> next;
    next.reserve(s.parts.size());
    std::size_t j = 0;
    for (const PartState& p : s.parts) {
      const bool kin = p.where == PartWhere::Carried || p.where == PartWhere::Conveyed;
      while (j < parts.size() && parts[j].serial < p.serial) {
        world.removeRigidBody(parts[j].body.get());
        ++j;
      }
      if (j < parts.size() && parts[j].serial == p.serial && parts[j].kinematic == kin) {
        next.push_back(std::move(parts[j]));
        ++j;
        continue;
      }
      if (j < parts.size() && parts[j].serial == p.serial) {
        world.removeRigidBody(parts[j].body.get());
        ++j;
      }
      next.push_back(Part{p.serial, kin, make_part(spec, p, kin)});
    }
    for (; j < parts.size(); ++j) world.removeRigidBody(parts[j].body.get());
    parts = std::move(next);
  }
};

PhysicsWorld::PhysicsWorld(const CellSpec& spec, const CellState& s) : impl_(new Impl) {
  Impl& w = *impl_;
  w.dt = spec.dt;
  w.world.setForceUpdateAllAabbs(false);  // sleeping and static bodies keep their boxes
  w.world.setGravity(bt(spec.gravity));
  btContactSolverInfo& info = w.world.getSolverInfo();
  info.m_solverMode &= ~SOLVER_RANDMIZE_ORDER;

  if (spec.ground) {
    w.shapes.push_back(std::make_unique<btStaticPlaneShape>(btVector3(0, 0, 1), 0));
    btRigidBody* g = w.add_static(w.shapes.back().get(), btTransform::getIdentity(), 0.8);
    w.statics.push_back({g, "ground", true, "", {}, {}});
  }
  for (const BodySpec& b : spec.bodies) {
    w.shapes.push_back(make_shape(b.geom));
    btRigidBody* r = w.add_static(w.shapes.back().get(), bt(b.pose), 0.8);
    const char* role = b.role == BodyRole::Obstacle  ? "obstacle:"
                       : b.role == BodyRole::Fixture ? "fixture:"
                                                     : "structure:";
    w.statics.push_back({r, role + b.id, false, b.id, {}, {}});
  }
  for (const ConveyorSpec& c : spec.conveyors) {
    Geometry g;
    g.size = {c.length, c.width, c.thickness};
    w.shapes.push_back(make_shape(g));
    const Vec3 z{0, 0, 1};
    Pose p;
    const Vec3 y = z.cross(c.dir);
    p.R.m = {c.dir.x, y.x, 0, c.dir.y, y.y, 0, c.dir.z, y.z, 1};
    p.p = c.start + c.dir * (c.length / 2) - z * (c.thickness / 2);
    // no friction: the conveyor sets the speed of the parts on it every step (cell.cpp)
    btRigidBody* r = w.add_static(w.shapes.back().get(), bt(p), 0.0);
    w.statics.push_back({r, "conveyor:" + c.id, false, c.id, {}, {}});
  }
  for (auto& st : w.statics) {
    if (st.ground) continue;
    st.body->getCollisionShape()->getAabb(st.body->getWorldTransform(), st.lo, st.hi);
  }
  // links: kinematic cylinders
  std::vector<Pose> frames;
  if (spec.robot.present) {
    forward(spec.robot, s.q, frames);
    for (std::size_t k = 0; k < spec.robot.joints.size(); ++k) {
      const JointSpec& j = spec.robot.joints[k];
      Geometry g;
      g.shape = Shape::Cylinder;
      g.size = {j.radius, j.radius, j.length};
      w.shapes.push_back(make_shape(g));
      btRigidBody::btRigidBodyConstructionInfo ci(0, nullptr, w.shapes.back().get());
      ci.m_startWorldTransform = bt(link_geometry_pose(j, frames[k]));
      ci.m_friction = 0.8;
      w.owned.push_back(std::make_unique<btRigidBody>(ci));
      btRigidBody* b = w.owned.back().get();
      b->setCollisionFlags(b->getCollisionFlags() | btCollisionObject::CF_KINEMATIC_OBJECT);
      b->setActivationState(DISABLE_DEACTIVATION);
      w.world.addRigidBody(b);
      w.links.push_back(b);
    }
  }
  // part shapes: conveyors' templates, then the initial parts'
  for (const ConveyorSpec& c : spec.conveyors) {
    w.shapes.push_back(make_shape(c.part.geom));
    w.part_shapes.push_back(w.shapes.back().get());
  }
  for (const InitialPart& p : spec.parts) {
    w.shapes.push_back(make_shape(p.part.geom));
    w.part_shapes.push_back(w.shapes.back().get());
  }
  w.sync_parts(spec, s);
}

PhysicsWorld::~PhysicsWorld() = default;

void PhysicsWorld::step(const CellSpec& spec, CellState& s, const std::vector<double>& q_next) {
  Impl& w = *impl_;
  w.sync_parts(spec, s);
  // links: from FK(q) to FK(q_next); Bullet derives their velocities (saveKinematicState)
  std::vector<Pose> f0, f1;
  Pose tool0, tool1;
  if (spec.robot.present) {
    forward(spec.robot, s.q, f0);
    forward(spec.robot, q_next, f1);
    for (std::size_t k = 0; k < w.links.size(); ++k) {
      const JointSpec& j = spec.robot.joints[k];
      w.links[k]->setInterpolationWorldTransform(bt(link_geometry_pose(j, f0[k])));
      w.links[k]->setWorldTransform(bt(link_geometry_pose(j, f1[k])));
    }
    tool0 = f0.back();
    tool1 = f1.back();
  }
  for (std::size_t i = 0; i < s.parts.size(); ++i) {
    const PartState& p = s.parts[i];
    btRigidBody* b = w.parts[i].body.get();
    if (p.where == PartWhere::Carried) {
      b->setInterpolationWorldTransform(bt(tool0 * s.grasp));
      b->setWorldTransform(bt(tool1 * s.grasp));
    } else if (p.where == PartWhere::Conveyed) {
      // moved by the belt: Bullet derives the velocity it shows other bodies
      const btTransform t0 = bt(p.pose);
      btTransform t1 = t0;
      t1.setOrigin(t0.getOrigin() + bt(p.v) * spec.dt);
      b->setInterpolationWorldTransform(t0);
      b->setWorldTransform(t1);
    } else {
      const btVector3 v = bt(p.v), wv = bt(p.w);
      // a velocity the cell changed (a conveyor starting a part) wakes a sleeping part
      if ((v - b->getLinearVelocity()).length() > kSleepLinear ||
          (wv - b->getAngularVelocity()).length() > kSleepAngular)
        b->activate();
      b->setLinearVelocity(v);
      b->setAngularVelocity(wv);
    }
  }
  w.world.stepSimulation(spec.dt, 0, spec.dt);
  for (std::size_t i = 0; i < s.parts.size(); ++i) {
    PartState& p = s.parts[i];
    const btRigidBody* b = w.parts[i].body.get();
    p.pose = pose(b->getWorldTransform());
    p.v = vec(b->getLinearVelocity());
    p.w = vec(b->getAngularVelocity());
    if (w.parts[i].kinematic) continue;
    p.activation = b->getActivationState();
    p.at_rest_s = b->getDeactivationTime();
  }
}

void PhysicsWorld::contacts(const CellSpec& spec, const CellState& s, std::vector<Contact>& out) {
  Impl& w = *impl_;
  out.clear();
  auto overlap = [](const btVector3& alo, const btVector3& ahi, const btVector3& blo,
                    const btVector3& bhi) {
    return alo.x() <= bhi.x() && blo.x() <= ahi.x() && alo.y() <= bhi.y() && blo.y() <= ahi.y() &&
           alo.z() <= bhi.z() && blo.z() <= ahi.z();
  };
  auto test = [&](btRigidBody* a, btRigidBody* b, const std::string& na, const std::string& nb,
                  bool unsafe) {
    MinDistance cb;
    w.world.contactPairTest(a, b, cb);
    if (cb.hit && cb.min < 0) {
      const double depth = -cb.min;
      out.push_back({na, nb, depth, unsafe && depth > spec.contact_tolerance});
    }
  };
  // the moving things: links and the carried part
  struct Mover {
    btRigidBody* body;
    std::string name;
    std::size_t link;  // index, or npos for the carried part
    btVector3 lo, hi;
  };
  std::vector<Mover> movers;
  const std::size_t npos = static_cast<std::size_t>(-1);
  for (std::size_t k = 0; k < w.links.size(); ++k)
    movers.push_back({w.links[k], "link:" + spec.robot.joints[k].name, k, {}, {}});
  for (std::size_t i = 0; i < s.parts.size(); ++i)
    if (s.parts[i].where == PartWhere::Carried)
      movers.push_back(
          {w.parts[i].body.get(), "part:" + std::to_string(s.parts[i].serial), npos, {}, {}});
  for (auto& m : movers)
    m.body->getCollisionShape()->getAabb(m.body->getWorldTransform(), m.lo, m.hi);
  for (std::size_t a = 0; a < movers.size(); ++a) {
    const Mover& m = movers[a];
    for (const auto& st : w.statics) {
      if (m.link == 0 && (st.ground || st.id == spec.robot.mount)) continue;
      if (st.ground ? m.lo.z() > 0 : !overlap(m.lo, m.hi, st.lo, st.hi)) continue;
      test(m.body, st.body, m.name, st.name, true);
    }
    for (std::size_t b = a + 1; b < movers.size(); ++b) {
      const Mover& o = movers[b];
      // adjacent links touch at their joint; the carried part touches the last link
      if (m.link != npos && o.link != npos && (o.link <= m.link + 1 || !spec.robot.self_collision))
        continue;
      if (o.link == npos && m.link + 1 == w.links.size()) continue;
      if (!overlap(m.lo, m.hi, o.lo, o.hi)) continue;
      test(m.body, o.body, m.name, o.name, true);
    }
    // free parts: contacts, not collisions
    if (m.link == npos) continue;
    for (std::size_t i = 0; i < s.parts.size(); ++i) {
      if (s.parts[i].where == PartWhere::Carried) continue;
      btRigidBody* pb = w.parts[i].body.get();
      btVector3 lo, hi;
      pb->getCollisionShape()->getAabb(pb->getWorldTransform(), lo, hi);
      if (!overlap(m.lo, m.hi, lo, hi)) continue;
      test(m.body, pb, m.name, "part:" + std::to_string(s.parts[i].serial), false);
    }
  }
}

PhysicsWorld& physics_of(const CellSpec& spec, CellState& s) {
  if (!s.cache.get()) s.cache.set(std::make_unique<PhysicsWorld>(spec, s));
  return *s.cache.get();
}

// ---- the cache slot (state.hpp) ---------------------------------------------------------

PhysicsCache::PhysicsCache() = default;
PhysicsCache::~PhysicsCache() = default;
PhysicsCache::PhysicsCache(const PhysicsCache& o) {
  o.drop();
}
PhysicsCache& PhysicsCache::operator=(const PhysicsCache& o) {
  o.drop();
  world_.reset();
  return *this;
}
PhysicsCache::PhysicsCache(PhysicsCache&& o) noexcept : world_(std::move(o.world_)) {}
PhysicsCache& PhysicsCache::operator=(PhysicsCache&& o) noexcept {
  world_ = std::move(o.world_);
  return *this;
}
void PhysicsCache::set(std::unique_ptr<PhysicsWorld> w) {
  world_ = std::move(w);
}
void PhysicsCache::drop() const {
  world_.reset();
}

}  // namespace dtwin::machine
