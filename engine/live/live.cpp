#include "engine/live/live.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <tuple>
#include <unordered_map>

#include "engine/base/error.hpp"
#include "engine/run/results.hpp"
#include "engine/run/runner.hpp"
#include "engine/scenario/duration.hpp"
#include "engine/scenario/json_node.hpp"

namespace dtwin {

double wall_clock() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

// ---- settings ------------------------------------------------------------------------------

LiveSettings parse_live(const Scenario& sc) {
  LiveSettings out;
  const Node root(sc.doc());
  const auto live = root.find("live");
  if (!live) return out;
  if (!live->is_object()) live->expected("an object");
  live->check_keys({"plant", "stale_after", "emulator"});
  if (auto p = live->find("plant")) {
    out.plant = p->string();
    if (out.plant.empty() || out.plant.find_first_of("/+#$ \t") != std::string::npos)
      p->fail(
          "a plant name must be a non-empty MQTT topic level without '/', '+', '#', '$' or "
          "spaces: \"" +
          out.plant + "\"");
  }
  if (auto s = live->find("stale_after")) out.stale_after_s = parse_duration(*s);
  if (auto e = live->find("emulator")) {
    if (!e->is_object()) e->expected("an object");
    e->check_keys({"speed", "report_every", "full_every", "delay", "noise"});
    if (auto n = e->find("speed")) out.speed = n->number_in(1e-3, 1e6);
    if (auto n = e->find("report_every")) out.report_every_s = parse_duration_positive(*n);
    if (auto n = e->find("full_every")) out.full_every_s = parse_duration_positive(*n);
    if (auto n = e->find("delay")) out.delay_s = parse_duration(*n);
    if (auto n = e->find("noise")) {
      if (!n->is_object())
        n->expected("an object of \"prop\" or \"twin.prop\" -> standard deviation");
      for (const auto& [key, val] : n->members()) {
        LiveSettings::Noise z;
        const auto dot = key.find('.');
        if (dot == std::string::npos) {
          z.prop = key;
        } else {
          z.twin = key.substr(0, dot);
          z.prop = key.substr(dot + 1);
        }
        if (z.prop.empty()) val.fail("a noise key is \"prop\" or \"twin.prop\"");
        z.sigma = val.non_negative();
        out.noise.push_back(z);
      }
    }
  }
  return out;
}

std::vector<TwinSpec> mirror_specs(const CompiledVariant& v) {
  World w(v.models);
  return Binding::of(w).twins;
}

std::uint32_t partition_of(const std::string& twin_id, std::uint32_t n) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : twin_id) h = (h ^ c) * 1099511628211ULL;
  return n <= 1 ? 0 : static_cast<std::uint32_t>(h % n);
}

WorldInit assimilate_init(const std::vector<CompiledVariant>& variants,
                          std::vector<std::vector<ForkObservation>> obs) {
  struct Target {
    std::uint32_t model;
    std::size_t local, prop;
    Value value;
  };
  auto targets = std::make_shared<std::vector<std::vector<Target>>>(variants.size());
  for (std::size_t i = 0; i < variants.size() && i < obs.size(); ++i) {
    const Binding b = Binding::of(World(variants[i].models));
    for (auto& o : obs[i]) {
      const auto [t, p] = b.find(o.twin, o.prop);
      if (t == std::string::npos || p == std::string::npos) continue;
      (*targets)[i].push_back({b.where[t].first, b.where[t].second, p, std::move(o.value)});
    }
  }
  return [targets](World& w, const RunTask& task) {
    if (task.variant >= targets->size()) return;
    for (const auto& tg : (*targets)[task.variant])
      w.models()[tg.model]->assimilate(w, tg.model, tg.local, tg.prop, tg.value, nullptr);
  };
}

namespace {

nlohmann::json ok(nlohmann::json result) {
  return {{"ok", true}, {"result", std::move(result)}};
}
nlohmann::json fail(const std::string& code, const std::string& error) {
  return {{"ok", false}, {"code", code}, {"error", error}};
}
const char* outcome_code(Outcome o) {
  switch (o) {
    case Outcome::UnknownTwin:
      return "unknown_twin";
    case Outcome::UnknownProperty:
      return "unknown_property";
    case Outcome::WrongType:
      return "wrong_type";
    case Outcome::OutOfRange:
      return "out_of_range";
    case Outcome::NotWritable:
      return "not_writable";
    case Outcome::RevisionMismatch:
      return "revision_mismatch";
    case Outcome::StoreFailed:
      return "store_failed";
    default:
      return "refused";
  }
}

// A request member, or a bad_request naming it.
struct BadRequest {
  std::string what;
};
const nlohmann::json& member(const nlohmann::json& req, const char* key) {
  const auto it = req.find(key);
  if (it == req.end()) throw BadRequest{std::string("missing \"") + key + "\""};
  return *it;
}
std::string str_member(const nlohmann::json& req, const char* key) {
  const auto& j = member(req, key);
  if (!j.is_string()) throw BadRequest{std::string("\"") + key + "\" must be a string"};
  return j.get<std::string>();
}
double num_member(const nlohmann::json& req, const char* key, double dflt) {
  const auto it = req.find(key);
  if (it == req.end() || it->is_null()) return dflt;
  if (!it->is_number() || !std::isfinite(it->get<double>()))
    throw BadRequest{std::string("\"") + key + "\" must be a number"};
  return it->get<double>();
}
std::uint64_t uint_member(const nlohmann::json& req, const char* key, std::uint64_t dflt) {
  const auto it = req.find(key);
  if (it == req.end() || it->is_null()) return dflt;
  if (!it->is_number_integer() ||
      (it->is_number_integer() && it->get<std::int64_t>() < 0 && !it->is_number_unsigned()))
    throw BadRequest{std::string("\"") + key + "\" must be a non-negative integer"};
  return it->get<std::uint64_t>();
}

}  // namespace

