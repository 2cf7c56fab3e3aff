// What-if from the current moment (key w): the selected twin with a change typed in a prompt
// ("speed = 1.3", "m3.speed=1.3") or a scenario variant ("variant faster_m2"), run forward for a
// horizon (default 8 h, 5 replications), then the comparison in a panel (key l or Esc closes it):
// per headline KPI the baseline and the variant with their 95% intervals, the paired difference
// with its interval, and * when that interval excludes 0.
//
// Simulation mode: the fork is the viewer's world as observed now. Every property of every twin
// is read off it (as an asset would report it) and put into fresh worlds, one per variant and
// replication, through Model::assimilate: the engine's what-if from live (assimilate_init,
// run_all, make_report), with common random numbers between baseline and variant. An exact copy
// of the world (World::fork) would carry its random streams, so its replications would all be
// the same run and give no interval; the observed state is what a live fork has too. The change
// is applied to the variant's fork after the observations (a setpoint through assimilate, that is
// Model::apply_setpoint). A parameter ("process.mean = 50", "b1.capacity = 8", "mttr = 5min",
// "m2.process = {\"dist\": \"exponential\", \"mean\": 40}": a member of the twin's spec, any
// name that is not a writable property) instead compiles the session's variant with one more
// merge patch {"twins": {"<twin>": {...}}} (Scenario::compile with an extra patch); the
// variant's fresh worlds run those models and take the same observations. The runs go on a worker
// thread: the window keeps drawing, and the
// world shown is only read.
//
// Live mode: the engine's `whatif` request ("variants" for a variant, "set" for a change), the
// same panel from its report; a parameter is the request's "patch" (the merge patch above), a
// name the twin reports a "set".
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "engine/scenario/scenario.hpp"
#include "engine/sim/world.hpp"
#include "viewer/live_source.hpp"

namespace dtwin::viewer {

struct WhatIfAsk {
  std::string variant;     // a scenario variant, or
  std::string twin, prop;  // prop: a property (a setpoint) or a parameter path "process.mean"
  nlohmann::json value;    // a setpoint or a parameter's value (JSON; "5min" where durations are)
  std::string selected;    // the twin selected when asked: "process.mean" is a path on it when
                           // there is no twin "process"
  double horizon_s = 8 * 3600;
  unsigned replications = 5;
  std::string label() const;
};

// "variant faster_m2", "speed = 1.3" (on `twin`), "m3.speed=1.3", a parameter path
// "process.mean = 50", "m2.process = {\"mean\": 40}" (a JSON value), optionally followed by
// "for 4h" and "x 10" (replications): "speed=1.3 for 4h x 10". False with `why` otherwise.
bool parse_whatif(const std::string& text, const std::string& twin, WhatIfAsk& out,
                  std::string* why);

// The merge patch of a parameter what-if: ("m2", "process.mean", 50) ->
// {"twins": {"m2": {"process": {"mean": 50}}}}.
nlohmann::json parameter_patch(const std::string& twin, const std::string& path,
                               const nlohmann::json& value);

class WhatIfPanel {
 public:
  WhatIfPanel() = default;
  ~WhatIfPanel();
  WhatIfPanel(const WhatIfPanel&) = delete;
  WhatIfPanel& operator=(const WhatIfPanel&) = delete;

  // Simulation mode: forks what `w` shows now. `variant` and `seed` are the session's; the
  // scenario must outlive the run. jobs: threads for the replications.
  void start_sim(const Scenario& sc, const std::string& variant, std::uint64_t seed, const World& w,
                 const WhatIfAsk& ask, unsigned jobs = 1);
  // Live mode: asks the engine.
  void start_live(LiveSource& src, const WhatIfAsk& ask);

  // Collects a finished run (call every frame). True when something changed.
  bool poll();
  bool open() const { return open_; }
  bool running() const { return running_; }
  void close() { open_ = false; }
  // The panel's text (empty when closed).
  std::string text() const;
  // The report (make_report's JSON) of the last finished what-if; null before or on error.
  const nlohmann::json& report() const { return report_; }
  const std::string& error() const { return error_; }
  double forked_at() const { return forked_at_; }

 private:
  void join();
  bool open_ = false, running_ = false;
  WhatIfAsk ask_;
  std::string baseline_name_, variant_name_;
  double forked_at_ = 0, started_ = 0, took_s_ = 0;
  bool live_ = false;
  // sim
  std::thread thread_;
  std::atomic<bool> done_{false};
  std::atomic<bool> cancel_{false};  // set when the panel goes (the viewer quits)
  nlohmann::json result_;            // written by the thread before done_
  std::string thread_error_;
  // live
  LiveSource* src_ = nullptr;
  std::uint64_t ticket_ = 0;
  // outcome
  nlohmann::json report_;
  std::string error_;
};

// The comparison as text from a report: KPI, baseline +- CI, variant +- CI, delta +- CI, *.
std::string comparison_panel(const nlohmann::json& report, const std::string& baseline,
                             const std::string& variant);

}  // namespace dtwin::viewer
