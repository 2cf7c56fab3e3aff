// The scenario's "live" member: how its plant is mirrored (the plant's topic root, when a silent
// asset turns stale) and how `dtwin emulate` plays it; the engine's clock; which engine of a
// partitioned plant mirrors a twin.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/scenario/scenario.hpp"

namespace dtwin {

double wall_clock();  // seconds since the Unix epoch

// A plant whose gateways speak Sparkplug B ("wire": "sparkplug"): where its twins are in the
// Sparkplug namespace (engine/live/sparkplug_host.hpp).
struct SparkplugSettings {
  std::string group;    // the Sparkplug group id (default: the plant name)
  std::string host_id;  // the host application's id, its STATE topic (default: "dtwin-<plant>")
  // Where a twin lives: an edge node, and a device of it (empty: the node's own metrics), with
  // metric names for the properties whose metric is not named like the property. A twin not
  // listed is the device named like it under any edge node of the group, or else the edge node
  // named like it.
  struct Place {
    std::string node, device;
    std::vector<std::pair<std::string, std::string>> metrics;  // property -> metric name
    std::string pointer;  // where the scenario says it ("/live/sparkplug/twins/m1")
  };
  std::map<std::string, Place> twins;
  double rebirth_interval_s = 5;  // at most one rebirth request per edge node this often
};

// The scenario's optional "live" member: how the plant is mirrored and how `dtwin emulate`
// plays it.
struct LiveSettings {
  std::string plant = "plant";  // topic root dtwin/<plant>/
  // an asset silent this long turns stale (0: only its death does); gateways that report only
  // changes should set their heartbeat here
  double stale_after_s = 300;
  // emulator
  double speed = 1;           // simulated seconds per wall-clock second
  double report_every_s = 1;  // changed values, this often (wall clock)
  double full_every_s = 10;   // every value again (heals lost messages)
  double delay_s = 0;         // sensor and network delay before a report leaves
  struct Noise {
    std::string twin;  // empty: every twin with the property
    std::string prop;
    double sigma = 0;  // Gaussian, in the property's unit
  };
  std::vector<Noise> noise;
  // "whatif_patch": a merge patch over /twins applied to every variant of a what-if (the
  // scenario author's, not a request's): say, a greenhouse integrated on daily restarts with
  // CVODE for planning where the mirror steps every 15 min. Null when none.
  nlohmann::json whatif_patch;
  // the wire: dtwin's JSON (mirror_service.hpp) or Sparkplug B
  bool sparkplug = false;
  SparkplugSettings sp;
};
// Reads root["live"] (defaults when absent); errors are ScenarioErrors at the pointer.
LiveSettings parse_live(const Scenario& sc);

// Which partition (0-based, of n) a twin belongs to: FNV-1a (hash_name) of its id, modulo n.
std::uint32_t partition_of(const std::string& twin_id, std::uint32_t n);

}  // namespace dtwin
