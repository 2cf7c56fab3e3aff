// The results of many runs as one table: a row per run (variant, replication), a column per
// metric. `dtwin run` and `dtwin sweep` write it as CSV (runs.csv / sweep.csv, a header
// "key [unit]" per metric column); `dtwin compare` reads shards back and merges them. The same
// table makes report.json and the comparison printed on the terminal, so a merged set of shards
// reports exactly what one unsharded run would have.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/run/runner.hpp"
#include "engine/scenario/scenario.hpp"
#include "engine/sim/stats.hpp"

namespace dtwin {

struct RunRow {
  std::string variant;
  std::uint32_t replication = 0;
  std::uint64_t seed = 0;
  std::uint64_t events = 0;
  std::vector<double> values;       // per ResultTable::keys; NaN when missing
  std::vector<std::string> labels;  // per ResultTable::label_keys
};

struct ResultTable {
  std::string scenario;  // scenario name
  std::string file;      // scenario file
  std::uint64_t seed = 0;
  double duration_s = 0, warmup_s = 0;
  std::vector<std::string> variants;             // in plan order, baseline first
  std::vector<std::uint32_t> replications;       // per variant: how many the plan has
  std::vector<std::vector<Expectation>> expect;  // per variant: what must hold (may be empty)
  std::vector<std::string> keys, units;
  std::vector<std::string> label_keys;
  std::vector<RunRow> rows;  // sorted by (variant order, replication)

  std::size_t variant_index(const std::string& name) const;  // npos if absent
  std::size_t key_index(const std::string& key) const;       // npos if absent
  std::size_t runs_planned() const;
};

ResultTable make_table(const Scenario& sc, const std::vector<CompiledVariant>& variants,
                       const std::vector<RunResult>& results);

// CSV with the header "variant,replication,seed,events,<key> [<unit>]...,<label>...".
void write_csv(std::ostream& os, const ResultTable& t);
// The manifest beside the CSV: scenario, seed, variants and their replications, shard.
nlohmann::ordered_json manifest(const ResultTable& t, const Shard& shard);

// The file `dtwin run` writes the time series of variant i (named `name`) to, in its output
// directory: timeseries.csv for the first, timeseries.<name>.csv for the others (characters other
// than letters, digits and -_.= become _). A replay finds it by the same name.
std::string timeseries_file_name(std::size_t i, const std::string& name);

// Splits one CSV record into `out` (RFC 4180 quoting; no newlines inside fields; a trailing \r
// dropped). False when a quote is left open.
bool csv_split(const std::string& line, std::vector<std::string>& out);

// Reads a directory written by run or sweep (sweep.csv or runs.csv, with sweep.json or
// runs.json). Errors name the file and line.
ResultTable read_results(const std::string& dir);
// Merges shards: same scenario and seed required; a run present twice must be identical.
ResultTable merge(const std::vector<ResultTable>& parts);

// Per variant, per metric: mean, 95% CI and n; for variants other than the baseline, the paired
// difference from the baseline (replication r against replication r: common random numbers).
// Keys "kpi" go under "kpis", "twin.kpi" under "twins", a line's "products.<name>.kpi" under
// "products" (only when there are such keys).
nlohmann::ordered_json make_report(const ResultTable& t);

// The headline KPIs, in the order comparisons show them; each scenario shows those its models
// report (a line's health, energy and cost KPIs only when it configures them).
const std::vector<std::string>& headline_kpis();
// The metric columns a comparison shows: the `wanted` keys the table has, in that order; when
// it has none of them (a plant without a line), its first four.
std::vector<std::size_t> headline_columns(const std::vector<std::string>& keys,
                                          const std::vector<std::string>& wanted);

// Decimals for a mean shown with its 95% half-width: two significant digits of the half-width
// (of a thousandth of the value when there is no interval), 0 to 6.
int decimals_for(double half_width, double value);

// Findings: categorical results a model reports per run (Metrics::finding, such as the line's
// bottleneck), a label `key` with a label `key_method` beside it. Over replications a finding is
// summarised by its mode.
struct Mode {
  std::string value;  // the most frequent non-empty value ("" when there is none)
  std::uint64_t count = 0;
  std::map<std::string, std::uint64_t> counts;
};
// The label columns that are findings, in table order.
std::vector<std::size_t> finding_columns(const ResultTable& t);
Mode mode_of(const std::vector<const RunRow*>& rows, std::size_t label);

// The terminal table: a row per variant, the headline KPIs with their CI half-widths and the
// difference from the baseline, and the findings' modes.
std::string comparison_text(const ResultTable& t, const std::vector<std::string>& headline);

}  // namespace dtwin
