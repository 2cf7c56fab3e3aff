// The viewer as an operator of a live plant: a client of a running `dtwin serve` (never of the
// assets). A worker thread asks the engine for a snapshot of every twin a few times a second
// ({"op": "snapshot", "since": revisions held}: only the twins that changed come back) over its
// own connection; a second connection carries the operator's requests (set, whatif), one at a
// time, so a long what-if does not hold up the picture. The window reads what the threads
// gathered (state()) and never waits for the network.
//
// What the scene shows in live mode is a World built from the scenario into which the mirrored
// reported values are put with Model::assimilate (live_init), as a what-if from live does:
// machines down, buffer levels, speeds in force. That world is rebuilt when a snapshot brings a
// change and is not advanced by simulation between polls: a simulated guess would move parts
// the plant has not moved and show states no asset reported, and at a few polls a second the
// mirror itself is fresh enough to watch. What the world cannot carry (counters, a machine's
// blocked or starved state, which follow from the levels) is in the inspector as reported.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/sim/world.hpp"
#include "engine/transport/link.hpp"
#include "viewer/layout.hpp"

namespace dtwin::viewer {

// seconds on a steady clock (ages and poll times)
double steady_now();

class LiveSource {
 public:
  using LinkFactory = std::function<std::unique_ptr<Link>()>;
  struct Options {
    std::string plant = "plant";
    double poll_every_s = 0.25;  // between the end of one snapshot and the next request
    int timeout_ms = 2000;       // a snapshot not answered in this time: the engine unreachable
  };
  // One twin as the engine last sent it (Mirror::twin_json), and when it arrived.
  struct Twin {
    nlohmann::json j;
    double received = 0;  // steady_now() at arrival; j's "age_s" fields were true then
  };
  struct State {
    bool reachable = false;        // the last snapshot was answered
    std::uint64_t polls = 0;       // snapshots answered
    std::uint64_t failures = 0;    // snapshots not answered (or refused)
    std::uint64_t generation = 0;  // bumped by every snapshot that brought a change
    double last_ok = -1;           // steady_now() of the last answer; -1: none yet
    double latency_s = 0;          // request to answer, last snapshot
    double latency_max_s = 0;
    std::string error;  // why the last snapshot failed
    std::map<std::string, Twin> twins;
    // the engine's active alerts (engine/mirror/alerts.hpp's JSON), oldest first
    nlohmann::json alerts = nlohmann::json::array();
  };

  // Starts the threads at once; the links are made on them. The factory is called twice.
  LiveSource(LinkFactory make_link, Options o);
  ~LiveSource();
  LiveSource(const LiveSource&) = delete;
  LiveSource& operator=(const LiveSource&) = delete;

  const std::string& plant() const { return opt_.plant; }
  State state() const;  // a copy
  std::uint64_t generation() const;
  // Waits until a snapshot newer than `gen` arrived, at most timeout_s (tests, screenshots).
  bool wait_newer(std::uint64_t gen, double timeout_s) const;

  // An operator's request (set, whatif ...), sent in turn on the request connection. Returns a
  // ticket; answer(ticket) gives the engine's reply once it came ({"ok": false, "code":
  // "unreachable", ...} when none came within timeout_ms).
  std::uint64_t submit(nlohmann::json req, int timeout_ms);
  std::optional<nlohmann::json> answer(std::uint64_t ticket);

 private:
  struct Shared;
  void poll_loop();
  void request_loop();
  LinkFactory make_link_;
  Options opt_;
  std::shared_ptr<Shared> sh_;
};

// Twin status in live mode: offline (its will, or silent past stale_after) or any reported
// value of stale quality. Such a twin is drawn in the stale shade.
bool is_stale(const nlohmann::json& twin);

// The World::start init of the live world: every reported value of every twin goes through
// Model::assimilate (values the model refuses, such as counters, are left out).
std::function<void(World&)> live_init(const std::map<std::string, LiveSource::Twin>& twins);

// Per layout item: the reported state of a station (line::Status as int, -1 when none) and
// its label, always the mirror's word, never the world's own guess: "m2\nworking", "b2\n3 parts",
// "b2\n99 parts (uncertain)", "m1\n(no report)"; empty for items with no twin in the mirror.
// The world shown cannot carry working, starved or blocked (they follow from parts it was not
// told about), nor a level above a place's capacity.
void live_view_of(const Layout& layout, const std::map<std::string, LiveSource::Twin>& twins,
                  std::vector<int>& status, std::vector<std::string>& labels);

// Per layout item, the most severe active alert of its twin: -1 none, 0 info, 1 warning,
// 2 critical.
std::vector<int> alert_levels(const Layout& layout, const nlohmann::json& alerts);
// The HUD's alert list: "ALERTS (2)" and one line per active alert, the most severe first
// (at most `max_lines`); empty when there are none.
std::string alerts_text(const nlohmann::json& alerts, std::size_t max_lines = 8);

// "3.2 s ago", "4 min ago"
std::string age_text(double seconds);
// The inspector's live part for one twin: per property the reported value (quality, age), the
// desired value (state, age) and the delta.
std::string live_inspector_text(const LiveSource::Twin& t, double now);
// The HUD's first line in live mode: LIVE, the plant, engine connected / unreachable, poll age.
std::string live_status_text(const LiveSource::State& s, const std::string& plant, double now);

}  // namespace dtwin::viewer
