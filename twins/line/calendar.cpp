#include "twins/line/calendar.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "engine/scenario/duration.hpp"

namespace dtwin::line {

namespace {

// "06:30" -> seconds after midnight; "24:00" allowed
double parse_clock(const Node& n) {
  const std::string s = n.string();
  int h = -1, m = -1;
  char extra = 0;
  if (std::sscanf(s.c_str(), "%d:%d%c", &h, &m, &extra) != 2 || h < 0 || h > 24 || m < 0 ||
      m > 59 || (h == 24 && m != 0))
    n.expected("a time of day \"HH:MM\" between 00:00 and 24:00");
  return h * 3600.0 + m * 60.0;
}

int parse_day(const Node& n) {
  static const char* names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  const std::string s = n.string();
  for (int i = 0; i < 7; ++i)
    if (s == names[i]) return i;
  n.expected("a day name: mon, tue, wed, thu, fri, sat or sun");
}

// Adds [a, b) modulo the period, splitting at the wrap, then sorts and merges.
void add_window(Calendar& c, double a, double b) {
  const double p = c.period_s;
  a = std::fmod(a, p);
  double len = b - a;
  if (len <= 0) len += p;  // wrapped, e.g. 22:00 -> 06:00
  if (a + len <= p) {
    c.on.emplace_back(a, a + len);
  } else {
    c.on.emplace_back(a, p);
    c.on.emplace_back(0, a + len - p);
  }
}

void normalise(Calendar& c) {
  std::sort(c.on.begin(), c.on.end());
  std::vector<std::pair<double, double>> merged;
  for (const auto& w : c.on) {
    if (w.second <= w.first) continue;
    if (!merged.empty() && w.first <= merged.back().second)
      merged.back().second = std::max(merged.back().second, w.second);
    else
      merged.push_back(w);
  }
  c.on = std::move(merged);
  if (c.on.size() == 1 && c.on[0].first <= 0 && c.on[0].second >= c.period_s) {
    c.on.clear();
    c.period_s = 0;  // always on
  }
}

}  // namespace

bool Calendar::on_at(double t) const {
  if (always_on()) return true;
  const double x = std::fmod(t, period_s);
  for (const auto& w : on)
    if (x >= w.first && x < w.second) return true;
  return false;
}

double Calendar::next_change(double t) const {
  if (always_on() || on.empty()) return std::numeric_limits<double>::infinity();
  const double base = std::floor(t / period_s) * period_s;
  // candidate boundaries in this period and the next one
  for (int k = 0; k < 2; ++k) {
    const double b0 = base + k * period_s;
    for (const auto& w : on) {
      for (double edge : {w.first, w.second}) {
        const double at = b0 + edge;
        if (at > t && on_at(at) != on_at(t)) return at;
      }
    }
  }
  return std::numeric_limits<double>::infinity();
}

double Calendar::on_fraction() const {
  if (always_on()) return 1;
  double s = 0;
  for (const auto& w : on) s += w.second - w.first;
  return s / period_s;
}

Calendar parse_calendar(const Node& n) {
  Calendar c;
  if (!n.is_object()) n.expected("a calendar object with \"on\" windows or \"shifts\"");
  n.check_keys({"period", "on", "shifts", "days"});
  if (n.has("on") == n.has("shifts"))
    n.fail("a calendar needs exactly one of \"on\" (windows within a period) or \"shifts\"");
  if (auto on = n.find("on")) {
    const auto period = n.find("period");
    if (!period) n.fail("missing required member \"period\" (the length of the repeating cycle)");
    c.period_s = parse_duration(*period);
    if (c.period_s <= 0) period->expected("a period > 0");
    for (const auto& w : on->items()) {
      if (w.size() != 2) w.expected("a window [start, end] of two durations");
      const double a = parse_duration(w.at(std::size_t{0}));
      const double b = parse_duration(w.at(std::size_t{1}));
      if (!(b > a)) w.fail("window end must be after its start");
      if (b > c.period_s) w.fail("window must lie within the period");
      c.on.emplace_back(a, b);
    }
  } else {
    const auto shifts = n.at("shifts");
    std::vector<int> days;
    if (auto d = n.find("days")) {
      for (const auto& x : d->items()) days.push_back(parse_day(x));
      if (days.empty()) d->expected("a non-empty list of days");
    }
    if (n.has("period")) n.at("period").fail("\"period\" goes with \"on\", not \"shifts\"");
    c.period_s = days.empty() ? 86400.0 : 7 * 86400.0;
    if (days.empty()) days.push_back(0);
    for (const auto& w : shifts.items()) {
      if (w.size() != 2) w.expected("a shift [\"HH:MM\", \"HH:MM\"]");
      const double a = parse_clock(w.at(std::size_t{0}));
      const double b = parse_clock(w.at(std::size_t{1}));
      if (a == b) w.fail("a shift must not start and end at the same time");
      for (int d : days) add_window(c, d * 86400.0 + a, d * 86400.0 + b);
    }
  }
  normalise(c);
  if (!c.always_on() && c.on.empty()) n.fail("the calendar has no working time");
  return c;
}

}  // namespace dtwin::line
