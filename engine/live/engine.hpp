// `dtwin serve`: the live engine. It keeps the mirror of every twin the scenario names
// (MirrorService), records it in a MirrorStore when given one, answers requests, and runs what-ifs
// forked from the live state.
//
// Requests (JSON, MQTT 5 request/response): a client publishes to dtwin/<plant>/engine/request
// with a Response Topic and Correlation Data; the engine answers on that topic with the same
// correlation: {"ok": true, "result": ...} or {"ok": false, "error": "...", "code": "..."}.
//   {"op": "status"}                                   counters, twins, store
//   {"op": "get", "twin": "m2"}                        the twin as Mirror::twin_json
//   {"op": "get"}                                      every twin: online, revision, delta size
//   {"op": "set", "twin": "m2", "prop": "speed", "value": 1.2,
//    "if_revision": 0, "ttl_s": 0, "id": ""}           a desired value, acknowledged once stored
//   {"op": "history", "twin": "m2", "prop": "speed", "since": t, "until": t, "limit": n}
//   {"op": "snapshot", "since": {"m2": 41, ...}}       every twin as Mirror::twin_json in one
//                                                      reply (a viewer's poll); with "since",
//                                                      only the twins whose revision differs
//                                                      from the one the client holds. Revisions
//                                                      are per twin (a staleness, a report, a
//                                                      desired value all bump it), so the client
//                                                      says what it holds rather than one number.
//                                                      Result: plant, time (engine clock),
//                                                      twin_count, unchanged, twins, alerts
//                                                      (active).
//   {"op": "describe", "twin": "m2"}                  the wire contract (engine/live/describe.hpp):
//                                                      every twin's properties and topics, or
//                                                      one twin's
//   {"op": "alerts", "all": false, "limit": 100}      the active alerts (engine/mirror/alerts.hpp);
//                                                      with "all", also the newest `limit`
//                                                      cleared ones (from the store)
//   {"op": "ack", "id": 12, "by": "anna", "note": ""}  acknowledges an alert; answered once the
//                                                      store holds it. "twin" (optional) routes it
//                                                      to its partition
//   {"op": "whatif", "variants": ["faster_m2"], "horizon_s": 28800, "replications": 5,
//    "objective": "throughput_per_h", "minimize": false, "apply": false,
//    "set": {"m2.speed": 1.3}}                         "set" (optional): one more variant, named
//                                                      "set m2.speed=1.3", the baseline with these
//                                                      setpoints over the live values (an edit
//                                                      asked about before it is sent)
//    "patch": {"twins": {"m3": {"process": {"mean": 40}}}}
//                                                      "patch" (optional): one more variant,
//                                                      named "patch {...}", the baseline compiled
//                                                      with this merge patch (a parameter), over
//                                                      the live values; code bad_patch with the
//                                                      scenario's error (its JSON pointer)
//    "weather": {"start": "10-05", "ensemble": {...}, "forecast": {"time_h": [...], ...}}
//                                                      for the models that take it
//                                                      (Mirrorable::fork_whatif; greenhouses on
//                                                      an EPW file: their weather from the fork's
//                                                      date (UTC) or "start", replication r
//                                                      ensemble member r, around "forecast" when
//                                                      given (data, never a file;
//                                                      gl_ensemble.hpp); objective profit_eur_m2
//                                                      by default); false: none.
//                                                      The scenario's live.whatif_patch applies to
//                                                      every variant; code bad_whatif
// Derived properties: the twins of models that keep a live world (Mirrorable::live_world(), a robot
// cell in mirror mode) are also simulated here, in one World of those models. Each report that
// brings new values for such a twin advances that world to the report's time ((source time -
// the first report's source time) x the scenario's live speed, 1 for a real plant) and passes
// the values to Mirrorable::assimilate in property order (a cell's joints before its gripper); the
// properties marked derived are then read from the world and stored as reported values of the
// same session, sequence and source time ("derived": true in `get`; the twin's retained state
// is published again with them). They are not written to the store (they are recomputed from
// what is). A silent asset's next report makes the world catch up on the gap, step by step.
// Condition monitors: the twins of models that give them one (Mirrorable::make_monitor, a
// machine with health and signals) get their derived properties from it: each report of such a
// twin goes to its monitor in source-time order (at plant time: seconds since the first report
// the monitors took, times the live speed), and the derived properties it then holds are stored
// as reported values of the same session, sequence and source time, and recorded in the store's
// history. After a restart each monitor is rebuilt by replaying its twin's history from the store.
// Alerts: the scenario's "alerts" rules (engine/live/alert_rules.hpp) are judged as the mirror
// changes (reports, derived values, presence) and on the engine's tick (durations). Each step of
// an alert's lifecycle is stored (the alerts table: active alerts survive a restart), logged, and
// published: dtwin/<plant>/alerts/events (not retained: {"event": "raised" | "acknowledged" |
// "cleared", "alert": {...}}) and dtwin/<plant>/alerts/active/<twin>/<rule> (retained while the
// alert is active, so a subscriber sees the active set; emptied when it clears). Alert ids grow
// across restarts (the store's); partition k of n numbers its alerts k, k + n, k + 2n, ...
// Codes: bad_request, unknown_twin, unknown_property, wrong_type, out_of_range, not_writable,
// revision_mismatch, store_failed, busy, conflict, no_store.
//
// A what-if from live: the reported values held at the fork (buffer levels, machines down,
// setpoints in force) become the initial state of fresh worlds (engine/run/whatif.hpp), one per
// variant and replication, run for the horizon on worker threads while the engine goes on
// ingesting. Nothing live is touched unless "apply" is set: then the winning variant's setpoints
// (writable properties whose value differs from the baseline's) become desired values, all or
// none, refused when any of those properties got a new desired value after the fork.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/live/mirror_service.hpp"
#include "engine/live/settings.hpp"
#include "engine/mirror/alerts.hpp"
#include "engine/mirror/mirror.hpp"
#include "engine/scenario/registry.hpp"
#include "engine/scenario/scenario.hpp"
#include "engine/sim/world.hpp"
#include "engine/store/mirror_store.hpp"
#include "engine/transport/link.hpp"
#include "engine/transport/replay_link.hpp"

