// The production line's State: everything that changes during a run, as plain values.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "engine/ring.hpp"
#include "engine/rng.hpp"

namespace dtwin::line {

enum class Status : std::uint8_t { Starved, Working, Blocked, Down, Setup, Off };
constexpr std::size_t kStatusCount = 6;
const char* status_name(Status s);

struct MachineState {
  Status status = Status::Starved;
  Status resume = Status::Starved;  // what it was doing when its shift ended
  double speed = 1;                 // a setpoint: process times are divided by it
  bool restart = false;             // its part was taken directly by the next machine
  double part_birth = 0;            // earliest release time among the parts it holds
  std::uint32_t part_units = 0;     // parts it holds (an assembly holds its components)
  double seg_start = 0;             // start of the current timed activity
  double proc_rem = 0;              // processing left on the current part
  double ttf_rem = 0;               // operating time left until the next failure
  double rep_rem = 0;               // repair left
  double setup_rem = 0;             // setup left
  std::uint64_t since_setup = 0;    // parts started since the last setup
  std::uint32_t token = 0;          // stamps its pending event; bumping it cancels that event
  double blocked_since = 0;
  double status_since = 0;
  std::array<double, kStatusCount> time_in{};  // seconds in each status since the stats reset
  std::uint64_t done = 0, good = 0, scrapped = 0, failures = 0;  // since the stats reset
  std::uint64_t made_total = 0;                                  // good parts since the start
  Rng rng_process, rng_ttf, rng_ttr, rng_scrap, rng_setup;

  bool operator==(const MachineState& o) const;
};

struct PlaceState {
  Ring<double> births;                    // release time of each part waiting, in order
  Ring<double> ready;                     // conveyor: when each part reaches the end
  double level_area = 0, level_last = 0;  // time integral of the number of parts
  std::uint64_t max_level = 0;
  std::uint64_t entered = 0;  // parts in since the stats reset (sinks: parts received)

  bool operator==(const PlaceState& o) const {
    return births == o.births && ready == o.ready && level_area == o.level_area &&
           level_last == o.level_last && max_level == o.max_level && entered == o.entered;
  }
};

struct SourceState {
  Rng rng;
  bool blocked = false;  // holds an arrival that found its place full
  double held_birth = 0;
  std::uint64_t arrivals = 0, dropped = 0;

  bool operator==(const SourceState& o) const {
    return rng == o.rng && blocked == o.blocked && held_birth == o.held_birth &&
           arrivals == o.arrivals && dropped == o.dropped;
  }
};

struct LineState {
  std::vector<MachineState> machines;
  std::vector<PlaceState> places;
  std::vector<SourceState> sources;
  // parts in the line (released and not yet at a sink or scrapped)
  std::uint64_t wip = 0;
  double wip_area = 0, wip_last = 0;
  double stats_since = 0;
  std::uint64_t released = 0, out = 0, scrapped = 0;  // since the stats reset
  std::uint64_t out_total = 0;                        // since the start
  double lead_sum = 0, lead_sq = 0;                   // over parts out since the reset
  // time series: throughput over the last window
  std::uint64_t window_out = 0;
  double window_rate_h = 0;

  bool operator==(const LineState& o) const {
    return machines == o.machines && places == o.places && sources == o.sources && wip == o.wip &&
           wip_area == o.wip_area && wip_last == o.wip_last && stats_since == o.stats_since &&
           released == o.released && out == o.out && scrapped == o.scrapped &&
           out_total == o.out_total && lead_sum == o.lead_sum && lead_sq == o.lead_sq &&
           window_out == o.window_out && window_rate_h == o.window_rate_h;
  }
};

}  // namespace dtwin::line
