#include "cli/forecast_csv.hpp"

#include <cmath>
#include <cstdlib>
#include <fstream>

#include "engine/base/error.hpp"
#include "engine/base/format.hpp"
#include "engine/run/results.hpp"

namespace dtwin::cli {

namespace {

constexpr const char* kColumns[] = {"time_h", "temp_c", "rh_pct", "rad_w_m2", "wind_m_s"};
constexpr double kLo[] = {0, -70, 0, 0, 0}, kHi[] = {1e6, 60, 100, 1400, 60};

// the 1-based column of field f of a line split at commas
std::size_t column_of(const std::string& line, std::size_t f) {
  std::size_t col = 1;
  for (std::size_t i = 0; i < line.size() && f > 0; ++i)
    if (line[i] == ',') --f, col = i + 2;
  return col;
}

}  // namespace

nlohmann::json read_forecast_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UsageError("--forecast: cannot read " + path);
  const auto where = [&](std::size_t n, std::size_t col) {
    return path + ":" + std::to_string(n) + ":" + std::to_string(col) + ": ";
  };
  std::string line;
  std::size_t n = 0;
  std::vector<std::string> f;
  std::vector<int> at(5, -1);  // the field of each column
  nlohmann::json out;
  for (const char* c : kColumns) out[c] = nlohmann::json::array();
  double prev = -1;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    if (!csv_split(line, f)) throw UsageError(where(n, 1) + "a quote left open");
    if (at[0] < 0) {  // the header
      for (std::size_t i = 0; i < f.size(); ++i) {
        int k = -1;
        for (int c = 0; c < 5; ++c)
          if (f[i] == kColumns[c]) k = c;
        if (k < 0 || at[static_cast<std::size_t>(k)] >= 0)
          throw UsageError(where(n, column_of(line, i)) + "column \"" + f[i] +
                           "\": expected each of time_h, temp_c, rh_pct, rad_w_m2, wind_m_s once");
        at[static_cast<std::size_t>(k)] = static_cast<int>(i);
      }
      for (int c = 0; c < 5; ++c)
        if (at[static_cast<std::size_t>(c)] < 0)
          throw UsageError(where(n, 1) + "no column \"" + kColumns[c] +
                           "\" (expected time_h, temp_c, rh_pct, rad_w_m2, wind_m_s)");
      continue;
    }
    if (f.size() != 5)
      throw UsageError(where(n, 1) + "expected 5 fields, got " + std::to_string(f.size()));
    for (std::size_t c = 0; c < 5; ++c) {
      const auto i = static_cast<std::size_t>(at[c]);
      char* end = nullptr;
      const double v = std::strtod(f[i].c_str(), &end);
      if (f[i].empty() || *end != '\0' || !std::isfinite(v) || v < kLo[c] || v > kHi[c])
        throw UsageError(where(n, column_of(line, i)) + kColumns[c] + ": expected a number from " +
                         format_number(kLo[c]) + " to " + format_number(kHi[c]) + ", got \"" +
                         f[i] + "\"");
      if (c == 0 && !(v > prev))
        throw UsageError(where(n, column_of(line, i)) + "time_h " + f[i] +
                         ": expected a time after the previous row's");
      if (c == 0) prev = v;
      out[kColumns[c]].push_back(v);
    }
  }
  if (at[0] < 0) throw UsageError(path + ":1:1: empty file (expected a header: time_h,temp_c,...)");
  if (out["time_h"].size() < 2) throw UsageError(where(n, 1) + "expected at least two rows");
  return out;
}

}  // namespace dtwin::cli
