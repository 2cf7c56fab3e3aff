#include "tests/engine/toy_model.hpp"

#include <cmath>
#include <limits>

#include "engine/scenario/json_node.hpp"
#include "engine/sim/distribution.hpp"
#include "engine/sim/world.hpp"

namespace dtwin::test {

ToyModel::ToyModel(std::vector<ToySpec> specs) : specs_(std::move(specs)) {
  PropertySpec rate;
  rate.name = "rate";
  rate.unit = "1/h";
  rate.min = 0;
  rate.max = 1000;
  rate.writable = true;
  PropertySpec level;
  level.name = "level";
  level.unit = "items";
  level.min = 0;
  PropertySpec made = level;
  made.name = "made";
  props_ = PropertyList{rate, level, made};
}

void ToyModel::twins(std::vector<TwinInfo>& out) const {
  for (const auto& s : specs_) out.push_back({s.id, "toy", ""});
}

std::unique_ptr<StateBlock> ToyModel::make_state(const RunContext& ctx) const {
  ToyState s;
  for (const auto& spec : specs_) {
    ToyTwinState t;
    t.rng = make_stream(ctx.seed, ctx.replication, spec.id, "make");
    t.rate_per_h = spec.rate_per_h;
    t.level = spec.level;
    s.twins.push_back(t);
  }
  return std::make_unique<StateOf<ToyState>>(std::move(s));
}

void ToyModel::schedule_next(World& w, std::uint32_t self, std::uint32_t twin) const {
  ToyTwinState& t = w.state<ToyState>(self).twins[twin];
  if (!(t.rate_per_h > 0)) return;  // stopped: nothing comes
  const double gap = Distribution::exponential(3600.0 / t.rate_per_h).sample(t.rng);
  w.schedule(w.now() + gap, kModel, self, twin, 0, t.token);
}

void ToyModel::start(World& w, std::uint32_t self) const {
  for (std::uint32_t i = 0; i < specs_.size(); ++i) schedule_next(w, self, i);
}

void ToyModel::handle(World& w, const Event& e) const {
  ToyTwinState& t = w.state<ToyState>(e.model).twins[e.entity];
  if (e.token != t.token) return;  // made before the rate changed: cancelled
  ++t.level;
  ++t.made;
  ++t.items;
  schedule_next(w, e.model, e.entity);
}

void ToyModel::reset_stats(World& w, std::uint32_t self) const {
  ToyState& s = w.state<ToyState>(self);
  for (auto& t : s.twins) t.items = 0;
  s.since = w.now();
}

void ToyModel::collect(const World& w, std::uint32_t self, Metrics& out) const {
  const ToyState& s = w.state<ToyState>(self);
  const double span_h = (w.now() - s.since) / 3600.0;
  std::uint64_t total = 0, most = 0;
  std::string busiest;
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    total += s.twins[i].items;
    if (s.twins[i].items > most) most = s.twins[i].items, busiest = specs_[i].id;
  }
  out.set(
      "throughput_per_h",
      span_h > 0 ? static_cast<double>(total) / span_h : std::numeric_limits<double>::quiet_NaN(),
      "items/h");
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    out.set(specs_[i].id + ".items", static_cast<double>(s.twins[i].items), "items");
    out.set(specs_[i].id + ".level", static_cast<double>(s.twins[i].level), "items");
  }
  out.finding("busiest", busiest, "count");
}

void ToyModel::columns(std::vector<std::string>& out) const {
  for (const auto& s : specs_) out.push_back(s.id + ".level_items");
}

void ToyModel::sample(const World& w, std::uint32_t self, std::vector<std::string>& out) const {
  for (const auto& t : w.state<ToyState>(self).twins) out.push_back(std::to_string(t.level));
}

nlohmann::json ToyModel::state_json(const World& w, std::uint32_t self) const {
  nlohmann::json j = nlohmann::json::object();
  const ToyState& s = w.state<ToyState>(self);
  for (std::size_t i = 0; i < specs_.size(); ++i)
    j[specs_[i].id] = {{"rate_per_h", s.twins[i].rate_per_h},
                       {"level", s.twins[i].level},
                       {"made", s.twins[i].made}};
  return j;
}

void ToyModel::properties(std::vector<TwinSpec>& out) const {
  for (const auto& s : specs_) out.push_back({s.id, props_});
}

bool ToyModel::read_property(const World& w, std::uint32_t self, std::size_t twin, std::size_t prop,
                             Value& out) const {
  const ToyTwinState& t = w.state<ToyState>(self).twins.at(twin);
  switch (prop) {
    case kRate:
      out = Value{t.rate_per_h, ""};
      return true;
    case kLevel:
      out = Value{static_cast<double>(t.level), ""};
      return true;
    case kMade:
      out = Value{static_cast<double>(t.made), ""};
      return true;
    default:
      return false;
  }
}

bool ToyModel::apply_setpoint(World& w, std::uint32_t self, std::size_t twin, std::size_t prop,
                              const Value& v, std::string* reason) const {
  if (prop != kRate || check_value(props_[prop], v) != Outcome::Applied) {
    if (reason) *reason = prop != kRate ? "not a setpoint" : "a rate is 0 to 1000 per hour";
    return false;
  }
  ToyTwinState& t = w.state<ToyState>(self).twins.at(twin);
  t.rate_per_h = v.num;
  ++t.token;  // the item pending at the old rate will not come
  schedule_next(w, self, static_cast<std::uint32_t>(twin));
  return true;
}

bool ToyModel::assimilate(World& w, std::uint32_t self, std::size_t twin, std::size_t prop,
                          const Value& v, std::string* reason) const {
  ToyTwinState& t = w.state<ToyState>(self).twins.at(twin);
  if (prop == kMade) {
    if (reason) *reason = "a counter since the asset started: a fresh run starts at 0";
    return false;
  }
  const bool whole = prop != kLevel || v.num == std::floor(v.num);
  if (check_value(props_[prop], v) != Outcome::Applied || !whole) {
    if (reason) *reason = "not a value the toy can hold";
    return false;
  }
  // no events yet (start() schedules the first ones): only the state changes
  if (prop == kRate) t.rate_per_h = v.num;
  if (prop == kLevel) t.level = static_cast<std::uint64_t>(v.num);
  return true;
}

void register_toy(Registry& r) {
  ModelFactory f;
  f.name = "toy";
  f.kinds = {"toy"};
  f.build = [](const CompileContext& ctx, const std::vector<std::string>& ids) {
    std::vector<ToySpec> specs;
    const Node twins = ctx.root.at("twins");
    for (const auto& id : ids) {
      const Node t = twins.at(id);
      t.check_keys({"kind", "rate", "level"});
      ToySpec s;
      s.id = id;
      if (auto n = t.find("rate")) s.rate_per_h = n->number_in(0, 1000);
      if (auto n = t.find("level")) s.level = static_cast<std::uint64_t>(n->integer_at_least(0));
      specs.push_back(std::move(s));
    }
    return std::vector<std::shared_ptr<const Model>>{std::make_shared<ToyModel>(std::move(specs))};
  };
  r.add(std::move(f));
}

Registry toy_registry() {
  Registry r;
  register_toy(r);
  return r;
}

CompiledVariant compile_toy(const Scenario& sc, const std::string& variant) {
  return sc.compile(sc.find_variant(variant), toy_registry());
}

}  // namespace dtwin::test