namespace dtwin {

class SparkplugHost;

// The properties of a compiled scenario's twins, for a Mirror.
std::vector<TwinSpec> mirror_specs(const CompiledVariant& v);

struct LiveOptions {
  std::string store;  // SQLite file; empty: no persistence
  // Partition k of n (1-based): this engine mirrors the twins whose id hashes (FNV-1a) to
  // k - 1 modulo n, subscribing to their topics only; n engines together mirror the plant.
  // Requests about a twin are answered by its engine; plant-wide ones (list, status, whatif)
  // by partition 1 only, over its own twins.
  std::uint32_t part_k = 1, part_n = 1;
  unsigned whatif_jobs = 0;  // threads for what-ifs (0: every core)
  // What a what-if may spend (a request may ask for less, never more): events per run (about
  // ten seconds of a line at ten million events a second) and wall-clock time for all its runs.
  // A what-if over budget is answered with code budget_exceeded; stop() cancels those running.
  std::uint64_t whatif_max_events = 100'000'000;
  double whatif_max_wall_s = 120;
  std::size_t max_payload = 64 * 1024;
};

class LiveEngine {
 public:
  using Clock = std::function<double()>;
  using Log = std::function<void(const std::string&)>;

  // The scenario and registry must outlive the engine.
  LiveEngine(const Scenario& sc, const Registry& reg, Link& link, LiveOptions opt,
             Clock clock = wall_clock);
  ~LiveEngine();
  LiveEngine(const LiveEngine&) = delete;
  LiveEngine& operator=(const LiveEngine&) = delete;

  // Opens the store (restoring the mirror from it), subscribes and connects. Returns the store's
  // warnings (twins or values it held that no longer fit the scenario).
  std::vector<std::string> start();
  // Handles what has arrived (waiting at most timeout_ms), flushes the store when due, answers
  // finished what-ifs.
  int poll(int timeout_ms);
  // Cancels the what-ifs running (they are answered "cancelled"), announces the engine offline,
  // flushes the store and closes it (throws StoreError when that fails). Returns within about a
  // millisecond of work per what-if thread, whatever the what-ifs were doing.
  void stop();

  // A request as the RPC topic takes it; `reply` is called once, maybe later (what-ifs).
  void request(const nlohmann::json& req, std::function<void(nlohmann::json)> reply);