// ---- the store as the service's observer ---------------------------------------------------

struct LiveEngine::Observer final : MirrorObserver {
  Mirror& m;
  MirrorStore& store;
  const LiveEngine::Clock& clock;
  Observer(Mirror& mm, MirrorStore& s, const LiveEngine::Clock& c) : m(mm), store(s), clock(c) {}
  void reported(std::size_t t, std::size_t p) override {
    store.record_reported(t, p, m.state(t).props[p].reported);
  }
  void desired(std::size_t t, std::size_t p, bool command) override {
    if (command)
      store.commit_desired(t, p, m.state(t).props[p].desired, clock());
    else
      store.record_desired(t, p, m.state(t).props[p].desired, clock());
  }
  void presence(std::size_t t, bool online) override {
    store.record_presence(t, online, m.state(t).session, clock());
  }
};

// ---- what-if from live ---------------------------------------------------------------------

struct LiveEngine::WhatIf {
  // inputs, fixed at the fork
  std::vector<CompiledVariant> variants;  // baseline first
  struct Obs {
    std::string twin, prop;
    Value value;
  };
  std::vector<Obs> obs;
  std::vector<std::vector<Obs>> extra;       // per variant: setpoints put in over the live values
  std::vector<std::uint64_t> fork_revision;  // per mirror twin
  std::vector<std::vector<std::uint64_t>> fork_desired_version;
  double forked_at = 0;
  std::string objective;
  bool minimize = false, apply = false;
  unsigned jobs = 1;
  std::function<void(nlohmann::json)> reply;
  // outputs
  std::thread thread;
  std::atomic<bool> done{false};
  std::vector<RunResult> results;
  std::vector<nlohmann::json> assimilated;  // what the fork took, and what it left
  // per variant: the setpoints it sets itself (not taken from the live plant)
  std::vector<std::set<std::pair<std::string, std::string>>> own_setpoints;
  std::string error;
};

// ---- derived properties: a world of the models that derive them ------------------------------

struct LiveEngine::LiveWorld {
  std::unique_ptr<World> world;
  Binding binding;
  struct Twin {
    std::size_t mirror = 0, bind = 0;
    // per property: the (session, seq, source time) of the report the world took last
    std::vector<std::tuple<std::uint64_t, std::uint64_t, double>> taken;
  };
  std::vector<Twin> twins;
  double t0 = -1;  // source time of the first report: world time 0
};

const World* LiveEngine::live_world() const {
  return live_world_ ? live_world_->world.get() : nullptr;
}

void LiveEngine::feed_live_world() {
  LiveWorld& L = *live_world_;
  for (auto& tw : L.twins) {
    const TwinMirrorState& st = mirror_->state(tw.mirror);
    const TwinSpec& spec = mirror_->spec(tw.mirror);
    std::vector<std::size_t> fresh;
    std::tuple<std::uint64_t, std::uint64_t, double> newest{0, 0, -1e300};
    for (std::size_t p = 0; p < spec.properties.size(); ++p) {
      const Reported& r = st.props[p].reported;
      if (spec.properties[p].derived || !r.present) continue;
      const auto key = std::make_tuple(r.session, r.seq, r.source_time);
      if (!(tw.taken[p] < key)) continue;
      tw.taken[p] = key;
      fresh.push_back(p);
      newest = std::max(newest, key);
    }
    if (fresh.empty()) continue;
    const double source_time = std::get<2>(newest);
    if (L.t0 < 0) L.t0 = source_time;
    const double t = std::max(L.world->now(), (source_time - L.t0) * live_.speed);
    L.world->run_until(t);
    const auto [m, local] = L.binding.where[tw.bind];
    const Model& model = *L.world->models()[m];
    for (std::size_t p : fresh) {
      std::string why;  // what the model does not take (a counter, a status) is left
      model.assimilate(*L.world, m, local, p, st.props[p].reported.value, &why);
    }
    const double now = clock_();
    const std::uint64_t revision = st.revision;
    for (std::size_t p = 0; p < spec.properties.size(); ++p) {
      if (!spec.properties[p].derived) continue;
      Value v;
      if (L.binding.read(*L.world, tw.bind, p, v))
        mirror_->report(tw.mirror, p, v, source_time, std::get<0>(newest), std::get<1>(newest),
                        now);
    }
    // the service published the twin's state before the derived values were in: again
    if (st.revision != revision && service_->publish_state)
      link_.publish({service_->topic(spec.id, "state"), mirror_->twin_json(tw.mirror, now).dump(),
                     0, true, "", ""});
  }
}

