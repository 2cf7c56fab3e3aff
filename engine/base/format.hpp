// Number formatting for outputs. Deterministic (no locale), round-trippable where it matters.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
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

// A number for messages: integers without a decimal point, others with up to `digits`
// significant digits ("60", "0.25", "1.5e+20"). Locale-independent.
inline std::string format_number(double v, int digits = 6) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    const auto r = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(v));
    return std::string(buf, r.ptr);
  }
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, digits);
  return std::string(buf, r.ptr);
}

// ISO 8601 in UTC with milliseconds, rounded: 2023-11-14T22:13:20.250Z (seconds since the Unix
// epoch). Empty when the time is not finite or not representable.
inline std::string iso_utc(double epoch_s) {
  if (!std::isfinite(epoch_s) || std::fabs(epoch_s) > 1e14) return {};
  const std::int64_t ms = std::llround(epoch_s * 1000.0);
  std::int64_t sec = ms / 1000, frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    --sec;
  }
  const auto tt = static_cast<std::time_t>(sec);
  std::tm tm{};
  if (!gmtime_r(&tt, &tm)) return {};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(frac));
  return buf;
}

// Text for XML and HTML, in an element or a quoted attribute: & < > " escaped; control
// characters other than tab, newline and carriage return (XML 1.0 has no others) become '?'.
inline std::string xml_escape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        // XML 1.0 has no control characters but tab, newline and carriage return
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r')
          out += '?';
        else
          out += c;
    }
  }
  return out;
}

}  // namespace dtwin
