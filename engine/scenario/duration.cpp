#include "engine/scenario/duration.hpp"

#include <charconv>
#include <cmath>
#include <iterator>

namespace dtwin {

namespace {

const char* const kDurationForms =
    "(seconds, or a string such as \"90s\", \"5min\", \"8h\", \"2d\", \"3d10h\")";

struct Unit {
  std::string_view name;
  double seconds;
};

constexpr Unit kUnits[] = {{"ms", 0.001}, {"s", 1},     {"min", 60},
                           {"h", 3600},   {"d", 86400}, {"w", 604800}};

enum class TextResult { Ok, NotDuration, UnknownUnit, Negative };

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// One term: a number and its unit ("10", "h"); the rest of the text after it in *rest.
TextResult read_term(std::string_view text, bool first, double* seconds, std::size_t* unit_index,
                     std::string_view* rest) {
  text = trim(text);
  if (text.empty()) return TextResult::NotDuration;
  const char c = text.front();
  // from_chars also reads "inf" and "nan"; a duration starts with a digit, '.' or (the first
  // term only) '-'
  if (!((c >= '0' && c <= '9') || c == '.' || (first && c == '-'))) return TextResult::NotDuration;
  double v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || !std::isfinite(v)) return TextResult::NotDuration;
  std::string_view after = trim(text.substr(static_cast<std::size_t>(r.ptr - text.data())));
  std::size_t n = 0;
  while (n < after.size() && after[n] >= 'a' && after[n] <= 'z') ++n;
  const std::string_view unit = after.substr(0, n);
  if (unit.empty()) return TextResult::UnknownUnit;
  for (std::size_t i = 0; i < std::size(kUnits); ++i) {
    if (kUnits[i].name != unit) continue;
    if (v < 0) return TextResult::Negative;
    const double s = v * kUnits[i].seconds;
    if (!std::isfinite(s)) return TextResult::NotDuration;
    *seconds = s;
    *unit_index = i;
    *rest = after.substr(n);
    return TextResult::Ok;
  }
  return TextResult::UnknownUnit;
}

// "90s", "8h", or terms with units from the largest down: "3d10h", "1h 30min", "2min30s"
TextResult read_duration(std::string_view text, double* seconds) {
  double total = 0;
  std::size_t last_unit = std::size(kUnits);
  bool first = true;
  text = trim(text);
  do {
    double s = 0;
    std::size_t unit = 0;
    const TextResult r = read_term(text, first, &s, &unit, &text);
    if (r != TextResult::Ok) return r;
    if (unit >= last_unit) return TextResult::NotDuration;  // "10h3d", "1h1h": units go down
    last_unit = unit;
    total = first ? s : total + s;
    first = false;
    text = trim(text);
  } while (!text.empty());
  if (!std::isfinite(total)) return TextResult::NotDuration;
  *seconds = total + 0.0;  // -0 -> 0
  return TextResult::Ok;
}

double read_node(const Node& n, bool positive) {
  const std::string what =
      std::string("a duration ") + (positive ? "> 0 " : ">= 0 ") + kDurationForms;
  if (n.is_number()) {
    const double v = n.json().get<double>();
    if (!std::isfinite(v) || v < 0 || (positive && v == 0)) n.expected(what);
    return v + 0.0;
  }
  if (!n.is_string()) n.expected(what);
  double v = 0;
  switch (read_duration(n.json().get_ref<const std::string&>(), &v)) {
    case TextResult::Ok:
      if (positive && v == 0) n.expected(what);
      return v;
    case TextResult::UnknownUnit:
      n.fail("expected " + what + ", got string " + n.preview() +
             " (the units are ms, s, min, h, d and w)");
    default:
      n.expected(what);
  }
}

}  // namespace

bool parse_duration_text(std::string_view text, double* seconds) {
  double v = 0;
  if (read_duration(text, &v) != TextResult::Ok) return false;
  *seconds = v;
  return true;
}

double parse_duration(const Node& n) {
  return read_node(n, false);
}

double parse_duration_positive(const Node& n) {
  return read_node(n, true);
}

std::string format_duration(double seconds) {
  if (std::isnan(seconds)) return "NaN";
  if (seconds < 0) return "-" + format_duration(-seconds);
  if (std::isinf(seconds)) return "forever";
  const char* unit = "s";
  double v = seconds;
  if (seconds >= 86400) {
    unit = "d";
    v = seconds / 86400;
  } else if (seconds >= 3600) {
    unit = "h";
    v = seconds / 3600;
  } else if (seconds >= 60) {
    unit = "min";
    v = seconds / 60;
  }
  char buf[64];
  std::to_chars_result r{};
  if (v >= 100 && v < 1e15) {
    r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 0);
  } else {
    r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 3);
  }
  return std::string(buf, r.ptr) + unit;
}

}  // namespace dtwin
