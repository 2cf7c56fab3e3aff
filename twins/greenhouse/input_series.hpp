// Prescribed inputs of a twin over time (weather, climate, controls): constant values, or a
// measured series from a CSV file, evaluated at any time by linear interpolation between rows
// (or by holding the previous row). This is what lets a crop model run alone on a measured
// indoor climate; the mirror will feed the same kind of series from live telemetry.
//
// A source in scenario JSON (see spec.hpp for the keys each twin kind accepts):
//   {"constant": {"air_temp_c": 20, "co2_ppm": 800}}
//   {"file": "climate.csv",            path relative to the scenario file
//    "time_column": "Date",
//    "time_format": "%m/%d/%Y %H:%M",  or "s" (default), "min", "h", "d" for numbers
//    "start": "2/3/2022 0:00",         the file time that is the run's time 0; default: row 1
//                                      (with a date pattern, also the run's calendar: the
//                                      time series gain a date-time column)
//    "columns": {"air_temp_c": "Tair", "co2_ppm": "CO2air"},
//    "constant": {"rh_pct": 80},       quantities the file does not have
//    "max_gap": "1h",                  longest gap filled (default 1h)
//    "interpolation": "linear",        or "previous" (hold the last row)
//    "delimiter": ","}
// The key of each quantity names its unit; the twin converts to the model's units.
// The file must cover the run, [start, start + duration]. Empty cells are filled (linearly,
// or with the previous value) when the valid values around them are at most max_gap apart,
// and counted; longer gaps, rows further apart than max_gap, non-numeric cells and times that
// do not increase are errors naming the file, the line and the scenario member.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/scenario/file_access.hpp"
#include "engine/scenario/json_node.hpp"

namespace dtwin::greenhouse {

// One prescribed quantity, accepted under any one of its keys ("co2_ppm" or "co2_kg_m3"), with
// the range its values must lie in (in the unit of whichever key is used).
struct Quantity {
  std::vector<std::string> keys;
  bool required = true;
  double min = -1e300, max = 1e300;
};

// A source as read: per quantity, the key it was given under (empty when absent) and its
// values in that key's unit, one value when constant, one per row otherwise.
struct RawInputs {
  std::vector<double> time_s;  // rows, seconds since the run's start; empty when all constant
  std::vector<std::string> key;
  std::vector<std::vector<double>> values;
  bool hold = false;
  std::string file;  // as named in messages; empty when all constant
  std::uint64_t filled_values = 0;
  double longest_gap_s = 0;
  // with a calendar time_format: the run's time 0 on the file's clock (seconds since
  // 1970-01-01T00:00, engine/base/calendar.hpp)
  std::optional<double> calendar_start_s;

  bool has(std::size_t q) const { return !key[q].empty(); }
};

struct InputContext {
  const FileAccess& files;  // which files may be read, and where relative paths start
  double duration_s;        // the file must cover [0, duration_s]
};

// extra_keys: members the caller reads itself (the source's own keys are always allowed)
RawInputs read_inputs(const Node& source, const std::vector<Quantity>& quantities,
                      const InputContext& ctx, const std::vector<std::string>& extra_keys = {});

// The inputs a model reads, in its units, over run time.
struct InputSeries {
  std::vector<std::string> names;           // "air_temp_c", one per input
  std::vector<double> time_s;               // rows; empty when every input is constant
  std::vector<std::vector<double>> values;  // per input: one value, or one per row
  bool hold = false;
  std::string file;
  std::uint64_t filled_values = 0;
  double longest_gap_s = 0;
  std::optional<double> calendar_start_s;  // as RawInputs

  // Starts a series on the rows of `raw` (no inputs yet).
  static InputSeries like(const RawInputs& raw);
  void add(std::string name, std::vector<double> v) {
    names.push_back(std::move(name));
    values.push_back(std::move(v));
  }
  std::size_t size() const { return names.size(); }
  // Every input at time t (seconds since the start); out has size() elements. Outside the rows
  // the first or last row holds.
  void at(double t, double* out) const;
};

// Row-by-row combination of two series that are each constant (one value) or per row.
template <class F>
std::vector<double> combine(const std::vector<double>& a, const std::vector<double>& b, F f) {
  const std::size_t n = std::max(a.size(), b.size());
  std::vector<double> out(n);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = f(a[a.size() == 1 ? 0 : i], b[b.size() == 1 ? 0 : i]);
  return out;
}
template <class F>
std::vector<double> map_series(const std::vector<double>& a, F f) {
  std::vector<double> out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) out[i] = f(a[i]);
  return out;
}

}  // namespace dtwin::greenhouse
