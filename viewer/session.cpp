#include "viewer/session.hpp"

#include "engine/error.hpp"
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
    const auto* lm = dynamic_cast<const line::LineModel*>(v.models[i].get());
    if (v.models[i]->kind() == "line" && lm) {
      lines_.push_back({i, lm});
      specs.push_back(&lm->spec());
    } else {
      undrawn_.emplace_back(v.models[i]->kind());
    }
  }
  const Node root(v.doc, sc.doc());
  try {
    layout_ = make_layout(specs, root.at("twins"));
  } catch (ScenarioError& e) {
    if (e.location().line == 0) e.set_location(sc.doc().locate(e.pointer()));
    throw;
  }
}

int Session::find(const std::string& id) const {
  const int i = layout_.find(id);
  if (i >= 0) return i;
  const std::vector<std::string> ids = layout_.ids();
  std::string msg = "no twin \"" + id + "\" to select";
  if (auto best = closest_name(id, ids)) msg += "; did you mean \"" + *best + "\"?";
  msg += " (twins: ";
  for (std::size_t k = 0; k < ids.size() && k < 40; ++k) msg += (k ? ", " : "") + ids[k];
  if (ids.size() > 40) msg += ", ...";
  throw UsageError(msg + ")");
}

}  // namespace dtwin::viewer
