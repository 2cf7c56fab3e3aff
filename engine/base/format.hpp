// Number formatting for outputs. Deterministic (no locale), round-trippable where it matters.
#pragma once

#include <cmath>
#include <cstdio>
#include <string>

namespace dtwin {

// Shortest form with `digits` significant digits; "nan"/"inf" spelled out for CSV.
inline std::string fmt_num(double v, int digits = 10) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

// Fixed decimals, for tables.
inline std::string fmt_fixed(double v, int decimals) {
  if (std::isnan(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace dtwin
