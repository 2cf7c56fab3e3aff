#include "engine/run/whatif.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <utility>

namespace dtwin {

std::vector<Observation> observe(const World& w) {
  std::vector<Observation> out;
  const Binding b = Binding::of(w);
  for (std::size_t t = 0; t < b.twins.size(); ++t)
    for (std::size_t p = 0; p < b.twins[t].properties.size(); ++p) {
      Value v;
      if (b.read(w, t, p, v)) out.push_back({b.twins[t].id, b.twins[t].properties[p].name, v});
    }
  return out;
}

void settle_for_whatif(CompiledVariant& v, double horizon_s, std::uint32_t replications) {
  v.settings.duration_s = horizon_s;
  v.settings.warmup_s = 0;
  v.settings.sample_interval_s = 0;
  if (replications > 0) v.settings.replications = replications;
}

namespace {

// the writable properties of a fresh world of `v` as it starts, in twin and property order
std::vector<SetpointChange> initial_setpoints(const CompiledVariant& v) {
  std::vector<SetpointChange> out;
  World probe(v.models);
  probe.start(RunContext{v.settings.seed, 0});
  const Binding b = Binding::of(probe);
  for (std::size_t t = 0; t < b.twins.size(); ++t)
    for (std::size_t p = 0; p < b.twins[t].properties.size(); ++p) {
      const PropertySpec& ps = b.twins[t].properties[p];
      Value val;
      if (ps.writable && b.read(probe, t, p, val)) out.push_back({b.twins[t].id, ps.name, val, ps});
    }
  return out;
}

}  // namespace

std::vector<SetpointChange> setpoint_changes(const CompiledVariant& base,
                                             const CompiledVariant& v) {
  std::map<std::pair<std::string, std::string>, Value> b;
  for (auto& c : initial_setpoints(base)) b[{c.twin, c.prop}] = std::move(c.value);
  std::vector<SetpointChange> out;
  for (auto& c : initial_setpoints(v)) {
    const auto it = b.find({c.twin, c.prop});
    if (it == b.end() || !(it->second == c.value)) out.push_back(std::move(c));
  }
  return out;
}

WorldInit assimilate_init(const std::vector<CompiledVariant>& variants,
                          std::vector<std::vector<Observation>> obs) {
  struct Target {
    std::size_t twin, prop;
    Value value;
  };
  struct Resolved {
    Binding binding;
    std::vector<Target> targets;
  };
  auto resolved = std::make_shared<std::vector<Resolved>>(variants.size());
  for (std::size_t i = 0; i < variants.size() && i < obs.size(); ++i) {
    Resolved& r = (*resolved)[i];
    r.binding = Binding::of(variants[i].models);
    for (auto& o : obs[i]) {
      const auto [t, p] = r.binding.find(o.twin, o.prop);
      if (t == std::string::npos || p == std::string::npos) continue;
      r.targets.push_back({t, p, std::move(o.value)});
    }
  }
  return [resolved](World& w, const RunTask& task) {
    if (task.variant >= resolved->size()) return;
    const Resolved& r = (*resolved)[task.variant];
    for (const auto& tg : r.targets) r.binding.assimilate(w, tg.twin, tg.prop, tg.value, nullptr);
  };
}

Best best_variant(const ResultTable& t, const std::string& kpi, bool minimize) {
  Best b;
  std::size_t k = t.key_index(kpi);
  // else a twin's KPI by its own name ("profit_eur_m2" for "gh.profit_eur_m2"), when one twin has
  // it
  for (std::size_t i = 0; k == std::string::npos && i < t.keys.size(); ++i) {
    const std::string& key = t.keys[i];
    if (key.size() > kpi.size() && key.compare(key.size() - kpi.size(), kpi.size(), kpi) == 0 &&
        key[key.size() - kpi.size() - 1] == '.')
      k = i;
  }
  if (k == std::string::npos) return b;
  for (const auto& name : t.variants) {
    double sum = 0;
    std::size_t n = 0;
    for (const auto& row : t.rows)
      if (row.variant == name && std::isfinite(row.values[k])) sum += row.values[k], ++n;
    if (n == 0) continue;
    const double mean = sum / static_cast<double>(n);
    if (!b.found || (minimize ? mean < b.mean : mean > b.mean)) {
      b.mean = mean;
      b.variant = name;
      b.found = true;
    }
  }
  return b;
}

WhatIfResult run_whatif(const Scenario& sc, const WhatIf& q) {
  WhatIfResult res;
  const std::size_t n = q.variants.size();
  // what each variant's fork takes: the observations but its own setpoints, then its extras
  res.own_setpoints.resize(n);
  std::vector<std::vector<Observation>> per(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::set<std::pair<std::string, std::string>> own;
    if (i > 0) {
      res.own_setpoints[i] = setpoint_changes(q.variants[0], q.variants[i]);
      for (const auto& c : res.own_setpoints[i]) own.insert({c.twin, c.prop});
    }
    for (const auto& o : q.observed)
      if (!own.count({o.twin, o.prop})) per[i].push_back(o);
    if (i < q.extra.size()) per[i].insert(per[i].end(), q.extra[i].begin(), q.extra[i].end());
  }
  // what the baseline's fork takes, and why not the rest
  if (n > 0) {
    const CompiledVariant& base = q.variants[0];
    World probe(base.models);
    const Binding b = Binding::of(probe);
    probe.start(RunContext{base.settings.seed, 0}, [&](World& w0) {
      for (const auto& o : per[0]) {
        const auto [t, p] = b.find(o.twin, o.prop);
        if (t == std::string::npos || p == std::string::npos) continue;
        nlohmann::json row = {{"twin", o.twin},
                              {"prop", o.prop},
                              {"value", value_to_json(b.twins[t].properties[p], o.value)}};
        std::string why;
        const bool taken = b.assimilate(w0, t, p, o.value, &why);
        row["taken"] = taken;
        if (!why.empty() && !taken) row["reason"] = why;
        res.assimilated.push_back(std::move(row));
      }
    });
  }
  const WorldInit init = assimilate_init(q.variants, std::move(per));
  res.runs = run_all(q.variants, plan_runs(q.variants), q.jobs, nullptr, nullptr, init, q.budget);
  res.table = make_table(sc, q.variants, res.runs);
  res.report = make_report(res.table);
  const Best best = best_variant(res.table, q.objective, q.minimize);
  res.winner = best.variant;
  res.best = best.mean;
  res.has_objective = best.found;
  return res;
}

}  // namespace dtwin
