// {"op": "whatif"}: variants of the scenario forked from the live mirror and run forward on a
// worker thread (engine/run/whatif.hpp), the winner on an objective, and on request ("apply")
// the winner's setpoints made desired values, all or none.
#include <algorithm>
#include <set>
#include <stdexcept>
#include <thread>

#include "engine/base/error.hpp"
#include "engine/live/engine.hpp"
#include "engine/live/request.hpp"
#include "engine/live/whatif_job.hpp"
#include "engine/mirror/binding.hpp"
#include "engine/mirror/mirrorable.hpp"
#include "engine/run/results.hpp"

namespace dtwin {

using namespace live_detail;

namespace {

// "set": {"m2.speed": 1.3, ...}: the setpoints checked against the baseline's properties, as
// observations put in after the live ones, and the variant's name ("set m2.speed=1.3"). An
// error is a reply (fail(...)); empty when none.
nlohmann::json parse_set(const nlohmann::json& set, const CompiledVariant& base,
                         const std::string& plant, std::vector<Observation>& extra,
                         std::string& name) {
  if (!set.is_object() || set.empty())
    throw BadRequest{"\"set\" must be an object of \"twin.prop\" -> value"};
  const Binding b = Binding::of(base.models);
  name = "set";
  for (const auto& [key, val] : set.items()) {
    const auto dot = key.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == key.size())
      throw BadRequest{"\"set\": expected \"twin.prop\", got \"" + key + "\""};
    const std::string twin = key.substr(0, dot), prop = key.substr(dot + 1);
    const auto [t, p] = b.find(twin, prop);
    if (t == std::string::npos)
      return fail("unknown_twin", "no twin \"" + twin + "\" in plant " + plant);
    if (p == std::string::npos)
      return fail("unknown_property", "twin \"" + twin + "\" has no property \"" + prop + "\"");
    const PropertySpec& ps = b.twins[t].properties[p];
    if (!ps.writable) return fail("not_writable", key + " is not a setpoint");
    Value v;
    std::string why;
    const Outcome o = parse_property_value(ps, val, v, &why);
    if (o != Outcome::Applied) return fail(outcome_code(o), why);
    extra.push_back({twin, prop, v});
    name += (name == "set" ? " " : ", ") + key + "=" + val.dump();
  }
  return nullptr;
}

// What a what-if from the network may change: parameters of the scenario's twins (and, through
// "set", setpoints). It never adds a twin, changes a kind or reaches outside /twins; the files
// it may name are checked where they are opened (FileAccess::known_only). A refusal, or null.
nlohmann::json check_patch(const nlohmann::json& patch, const nlohmann::json& base) {
  if (!patch.is_object() || patch.empty())
    throw BadRequest{"\"patch\" must be a JSON merge patch object over the scenario"};
  const auto refuse = [](const std::string& why) {
    return fail("bad_patch", why +
                                 " (a what-if changes parameters of the scenario's twins; it "
                                 "never adds twins, changes kinds or names files)");
  };
  for (const auto& [key, val] : patch.items()) {
    if (key != "twins") return refuse("/" + key + ": a what-if may change only /twins");
    if (!val.is_object()) return refuse("/twins: expected an object of the twins to change");
    const auto& twins = base.at("twins");
    for (const auto& [id, change] : val.items()) {
      if (!twins.contains(id)) return refuse("/twins/" + id + ": no such twin in the scenario");
      if (!change.is_object())
        return refuse("/twins/" + id + ": expected an object of the members to change");
      if (change.contains("kind")) return refuse("/twins/" + id + "/kind: a kind cannot change");
    }
  }
  return nullptr;
}

// What the models add to a what-if forked from the live plant (Mirrorable::fork_whatif: a
// greenhouse's weather from the fork's date, its replications as ensemble members): their merge
// patches in one, the KPIs they show first, a default objective. The request's "weather" member
// is theirs to check; what they refuse is a bad request.
WhatIfFork fork_patches(const CompiledVariant& base, const nlohmann::json& req, double fork_s) {
  const nlohmann::json request =
      req.contains("weather") ? req["weather"] : nlohmann::json::object();
  WhatIfFork all;
  for (const auto& m : base.models) {
    const Mirrorable* mm = mirrorable(*m);
    WhatIfFork one;
    try {
      if (!mm || !mm->fork_whatif(request, fork_s, one)) continue;
    } catch (const std::invalid_argument& e) {
      throw BadRequest{e.what()};
    }
    if (all.patch.is_null()) all.patch = nlohmann::json::object();
    all.patch.merge_patch(one.patch);
    for (auto& k : one.kpis)
      if (std::find(all.kpis.begin(), all.kpis.end(), k) == all.kpis.end()) all.kpis.push_back(k);
    if (all.objective.empty()) all.objective = one.objective;
  }
  return all;
}

}  // namespace