LiveEngine::LiveEngine(const Scenario& sc, const Registry& reg, Link& link, LiveOptions opt,
                       Clock clock)
    : sc_(sc), reg_(reg), link_(link), opt_(std::move(opt)), clock_(std::move(clock)) {
  live_ = parse_live(sc_);
  base_ = sc_.compile(0, reg_);
  if (opt_.part_n < 1 || opt_.part_k < 1 || opt_.part_k > opt_.part_n)
    throw UsageError("partition " + std::to_string(opt_.part_k) + "/" +
                     std::to_string(opt_.part_n) + ": expected K/N with 1 <= K <= N");
  std::vector<TwinSpec> specs = mirror_specs(base_);
  if (opt_.part_n > 1) {
    std::vector<TwinSpec> mine;
    for (auto& t : specs)
      if (partition_of(t.id, opt_.part_n) == opt_.part_k - 1) mine.push_back(std::move(t));
    specs = std::move(mine);
  }
  mirror_ = std::make_unique<Mirror>(std::move(specs));
  service_ = std::make_unique<MirrorService>(*mirror_, link_, live_.plant, clock_);
  service_->subscribe_per_twin = opt_.part_n > 1;
  service_->stale_after_s = live_.stale_after_s;
  service_->max_payload = opt_.max_payload;
  // the models that derive properties live get a world of their own
  std::vector<std::shared_ptr<const Model>> live;
  for (const auto& m : base_.models)
    if (m->live_world()) live.push_back(m);
  if (!live.empty()) {
    auto lw = std::make_unique<LiveWorld>();
    lw->world = std::make_unique<World>(std::move(live));
    lw->world->start(RunContext{base_.settings.seed, 0});
    lw->binding = Binding::of(*lw->world);
    for (std::size_t b = 0; b < lw->binding.twins.size(); ++b) {
      const std::size_t t = mirror_->find_twin(lw->binding.twins[b].id);
      if (t == std::string::npos) continue;  // another partition's
      LiveWorld::Twin tw;
      tw.mirror = t;
      tw.bind = b;
      tw.taken.assign(lw->binding.twins[b].properties.size(), {0, 0, -1e300});
      lw->twins.push_back(std::move(tw));
    }
    if (!lw->twins.empty()) live_world_ = std::move(lw);
  }
  link_.on_message([this](const Message& m) { on_message(m); });
}

LiveEngine::~LiveEngine() {
  for (auto& w : whatifs_)
    if (w->thread.joinable()) w->thread.join();
  if (store_) service_->set_observer(nullptr);
}

void LiveEngine::on_log(Log f) {
  log_ = f;
  service_->on_log(std::move(f));
}

std::vector<std::string> LiveEngine::start() {
  std::vector<std::string> warnings;
  if (!opt_.store.empty()) {
    store_ = std::make_unique<MirrorStore>(opt_.store);
    warnings = store_->load_into(*mirror_);
    observer_ = std::make_unique<Observer>(*mirror_, *store_, clock_);
    service_->set_observer(observer_.get());
  }
  started_ = clock_();
  link_.subscribe(request_topic(), 1);
  service_->start();
  return warnings;
}

void LiveEngine::stop() {
  if (store_) {
    store_->close();
    service_->set_observer(nullptr);
    observer_.reset();
    store_.reset();
  }
}

int LiveEngine::poll(int timeout_ms) {
  const int n = service_->poll(timeout_ms);
  if (store_) store_->flush_if_due();
  finish_whatifs();
  return n;
}

std::size_t LiveEngine::whatifs_running() const {
  return whatifs_.size();
}

void LiveEngine::on_message(const Message& m) {
  if (m.topic != request_topic()) {
    if (recorder_) recorder_->write(clock_(), m);
    service_->handle(m);
    if (live_world_) feed_live_world();
    return;
  }
  if (m.response_topic.empty()) {
    if (log_) log_("request without a response topic ignored");
    return;
  }
  const std::string to = m.response_topic, corr = m.correlation;
  auto reply = [this, to, corr](nlohmann::json j) {
    link_.publish({to, j.dump(), 1, false, "", corr});
  };
  if (m.payload.size() > opt_.max_payload) return reply(fail("bad_request", "request too large"));
  const auto req = nlohmann::json::parse(m.payload, nullptr, false);
  if (req.is_discarded() || !req.is_object())
    return reply(fail("bad_request", "a request is a JSON object with an \"op\""));
  request(req, reply);
}

