// Calibrating a line from its history (`dtwin fit --events` / `--store`): what each machine's
// reported state, parts count and speed say about its processing, setup, failure and repair
// times, read with the line's own semantics (spec.hpp):
//   - processing: the working time between the start of a part and the next count of parts
//     (or of rejects: a scrapped part was processed too),
//     with the time down or off in between left out (an interrupted part resumes), times the
//     speed (the scenario's process times are at speed 1). A count that rose by more than one
//     between two reports gives no sample (counted as skipped);
//   - setup: the time in state setup;
//   - time to failure: the operating (working) time from the start of the log or the last
//     repair to a failure (working -> down); the operating time since the last repair when the
//     log ends is a right-censored one. The log is taken to start with machines as good as new;
//   - time to repair: the time down; a machine down when the log ends gives a censored one;
//   - scrap: the share of rejects among the parts processed, when the log has the machine's
//     rejects counter;
//   - per product (a line with products): the processing times by the machine's reported
//     "product" when the part started, each product's fitted as above; the patch then gives
//     the machine's "by_product" times (a scenario whose machine has them); a setup between a
//     part of one product and one of another is that pair's changeover ("A->B").
// The log's rows are (time in seconds, twin, property, value); a machine's rows must be in time
// order, and rows of the same time are one report (taken together).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/sim/fit.hpp"
#include "engine/sim/hmm_fit.hpp"

namespace dtwin::line {

struct LogRow {
  double t = 0;  // s
  std::string twin, prop;
  nlohmann::json value;
};

struct MachineSamples {
  std::string id;
  std::vector<double> process, setup, ttf, ttr;
  // a line with products: the processing times again, by the product the machine reported
  // when the part started (its "product" property)
  std::map<std::string, std::vector<double>> process_by;
  // and the setups between two products ("A->B"): a changeover matrix's entries
  std::map<std::string, std::vector<double>> changeover;
  std::vector<bool> ttf_censored, ttr_censored;
  std::uint64_t parts = 0, failures = 0, skipped = 0;
  std::uint64_t rejects = 0;  // scrapped parts (the machine's rejects counter)
  bool has_rejects = false;   // the log has the counter
  double working_s = 0, down_s = 0, setup_s = 0, from = 0, to = 0;
  // the step of the reports when they come on a grid (a gateway reporting every 30 s); 0 for
  // the events' own times
  double resolution_s = 0;
};

// The samples of one machine from its rows (time-ordered), the log ending at t_end.
MachineSamples machine_samples(const std::string& id, const std::vector<LogRow>& rows,
                               double t_end);

struct MachineFit {
  MachineSamples data;
  std::optional<SampleFit> process, setup, ttf, ttr;
  std::map<std::string, SampleFit> process_by;  // per product, when the log names them
  std::map<std::string, SampleFit> changeover;  // per pair of products ("A->B")
  std::optional<Estimate> scrap;  // rejects / (parts + rejects), Wilson's 95 % interval
  // a markov health model from its signal (Baum–Welch), one step = one sample, step_h operating
  // hours (the median between two samples)
  std::optional<HmmFit> health;
  std::string health_signal;  // "vibration" or "temperature"
  double health_step_h = 0;
  std::size_t health_lives = 0, health_samples = 0;
  std::vector<std::string> notes;  // why something was not fitted
  nlohmann::json to_json() const;
};

MachineFit fit_machine(MachineSamples s);

// A machine whose scenario has a "markov" health model and a signal: its lives from the log
// (each starts as new, at the log's start or a repair; ends in a failure, or censored at the
// log's end), the signal's samples while it runs, and the chain and signal fitted by Baum–Welch
// (engine/sim/hmm_fit.hpp) from the scenario's own model and from the data alone. A life cut
// short by preventive maintenance reads as a failure here (the log does not tell the two
// apart): fit plants that run to failure, or whose maintenance is rare.
void fit_health(MachineFit& f, const std::vector<LogRow>& rows, const nlohmann::json& twin);

// The merge patch for the machine's twin in the scenario (`twin`: its current JSON), from the
// families chosen: "process" ({"by_product": ...} when the scenario's machine has per-product
// times and the log named the products), "changeover" (the pairs the scenario has), "setup"
// (keeping {"duration", "every"} when the scenario has it),
// and "mtbf"/"mttr" when both are exponential and the scenario says so, else "failures";
// "scrap" when the rejects were counted; "health" (its "transition" per operating hour) and the
// signal's base, slope and sd when the health model was fitted.
// Null when nothing was fitted.
nlohmann::json machine_patch(const MachineFit& f, const nlohmann::json& twin);

}  // namespace dtwin::line