void LiveEngine::op_whatif(const nlohmann::json& req, Reply reply) {
  if (whatifs_.size() >= 4) return reply(fail("busy", "four what-ifs are running already"));
  auto job = std::make_unique<WhatIfJob>();
  WhatIf& q = job->question;
  std::vector<std::string> names;
  if (req.contains("variants")) {
    const auto& v = req["variants"];
    if (!v.is_array()) throw BadRequest{"\"variants\" must be an array of variant names"};
    for (const auto& n : v) {
      if (!n.is_string()) throw BadRequest{"\"variants\" must be an array of variant names"};
      names.push_back(n.get<std::string>());
    }
  }
  // every variant, unless the question is a "set" or a "patch"
  if (names.empty() && !req.contains("set") && !req.contains("patch"))
    for (std::size_t i = 1; i < sc_.variants().size(); ++i) names.push_back(sc_.variants()[i].name);
  const double horizon = num_member(req, "horizon_s", 8 * 3600.0);
  if (!(horizon > 0)) throw BadRequest{"\"horizon_s\" must be positive"};
  const auto reps = static_cast<std::uint32_t>(
      std::min<std::uint64_t>(uint_member(req, "replications", 0), 1000));
  q.objective = req.value("objective", std::string("throughput_per_h"));
  q.minimize = req.value("minimize", false);
  job->apply = req.value("apply", false);
  std::vector<std::size_t> which = {0};
  for (const auto& n : names) {
    const std::size_t i = sc_.find_variant(n);  // UsageError listing the names
    if (i != 0 && std::find(which.begin(), which.end(), i) == which.end()) which.push_back(i);
  }
  // what the twins add to a fork (a greenhouse's weather from the fork's date, replications as
  // ensemble members); "weather": false asks for none
  nlohmann::json wpatch;
  if (req.value("weather", nlohmann::json::object()) != false) {
    WhatIfFork f = fork_patches(base_, req, clock_());
    wpatch = std::move(f.patch);
    if (!f.objective.empty()) q.objective = req.value("objective", f.objective);
    job->kpis = std::move(f.kpis);
  }
  // the scenario's own patch for what-ifs (live.whatif_patch), under the weather's
  if (!live_.whatif_patch.is_null()) {
    nlohmann::json both = live_.whatif_patch;
    if (!wpatch.is_null()) both.merge_patch(wpatch);
    wpatch = std::move(both);
  }
  for (auto i : which) {
    if (wpatch.is_null()) {
      q.variants.push_back(sc_.compile(i, reg_));
    } else {
      try {
        const FileAccess known = sc_.files().known_only();  // a request names no file
        q.variants.push_back(sc_.compile(i, reg_, wpatch, sc_.variants()[i].name, &known));
      } catch (const ScenarioError& e) {
        return reply(fail("bad_whatif", e.describe()));
      }
    }
    settle_for_whatif(q.variants.back(), horizon, reps);
  }
  q.extra.resize(q.variants.size());
  // "set": one more variant, the baseline with these setpoints put into the fork over the live
  // values (an operator's edit asked about before it is sent)
  if (const auto it = req.find("set"); it != req.end() && !it->is_null()) {
    CompiledVariant cv = q.variants[0];
    std::vector<Observation> extra;
    const nlohmann::json refused = parse_set(*it, cv, live_.plant, extra, cv.name);
    if (!refused.is_null()) return reply(refused);
    q.variants.push_back(std::move(cv));
    q.extra.push_back(std::move(extra));
  }
  // "patch": {"twins": {"m3": {"process": {"mean": 40}}}}: one more variant, the baseline
  // compiled with this merge patch (a parameter changed), forked from the same live values
  if (const auto it = req.find("patch"); it != req.end() && !it->is_null()) {
    const nlohmann::json refused = check_patch(*it, q.variants[0].doc);
    if (!refused.is_null()) return reply(refused);
    CompiledVariant cv;
    try {
      const FileAccess known = sc_.files().known_only();  // a request names no file
      nlohmann::json both = wpatch.is_null() ? nlohmann::json::object() : wpatch;
      both.merge_patch(*it);
      cv = sc_.compile(0, reg_, both, "patch " + it->dump(), &known);
    } catch (const ScenarioError& e) {
      return reply(fail("bad_patch", e.describe()));
    }
    cv.settings = q.variants[0].settings;
    q.variants.push_back(std::move(cv));
    q.extra.emplace_back();
  }
  // the fork: what every twin reports now, and the revisions it was taken at
  job->forked_at = clock_();
  for (std::size_t t = 0; t < mirror_->twin_count(); ++t) {
    const auto& st = mirror_->state(t);
    job->fork_revision.push_back(st.revision);
    std::vector<std::uint64_t> dv;
    for (std::size_t p = 0; p < st.props.size(); ++p) {
      dv.push_back(st.props[p].desired.version);
      if (st.props[p].reported.present)
        q.observed.push_back(
            {mirror_->spec(t).id, mirror_->spec(t).properties[p].name, st.props[p].reported.value});
    }
    job->fork_desired_version.push_back(std::move(dv));
  }
  q.jobs = opt_.whatif_jobs ? opt_.whatif_jobs : std::max(1u, std::thread::hardware_concurrency());
  // the budget: what the request asks for, at most what the engine allows
  const std::uint64_t max_events = uint_member(req, "max_events", opt_.whatif_max_events);
  const double max_wall = num_member(req, "max_wall_s", opt_.whatif_max_wall_s);
  if (!(max_wall > 0)) throw BadRequest{"\"max_wall_s\" must be positive"};
  q.budget.max_events =
      opt_.whatif_max_events == 0
          ? max_events
          : std::min(max_events == 0 ? opt_.whatif_max_events : max_events, opt_.whatif_max_events);
  q.budget.max_wall_s =
      opt_.whatif_max_wall_s > 0 ? std::min(max_wall, opt_.whatif_max_wall_s) : max_wall;
  q.budget.cancel = &cancel_;
  job->reply = std::move(reply);
  WhatIfJob* j = job.get();
  j->thread = std::thread([this, j] {
    try {
      j->result = run_whatif(sc_, j->question);
    } catch (const BudgetExceeded& e) {
      const bool cancelled = e.why() == BudgetExceeded::Why::Cancelled;
      j->code = cancelled ? "cancelled" : "budget_exceeded";
      j->error = cancelled
                     ? std::string("the engine is shutting down")
                     : std::string(e.what()) +
                           " (budget: " + std::to_string(j->question.budget.max_events) +
                           " events per run, " + std::to_string(j->question.budget.max_wall_s) +
                           " s for the what-if; serve --whatif-max-events / --whatif-max-wall)";
    } catch (const std::exception& e) {
      j->code = "whatif_failed";
      j->error = e.what();
    }
    j->done = true;
  });
  whatifs_.push_back(std::move(job));
}

