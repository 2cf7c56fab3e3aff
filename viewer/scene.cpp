#include "viewer/scene.hpp"

#include <algorithm>
#include <cmath>

#include <osg/BlendFunc>
#include <osg/Depth>
#include <osg/Geode>
#include <osg/Geometry>
#include <osg/LineWidth>

#include "engine/base/format.hpp"
#include "viewer/camera.hpp"
#include "viewer/fonts.hpp"
#include "viewer/movers.hpp"
#include "viewer/parts.hpp"
#include "viewer/scene_cell.hpp"
#include "viewer/scene_greenhouse.hpp"

namespace dtwin::viewer {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kLaneWidth_m = 0.12;

osg::Vec4 vec(Rgba c) {
  return {c.r, c.g, c.b, c.a};
}

// drawn flat on the floor, before the solids, without depth: nothing on the floor z-fights
void floor_state(osg::StateSet* ss, int bin) {
  ss->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
  ss->setMode(GL_DEPTH_TEST, osg::StateAttribute::OFF);
  ss->setAttribute(new osg::Depth(osg::Depth::ALWAYS, 0, 1, false));
  ss->setRenderBinDetails(bin, "RenderBin");
}

// flat coloured triangles and lines, built up piece by piece
struct Flat {
  osg::ref_ptr<osg::Vec3Array> v = new osg::Vec3Array;
  osg::ref_ptr<osg::Vec4Array> c = new osg::Vec4Array;

  void tri(osg::Vec3 a, osg::Vec3 b, osg::Vec3 d, Rgba col) {
    for (const auto& p : {a, b, d}) v->push_back(p), c->push_back(vec(col));
  }
  void quad(osg::Vec3 a, osg::Vec3 b, osg::Vec3 d, osg::Vec3 e, Rgba col) {
    tri(a, b, d, col);
    tri(a, d, e, col);
  }
  // a strip of width w from p to q on the floor
  void strip(osg::Vec2d p, osg::Vec2d q, double w, Rgba col) {
    osg::Vec2d d = q - p;
    const double len = d.length();
    if (len < 1e-6) return;
    d /= len;
    const osg::Vec2d n(-d.y() * w / 2, d.x() * w / 2);
    // extend by half the width so the corners of a polyline close
    const osg::Vec2d a = p - d * (w / 2), b = q + d * (w / 2);
    auto v3 = [](osg::Vec2d u) { return osg::Vec3(float(u.x()), float(u.y()), 0.f); };
    quad(v3(a - n), v3(b - n), v3(b + n), v3(a + n), col);
  }
  osg::ref_ptr<osg::Geometry> geometry(GLenum mode) const {
    auto g = osg::ref_ptr<osg::Geometry>(new osg::Geometry);
    g->setVertexArray(v.get());
    g->setColorArray(c.get(), osg::Array::BIND_PER_VERTEX);
    g->addPrimitiveSet(new osg::DrawArrays(mode, 0, static_cast<GLsizei>(v->size())));
    g->setUseVertexBufferObjects(true);
    return g;
  }
};

// the polyline a flow edge is painted along, from the exit of one twin to the entry of the next
std::vector<osg::Vec2d> lane(const Layout& L, const Edge& e) {
  const Item& a = L.items[e.from];
  const Item& b = L.items[e.to];
  double ax, ay, bx, by;
  to_floor(a, a.length_m / 2, 0, &ax, &ay);
  to_floor(b, -b.length_m / 2, 0, &bx, &by);
  const bool square = std::fmod(std::abs(a.rotation_deg), 360.0) == 0 &&
                      std::fmod(std::abs(b.rotation_deg), 360.0) == 0;
  if (e.loop && square) {  // back around the front of the line
    const double low = L.min_y_m - 1.2;
    return {{ax, ay}, {ax + 0.6, ay}, {ax + 0.6, low}, {bx - 0.6, low}, {bx - 0.6, by}, {bx, by}};
  }
  if (square && bx > ax + 0.2 && std::abs(ay - by) > 0.01) {
    const double xm = std::max(ax + 0.3, bx - 0.7);
    return {{ax, ay}, {xm, ay}, {xm, by}, {bx, by}};
  }
  return {{ax, ay}, {bx, by}};
}

Box box(const Item& it, double lx, double ly, double z, double l, double w, double h, Rgba c) {
  double x, y;
  to_floor(it, lx, ly, &x, &y);
  Box b;
  b.x = static_cast<float>(x);
  b.y = static_cast<float>(y);
  b.z = static_cast<float>(z);
  b.yaw = static_cast<float>(it.rotation_deg * kPi / 180);
  b.length = static_cast<float>(l);
  b.width = static_cast<float>(w);
  b.height = static_cast<float>(h);
  b.color = c;
  return b;
}

}  // namespace