void LiveEngine::request(const nlohmann::json& req, std::function<void(nlohmann::json)> reply) {
  try {
    const std::string op = str_member(req, "op");
    if (opt_.part_n > 1) {
      // partitioned: a twin's engine answers for it, partition 1 for the plant; the others
      // keep quiet (the client takes the one answer that comes)
      const auto tw = req.find("twin");
      if (tw != req.end() && tw->is_string()) {
        if (partition_of(tw->get<std::string>(), opt_.part_n) != opt_.part_k - 1) return;
      } else if (opt_.part_k != 1) {
        return;
      }
    }
    if (op == "get") return reply(do_get(req));
    if (op == "set") return reply(do_set(req));
    if (op == "history") return reply(do_history(req));
    if (op == "status") return reply(do_status());
    if (op == "snapshot") return reply(do_snapshot(req));
    if (op == "whatif") return start_whatif(req, reply);  // a copy: a refusal below uses it
    reply(fail("bad_request",
               "unknown op \"" + op + "\" (get, set, history, status, snapshot or whatif)"));
  } catch (const BadRequest& e) {
    reply(fail("bad_request", e.what));
  } catch (const StoreError& e) {
    reply(fail("store_failed", e.what()));
  } catch (const ScenarioError& e) {
    reply(fail("bad_request", e.describe()));
  } catch (const UsageError& e) {
    reply(fail("bad_request", e.what()));
  }
}

nlohmann::json LiveEngine::do_get(const nlohmann::json& req) {
  const double now = clock_();
  if (!req.contains("twin")) {
    nlohmann::json list = nlohmann::json::array();
    for (std::size_t t = 0; t < mirror_->twin_count(); ++t) {
      const auto& st = mirror_->state(t);
      list.push_back({{"id", mirror_->spec(t).id},
                      {"online", st.online},
                      {"revision", st.revision},
                      {"delta", mirror_->delta(t).size()}});
    }
    return ok({{"plant", live_.plant}, {"twins", std::move(list)}});
  }
  const std::string id = str_member(req, "twin");
  const std::size_t t = mirror_->find_twin(id);
  if (t == std::string::npos)
    return fail("unknown_twin", "no twin \"" + id + "\" in plant " + live_.plant);
  nlohmann::json j = mirror_->twin_json(t, now);
  if (req.contains("prop")) {
    const std::string p = str_member(req, "prop");
    if (mirror_->find_property(t, p) == std::string::npos)
      return fail("unknown_property", "twin \"" + id + "\" has no property \"" + p + "\"");
    nlohmann::json one = {{"id", id}, {"prop", p}, {"revision", j["revision"]}};
    if (j["reported"].contains(p)) one["reported"] = j["reported"][p];
    if (j["desired"].contains(p)) one["desired"] = j["desired"][p];
    if (j["delta"].contains(p)) one["delta"] = j["delta"][p];
    return ok(std::move(one));
  }
  return ok(std::move(j));
}

nlohmann::json LiveEngine::do_snapshot(const nlohmann::json& req) {
  const double now = clock_();
  // "since": the revisions the client holds; a twin whose revision is the same is left out
  std::unordered_map<std::string, std::uint64_t> since;
  if (const auto it = req.find("since"); it != req.end() && !it->is_null()) {
    if (!it->is_object())
      throw BadRequest{"\"since\" must be an object of twin id -> revision held"};
    for (const auto& [id, rev] : it->items()) {
      if (!rev.is_number_unsigned())
        throw BadRequest{"\"since\": the revision of \"" + id +
                         "\" must be a non-negative integer"};
      since[id] = rev.get<std::uint64_t>();
    }
  }
  nlohmann::json twins = nlohmann::json::array();
  std::size_t unchanged = 0;
  for (std::size_t t = 0; t < mirror_->twin_count(); ++t) {
    const auto held = since.find(mirror_->spec(t).id);
    if (held != since.end() && held->second == mirror_->state(t).revision) {
      ++unchanged;
      continue;
    }
    twins.push_back(mirror_->twin_json(t, now));
  }
  return ok({{"plant", live_.plant},
             {"time", now},
             {"twin_count", mirror_->twin_count()},
             {"unchanged", unchanged},
             {"twins", std::move(twins)}});
}

nlohmann::json LiveEngine::do_set(const nlohmann::json& req) {
  const std::string twin = str_member(req, "twin"), prop = str_member(req, "prop");
  const nlohmann::json& value = member(req, "value");
  const std::uint64_t if_rev = uint_member(req, "if_revision", 0);
  const double ttl = num_member(req, "ttl_s", 0);
  if (ttl < 0) throw BadRequest{"\"ttl_s\" must not be negative"};
  std::string id;
  if (req.contains("id")) id = str_member(req, "id");
  // answered after the store has committed it (MirrorObserver::desired with command = true)
  const WriteResult r = service_->set(twin, prop, value, if_rev, id, ttl);
  if (r.outcome != Outcome::Applied) {
    nlohmann::json f = fail(outcome_code(r.outcome), r.reason);
    f["revision"] = r.revision;
    return f;
  }
  const std::size_t t = mirror_->find_twin(twin);
  const std::size_t p = mirror_->find_property(t, prop);
  const Desired& d = mirror_->state(t).props[p].desired;
  nlohmann::json res = {{"twin", twin},
                        {"prop", prop},
                        {"version", r.version},
                        {"revision", r.revision},
                        {"id", d.id},
                        {"state", desired_state_name(d.state)},
                        {"stored", store_ != nullptr}};
  if (r.superseded) res["superseded"] = r.superseded;
  return ok(std::move(res));
}

