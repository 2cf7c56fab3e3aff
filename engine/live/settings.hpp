// The scenario's "live" member: how its plant is mirrored (the plant's topic root, when a silent
// asset turns stale) and how `dtwin emulate` plays it; the engine's clock; which engine of a
// partitioned plant mirrors a twin.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/scenario/scenario.hpp"

namespace dtwin {

double wall_clock();  // seconds since the Unix epoch

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
};
// Reads root["live"] (defaults when absent); errors are ScenarioErrors at the pointer.
LiveSettings parse_live(const Scenario& sc);

// Which partition (0-based, of n) a twin belongs to: FNV-1a (hash_name) of its id, modulo n.
std::uint32_t partition_of(const std::string& twin_id, std::uint32_t n);

}  // namespace dtwin