Scene::Scene(const Session& s) : root_(new osg::Group) {
  const Layout& L = s.layout();
  build_floor(L);
  build_statics(s);
  root_->addChild(parts_.node());
  root_->addChild(models_.node());
  {  // glass and screens: blended over the solids, not hiding what is behind them
    osg::StateSet* ss = glass_.node()->getOrCreateStateSet();
    ss->setMode(GL_BLEND, osg::StateAttribute::ON);
    ss->setAttributeAndModes(new osg::BlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA));
    ss->setAttributeAndModes(new osg::Depth(osg::Depth::LESS, 0, 1, false));
    ss->setRenderBinDetails(15, "RenderBin");
  }
  root_->addChild(glass_.node());
  build_highlight();
  // labels: all of them in the home view of a small plant, the nearby ones in a large one
  labels_ = std::make_unique<TextBatch>(ui_font(), 13);
  labels_->node()->getOrCreateStateSet()->setRenderBinDetails(20, "RenderBin");
  root_->addChild(labels_->node());
  const CameraPose home = home_pose(L, 16.0 / 9);
  label_range_m_ =
      L.items.size() <= 300 ? std::max(60.0, 1.6 * (home.eye - home.center).length()) : 70.0;
  const osg::BoundingBox bound(float(L.min_x_m - 2), float(L.min_y_m - 2), -0.1f,
                               float(L.max_x_m + 2), float(L.max_y_m + 2),
                               float(L.max_height_m + 6 * kPartHeight_m + 1));
  statics_.set_bound(bound);
  parts_.set_bound(bound);
  models_.set_bound(bound);
  glass_.set_bound(bound);
  update(s, view_matrix(home), projection_matrix(home, 16.0 / 9));
}

void Scene::build_floor(const Layout& L) {
  // a wide floor, and a metre grid (every 5 m on a large plant) over the area the plant stands on
  const double span = std::max(L.max_x_m - L.min_x_m, L.max_y_m - L.min_y_m);
  const double wide = 10 + 1.5 * span, margin = 3 + 0.1 * span;
  const double x0 = std::floor(L.min_x_m - margin), x1 = std::ceil(L.max_x_m + margin);
  const double y0 = std::floor(L.min_y_m - margin - 1.2), y1 = std::ceil(L.max_y_m + margin);
  auto geode = osg::ref_ptr<osg::Geode>(new osg::Geode);

  Flat floor;
  floor.quad({float(x0 - wide), float(y0 - wide), 0}, {float(x1 + wide), float(y0 - wide), 0},
             {float(x1 + wide), float(y1 + wide), 0}, {float(x0 - wide), float(y1 + wide), 0},
             kFloor);
  geode->addDrawable(floor.geometry(GL_TRIANGLES));

  Flat grid;
  const double step = span > 150 ? 5 : 1;
  const Rgba major{kGrid.r - 0.07f, kGrid.g - 0.07f, kGrid.b - 0.07f, 1};
  for (double x = x0; x <= x1; x += step) {
    const Rgba c = std::fmod(std::abs(x), 5 * step) < 1e-9 ? major : kGrid;
    grid.v->push_back({float(x), float(y0), 0}), grid.c->push_back(vec(c));
    grid.v->push_back({float(x), float(y1), 0}), grid.c->push_back(vec(c));
  }
  for (double y = y0; y <= y1; y += step) {
    const Rgba c = std::fmod(std::abs(y), 5 * step) < 1e-9 ? major : kGrid;
    grid.v->push_back({float(x0), float(y), 0}), grid.c->push_back(vec(c));
    grid.v->push_back({float(x1), float(y), 0}), grid.c->push_back(vec(c));
  }
  geode->addDrawable(grid.geometry(GL_LINES));

  // the flow: painted lanes ending in an arrow head
  Flat lanes;
  for (const auto& e : L.edges) {
    const auto pts = lane(L, e);
    for (std::size_t k = 0; k + 1 < pts.size(); ++k)
      lanes.strip(pts[k], pts[k + 1], kLaneWidth_m, kLane);
    osg::Vec2d d = pts.back() - pts[pts.size() - 2];
    if (d.length() < 1e-6) continue;
    d.normalize();
    const osg::Vec2d n(-d.y(), d.x());
    const osg::Vec2d tip = pts.back(), base = tip - d * 0.45;
    auto v3 = [](osg::Vec2d u) { return osg::Vec3(float(u.x()), float(u.y()), 0.f); };
    lanes.tri(v3(base - n * 0.22), v3(tip), v3(base + n * 0.22), kLane);
  }
  geode->addDrawable(lanes.geometry(GL_TRIANGLES));
  floor_state(geode->getOrCreateStateSet(), -10);
  root_->addChild(geode.get());
}

