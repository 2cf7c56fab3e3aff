// The scenario's "alerts": rules over the mirrored properties (engine/mirror/alerts.hpp).
//
//   "alerts": [
//     {"id": "m2_hot", "twin": "m2", "prop": "temperature_c", "above": 80, "clear": 75,
//      "for": "2min", "severity": "warning", "message": "{twin} spindle at {value} {unit}"},
//     {"id": "down_long", "twin": "*", "prop": "state", "is": "down", "for": "10min",
//      "severity": "critical"},
//     {"id": "silent", "twin": ["m1", "m2"], "offline": true, "for": "1min"}
//   ]
//
// "twin": an id, a list of ids, or "*" (every twin with the property; every twin for
// "offline"). The test is one of "above", "below" (numbers; "clear" is the hysteresis: the alert
// clears at or past it, by default at the threshold), "is", "is_not" (a value or a list of values
// of the property: an enumeration's name, a flag, a number, a text) or "offline": true. "for": how
// long (plant time) the condition must hold before the alert is raised (default 0). "severity":
// info, warning (default) or critical. "message": text with {twin}, {prop}, {value}, {unit}.
// "act" (optional), what the engine does when the alert is raised, as desired values of the
// alert's twin: {"set": {"speed": 0.8}} and/or {"increment": "pm_orders"} (its reported value
// plus one: an order, such as a preventive maintenance job). A policy run by the twin itself:
// the commands are stored, sent and confirmed like any `dtwin set`.
#pragma once

#include <vector>

#include "engine/mirror/alerts.hpp"
#include "engine/scenario/scenario.hpp"

namespace dtwin {

// Reads root["alerts"] (none when absent) against the twins' properties; the rules' twins are
// indices into `twins`. Errors are ScenarioErrors at the JSON pointer of what is wrong.
std::vector<AlertRule> parse_alert_rules(const Scenario& sc, const std::vector<TwinSpec>& twins);

}  // namespace dtwin
