// Editing from the inspector (key e): a prompt "prop = value" on the selected twin. In live mode
// the edit becomes a `set` request to the engine (a desired value: pending, then applied or
// rejected by the asset; a refusal shows the engine's reason). In simulation mode it is a
// command to the viewer's own world: the setpoint reaches the model through
// Model::apply_setpoint (Playback::apply_setpoint), which changes the state or refuses.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/mirror/property.hpp"
#include "engine/sim/world.hpp"

namespace dtwin::viewer {

struct Edit {
  std::string twin, prop;
  nlohmann::json value;  // a number, a boolean or a text (an enumeration's name)
};

// "speed = 1.3" (on `twin`) or "m2.speed=1.3". Nothing when it is not of that form; `why` says
// what was expected.
std::optional<Edit> parse_edit(const std::string& text, const std::string& twin, std::string* why);

// The writable properties of a twin in the world (what an edit may set), in model order.
std::vector<std::string> writable_properties(const World& w, const std::string& twin);

// Completes the property name being typed (the text before '='): the one writable property that
// starts with it, else the text unchanged.
std::string complete_property(const std::string& text, const std::vector<std::string>& props);

// The setpoint the edit asks for as the property's value (type and range checked); `why` says
// what is wrong otherwise.
bool edit_value(const World& w, const Edit& e, Value& out, std::string* why);

}  // namespace dtwin::viewer
