// Observations of a twin's time series, to calibrate it from (dtwin fit, calibration.hpp): a
// CSV file whose first row names the columns.
//
//   time,agc.crop.dry_weight_kg_m2,agc.crop.dry_weight_kg_m2:sd
//   2022-02-08T00:00,0.0302,0.0016
//   2022-02-15T00:00,0.0765,0.0051
//
// - "time": an ISO date-time of the run's calendar (YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS]; a run
//   has one when its input files have dates), or seconds from the run's start. Within
//   [0, duration], never decreasing.
// - every other column is one of the run's time-series columns (timeseries.csv's header), or
//   such a name with ":sd": the standard deviation of that observation (a weight of 1/sd^2).
//   Without an sd column every value of that series has sd = |value| (relative errors: a crop's
//   scatter grows with its weight, and series of different units weigh alike).
// - an empty cell is no observation. Cells are plain (no quotes); spaces around them are
//   ignored.
// Every error is a ScenarioError located at file:line:col and says what was expected.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dtwin::greenhouse {

struct Observations {
  std::string file;                        // as named in messages
  std::vector<std::string> series;         // the observed time-series columns
  std::vector<double> time_s;              // per row, seconds from the run's start
  std::vector<int> line;                   // per row, its line in the file
  std::vector<std::vector<double>> value;  // per series, per row; NaN: not observed
  std::vector<std::vector<double>> sd;     // per series, per row: the standard deviation used

  std::size_t count() const;  // observed values
  // the observed values as (row, series), row by row and within a row in column order
  std::vector<std::pair<std::size_t, std::size_t>> cells() const;
};

// path: where to open the file; shown: how messages name it. known: the run's time-series
// columns; origin: the run's calendar origin (World::calendar_origin), if it has one.
Observations read_observations(const std::string& path, const std::string& shown,
                               const std::vector<std::string>& known, std::optional<double> origin,
                               double duration_s);

}  // namespace dtwin::greenhouse