nlohmann::json LiveEngine::do_history(const nlohmann::json& req) {
  if (!store_)
    return fail("no_store", "this engine keeps no history (start dtwin serve with --store FILE)");
  const std::string twin = str_member(req, "twin");
  std::string prop;
  if (req.contains("prop")) prop = str_member(req, "prop");
  const std::size_t t = mirror_->find_twin(twin);
  if (t == std::string::npos)
    return fail("unknown_twin", "no twin \"" + twin + "\" in plant " + live_.plant);
  if (!prop.empty() && mirror_->find_property(t, prop) == std::string::npos)
    return fail("unknown_property", "twin \"" + twin + "\" has no property \"" + prop + "\"");
  const double since = num_member(req, "since", -1e300), until = num_member(req, "until", 1e300);
  const std::uint64_t limit = uint_member(req, "limit", 10000);
  store_->flush();
  const auto rows = store_->history(twin, prop, since, until, limit);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rows) {
    nlohmann::json row = {{"twin", r.twin},   {"prop", r.prop}, {"kind", history_kind_name(r.kind)},
                          {"state", r.state}, {"unit", r.unit}, {"receive_time", r.receive_time}};
    if (!r.value.empty()) row["value"] = nlohmann::json::parse(r.value, nullptr, false);
    if (std::isfinite(r.source_time)) row["source_time"] = r.source_time;
    if (r.kind == HistoryKind::Desired)
      row["version"] = r.version;
    else
      row["session"] = r.session, row["seq"] = r.seq;
    out.push_back(std::move(row));
  }
  return ok({{"rows", std::move(out)}});
}

nlohmann::json LiveEngine::do_status() {
  nlohmann::json s = {{"plant", live_.plant},
                      {"scenario", sc_.name()},
                      {"twins", mirror_->twin_count()},
                      {"uptime_s", clock_() - started_},
                      {"counters", service_->counters().to_json()},
                      {"whatifs_running", whatifs_.size()}};
  std::size_t online = 0;
  for (std::size_t t = 0; t < mirror_->twin_count(); ++t) online += mirror_->state(t).online;
  s["online"] = online;
  if (store_) {
    const auto& st = store_->stats();
    s["store"] = {{"path", store_->path()},
                  {"records", st.records},
                  {"transactions", st.transactions},
                  {"synced", st.synced}};
  }
  return ok(std::move(s));
}

