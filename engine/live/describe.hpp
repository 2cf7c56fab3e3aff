// The wire contract of a plant's twins, as data: every twin's properties (type, unit, range,
// choices, writable, derived) and the topics it lives on. `dtwin describe` prints it, the
// `describe` request returns it, and engine/MQTT.md's tables are generated from it (a test
// checks they are current).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/live/settings.hpp"
#include "engine/mirror/property.hpp"

namespace dtwin {

// {"plant", "twins": [{"id", "topics": {"reported", "birth", "death", "ack", "desired",
// "state"}, "properties": [{"name", "type": "number" | "bool" | "enum" | "text", "unit", "min",
// "max", "choices", "tolerance", "writable", "derived"}]}]}; min and max only when the property
// has them, choices only for enumerations. One twin when `only` names it (empty: every twin).
// A plant that speaks Sparkplug B (live->sparkplug) also gets "sparkplug": {"group",
// "host_state"} and each twin "sparkplug": {"node" ("" for any edge node of the group),
// "device" ("" for the node's own metrics), "birth", "data", "command" (topics, "+" for any
// node), "metrics": {property: metric name}}.
nlohmann::json describe_twins(const std::vector<TwinSpec>& twins, const std::string& plant,
                              const std::string& only = "", const LiveSettings* live = nullptr);
// For a person: one table per group of twins with the same properties.
std::string describe_text(const nlohmann::json& d);
// The same as Markdown tables (engine/MQTT.md).
std::string describe_markdown(const nlohmann::json& d);

}  // namespace dtwin
