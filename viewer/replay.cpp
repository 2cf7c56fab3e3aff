#include "viewer/replay.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include "engine/base/error.hpp"
#include "engine/run/results.hpp"

namespace dtwin::viewer {

namespace fs = std::filesystem;

namespace {

bool parse_number(const std::string& cell, double* out) {
  if (cell.empty()) return false;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(cell.c_str(), &end);
  if (end != cell.c_str() + cell.size() || errno == ERANGE) return false;
  *out = v;
  return true;
}

void split(const std::string& line, std::vector<std::string>& out) {
  out.clear();
  std::string cell;
  std::istringstream is(line);
  while (std::getline(is, cell, ',')) out.push_back(cell);
  if (!line.empty() && line.back() == ',') out.emplace_back();
}

}  // namespace

RunDir open_run(const std::string& dir) {
  const std::string expected =
      " (--replay expects the output directory of dtwin run FILE --out DIR)";
  if (!fs::is_directory(dir))
    throw UsageError("--replay: " + dir + " is not a directory" + expected);
  RunDir r;
  r.dir = dir;
  const std::string report = dir + "/report.json";
  std::ifstream in(report);
  if (!in) throw UsageError("--replay: no " + report + expected);
  try {
    nlohmann::json j;
    in >> j;
    const auto& sc = j.at("scenario");
    r.scenario_name = sc.at("name").get<std::string>();
    r.source_file = sc.at("file").get<std::string>();
    r.seed = sc.at("seed").get<std::uint64_t>();
    r.duration_s = sc.at("duration_s").get<double>();
    for (const auto& [name, v] : j.at("variants").items()) {
      (void)v;
      r.variants.push_back(name);
    }
  } catch (const nlohmann::json::exception& e) {
    throw UsageError("--replay: " + report + " is not a report of dtwin run (" + e.what() + ")");
  }
  if (r.variants.empty()) throw UsageError("--replay: " + report + " names no variant" + expected);
  // the seed and the event count of each variant's first replication
  r.seeds.assign(r.variants.size(), r.seed);
  r.events.assign(r.variants.size(), 0);
  const ResultTable table = read_results(dir);
  for (const RunRow& row : table.rows)
    for (std::size_t i = 0; i < r.variants.size(); ++i)
      if (row.variant == r.variants[i] && row.replication == 0) {
        r.seeds[i] = row.seed;
        r.events[i] = row.events;
      }
  r.scenario_file = dir + "/scenario.json";
  if (!fs::is_regular_file(r.scenario_file))
    throw UsageError("--replay: no " + r.scenario_file +
                     ", the copy of the scenario a run leaves beside report.json (was the "
                     "directory written by an older dtwin run? run it again)");
  // Input files a scenario names by relative path (a greenhouse's weather) are found beside the
  // scenario: when the run's own file is still there, unchanged, open that one so they resolve
  // where the engineer wrote them; otherwise the copy (such files then belong beside it in DIR).
  const auto slurp = [](const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  };
  std::error_code ec;
  if (!r.source_file.empty() && fs::is_regular_file(r.source_file, ec) &&
      slurp(r.source_file) == slurp(r.scenario_file))
    r.scenario_file = r.source_file;
  return r;
}

std::size_t RunDir::find(const std::string& variant) const {
  for (std::size_t i = 0; i < variants.size(); ++i)
    if (variants[i] == variant) return i;
  std::string msg =
      "--replay: no variant \"" + variant + "\" in the run of " + dir + "/report.json; it has:";
  for (const auto& v : variants) msg += " " + v;
  throw UsageError(msg);
}

std::string RunDir::timeseries_file(std::size_t variant) const {
  return dir + "/" + timeseries_file_name(variant, variants[variant]);
}

int TimeSeries::find(const std::string& column) const {
  const auto it = std::find(columns.begin(), columns.end(), column);
  return it == columns.end() ? -1 : static_cast<int>(it - columns.begin());
}

double TimeSeries::at(std::size_t column, double t) const {
  const auto it = std::upper_bound(time_s.begin(), time_s.end(), t);
  if (it == time_s.begin()) return std::numeric_limits<double>::quiet_NaN();
  return values[column][static_cast<std::size_t>(it - time_s.begin()) - 1];
}

TimeSeries read_timeseries(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw UsageError("--replay: no " + path +
                     " (the run was made with --no-timeseries? the replay needs it)");
  TimeSeries ts;
  std::string line;
  std::vector<std::string> cells;
  if (!std::getline(in, line)) throw UsageError(path + ":1: empty; expected a header time_s,...");
  split(line, cells);
  if (cells.empty() || cells[0] != "time_s")
    throw UsageError(path + ":1: expected a header starting with time_s");
  ts.columns.assign(cells.begin() + 1, cells.end());
  ts.values.resize(ts.columns.size());
  ts.numeric.assign(ts.columns.size(), true);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (int lineno = 2; std::getline(in, line); ++lineno) {
    if (line.empty()) continue;
    split(line, cells);
    double t = 0;
    if (cells.size() != ts.columns.size() + 1 || !parse_number(cells[0], &t))
      throw UsageError(path + ":" + std::to_string(lineno) + ": expected " +
                       std::to_string(ts.columns.size() + 1) + " cells, the first a time");
    ts.time_s.push_back(t);
    for (std::size_t c = 0; c < ts.columns.size(); ++c) {
      double v = nan;
      if (!parse_number(cells[c + 1], &v)) ts.numeric[c] = false;
      ts.values[c].push_back(v);
    }
  }
  return ts;
}

}  // namespace dtwin::viewer
