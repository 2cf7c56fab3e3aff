#include "engine/live/engine.hpp"

#include <algorithm>
#include <thread>

#include "engine/base/error.hpp"
#include "engine/live/live_world.hpp"
#include "engine/live/monitors.hpp"
#include "engine/live/request.hpp"
#include "engine/live/sparkplug_host.hpp"
#include "engine/live/whatif_job.hpp"
#include "engine/mirror/binding.hpp"
#include "engine/transport/wire_json.hpp"

namespace dtwin {

using namespace live_detail;

std::vector<TwinSpec> mirror_specs(const CompiledVariant& v) {
  return Binding::of(v.models).twins;
}

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

LiveEngine::LiveEngine(const Scenario& sc, const Registry& reg, Link& link, LiveOptions opt,
                       Clock clock)
    : sc_(sc), reg_(reg), link_(&link), opt_(std::move(opt)), clock_(std::move(clock)) {
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
  if (live_.sparkplug) {
    // the host application speaks Sparkplug B on the broker; the service goes on with its own
    // wire. Each partition is a host of its own (its own STATE topic).
    SparkplugSettings sps = live_.sp;
    if (opt_.part_n > 1) {
      sps.host_id += "-" + std::to_string(opt_.part_k) + "of" + std::to_string(opt_.part_n);
      // a twin the settings place but another partition mirrors is that one's business
      for (auto it = sps.twins.begin(); it != sps.twins.end();)
        it = mirror_->find_twin(it->first) == std::string::npos ? sps.twins.erase(it)
                                                                : std::next(it);
    }
    std::vector<TwinSpec> mine;
    for (std::size_t t = 0; t < mirror_->twin_count(); ++t) mine.push_back(mirror_->spec(t));
    sparkplug_ = std::make_unique<SparkplugHost>(*link_, live_.plant, std::move(sps), mine, clock_);
    link_ = sparkplug_.get();
  }
  service_ = std::make_unique<MirrorService>(*mirror_, *link_, live_.plant, clock_);
  service_->subscribe_per_twin = opt_.part_n > 1;
  if (opt_.part_n > 1)
    service_->status_level = std::to_string(opt_.part_k) + "of" + std::to_string(opt_.part_n);
  service_->stale_after_s = live_.stale_after_s;
  service_->max_payload = opt_.max_payload;
  // the models that derive properties live get a world of their own
  std::vector<std::shared_ptr<const Model>> live;
  for (const auto& m : base_.models)
    if (const Mirrorable* mm = mirrorable(*m); mm && mm->live_world()) live.push_back(m);
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
  make_monitors();
  make_alerts();
  service_->on_change([this](std::size_t t) {
    feed_monitor(t);
    judge_alerts(t);
  });
  link_->on_message([this](const Message& m) { on_message(m); });
}

LiveEngine::~LiveEngine() {
  cancel_ = true;
  for (auto& w : whatifs_)
    if (w->thread.joinable()) w->thread.join();
  if (store_) service_->set_observer(nullptr);
}

void LiveEngine::on_log(Log f) {
  log_ = f;
  if (sparkplug_) sparkplug_->on_log(f);
  service_->on_log(std::move(f));
}

std::vector<std::string> LiveEngine::start() {
  std::vector<std::string> warnings;
  if (!opt_.store.empty()) {
    store_ = std::make_unique<MirrorStore>(opt_.store);
    warnings = store_->load_into(*mirror_);
    service_->set_epoch(store_->epoch());  // versions go on from the store's
    // the engine was away: a death may have been missed, so no twin is taken as alive until it
    // reports or is born again (an engine online asks every asset for a birth)
    if (const std::size_t n = mirror_->restarted(clock_()))
      warnings.push_back(std::to_string(n) +
                         " twin(s) had a session ahead of the clock in the "
                         "store: forgotten, their next birth or report starts a new one");
    observer_ = std::make_unique<Observer>(*mirror_, *store_, clock_);
    service_->set_observer(observer_.get());
    replay_monitors();
  }
  restore_alerts();
  started_ = clock_();
  link_->subscribe(request_topic(), 1);
  service_->start();
  return warnings;
}

void LiveEngine::stop() {
  cancel_ = true;
  for (auto& w : whatifs_)
    if (w->thread.joinable()) w->thread.join();
  finish_whatifs();  // answered: cancelled
  service_->stop();
  if (store_) {
    store_->close();
    service_->set_observer(nullptr);
    observer_.reset();
    store_.reset();
  }
}

int LiveEngine::poll(int timeout_ms) {
  const int n = service_->poll(timeout_ms);
  tick_alerts();
  if (store_) {
    store_->flush_if_due();  // never throws: a failing store keeps its backlog and retries
    const bool failing = !store_->error().empty();
    if (failing != store_failing_ && log_)
      log_(failing ? "store: cannot write (" + store_->error() +
                         "): commands are refused, reports are kept in memory and written when "
                         "it can"
                   : "store: writing again (" + std::to_string(store_->stats().lost) +
                         " reported values were not recorded meanwhile)");
    store_failing_ = failing;
  }
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
  // answers go only to the asker's own response topic, dtwin/<plant>/client/<id>/response
  // (never to a twin's topics, the engine's status or another plant's: engine/MQTT.md)
  if (!own_response_topic(m.response_topic)) {
    if (log_)
      log_("request ignored: its response topic \"" + m.response_topic.substr(0, 200) +
           "\" is not dtwin/" + live_.plant + "/client/<id>/response");
    return;
  }
  const std::string to = m.response_topic, corr = m.correlation;
  auto reply = [this, to, corr](nlohmann::json j) {
    link_->publish({to, j.dump(), 1, false, "", corr});
  };
  if (m.payload.size() > opt_.max_payload) return reply(fail("bad_request", "request too large"));
  std::string why;
  const auto req = parse_wire_json(m.payload, &why);
  if (req.is_discarded() || !req.is_object())
    return reply(fail("bad_request", (req.is_discarded() ? why + ": " : std::string()) +
                                         "a request is a JSON object with an \"op\""));
  request(req, reply);
}

bool LiveEngine::own_response_topic(const std::string& topic) const {
  const std::string head = "dtwin/" + live_.plant + "/client/", tail = "/response";
  if (topic.size() <= head.size() + tail.size() || topic.compare(0, head.size(), head) != 0 ||
      topic.compare(topic.size() - tail.size(), tail.size(), tail) != 0)
    return false;
  const std::string id = topic.substr(head.size(), topic.size() - head.size() - tail.size());
  return id.find_first_of("/+#") == std::string::npos;
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
    if (op == "get") return reply(op_get(req));
    if (op == "set") return reply(op_set(req));
    if (op == "history") return reply(op_history(req));
    if (op == "status") return reply(op_status());
    if (op == "snapshot") return reply(op_snapshot(req));
    if (op == "alerts") return reply(op_alerts(req));
    if (op == "describe") return reply(op_describe(req));
    if (op == "ack") return reply(op_ack(req));
    if (op == "whatif") return op_whatif(req, reply);  // a copy: a refusal below uses it
    reply(fail("bad_request",
               "unknown op \"" + op +
                   "\" (get, set, history, status, snapshot, describe, alerts, ack or whatif)"));
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

}  // namespace dtwin