void Scene::build_statics(const Session& s) {
  const Layout& L = s.layout();
  std::vector<Box> boxes;
  bodies_.assign(s.lines().size(), {});
  for (std::uint32_t li = 0; li < s.lines().size(); ++li)
    bodies_[li].assign(s.spec(li).machines.size(), -1);
  item_statics_.clear();
  for (const auto& it : L.items) {
    item_statics_.push_back(boxes.size());
    const double l = it.length_m, w = it.width_m, h = it.height_m;
    switch (it.kind) {
      case ItemKind::Source:
        boxes.push_back(box(it, 0, 0, 0, l, w, h, kPallet));
        break;
      case ItemKind::Machine:
        boxes.push_back(box(it, 0, 0, 0, l, w, 0.15, kPlinth));
        bodies_[it.line][it.index] = static_cast<int>(boxes.size());
        boxes.push_back(
            box(it, 0, 0, 0.15, l - 0.3, w - 0.3, h - 0.21, status_color(line::Status::Starved)));
        boxes.push_back(box(it, 0, 0, h - 0.06, 0.9, 0.9, 0.06, kWorktop));
        break;
      case ItemKind::Buffer:  // a rack: a top on a narrower stand
        boxes.push_back(box(it, 0, 0, h - 0.08, l, w, 0.08, kTable));
        boxes.push_back(box(it, 0, 0, 0, l - 0.3, w - 0.3, h - 0.08, kPlinth));
        break;
      case ItemKind::Conveyor:
        boxes.push_back(box(it, 0, 0, 0, l, w, h - 0.08, kPlinth));
        boxes.push_back(box(it, 0, 0, h - 0.08, l, w - 0.12, 0.08, kBelt));
        break;
      case ItemKind::Sink:
        boxes.push_back(box(it, 0, 0, 0, l, w, h, kSinkBin));
        break;
      case ItemKind::Greenhouse:
        greenhouse_static_boxes(s.greenhouses()[it.index].geom, boxes);
        break;
      case ItemKind::Cell:
        cell_static_boxes(s.cells()[it.index].cell->spec(), s.cells()[it.index].geom, boxes);
        break;
    }
  }
  item_statics_.push_back(boxes.size());
  static_colors_.clear();
  for (const auto& b : boxes) static_colors_.push_back(b.color);
  statics_.set(boxes);
  root_->addChild(statics_.node());
}

