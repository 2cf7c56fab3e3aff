#include "twins/greenhouse/observations.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>

#include "engine/base/calendar.hpp"
#include "engine/base/error.hpp"
#include "engine/base/format.hpp"
#include "engine/scenario/suggest.hpp"

namespace dtwin::greenhouse {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr const char* kSd = ":sd";

// a cell of a line and the 1-based column where it starts (spaces around it left out)
struct Cell {
  std::string text;
  int col;
};

std::vector<Cell> cells_of(const std::string& line) {
  std::vector<Cell> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = std::min(line.find(',', start), line.size());
    std::size_t a = start, b = end;
    while (a < b && (line[a] == ' ' || line[a] == '\t')) ++a;
    while (b > a && (line[b - 1] == ' ' || line[b - 1] == '\t' || line[b - 1] == '\r')) --b;
    out.push_back({line.substr(a, b - a), static_cast<int>(a) + 1});
    if (end == line.size()) break;
    start = end + 1;
  }
  return out;
}

bool read_number(const std::string& s, double* v) {
  const char* end = s.data() + s.size();
  const auto r = std::from_chars(s.data(), end, *v);
  return r.ec == std::errc() && r.ptr == end && std::isfinite(*v);
}

struct Reader {
  std::string shown;
  int line = 0;

  [[noreturn]] void fail(int col, const std::string& msg) const {
    throw ScenarioError(SourceLocation{shown, line, col}, "", msg);
  }
};

// the columns of the header: which series each one is, and whether it is its sd
struct Column {
  std::size_t series;
  bool sd;
};

std::vector<Column> read_header(const Reader& rd, const std::vector<Cell>& cells,
                                const std::vector<std::string>& known, Observations& o) {
  if (cells.empty() || cells[0].text != "time")
    rd.fail(1,
            "expected the first column to be \"time\" (an ISO date-time, or seconds from "
            "the run's start), got \"" +
                cells[0].text + "\"");
  std::vector<Column> cols;
  for (std::size_t c = 1; c < cells.size(); ++c) {
    std::string name = cells[c].text;
    const bool sd = name.size() > 3 && name.compare(name.size() - 3, 3, kSd) == 0;
    if (sd) name.resize(name.size() - 3);
    if (std::find(known.begin(), known.end(), name) == known.end())
      rd.fail(cells[c].col, "\"" + name + "\" is no time series of the scenario's twins" +
                                did_you_mean(name, known) +
                                " (a column is a timeseries.csv column, or one with \":sd\")");
    auto it = std::find(o.series.begin(), o.series.end(), name);
    if (it == o.series.end()) it = o.series.insert(o.series.end(), name);
    const auto s = static_cast<std::size_t>(it - o.series.begin());
    for (const auto& k : cols)
      if (k.series == s && k.sd == sd)
        rd.fail(cells[c].col, "column \"" + cells[c].text + "\" twice");
    cols.push_back({s, sd});
  }
  if (o.series.empty()) rd.fail(1, "expected at least one observed time-series column after time");
  return cols;
}

double read_time(const Reader& rd, const Cell& c, std::optional<double> origin, double duration_s) {
  double t = 0;
  if (read_number(c.text, &t)) {
    // seconds from the start
  } else if (parse_iso_local(c.text, &t)) {
    if (!origin)
      rd.fail(c.col,
              "a date-time, but the run has no calendar (its input files have no dates): "
              "give seconds from the start");
    t -= *origin;
  } else {
    rd.fail(c.col,
            "expected a time: an ISO date-time (2022-02-08T12:00) or seconds from the "
            "run's start, got \"" +
                c.text + "\"");
  }
  if (t < 0 || t > duration_s)
    rd.fail(c.col, "\"" + c.text + "\" is outside the run, which is " +
                       format_number(duration_s / 86400) + " days from its start");
  return t;
}

}  // namespace

std::vector<std::pair<std::size_t, std::size_t>> Observations::cells() const {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (std::size_t r = 0; r < time_s.size(); ++r)
    for (std::size_t s = 0; s < series.size(); ++s)
      if (!std::isnan(value[s][r])) out.emplace_back(r, s);
  return out;
}

std::size_t Observations::count() const {
  return cells().size();
}

Observations read_observations(const std::string& path, const std::string& shown,
                               const std::vector<std::string>& known, std::optional<double> origin,
                               double duration_s) {
  std::ifstream in(path);
  if (!in) throw UsageError("cannot open the observations " + shown);
  Observations o;
  o.file = shown;
  Reader rd{shown};
  std::vector<Column> cols;
  std::vector<std::vector<double>> given_sd;
  for (std::string text; std::getline(in, text);) {
    ++rd.line;
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto cells = cells_of(text);
    if (cols.empty()) {
      cols = read_header(rd, cells, known, o);
      o.value.assign(o.series.size(), {});
      given_sd.assign(o.series.size(), {});
      continue;
    }
    if (cells.size() != cols.size() + 1)
      rd.fail(1, "expected " + std::to_string(cols.size() + 1) + " cells as in the header, got " +
                     std::to_string(cells.size()));
    const double t = read_time(rd, cells[0], origin, duration_s);
    if (!o.time_s.empty() && t < o.time_s.back())
      rd.fail(cells[0].col, "times must not decrease (the row above is later)");
    o.time_s.push_back(t);
    o.line.push_back(rd.line);
    for (auto& v : o.value) v.push_back(kNaN);
    for (auto& v : given_sd) v.push_back(kNaN);
    for (std::size_t c = 0; c < cols.size(); ++c) {
      const Cell& cell = cells[c + 1];
      if (cell.text.empty()) continue;
      double v = 0;
      if (!read_number(cell.text, &v) || (cols[c].sd && !(v > 0)))
        rd.fail(cell.col, std::string("expected ") +
                              (cols[c].sd ? "a standard deviation > 0" : "a number") +
                              " or an empty cell, got \"" + cell.text + "\"");
      (cols[c].sd ? given_sd : o.value)[cols[c].series].back() = v;
    }
  }
  if (cols.empty()) throw ScenarioError(SourceLocation{shown, 1, 1}, "", "expected a header");
  o.sd = given_sd;
  for (std::size_t s = 0; s < o.series.size(); ++s)
    for (std::size_t r = 0; r < o.time_s.size(); ++r) {
      const double v = o.value[s][r];
      if (std::isnan(v)) continue;
      if (std::isnan(o.sd[s][r])) o.sd[s][r] = std::fabs(v);
      if (!(o.sd[s][r] > 0))
        throw ScenarioError(SourceLocation{shown, o.line[r], 0}, "",
                            "an observation of 0 needs a \":sd\" column (its weight is 1/sd^2)");
    }
  if (o.count() == 0) throw ScenarioError(SourceLocation{shown, rd.line, 0}, "", "no observations");
  return o;
}

}  // namespace dtwin::greenhouse