void LiveEngine::finish_whatifs() {
  for (std::size_t i = 0; i < whatifs_.size();) {
    WhatIfJob& w = *whatifs_[i];
    if (!w.done) {
      ++i;
      continue;
    }
    if (w.thread.joinable()) w.thread.join();
    if (!w.error.empty()) {
      w.reply(fail(w.code, w.error));
    } else {
      const WhatIf& q = w.question;
      const WhatIfResult& r = w.result;
      nlohmann::json res;
      res["forked_at"] = w.forked_at;
      res["horizon_s"] = q.variants[0].settings.duration_s;
      res["replications"] = q.variants[0].settings.replications;
      res["revisions"] = nlohmann::json::object();
      for (std::size_t t = 0; t < mirror_->twin_count(); ++t)
        res["revisions"][mirror_->spec(t).id] = w.fork_revision[t];
      res["assimilated"] = r.assimilated;
      res["variant_setpoints"] = nlohmann::json::object();
      for (std::size_t v = 1; v < q.variants.size() && v < r.own_setpoints.size(); ++v) {
        std::set<std::string> own;
        for (const auto& c : r.own_setpoints[v]) own.insert(c.twin + "." + c.prop);
        res["variant_setpoints"][q.variants[v].name] = own;
      }
      res["report"] = nlohmann::json::parse(r.report.dump());
      if (!w.kpis.empty()) res["weather_ensemble"] = true;
      std::vector<std::string> headline = w.kpis.empty() ? headline_kpis() : w.kpis;
      if (std::find(headline.begin(), headline.end(), q.objective) == headline.end())
        headline.insert(headline.begin(), q.objective);
      // a twin's KPI by its own name: "profit_eur_m2" shows "gh.profit_eur_m2"
      std::vector<std::string> keys;
      for (const auto& h : headline)
        for (const auto& k : r.table.keys)
          if (k == h || (k.size() > h.size() && k.compare(k.size() - h.size(), h.size(), h) == 0 &&
                         k[k.size() - h.size() - 1] == '.'))
            keys.push_back(k);
      headline = keys;
      res["table"] = comparison_text(r.table, headline);
      if (r.has_objective)
        res["objective"] = {
            {"kpi", q.objective}, {"minimize", q.minimize}, {"winner", r.winner}, {"mean", r.best}};
      else
        res["objective"] = {{"kpi", q.objective}, {"error", "no such KPI in the results"}};
      if (w.apply) res["apply"] = apply_whatif(w);
      w.reply(ok(std::move(res)));
    }
    whatifs_.erase(whatifs_.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

nlohmann::json LiveEngine::apply_whatif(WhatIfJob& w) {
  const std::string& winner = w.result.winner;
  if (winner == "baseline")
    return {{"applied", false}, {"reason", "the baseline is best: nothing to change"}};
  std::size_t vi = 0;
  for (std::size_t i = 0; i < w.question.variants.size(); ++i)
    if (w.question.variants[i].name == winner) vi = i;
  // the setpoints: writable properties whose value differs from the baseline's at the start
  struct Write {
    std::size_t twin, prop;
    nlohmann::json value;
  };
  std::vector<Write> writes;
  for (const SetpointChange& c : w.result.own_setpoints[vi]) {
    const std::size_t mt = mirror_->find_twin(c.twin);
    if (mt == std::string::npos) continue;
    const std::size_t mp = mirror_->find_property(mt, c.prop);
    if (mp == std::string::npos) continue;
    writes.push_back({mt, mp, value_to_json(c.spec, c.value)});
  }
  if (writes.empty())
    return {{"applied", false},
            {"reason", "variant \"" + winner +
                           "\" changes no setpoint (only what the plant "
                           "cannot be told: a design change)"}};
  // all or none: refused when any property got a new desired value after the fork
  for (const auto& wr : writes) {
    const auto now_v = mirror_->state(wr.twin).props[wr.prop].desired.version;
    const auto fork_v = w.fork_desired_version[wr.twin][wr.prop];
    if (now_v != fork_v) {
      const std::string name =
          mirror_->spec(wr.twin).id + "." + mirror_->spec(wr.twin).properties[wr.prop].name;
      return {
          {"applied", false},
          {"code", "conflict"},
          {"reason", name + " was set after the fork (desired version " + std::to_string(fork_v) +
                         " -> " + std::to_string(now_v) + "): run the what-if again"}};
    }
  }
  nlohmann::json done = nlohmann::json::array();
  for (const auto& wr : writes) {
    const std::string twin = mirror_->spec(wr.twin).id;
    const std::string prop = mirror_->spec(wr.twin).properties[wr.prop].name;
    const WriteResult r = service_->set(twin, prop, wr.value, 0, "whatif:" + winner);
    nlohmann::json one = {{"twin", twin}, {"prop", prop}, {"value", wr.value}};
    if (r.outcome == Outcome::Applied) {
      one["version"] = r.version;
      one["state"] = desired_state_name(mirror_->state(wr.twin).props[wr.prop].desired.state);
    } else {
      one["refused"] = r.reason;
    }
    done.push_back(std::move(one));
  }
  return {{"applied", true}, {"variant", winner}, {"writes", std::move(done)}};
}

}  // namespace dtwin
