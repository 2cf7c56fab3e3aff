// Shift calendars: when a machine is planned to work. Outside these windows the machine is in
// planned downtime: it is frozen (work, setup and repair pause and resume later) and the time
// counts neither against availability nor in OEE's planned production time.
//
//   {"period": "7d", "on": [["6h", "22h"], ["30h", "46h"]]}         windows within the period
//   {"shifts": [["06:00", "14:00"], ["14:00", "22:00"]],              daily shifts (an end before
//    "days": ["mon", "tue", "wed", "thu", "fri"]}                     the start runs past midnight)
// Simulation time 0 is Monday 00:00. Without "days" the shifts repeat every day. A part that
// finishes exactly when a shift ends counts in that shift.
#pragma once

#include <utility>
#include <vector>

#include "engine/scenario/json_node.hpp"

namespace dtwin::line {

struct Calendar {
  double period_s = 0;                        // 0: always on
  std::vector<std::pair<double, double>> on;  // sorted, disjoint windows in [0, period)

  bool always_on() const { return period_s <= 0; }
  bool on_at(double t) const;
  // first time > t at which on_at() changes (infinity when it never does)
  double next_change(double t) const;
  // fraction of the period that is on
  double on_fraction() const;
};

Calendar parse_calendar(const Node& n);

}  // namespace dtwin::line
