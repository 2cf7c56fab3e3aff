// Simulation time as the viewer shows it: a clock with days, "2:05:09" or "3d 07:00:00", with
// tenths of a second when asked (stepping one event at a time); and as the user types it: a
// duration ("2h", "90min", "3d") or plain seconds ("3600").
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/scenario/duration.hpp"

namespace dtwin::viewer {

inline std::string clock_text(double t_s, bool tenths = false) {
  if (!std::isfinite(t_s) || t_s < 0) return "-";
  const double whole = std::floor(t_s);
  const auto total = static_cast<long long>(whole);
  const long long d = total / 86400, h = total / 3600 % 24, m = total / 60 % 60, s = total % 60;
  char buf[64];
  if (d > 0)
    std::snprintf(buf, sizeof buf, "%lldd %02lld:%02lld:%02lld", d, h, m, s);
  else
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", h, m, s);
  std::string out = buf;
  if (tenths) out += "." + std::to_string(static_cast<int>((t_s - whole) * 10));
  return out;
}

inline bool parse_time(const std::string& text, double* t_s) {
  if (parse_duration_text(text, t_s)) return true;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v) || v < 0) return false;
  *t_s = v;
  return true;
}

}  // namespace dtwin::viewer
