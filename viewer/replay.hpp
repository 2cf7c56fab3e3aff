// What `dtwin view --replay DIR` reads from the output directory of `dtwin run`: the scenario
// as it was run (scenario.json), the seed and the variants (report.json), and the time series
// of each variant's first replication (timeseries.csv, timeseries.<variant>.csv).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dtwin::viewer {

struct RunDir {
  std::string dir;
  std::string scenario_file;  // the run's file if still there unchanged, else DIR/scenario.json
  std::string scenario_name;
  std::string source_file;  // the file the run was made from (report.json's "file")
  std::uint64_t seed = 0;   // the run's (report.json)
  double duration_s = 0;
  std::vector<std::string> variants;  // in the run's order: the first is the default
  // per variant, from runs.csv: the seed and the events of replication 1 (index 0), the run
  // whose time series was written (a variant may set its own seed)
  std::vector<std::uint64_t> seeds, events;

  // the variant's index; UsageError naming report.json and the variants otherwise
  std::size_t find(const std::string& variant) const;
  // the time series file of the variant's first replication
  std::string timeseries_file(std::size_t variant) const;
};

// Reads DIR/report.json and checks DIR/scenario.json is there. UsageError naming the file and
// what was expected (a directory written by dtwin run) otherwise.
RunDir open_run(const std::string& dir);

// A time series CSV: "time_s" then columns named with their unit. Cells that are not numbers
// (a machine's state) are NaN.
struct TimeSeries {
  std::vector<std::string> columns;  // without time_s
  std::vector<double> time_s;
  std::vector<std::vector<double>> values;  // [column][row]
  std::vector<bool> numeric;                // [column]: every cell a number

  // the column's index, or -1
  int find(const std::string& column) const;
  // the value of a column at time t: the last row at or before t (NaN before the first)
  double at(std::size_t column, double t) const;
};

// UsageError naming the file and the line on a malformed file.
TimeSeries read_timeseries(const std::string& path);

}  // namespace dtwin::viewer