void Scene::build_highlight() {
  // an outline of the selected twin's box, drawn over everything
  Flat edges;
  const float l = -0.5f, h = 0.5f;
  const osg::Vec3 c[8] = {{l, l, 0}, {h, l, 0}, {h, h, 0}, {l, h, 0},
                          {l, l, 1}, {h, l, 1}, {h, h, 1}, {l, h, 1}};
  const int pairs[12][2] = {{0, 1}, {1, 2}, {2, 3}, {3, 0}, {4, 5}, {5, 6},
                            {6, 7}, {7, 4}, {0, 4}, {1, 5}, {2, 6}, {3, 7}};
  for (const auto& p : pairs) {
    edges.v->push_back(c[p[0]]), edges.c->push_back(vec(kHighlight));
    edges.v->push_back(c[p[1]]), edges.c->push_back(vec(kHighlight));
  }
  auto geode = osg::ref_ptr<osg::Geode>(new osg::Geode);
  geode->addDrawable(edges.geometry(GL_LINES));
  osg::StateSet* ss = geode->getOrCreateStateSet();
  ss->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
  ss->setMode(GL_DEPTH_TEST, osg::StateAttribute::OFF);
  ss->setAttributeAndModes(new osg::LineWidth(3));
  ss->setRenderBinDetails(19, "RenderBin");
  outline_ = new osg::MatrixTransform;
  outline_->addChild(geode.get());
  outline_->setNodeMask(0);
  root_->addChild(outline_.get());

  // and a glow on the floor around it
  Flat glow;
  const Rgba g{kHighlight.r, kHighlight.g, kHighlight.b, 0.45f};
  glow.quad({l, l, 0}, {h, l, 0}, {h, h, 0}, {l, h, 0}, g);
  auto geode2 = osg::ref_ptr<osg::Geode>(new osg::Geode);
  geode2->addDrawable(glow.geometry(GL_TRIANGLES));
  osg::StateSet* ss2 = geode2->getOrCreateStateSet();
  floor_state(ss2, -9);
  ss2->setMode(GL_BLEND, osg::StateAttribute::ON);
  ss2->setAttributeAndModes(new osg::BlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA));
  halo_ = new osg::MatrixTransform;
  halo_->addChild(geode2.get());
  halo_->setNodeMask(0);
  root_->addChild(halo_.get());
}

void Scene::set_viewport(int w, int h) {
  viewport_h_ = std::max(h, 1);
  const int px = std::clamp(static_cast<int>(std::lround(14.0 * h / 800)), 11, 18);
  if (px != labels_->pixel_size()) {
    auto fresh = std::make_unique<TextBatch>(ui_font(), px);
    fresh->node()->getOrCreateStateSet()->setRenderBinDetails(20, "RenderBin");
    root_->replaceChild(labels_->node(), fresh->node());
    labels_ = std::move(fresh);
    labels_key_.clear();
  }
  labels_->set_viewport(w, h);
}

std::string Scene::label_text(const Session& s, const Item& it) const {
  if (it.kind == ItemKind::Greenhouse) {
    const GreenhouseNow& n = s.greenhouse_now(it.index);
    std::string t = it.id + "\n";
    if (!std::isnan(n.air_c))
      t += fmt_fixed(n.air_c, 1) +
           " \xc2\xb0"
           "C  ";
    return t + "LAI " + fmt_fixed(n.lai, 1);
  }
  if (it.kind == ItemKind::Cell) {
    const machine::CellState& cs = s.cell_state(it.index);
    return it.id + "\n" + machine::cell_status_name(cs.status) + "  " + std::to_string(cs.cycles) +
           " cycles";
  }
  const line::LineState& st = s.state(it.line);
  switch (it.kind) {
    case ItemKind::Greenhouse:
    case ItemKind::Cell:
      break;
    case ItemKind::Machine:
      return it.id + "\n" + line::status_name(st.machines[it.index].status);
    case ItemKind::Buffer:
    case ItemKind::Conveyor: {
      const auto cap = s.spec(it.line).places[it.index].capacity;
      return it.id + "\n" + std::to_string(st.places[it.index].births.size()) +
             (cap == line::kUnbounded ? "" : "/" + std::to_string(cap));
    }
    case ItemKind::Sink:
      return it.id + "\n" + std::to_string(st.places[it.index].entered) + " out";
    case ItemKind::Source: {
      const line::SourceSpec& src = s.spec(it.line).sources[it.index];
      if (src.place == line::kNone ||
          s.spec(it.line).places[src.place].kind != line::PlaceKind::Arrivals)
        return it.id;  // saturated, or its arrivals wait in a buffer of their own
      return it.id + "\n" + std::to_string(st.places[src.place].births.size()) + " waiting";
    }
  }
  return it.id;
}