void LiveEngine::start_whatif(const nlohmann::json& req,
                              std::function<void(nlohmann::json)> reply) {
  if (whatifs_.size() >= 4) return reply(fail("busy", "four what-ifs are running already"));
  auto w = std::make_unique<WhatIf>();
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
  const std::uint64_t reps = uint_member(req, "replications", 0);
  w->objective = req.value("objective", std::string("throughput_per_h"));
  w->minimize = req.value("minimize", false);
  w->apply = req.value("apply", false);
  std::vector<std::size_t> which = {0};
  for (const auto& n : names) {
    const std::size_t i = sc_.find_variant(n);  // UsageError listing the names
    if (i != 0 && std::find(which.begin(), which.end(), i) == which.end()) which.push_back(i);
  }
  for (auto i : which) {
    CompiledVariant cv = sc_.compile(i, reg_);
    cv.settings.duration_s = horizon;
    cv.settings.warmup_s = 0;
    cv.settings.sample_interval_s = 0;
    if (reps > 0)
      cv.settings.replications = static_cast<std::uint32_t>(std::min<std::uint64_t>(reps, 1000));
    w->variants.push_back(std::move(cv));
  }
  w->extra.resize(w->variants.size());
  // "set": {"m2.speed": 1.3, ...}: one more variant, the baseline with these setpoints put into
  // the fork over the live values (an operator's edit asked about before it is sent)
  if (const auto it = req.find("set"); it != req.end() && !it->is_null()) {
    if (!it->is_object() || it->empty())
      throw BadRequest{"\"set\" must be an object of \"twin.prop\" -> value"};
    CompiledVariant cv = w->variants[0];
    cv.name = "set";
    const Binding b = Binding::of(World(cv.models));
    std::vector<WhatIf::Obs> extra;
    for (const auto& [key, val] : it->items()) {
      const auto dot = key.find('.');
      if (dot == std::string::npos || dot == 0 || dot + 1 == key.size())
        throw BadRequest{"\"set\": expected \"twin.prop\", got \"" + key + "\""};
      const std::string twin = key.substr(0, dot), prop = key.substr(dot + 1);
      const auto [t, p] = b.find(twin, prop);
      if (t == std::string::npos)
        return reply(fail("unknown_twin", "no twin \"" + twin + "\" in plant " + live_.plant));
      if (p == std::string::npos)
        return reply(
            fail("unknown_property", "twin \"" + twin + "\" has no property \"" + prop + "\""));
      const PropertySpec& ps = b.twins[t].properties[p];
      if (!ps.writable) return reply(fail("not_writable", key + " is not a setpoint"));
      Value v;
      std::string why;
      const Outcome o = parse_property_value(ps, val, v, &why);
      if (o != Outcome::Applied) return reply(fail(outcome_code(o), why));
      extra.push_back({twin, prop, v});
      cv.name += (cv.name == "set" ? " " : ", ") + key + "=" + val.dump();
    }
    w->variants.push_back(std::move(cv));
    w->extra.push_back(std::move(extra));
  }
  // "patch": {"twins": {"m3": {"process": {"mean": 40}}}}: one more variant, the baseline
  // compiled with this merge patch (a parameter changed), forked from the same live values
  if (const auto it = req.find("patch"); it != req.end() && !it->is_null()) {
    if (!it->is_object() || it->empty())
      throw BadRequest{"\"patch\" must be a JSON merge patch object over the scenario"};
    CompiledVariant cv;
    try {
      cv = sc_.compile(0, reg_, *it, "patch " + it->dump());
    } catch (const ScenarioError& e) {
      return reply(fail("bad_patch", e.describe()));
    }
    cv.settings = w->variants[0].settings;
    w->variants.push_back(std::move(cv));
    w->extra.emplace_back();
  }
  // the fork: what every twin reports now, and the revisions it was taken at
  w->forked_at = clock_();
  for (std::size_t t = 0; t < mirror_->twin_count(); ++t) {
    const auto& st = mirror_->state(t);
    w->fork_revision.push_back(st.revision);
    std::vector<std::uint64_t> dv;
    for (std::size_t p = 0; p < st.props.size(); ++p) {
      dv.push_back(st.props[p].desired.version);
      if (st.props[p].reported.present)
        w->obs.push_back(
            {mirror_->spec(t).id, mirror_->spec(t).properties[p].name, st.props[p].reported.value});
    }
    w->fork_desired_version.push_back(std::move(dv));
  }
  w->jobs = opt_.whatif_jobs ? opt_.whatif_jobs : std::max(1u, std::thread::hardware_concurrency());
  w->reply = std::move(reply);
  WhatIf* wp = w.get();
  wp->thread = std::thread([wp] {
    try {
      const std::vector<WhatIf::Obs>& obs = wp->obs;
      // A variant's own setpoints win over the live ones: the fork is the live plant with the
      // variant's change (faster_m3 asks about m3 at its speed, whatever m3 runs at now).
      const auto initial = [](const CompiledVariant& cv) {
        std::map<std::pair<std::string, std::string>, Value> out;
        World probe(cv.models);
        probe.start(RunContext{cv.settings.seed, 0});
        const Binding b = Binding::of(probe);
        for (std::size_t t = 0; t < b.twins.size(); ++t)
          for (std::size_t p = 0; p < b.twins[t].properties.size(); ++p) {
            Value v;
            if (b.twins[t].properties[p].writable && b.read(probe, t, p, v))
              out[{b.twins[t].id, b.twins[t].properties[p].name}] = v;
          }
        return out;
      };
      const auto base_sp = initial(wp->variants[0]);
      std::vector<std::set<std::pair<std::string, std::string>>> own(wp->variants.size());
      for (std::size_t i = 1; i < wp->variants.size(); ++i)
        for (const auto& [key, v] : initial(wp->variants[i])) {
          const auto it = base_sp.find(key);
          if (it == base_sp.end() || !(it->second == v)) own[i].insert(key);
        }
      wp->own_setpoints = own;
      // what each variant's fork takes: the live values but its own setpoints, then the
      // "set" ones
      std::vector<std::vector<ForkObservation>> per(wp->variants.size());
      for (std::size_t i = 0; i < wp->variants.size(); ++i) {
        for (const auto& o : obs)
          if (!own[i].count({o.twin, o.prop})) per[i].push_back({o.twin, o.prop, o.value});
        for (const auto& o : wp->extra[i]) per[i].push_back({o.twin, o.prop, o.value});
      }
      // what the baseline's fork takes, and why not the rest
      {
        World probe(wp->variants[0].models);
        const Binding b = Binding::of(probe);
        probe.start(RunContext{wp->variants[0].settings.seed, 0}, [&](World& w0) {
          for (const auto& o : per[0]) {
            const auto [t, p] = b.find(o.twin, o.prop);
            if (t == std::string::npos || p == std::string::npos) continue;
            const auto [model, local] = b.where[t];
            nlohmann::json row = {{"twin", o.twin},
                                  {"prop", o.prop},
                                  {"value", value_to_json(b.twins[t].properties[p], o.value)}};
            std::string why;
            row["taken"] = w0.models()[model]->assimilate(w0, model, local, p, o.value, &why);
            if (!why.empty() && !row["taken"].get<bool>()) row["reason"] = why;
            wp->assimilated.push_back(std::move(row));
          }
        });
      }
      const WorldInit init = assimilate_init(wp->variants, std::move(per));
      const auto tasks = plan_runs(wp->variants);
      wp->results = run_all(wp->variants, tasks, wp->jobs, nullptr, nullptr, init);
    } catch (const std::exception& e) {
      wp->error = e.what();
    }
    wp->done = true;
  });
  whatifs_.push_back(std::move(w));
}

