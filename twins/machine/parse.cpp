#include "twins/machine/parse.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "engine/scenario/distribution.hpp"
#include "engine/scenario/duration.hpp"
#include "engine/scenario/suggest.hpp"
#include "twins/machine/kinematics.hpp"

namespace dtwin::machine {

namespace {

Vec3 vec3(const Node& n) {
  if (!n.is_array() || n.size() != 3) n.expected("an array of 3 numbers [x, y, z]");
  return {n.at(std::size_t{0}).number(), n.at(std::size_t{1}).number(),
          n.at(std::size_t{2}).number()};
}

// a unit vector: [x, y, z] or "x", "-y", ...
Vec3 direction(const Node& n) {
  if (n.is_string()) {
    const std::string s = n.string();
    const bool neg = !s.empty() && s[0] == '-';
    const std::string a = neg ? s.substr(1) : s;
    Vec3 v;
    if (a == "x")
      v = {1, 0, 0};
    else if (a == "y")
      v = {0, 1, 0};
    else if (a == "z")
      v = {0, 0, 1};
    else
      n.expected("an axis \"x\", \"y\", \"z\" (or \"-x\", ...) or a vector [x, y, z]");
    return neg ? -v : v;
  }
  const Vec3 v = vec3(n);
  const double l = v.norm();
  if (!(l > 1e-9)) n.expected("a non-zero direction vector");
  return v * (1 / l);
}

std::string color(const Node& n) {
  const std::string s = n.string();
  const bool ok = s.size() == 7 && s[0] == '#' && std::all_of(s.begin() + 1, s.end(), [](char c) {
                    return std::isxdigit(static_cast<unsigned char>(c));
                  });
  if (!ok) n.expected("a colour \"#rrggbb\"");
  return s;
}

// "position": [x, y, z], "yaw_deg": a (about z)
Pose pose_of(const Node& t, bool position_required) {
  Pose p;
  if (position_required || t.has("position")) p.p = vec3(t.at("position"));
  if (auto y = t.find("yaw_deg")) p.R = Mat3::axis_angle({0, 0, 1}, y->number() * kDeg);
  return p;
}

// "shape": "box" + "size", "cylinder" + "radius" + "length", "sphere" + "radius"; "color"
Geometry geometry(const Node& t) {
  Geometry g;
  const std::string shape = t.has("shape") ? t.at("shape").string() : "box";
  if (shape == "box") {
    g.shape = Shape::Box;
    const Node sz = t.at("size");
    g.size = vec3(sz);
    for (std::size_t i = 0; i < 3; ++i) sz.at(i).positive();
    if (t.has("radius")) t.at("radius").fail("a box has a \"size\", not a \"radius\"");
  } else if (shape == "cylinder") {
    g.shape = Shape::Cylinder;
    g.size = {t.at("radius").positive(), 0, t.at("length").positive()};
    if (t.has("size")) t.at("size").fail("a cylinder has \"radius\" and \"length\", not \"size\"");
  } else if (shape == "sphere") {
    g.shape = Shape::Sphere;
    g.size = {t.at("radius").positive(), 0, 0};
    if (t.has("size")) t.at("size").fail("a sphere has a \"radius\", not \"size\"");
  } else {
    t.at("shape").expected("\"box\", \"cylinder\" or \"sphere\"");
  }
  if (auto c = t.find("color")) g.color = color(*c);
  return g;
}

PartTemplate part_template(const Node& t) {
  PartTemplate p;
  p.geom = geometry(t);
  p.geom.color = "#3070d0";
  if (auto c = t.find("color")) p.geom.color = color(*c);
  if (auto m = t.find("mass")) p.mass = m->positive();
  if (auto f = t.find("friction")) p.friction = f->non_negative();
  return p;
}

void parse_joint(const Node& j, JointSpec& js) {
  j.check_keys({"name", "type", "axis", "origin", "limits", "home", "link", "description"});
  js.pointer = j.pointer();
  js.name = j.at("name").string();
  const std::string type = j.has("type") ? j.at("type").string() : "revolute";
  if (type == "revolute")
    js.type = JointType::Revolute;
  else if (type == "prismatic")
    js.type = JointType::Prismatic;
  else
    j.at("type").expected("\"revolute\" or \"prismatic\"");
  const bool rev = js.type == JointType::Revolute;
  js.axis = direction(j.at("axis"));
  if (auto o = j.find("origin")) js.origin = vec3(*o);
  const Node lim = j.at("limits");
  const double u = rev ? kDeg : 1.0;
  const std::string s_min = rev ? "min_deg" : "min_m", s_max = rev ? "max_deg" : "max_m",
                    s_v = rev ? "speed_deg_s" : "speed_m_s",
                    s_a = rev ? "accel_deg_s2" : "accel_m_s2";
  for (const auto& [key, v] : lim.members())
    if (key == (rev ? "min_m" : "min_deg") || key == (rev ? "max_m" : "max_deg") ||
        key == (rev ? "speed_m_s" : "speed_deg_s") || key == (rev ? "accel_m_s2" : "accel_deg_s2"))
      v.fail(rev ? "a revolute joint's limits are in degrees: min_deg, max_deg, speed_deg_s, "
                   "accel_deg_s2"
                 : "a prismatic joint's limits are in metres: min_m, max_m, speed_m_s, accel_m_s2");
  lim.check_keys({s_min, s_max, s_v, s_a});
  const double mn = lim.at(s_min).number(), mx = lim.at(s_max).number();
  if (mn > mx)
    lim.fail(s_min + " (" + format_number(mn) + ") is greater than " + s_max + " (" +
             format_number(mx) + ")");
  js.min = mn * u;
  js.max = mx * u;
  js.vmax = lim.at(s_v).positive() * u;
  js.amax = lim.at(s_a).positive() * u;
  js.home = std::clamp(0.0, js.min, js.max);
  if (auto h = j.find("home")) {
    const double v = h->number();
    if (v < mn || v > mx)
      h->expected("a home position within the limits [" + format_number(mn) + ", " +
                  format_number(mx) + "]");
    js.home = v * u;
  }
  const Node l = j.at("link");
  l.check_keys({"length", "direction", "radius", "mass", "color"});
  const Node len = l.at("length");
  if (len.is_number() && len.number() == 0)
    len.fail("a link of length 0: give its length in metres (> 0)");
  js.length = len.positive();
  if (auto d = l.find("direction")) js.direction = direction(*d);
  if (auto r = l.find("radius")) js.radius = r->positive();
  if (auto m = l.find("mass")) js.mass = m->positive();
  if (auto c = l.find("color")) js.color = color(*c);
}

}  // namespace

std::vector<Op> parse_program(const Node& prog, const CellSpec& cell, bool strict) {
  prog.check_keys({"waypoints", "steps", "description"});
  if (!cell.robot.present) prog.fail("a program needs a \"robot\"");
  const RobotSpec& r = cell.robot;
  const std::size_t nj = r.joints.size();

  auto body_index = [&](const std::string& id) -> std::uint32_t {
    for (std::uint32_t b = 0; b < cell.bodies.size(); ++b)
      if (cell.bodies[b].id == id) return b;
    return kNoIndex;
  };
  auto conveyor_index = [&](const std::string& id) -> std::uint32_t {
    for (std::uint32_t c = 0; c < cell.conveyors.size(); ++c)
      if (cell.conveyors[c].id == id) return c;
    return kNoIndex;
  };
  auto unknown = [&](const Node& n, const std::string& what, std::vector<std::string> names) {
    const std::string id = n.string();
    std::string msg = "unknown " + what + " \"" + id + "\"";
    msg += did_you_mean(id, names);
    std::string list;
    for (const auto& x : names) list += (list.empty() ? "" : ", ") + x;
    msg += names.empty() ? " (the cell has none)" : " (the cell has: " + list + ")";
    n.fail(msg);
  };
  std::vector<std::string> body_names, conveyor_names, fixture_names;
  for (const auto& b : cell.bodies) {
    body_names.push_back(b.id);
    if (b.role == BodyRole::Fixture) fixture_names.push_back(b.id);
  }
  for (const auto& c : cell.conveyors) conveyor_names.push_back(c.id);

  // a waypoint's joint vector (Cartesian ones through IK from `seed`)
  auto resolve = [&](const Node& w, const std::vector<double>& seed) -> std::vector<double> {
    w.check_keys({"joints", "position", "above", "height", "description"});
    const int given = int(w.has("joints")) + int(w.has("position")) + int(w.has("above"));
    if (given != 1)
      w.fail(
          "a waypoint gives exactly one of \"joints\" (joint space), \"position\" or "
          "\"above\" (Cartesian: the tool point)");
    if (auto jn = w.find("joints")) {
      if (!jn->is_array() || jn->size() != nj)
        jn->expected("an array of " + std::to_string(nj) +
                     " joint positions (degrees for revolute joints, metres for prismatic)");
      std::vector<double> q(nj);
      for (std::size_t k = 0; k < nj; ++k) {
        const JointSpec& j = r.joints[k];
        const Node x = jn->at(k);
        const double u = j.type == JointType::Revolute ? kDeg : 1.0;
        q[k] = x.number() * u;
        if (strict && (q[k] < j.min - 1e-12 || q[k] > j.max + 1e-12))
          x.fail("joint \"" + j.name + "\" at " + format_number(x.number()) +
                 " is outside its limits [" + format_number(j.min / u) + ", " +
                 format_number(j.max / u) + "]");
      }
      return q;
    }
    Vec3 target;
    if (auto p = w.find("position")) {
      target = vec3(*p);
      if (w.has("height")) w.at("height").fail("\"height\" goes with \"above\"");
    } else {
      const Node a = w.at("above");
      const std::string id = a.string();
      const double h = w.has("height") ? w.at("height").number() : 0.0;
      const std::uint32_t b = body_index(id), c = conveyor_index(id);
      if (b != kNoIndex) {
        const BodySpec& bs = cell.bodies[b];
        const double top = bs.geom.shape == Shape::Sphere ? bs.geom.size.x : bs.geom.size.z / 2;
        target = bs.pose.p + Vec3{0, 0, top + h};
      } else if (c != kNoIndex) {
        const ConveyorSpec& cv = cell.conveyors[c];
        const Vec3 pp = cv.pick_point();
        target = {pp.x, pp.y, cv.start.z + h};
      } else {
        std::vector<std::string> all = body_names;
        all.insert(all.end(), conveyor_names.begin(), conveyor_names.end());
        unknown(a, "body", all);
      }
    }
    const IkResult ik = inverse_position(r, target, seed);
    if (!ik.ok) {
      w.fail("the tool cannot reach (" + format_number(target.x) + ", " + format_number(target.y) +
             ", " + format_number(target.z) + ") m: inverse kinematics stops " +
             format_number(ik.error_m) + " m away (out of reach or beyond a joint limit)");
    }
    return ik.q;
  };

  std::map<std::string, Node> waypoints;
  if (auto ws = prog.find("waypoints")) {
    if (!ws->is_object()) ws->expected("an object of named waypoints");
    for (const auto& [name, w] : ws->members()) waypoints.emplace(name, w);
  }
  std::map<std::string, std::vector<double>> resolved;
  std::vector<std::string> wp_names;
  for (const auto& kv : waypoints) wp_names.push_back(kv.first);

  std::vector<Op> ops;
  std::vector<double> at;
  for (const auto& j : r.joints) at.push_back(j.home);
  const Node steps = prog.at("steps");
  if (!steps.is_array() || steps.size() == 0) steps.expected("a non-empty array of steps");
  std::size_t k = 0;
  for (const Node& st : steps.items()) {
    if (!st.is_object()) st.expected("a step object such as {\"move\": \"home\"}");
    st.check_keys({"move", "wait", "wait_part", "pick", "place", "speed", "name", "description"});
    Op op;
    op.pointer = st.pointer();
    op.name = st.has("name") ? st.at("name").string() : "";
    int verbs = 0;
    for (const char* v : {"move", "wait", "wait_part", "pick", "place"}) verbs += st.has(v);
    if (verbs != 1)
      st.fail("a step has exactly one of \"move\", \"wait\", \"wait_part\", \"pick\", \"place\"");
    if (st.has("speed") && !st.has("move")) st.at("speed").fail("\"speed\" goes with \"move\"");
    if (auto m = st.find("move")) {
      op.kind = OpKind::Move;
      if (m->is_string()) {
        const std::string name = m->string();
        auto it = waypoints.find(name);
        if (it == waypoints.end()) unknown(*m, "waypoint", wp_names);
        if (op.name.empty()) op.name = name;
        auto rs = resolved.find(name);
        if (rs == resolved.end()) rs = resolved.emplace(name, resolve(it->second, at)).first;
        op.target = rs->second;
      } else {
        op.target = resolve(*m, at);
      }
      if (auto s = st.find("speed")) {
        op.speed = s->positive();
        if (strict && op.speed > 1) s->expected("a speed fraction of the joints' limits in (0, 1]");
      }
      at = op.target;
    } else if (auto w = st.find("wait")) {
      op.kind = OpKind::Wait;
      op.duration_s = parse_duration(*w);
    } else if (auto wp = st.find("wait_part")) {
      op.kind = OpKind::WaitPart;
      op.conveyor = conveyor_index(wp->string());
      if (op.conveyor == kNoIndex) unknown(*wp, "conveyor", conveyor_names);
    } else if (auto p = st.find("pick")) {
      op.kind = OpKind::Pick;
      const std::string id = p->string();
      op.conveyor = conveyor_index(id);
      if (op.conveyor == kNoIndex && body_index(id) == kNoIndex) {
        std::vector<std::string> all = conveyor_names;
        all.insert(all.end(), body_names.begin(), body_names.end());
        unknown(*p, "body", all);
      }
    } else if (auto pl = st.find("place")) {
      op.kind = OpKind::Place;
      op.body = body_index(pl->string());
      if (op.body == kNoIndex) unknown(*pl, "body", body_names);
      if (cell.bodies[op.body].role != BodyRole::Fixture)
        pl->fail("\"" + pl->string() +
                 "\" is not a fixture (role \"fixture\"); parts are placed on fixtures");
    }
    if (op.name.empty()) {  // "wait_part belt", "place nest", "move 3"
      for (const char* v : {"move", "wait", "wait_part", "pick", "place"})
        if (st.has(v)) {
          const Node a = st.at(v);
          op.name = std::string(v) + " " + (a.is_string() ? a.string() : std::to_string(k));
        }
    }
    ops.push_back(std::move(op));
    ++k;
  }
  return ops;
}

CellSpec parse_cell(const Node& t, const std::string& id) {
  t.check_keys({"kind", "step", "gravity", "ground", "speed_override", "contact_tolerance", "mode",
                "robot", "bodies", "conveyors", "parts", "program", "power", "layout", "name",
                "description"});
  CellSpec c;
  c.id = id;
  c.pointer = t.pointer();
  if (auto s = t.find("step")) {
    c.dt = parse_duration(*s);
    if (!(c.dt >= 1e-4 && c.dt <= 0.02)) s->expected("a physics step between 0.1ms and 20ms");
  }
  if (auto g = t.find("gravity")) c.gravity = vec3(*g);
  if (auto g = t.find("ground")) c.ground = g->boolean();
  if (auto tol = t.find("contact_tolerance")) c.contact_tolerance = tol->non_negative();
  if (auto m = t.find("mode")) {
    const std::string v = m->string();
    if (v == "mirror")
      c.mirror = true;
    else if (v != "program")
      m->expected("\"program\" (run the motion program) or \"mirror\" (follow the machine)");
  }

  if (auto pw = t.find("power")) {
    pw->check_keys(
        {"idle_kw", "working_kw", "down_kw", "copper_w_per_nm2", "regenerative", "description"});
    c.power.given = true;
    if (auto x = pw->find("idle_kw")) c.power.idle_w = 1000 * x->non_negative();
    if (auto x = pw->find("working_kw")) c.power.working_w = 1000 * x->non_negative();
    if (auto x = pw->find("down_kw")) c.power.down_w = 1000 * x->non_negative();
    if (auto x = pw->find("copper_w_per_nm2")) {
      c.power.copper.clear();
      if (x->is_array()) {
        for (std::size_t i = 0; i < x->size(); ++i)
          c.power.copper.push_back(x->at(i).non_negative());
        if (c.power.copper.empty()) x->expected("a number or a non-empty array (one per joint)");
      } else {
        c.power.copper.push_back(x->non_negative());
      }
    }
    if (auto x = pw->find("regenerative")) c.power.regenerative = x->boolean();
  }

  // robot
  if (auto rn = t.find("robot")) {
    rn->check_keys({"base", "mount", "joints", "tool", "self_collision", "description"});
    RobotSpec& r = c.robot;
    r.present = true;
    if (auto b = rn->find("base")) {
      b->check_keys({"position", "yaw_deg"});
      r.base = pose_of(*b, false);
    }
    const Node js = rn->at("joints");
    if (!js.is_array() || js.size() == 0) js.expected("a non-empty array of joints");
    for (const Node& j : js.items()) {
      JointSpec x;
      parse_joint(j, x);
      for (const auto& o : r.joints)
        if (o.name == x.name) j.at("name").fail("two joints named \"" + x.name + "\"");
      r.joints.push_back(std::move(x));
    }
    if (auto sc = rn->find("self_collision")) r.self_collision = sc->boolean();
    if (auto tool = rn->find("tool")) {
      tool->check_keys({"offset", "grip_distance", "payload_kg"});
      if (auto o = tool->find("offset")) r.tool_offset = vec3(*o);
      if (auto g = tool->find("grip_distance")) r.grip_distance = g->positive();
      if (auto p = tool->find("payload_kg")) r.payload_kg = p->positive();
    }
  }

  // static bodies
  if (auto bs = t.find("bodies")) {
    if (!bs->is_object()) bs->expected("an object of bodies keyed by id");
    for (const auto& [bid, b] : bs->members()) {
      b.check_keys({"role", "shape", "size", "radius", "length", "position", "yaw_deg", "color",
                    "removes_after", "description"});
      BodySpec x;
      x.id = bid;
      const std::string role = b.has("role") ? b.at("role").string() : "obstacle";
      if (role == "obstacle")
        x.role = BodyRole::Obstacle;
      else if (role == "fixture")
        x.role = BodyRole::Fixture;
      else if (role == "structure")
        x.role = BodyRole::Structure;
      else
        b.at("role").expected("\"obstacle\", \"fixture\" or \"structure\"");
      x.geom = geometry(b);
      x.pose = pose_of(b, true);
      if (auto ra = b.find("removes_after")) {
        if (x.role != BodyRole::Fixture) ra->fail("\"removes_after\" applies to fixtures");
        x.removes_after_s = parse_duration(*ra);
      }
      c.bodies.push_back(std::move(x));
    }
  }
  if (c.robot.present) {
    if (auto m = t.at("robot").find("mount")) {
      c.robot.mount = m->string();
      if (std::none_of(c.bodies.begin(), c.bodies.end(),
                       [&](const BodySpec& b) { return b.id == c.robot.mount; }))
        m->fail("unknown body \"" + c.robot.mount + "\": the robot's mount must be one of /bodies");
    }
  }

  // conveyors
  if (auto cs = t.find("conveyors")) {
    if (!cs->is_object()) cs->expected("an object of conveyors keyed by id");
    for (const auto& [cid, cn] : cs->members()) {
      cn.check_keys({"start", "direction_deg", "length", "width", "thickness", "speed_m_s", "feed",
                     "part", "gap", "color", "description"});
      ConveyorSpec x;
      x.id = cid;
      for (const auto& b : c.bodies)
        if (b.id == cid) cn.fail("\"" + cid + "\" is both a body and a conveyor");
      x.start = vec3(cn.at("start"));
      if (auto d = cn.find("direction_deg")) {
        const double a = d->number() * kDeg;
        x.dir = {std::cos(a), std::sin(a), 0};
      }
      x.length = cn.at("length").positive();
      if (auto w = cn.find("width")) x.width = w->positive();
      if (auto th = cn.find("thickness")) x.thickness = th->positive();
      x.speed = cn.at("speed_m_s").positive();
      if (auto g = cn.find("gap")) x.gap = g->non_negative();
      if (auto col = cn.find("color")) x.color = color(*col);
      if (auto p = cn.find("part")) {
        p->check_keys({"shape", "size", "radius", "length", "mass", "friction", "color"});
        x.part = part_template(*p);
      } else {
        x.part.geom.size = {0.05, 0.05, 0.05};
        x.part.geom.color = "#3070d0";
      }
      const double plen =
          x.part.geom.shape == Shape::Box ? x.part.geom.size.x : 2 * x.part.geom.size.x;
      if (plen >= x.length) cn.at("length").fail("the conveyor is shorter than its part");
      if (auto f = cn.find("feed")) {
        f->check_keys({"interval", "first"});
        x.feeds = true;
        x.interval = parse_distribution(f->at("interval"));
        if (!(x.interval.mean() > 0)) f->at("interval").expected("an interval with a mean > 0");
        if (auto fi = f->find("first")) x.first_s = parse_duration(*fi);
      }
      c.conveyors.push_back(std::move(x));
    }
  }

  // initial parts
  if (auto ps = t.find("parts")) {
    for (const Node& p : ps->items()) {
      p.check_keys({"shape", "size", "radius", "length", "mass", "friction", "color", "position",
                    "yaw_deg", "velocity", "angular_velocity"});
      InitialPart x;
      x.part = part_template(p);
      x.pose = pose_of(p, true);
      if (auto v = p.find("velocity")) x.v = vec3(*v);
      if (auto w = p.find("angular_velocity")) x.w = vec3(*w);
      c.parts.push_back(std::move(x));
    }
  }

  if (auto so = t.find("speed_override")) {
    c.speed_override = so->positive();
  }
  if (auto pn = t.find("program")) {
    if (c.mirror) pn->fail("a cell in \"mirror\" mode follows the machine and runs no program");
    c.program = parse_program(*pn, c, true);
    for (const Op& op : c.program)
      if (op.kind == OpKind::Move && op.speed * c.speed_override > 1 + 1e-12)
        t.at("speed_override")
            .fail("speed override " + format_number(c.speed_override) + " x the speed " +
                  format_number(op.speed) + " of step \"" + op.name +
                  "\" would drive the joints beyond their speed limits");
  }
  if (c.power.copper.size() > 1 && c.power.copper.size() != c.robot.joints.size())
    t.at("power")
        .at("copper_w_per_nm2")
        .expected("one coefficient, or one per joint (" + std::to_string(c.robot.joints.size()) +
                  ")");
  return c;
}

}  // namespace dtwin::machine