void Scene::update(const Session& s, const osg::Matrixd& view, const osg::Matrixd& proj) {
  const osg::Matrixd view_proj = view * proj;
  const Layout& L = s.layout();
  auto stale = [this](int item) {
    return item >= 0 && static_cast<std::size_t>(item) < stale_.size() &&
           stale_[static_cast<std::size_t>(item)];
  };
  // stale items: every box of theirs in the stale shade; restored when no longer stale
  if (stale_ != stale_shown_) {
    for (std::size_t i = 0; i + 1 < item_statics_.size(); ++i) {
      const bool st = stale(static_cast<int>(i));
      for (std::size_t b = item_statics_[i]; b < item_statics_[i + 1]; ++b)
        statics_.set_color(b, st ? kStale : static_colors_[b]);
    }
    stale_shown_ = stale_;
  }
  // machine colours: the world's, in live mode the reported state, stale ones in the stale shade
  for (std::uint32_t li = 0; li < s.lines().size(); ++li) {
    const line::LineState& st = s.state(li);
    for (std::size_t m = 0; m < bodies_[li].size(); ++m) {
      const int item =
          li < L.lines.size() && m < L.lines[li].machines.size() ? L.lines[li].machines[m] : -1;
      Rgba c = status_color(st.machines[m].status);
      if (item >= 0 && static_cast<std::size_t>(item) < live_status_.size() &&
          live_status_[static_cast<std::size_t>(item)] >= 0)
        c = status_color(static_cast<line::Status>(live_status_[static_cast<std::size_t>(item)]));
      if (stale(item)) c = kStale;
      statics_.set_color(static_cast<std::size_t>(bodies_[li][m]), c);
    }
  }
  // parts
  boxes_.clear();
  for (std::uint32_t li = 0; li < s.lines().size(); ++li)
    place_parts(L, li, s.spec(li), s.state(li), s.world().now(), boxes_);
  for (std::uint32_t li = 0; li < s.lines().size(); ++li)
    place_movers(L, li, s.spec(li), s.state(li), s.world().now(), boxes_);
  parts_.set(boxes_);
  // greenhouses and cells
  boxes_.clear();
  glass_boxes_.clear();
  auto shade = [&](std::size_t from, int item) {  // a stale model's changing boxes
    if (stale(item))
      for (std::size_t b = from; b < boxes_.size(); ++b)
        boxes_[b].color = {kStale.r, kStale.g, kStale.b, boxes_[b].color.a};
  };
  for (std::size_t g = 0; g < s.greenhouses().size(); ++g) {
    const std::size_t from = boxes_.size();
    greenhouse_boxes(s.greenhouses()[g].geom, s.greenhouse_now(g), boxes_, glass_boxes_);
    shade(from, s.greenhouses()[g].item);
  }
  for (std::size_t c = 0; c < s.cells().size(); ++c) {
    const std::size_t from = boxes_.size();
    cell_boxes(s.cells()[c].cell->spec(), s.cell_state(c), s.cells()[c].geom, boxes_);
    shade(from, s.cells()[c].item);
  }
  // live alerts: a beacon over each twin with an active one, in its severity's colour
  beacons_ = 0;
  for (std::size_t i = 0; i < alert_level_.size() && i < L.items.size(); ++i) {
    if (alert_level_[i] < 0) continue;
    const Item& it = L.items[i];
    Box b;
    b.x = static_cast<float>(it.x_m);
    b.y = static_cast<float>(it.y_m);
    b.z = static_cast<float>(it.height_m + 0.05);
    b.yaw = static_cast<float>(it.rotation_deg * kPi / 180);
    b.length = b.width = 0.3f;
    b.height = 0.3f;
    b.color = alert_color(alert_level_[i]);
    boxes_.push_back(b);
    ++beacons_;
  }
  models_.set(boxes_);
  glass_.set(glass_boxes_);

  // labels of the twins in sight and within range, the nearest first when there are many
  double nearest = 1e300;  // the depth of the nearest twin in sight
  std::vector<std::pair<double, std::size_t>> near;
  for (std::size_t i = 0; i < L.items.size(); ++i) {
    const Item& it = L.items[i];
    const osg::Vec4d clip = osg::Vec4d(it.x_m, it.y_m, it.height_m + 0.35, 1) * view_proj;
    if (clip.w() <= 0) continue;
    const double nx = clip.x() / clip.w(), ny = clip.y() / clip.w();
    if (std::abs(nx) > 1.15 || std::abs(ny) > 1.15) continue;
    nearest = std::min(nearest, clip.w());
    if (clip.w() <= label_range_m_) near.push_back({clip.w(), i});
  }
  // parts only a few pixels tall even on the nearest twin: their tops will do
  const double part_px = kPartHeight_m * proj(1, 1) / nearest * viewport_h_ / 2;
  parts_.set_detail(part_px > 3.0);
  constexpr std::size_t kMaxLabels = 400;
  if (near.size() > kMaxLabels) {
    std::nth_element(near.begin(), near.begin() + kMaxLabels, near.end());
    near.resize(kMaxLabels);
  }
  std::sort(near.begin(), near.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  std::string key;
  std::vector<std::string> texts;
  for (const auto& [d, i] : near) {
    texts.push_back(label_text(s, L.items[i]));
    if (i < live_label_.size() && !live_label_[i].empty()) texts.back() = live_label_[i];
    if (i < alert_level_.size() && alert_level_[i] >= 0)
      texts.back() += std::string("\n") + (alert_level_[i] == 2   ? "! CRITICAL"
                                           : alert_level_[i] == 1 ? "! WARNING"
                                                                  : "! info");
    key += std::to_string(i) + ":" + texts.back() + ";";
  }
  key += "sel" + std::to_string(s.selected());
  if (key != labels_key_) {
    labels_key_ = std::move(key);
    labels_->clear();
    for (std::size_t k = 0; k < near.size(); ++k) {
      const Item& it = L.items[near[k].second];
      const bool sel = static_cast<int>(near[k].second) == s.selected();
      const std::size_t idx = near[k].second;
      const int level = idx < alert_level_.size() ? alert_level_[idx] : -1;
      Rgba tag = sel ? Rgba{kHighlight.r, kHighlight.g, kHighlight.b, 0.9f}
                     : Rgba{0.97f, 0.97f, 0.98f, 0.62f};
      if (level >= 0 && !sel) {
        const Rgba c = alert_color(level);
        tag = {0.6f + 0.4f * c.r, 0.6f + 0.4f * c.g, 0.6f + 0.4f * c.b, 0.85f};
      }
      labels_->text(osg::Vec3(float(it.x_m), float(it.y_m), float(it.height_m + 0.35)), texts[k],
                    {0.07f, 0.08f, 0.10f, 1}, Align::CenterBottom, tag, 2);
    }
    labels_->commit();
    labels_shown_ = near.size();
  }

  // the selection
  const int sel = s.selected();
  if (sel < 0 || static_cast<std::size_t>(sel) >= L.items.size()) {
    outline_->setNodeMask(0);
    halo_->setNodeMask(0);
    return;
  }
  const Item& it = L.items[static_cast<std::size_t>(sel)];
  const osg::Matrixd place =
      osg::Matrixd::rotate(it.rotation_deg * kPi / 180, osg::Vec3d(0, 0, 1)) *
      osg::Matrixd::translate(it.x_m, it.y_m, 0);
  const double top = it.height_m + (it.kind == ItemKind::Machine ? kPartHeight_m : 0) + 0.15;
  outline_->setMatrix(osg::Matrixd::scale(it.length_m + 0.3, it.width_m + 0.3, top) * place);
  halo_->setMatrix(osg::Matrixd::scale(it.length_m + 1.2, it.width_m + 1.2, 1) * place);
  outline_->setNodeMask(~0u);
  halo_->setNodeMask(~0u);
}

}  // namespace dtwin::viewer