void LiveEngine::finish_whatifs() {
  for (std::size_t i = 0; i < whatifs_.size();) {
    WhatIf& w = *whatifs_[i];
    if (!w.done) {
      ++i;
      continue;
    }
    w.thread.join();
    if (!w.error.empty()) {
      w.reply(fail("whatif_failed", w.error));
    } else {
      const ResultTable table = make_table(sc_, w.variants, w.results);
      nlohmann::json res;
      res["forked_at"] = w.forked_at;
      res["horizon_s"] = w.variants[0].settings.duration_s;
      res["replications"] = w.variants[0].settings.replications;
      res["revisions"] = nlohmann::json::object();
      for (std::size_t t = 0; t < mirror_->twin_count(); ++t)
        res["revisions"][mirror_->spec(t).id] = w.fork_revision[t];
      res["assimilated"] = w.assimilated;
      res["variant_setpoints"] = nlohmann::json::object();
      for (std::size_t v = 1; v < w.variants.size() && v < w.own_setpoints.size(); ++v) {
        nlohmann::json l = nlohmann::json::array();
        for (const auto& [t, p] : w.own_setpoints[v]) l.push_back(t + "." + p);
        res["variant_setpoints"][w.variants[v].name] = std::move(l);
      }
      res["report"] = nlohmann::json::parse(make_report(table).dump());
      std::vector<std::string> headline = {"throughput_per_h", "lead_time_s", "wip"};
      if (std::find(headline.begin(), headline.end(), w.objective) == headline.end())
        headline.insert(headline.begin(), w.objective);
      res["table"] = comparison_text(table, headline);
      // the winner on the objective (means over replications)
      const std::size_t k = table.key_index(w.objective);
      std::string winner = "baseline";
      if (k != std::string::npos) {
        double best = 0;
        bool have = false;
        for (const auto& vname : table.variants) {
          double sum = 0;
          std::size_t n = 0;
          for (const auto& row : table.rows)
            if (row.variant == vname && std::isfinite(row.values[k])) sum += row.values[k], ++n;
          if (n == 0) continue;
          const double mean = sum / static_cast<double>(n);
          if (!have || (w.minimize ? mean < best : mean > best)) {
            best = mean;
            winner = vname;
            have = true;
          }
        }
        res["objective"] = {
            {"kpi", w.objective}, {"minimize", w.minimize}, {"winner", winner}, {"mean", best}};
      } else {
        res["objective"] = {{"kpi", w.objective}, {"error", "no such KPI in the results"}};
      }
      if (w.apply) res["apply"] = apply_whatif(w, winner);
      w.reply(ok(std::move(res)));
    }
    whatifs_.erase(whatifs_.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

nlohmann::json LiveEngine::apply_whatif(WhatIf& w, const std::string& winner) {
  if (winner == "baseline")
    return {{"applied", false}, {"reason", "the baseline is best: nothing to change"}};
  std::size_t vi = 0;
  for (std::size_t i = 0; i < w.variants.size(); ++i)
    if (w.variants[i].name == winner) vi = i;
  // the setpoints: writable properties whose value differs from the baseline's at the start
  World base(w.variants[0].models), var(w.variants[vi].models);
  base.start(RunContext{w.variants[0].settings.seed, 0});
  var.start(RunContext{w.variants[vi].settings.seed, 0});
  const Binding bb = Binding::of(base), bv = Binding::of(var);
  struct Write {
    std::size_t twin, prop;
    nlohmann::json value;
  };
  std::vector<Write> writes;
  for (std::size_t t = 0; t < bv.twins.size(); ++t) {
    const std::size_t mt = mirror_->find_twin(bv.twins[t].id);
    if (mt == std::string::npos) continue;
    for (std::size_t p = 0; p < bv.twins[t].properties.size(); ++p) {
      const PropertySpec& ps = bv.twins[t].properties[p];
      if (!ps.writable) continue;
      Value vv, vb;
      if (!bv.read(var, t, p, vv)) continue;
      std::size_t bt = bb.twins.size();
      for (std::size_t i = 0; i < bb.twins.size(); ++i)
        if (bb.twins[i].id == bv.twins[t].id) bt = i;
      if (bt < bb.twins.size() && bb.read(base, bt, p, vb) && vb == vv) continue;
      const std::size_t mp = mirror_->find_property(mt, ps.name);
      if (mp == std::string::npos) continue;
      writes.push_back({mt, mp, value_to_json(ps, vv)});
    }
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

// ---- the emulator --------------------------------------------------------------------------

struct LiveEmulator::Asset {
  std::unique_ptr<Link> link;
  std::unique_ptr<AssetAgent> agent;
  bool silent = false;
};

LiveEmulator::LiveEmulator(const CompiledVariant& v, LiveSettings live, std::uint64_t seed,
                           LinkFactory make_link, AssetAgent::Clock clock)
    : v_(v),
      live_(std::move(live)),
      clock_(std::move(clock)),
      world_(v.models),
      noise_rng_(seed ^ 0x9e3779b97f4a7c15ULL) {
  world_.start(RunContext{seed, 0});
  binding_ = Binding::of(world_);
  const std::uint64_t session = static_cast<std::uint64_t>(clock_() * 1000.0);
  for (std::size_t t = 0; t < binding_.twins.size(); ++t) {
    auto a = std::make_unique<Asset>();
    a->link = make_link(binding_.twins[t].id);
    a->agent =
        std::make_unique<AssetAgent>(world_, binding_, t, *a->link, live_.plant, clock_, session);
    for (const auto& z : live_.noise) {
      if (!z.twin.empty() && z.twin != binding_.twins[t].id) continue;
      for (std::size_t p = 0; p < binding_.twins[t].properties.size(); ++p)
        if (binding_.twins[t].properties[p].name == z.prop)
          a->agent->set_noise(p, z.sigma, &noise_rng_);
    }
    a->agent->delay_s = live_.delay_s;
    assets_.push_back(std::move(a));
  }
}

LiveEmulator::~LiveEmulator() = default;

void LiveEmulator::start() {
  wall0_ = clock_();
  sim0_ = world_.now();
  for (auto& a : assets_) a->agent->start();
}

void LiveEmulator::advance() {
  if (paused_) return;
  const double target = sim0_ + (clock_() - wall0_) * live_.speed;
  if (target > world_.now()) world_.run_until(target);
}

void LiveEmulator::pause(bool p) {
  if (p == paused_) return;
  if (!p) {  // resume from where the world stands
    wall0_ = clock_();
    sim0_ = world_.now();
  } else {
    advance();
  }
  paused_ = p;
}

void LiveEmulator::silence(const std::string& twin, bool silent) {
  for (std::size_t t = 0; t < binding_.twins.size(); ++t)
    if (binding_.twins[t].id == twin) assets_[t]->silent = silent;
}

bool LiveEmulator::truth(const std::string& twin, const std::string& prop, Value& out) const {
  const auto [t, p] = binding_.find(twin, prop);
  return t != std::string::npos && p != std::string::npos && binding_.read(world_, t, p, out);
}

std::uint64_t LiveEmulator::setpoints_applied() const {
  std::uint64_t n = 0;
  for (const auto& a : assets_) n += a->agent->setpoints_applied;
  return n;
}

int LiveEmulator::poll(int timeout_ms) {
  int n = 0;
  // the first link waits, the others are drained
  for (std::size_t i = 0; i < assets_.size(); ++i)
    n += assets_[i]->agent->poll(i == 0 ? timeout_ms : 0);
  advance();
  const double now = clock_();
  const bool full = now - last_full_ >= live_.full_every_s;
  if (full || now - last_report_ >= live_.report_every_s) {
    for (auto& a : assets_)
      if (!a->silent)
        a->agent->report(full ? AssetAgent::Report::Refresh : AssetAgent::Report::Changes);
    last_report_ = now;
    if (full) last_full_ = now;
  }
  for (auto& a : assets_)
    if (!a->silent) a->agent->send_due();
  return n;
}

// ---- the client ----------------------------------------------------------------------------

RpcClient::RpcClient(Link& link, std::string plant) : link_(link), plant_(std::move(plant)) {
  std::random_device rd;
  std::ostringstream id;
  id << std::hex << rd() << rd();
  response_topic_ = "dtwin/" + plant_ + "/client/" + id.str() + "/response";
  link_.on_message([this](const Message& m) {
    if (m.topic == response_topic_ && m.correlation == waiting_for_) {
      auto j = nlohmann::json::parse(m.payload, nullptr, false);
      if (!j.is_discarded()) answer_ = std::move(j);
    }
  });
  link_.subscribe(response_topic_, 1);
}

nlohmann::json RpcClient::call(const nlohmann::json& req, int timeout_ms,
                               const std::function<bool()>& cancelled) {
  waiting_for_ = std::to_string(next_++);
  answer_.reset();
  if (!link_.connected()) link_.connect();
  bool sent = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    // publish once connected and subscribed (the subscription goes out first on connection)
    if (!sent && link_.connected()) {
      link_.publish({"dtwin/" + plant_ + "/engine/request", req.dump(), 1, false, response_topic_,
                     waiting_for_});
      sent = true;
    }
    link_.poll(20);
    if (answer_) return *answer_;
    if (cancelled && cancelled()) throw UsageError("request cancelled");
  }
  throw UsageError(sent ? "no answer from an engine for plant \"" + plant_ + "\" within " +
                              std::to_string(timeout_ms / 1000) + " s (is dtwin serve running?)"
                        : "could not reach the broker within " + std::to_string(timeout_ms / 1000) +
                              " s");
}

}  // namespace dtwin
