#include "viewer/session.hpp"

#include "engine/base/error.hpp"
#include "engine/scenario/suggest.hpp"
#include "twins/register.hpp"

namespace dtwin::viewer {

namespace {

CompiledVariant compile(const Scenario& sc, const Session::Options& o) {
  Registry reg;
  twins::register_all(reg);
  CompiledVariant v = sc.compile(sc.find_variant(o.variant), reg);
  if (o.seed >= 0) v.settings.seed = static_cast<std::uint64_t>(o.seed);
  return v;
}

Playback make_playback(const CompiledVariant& v) {
  // replication 1 (index 0): the run whose time series dtwin run writes
  return Playback(v.models, RunContext{v.settings.seed, 0}, v.settings.warmup_s,
                  v.settings.duration_s);
}

}  // namespace

Session::Session(const Scenario& sc, const Options& o) : Session(sc, compile(sc, o)) {}

Session::Session(const Scenario& sc, CompiledVariant v)
    : name_(v.settings.name.empty() ? sc.name() : v.settings.name),
      variant_(v.name),
      seed_(v.settings.seed),
      duration_s_(v.settings.duration_s),
      playback_(make_playback(v)) {
  std::vector<const line::LineSpec*> specs;
  for (std::uint32_t i = 0; i < v.models.size(); ++i) {
    const Model* m = v.models[i].get();
    const auto* lm = dynamic_cast<const line::LineModel*>(m);
    const auto* gh = dynamic_cast<const greenhouse::StepTwin*>(m);
    const auto* cm = dynamic_cast<const machine::CellModel*>(m);
    if (m->kind() == "line" && lm) {
      lines_.push_back({i, lm});
      specs.push_back(&lm->spec());
    } else if (gh) {
      greenhouses_.push_back({i, gh, -1, {}});
    } else if (cm) {
      cells_.push_back({i, cm, -1, -1, {}});
    } else {
      undrawn_.emplace_back(m->kind());
    }
  }
  const Node root(v.doc, sc.doc());
  try {
    layout_ = make_layout(specs, root.at("twins"));
  } catch (ScenarioError& e) {
    if (e.location().line == 0) e.set_location(sc.doc().locate(e.pointer()));
    throw;
  }
  // the other models, each in a region of its own: a cell beside the station it times
  const Node twins = root.at("twins");
  for (std::size_t k = 0; k < cells_.size(); ++k) {
    CellView& c = cells_[k];
    const std::string& id = c.cell->spec().id;
    for (const auto& it : layout_.items) {
      if (it.kind != ItemKind::Machine || !twins.has(it.id)) continue;
      const auto proc = twins.at(it.id).find("process");
      if (!proc || !proc->is_object()) continue;
      const auto from = proc->find("from_cell");
      if (from && from->is_string() && from->string() == id) c.station = layout_.find(it.id);
    }
    c.geom = cell_bounds(c.cell->spec());
    Item it;
    it.id = id;
    it.kind = ItemKind::Cell;
    it.index = static_cast<std::uint32_t>(k);
    it.length_m = c.geom.x1 - c.geom.x0 + 0.3;
    it.width_m = c.geom.y1 - c.geom.y0 + 0.3;
    it.height_m = c.geom.top;
    c.item = add_region(layout_, it, c.station);
    const Item& placed = layout_.items[static_cast<std::size_t>(c.item)];
    c.geom.ox = placed.x_m - (c.geom.x0 + c.geom.x1) / 2;
    c.geom.oy = placed.y_m - (c.geom.y0 + c.geom.y1) / 2;
  }
  for (std::size_t k = 0; k < greenhouses_.size(); ++k) {
    GreenhouseView& g = greenhouses_[k];
    const GreenhouseGeom size = greenhouse_geometry(*g.twin, 0, 0);
    Item it;
    it.id = g.twin->id();
    it.kind = ItemKind::Greenhouse;
    it.index = static_cast<std::uint32_t>(k);
    it.length_m = size.length;
    it.width_m = size.width;
    it.height_m = size.height();
    g.item = add_region(layout_, it);
    const Item& placed = layout_.items[static_cast<std::size_t>(g.item)];
    g.geom = greenhouse_geometry(*g.twin, placed.x_m, placed.y_m);
  }
  gh_now_.resize(greenhouses_.size());
}

const GreenhouseNow& Session::greenhouse_now(std::size_t i) const {
  GreenhouseNow& n = gh_now_[i];
  const std::uint64_t rebuilds = playback_.rebuilds() + live_reported_gen_;
  if (n.t != world().now() || n.events != world().events_handled() || n.rebuilds != rebuilds) {
    const greenhouse::StepTwin& m = *greenhouses_[i].twin;
    n = read_greenhouse(m, world(), greenhouses_[i].model);
    const auto it = live_reported_.find(m.id());
    if (it != live_reported_.end()) overlay_reported(m, it->second, n);
    n.rebuilds = rebuilds;
  }
  return n;
}

void Session::set_live_reported(std::map<std::string, nlohmann::json> reported) {
  live_reported_ = std::move(reported);
  ++live_reported_gen_;
}

double Session::default_speed() const {
  if (!cells_.empty()) return 1;
  if (!greenhouses_.empty() && lines_.empty()) return 20000;
  return 10;
}

int Session::find(const std::string& id) const {
  const int i = layout_.find(id);
  if (i >= 0) return i;
  const std::vector<std::string> ids = layout_.ids();
  std::string msg = "no twin \"" + id + "\" to select";
  msg += did_you_mean(id, ids);
  msg += " (twins: ";
  for (std::size_t k = 0; k < ids.size() && k < 40; ++k) msg += (k ? ", " : "") + ids[k];
  if (ids.size() > 40) msg += ", ...";
  throw UsageError(msg + ")");
}

}  // namespace dtwin::viewer