  Mirror& mirror() { return *mirror_; }
  // The world of the models that derive properties live (nullptr: none).
  const World* live_world() const;
  // The alert rules and the alerts held (nullptr: the scenario has no rules).
  const AlertMonitor* alerts() const { return alerts_.get(); }
  MirrorService& service() { return *service_; }
  // The Sparkplug B host application (nullptr: the plant speaks dtwin's JSON wire).
  const SparkplugHost* sparkplug() const { return sparkplug_.get(); }
  const LiveSettings& settings() const { return live_; }
  std::string request_topic() const { return "dtwin/" + live_.plant + "/engine/request"; }
  void on_log(Log f);
  std::size_t whatifs_running() const;
  // Every message the engine takes from its link (not its requests) is appended here too
  // (`dtwin serve --record`); nullptr stops it. Not owned.
  void record_to(Recorder* r) { recorder_ = r; }

 private:
  struct Observer;
  struct WhatIfJob;
  struct LiveWorld;
  struct Monitors;
  using Reply = std::function<void(nlohmann::json)>;
  void on_message(const Message& m);
  bool own_response_topic(const std::string& topic) const;
  void feed_live_world();  // live_world.cpp
  // the request ops, one file each (op_<name>.cpp)
  nlohmann::json op_get(const nlohmann::json& req);
  nlohmann::json op_set(const nlohmann::json& req);
  nlohmann::json op_history(const nlohmann::json& req);
  nlohmann::json op_status();
  nlohmann::json op_snapshot(const nlohmann::json& req);
  nlohmann::json op_describe(const nlohmann::json& req);
  nlohmann::json op_alerts(const nlohmann::json& req);  // op_alerts.cpp, with what follows
  nlohmann::json op_ack(const nlohmann::json& req);
  // (session, sequence, source time) of a report: what a derived property was taken from
  using ReportKey = std::tuple<std::uint64_t, std::uint64_t, double>;
  // The non-derived properties of twin t reported since `taken` (per property; updated), and
  // the newest of their keys (live_world.cpp).
  std::vector<std::size_t> fresh_reports(std::size_t t, std::vector<ReportKey>& taken,
                                         bool skip_stale, ReportKey& newest) const;
  // The derived properties `read` gives, reported with the newest key's session, sequence and
  // source time (recorded in the store when `record`); the twin's state published again when
  // they changed it. True when they did.
  bool report_derived(std::size_t t, const ReportKey& newest,
                      const std::function<bool(std::size_t, Value&)>& read, bool record);
  void make_monitors();  // monitors.cpp
  void replay_monitors();
  void feed_monitor(std::size_t twin);
  void make_alerts();
  void restore_alerts();
  void judge_alerts(std::size_t twin);  // after the twin changed
  void tick_alerts();
  void publish_alerts();        // the events judged, to the store, the log and the broker
  void act_on(const Alert& a);  // a raised alert's rule's "act"
  nlohmann::json active_alerts_json() const;
  void op_whatif(const nlohmann::json& req, Reply reply);
  void finish_whatifs();
  nlohmann::json apply_whatif(WhatIfJob& w);

  const Scenario& sc_;
  const Registry& reg_;
  Link* link_;  // the link given, or the Sparkplug host over it
  std::unique_ptr<SparkplugHost> sparkplug_;
  LiveOptions opt_;
  Clock clock_;
  LiveSettings live_;
  CompiledVariant base_;
  std::unique_ptr<Mirror> mirror_;
  std::unique_ptr<MirrorService> service_;
  std::unique_ptr<MirrorStore> store_;
  std::unique_ptr<Observer> observer_;
  Log log_;
  double started_ = 0;
  std::vector<std::unique_ptr<WhatIfJob>> whatifs_;
  std::atomic<bool> cancel_{false};  // set by stop(): every what-if stops
  bool store_failing_ = false;
  Recorder* recorder_ = nullptr;
  std::unique_ptr<LiveWorld> live_world_;
  std::unique_ptr<Monitors> monitors_;
  std::unique_ptr<AlertMonitor> alerts_;
  std::vector<AlertEvent> alert_events_;
  double last_alert_tick_ = -1e300;
};

}  // namespace dtwin
