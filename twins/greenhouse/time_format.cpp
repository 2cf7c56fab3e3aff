#include "twins/greenhouse/time_format.hpp"

#include <charconv>
#include <cmath>

namespace dtwin::greenhouse {

std::optional<TimeFormat> TimeFormat::parse(std::string_view spec) {
  TimeFormat f;
  f.spec_ = std::string(spec);
  if (spec.find('%') != std::string_view::npos) {
    for (std::size_t i = 0; i < spec.size(); ++i) {
      if (spec[i] != '%') continue;
      if (i + 1 >= spec.size()) return std::nullopt;
      const char c = spec[++i];
      if (c != 'Y' && c != 'm' && c != 'd' && c != 'H' && c != 'M' && c != 'S' && c != '%')
        return std::nullopt;
    }
    f.calendar_ = true;
    return f;
  }
  if (spec == "s")
    f.unit_s_ = 1;
  else if (spec == "min")
    f.unit_s_ = 60;
  else if (spec == "h")
    f.unit_s_ = 3600;
  else if (spec == "d")
    f.unit_s_ = 86400;
  else
    return std::nullopt;
  return f;
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// reads 1..width digits at text[pos]
bool digits(std::string_view text, std::size_t& pos, std::size_t width, long long* out) {
  std::size_t k = 0;
  long long v = 0;
  while (k < width && pos + k < text.size() && text[pos + k] >= '0' && text[pos + k] <= '9') {
    v = v * 10 + (text[pos + k] - '0');
    ++k;
  }
  if (k == 0) return false;
  pos += k;
  *out = v;
  return true;
}

}  // namespace

bool TimeFormat::read(std::string_view text, double* seconds) const {
  text = trim(text);
  if (!calendar_) {
    double v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) return false;
    *seconds = v * unit_s_;
    return true;
  }
  long long Y = 1970, m = 1, d = 1, H = 0, M = 0, S = 0;
  double frac = 0;
  std::size_t pos = 0;
  for (std::size_t i = 0; i < spec_.size(); ++i) {
    const char c = spec_[i];
    if (c != '%' || spec_[i + 1] == '%') {
      if (c == '%') ++i;  // "%%" is a literal '%'
      if (pos >= text.size() || text[pos] != c) return false;
      ++pos;
      continue;
    }
    const char f = spec_[++i];
    bool ok = false;
    switch (f) {
      case 'Y':
        ok = digits(text, pos, 4, &Y);
        break;
      case 'm':
        ok = digits(text, pos, 2, &m) && m >= 1 && m <= 12;
        break;
      case 'd':
        ok = digits(text, pos, 2, &d) && d >= 1 && d <= 31;
        break;
      case 'H':
        ok = digits(text, pos, 2, &H) && H <= 24;
        break;
      case 'M':
        ok = digits(text, pos, 2, &M) && M <= 59;
        break;
      case 'S':
        ok = digits(text, pos, 2, &S) && S <= 60;
        if (ok && pos < text.size() && text[pos] == '.') {
          double unit = 0.1;
          for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
            frac += (text[pos] - '0') * unit;
            unit /= 10;
          }
        }
        break;
      default:
        return false;
    }
    if (!ok) return false;
  }
  if (pos != text.size()) return false;
  const long long days = days_from_civil(Y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  *seconds = static_cast<double>(days * 86400 + H * 3600 + M * 60 + S) + frac;
  return true;
}

}  // namespace dtwin::greenhouse
