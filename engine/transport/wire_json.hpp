// JSON from the wire, parsed as strictly as a scenario: a document in which an object names the
// same member twice is refused (nlohmann would keep the last silently, so two readers of one
// message could see two different values), as is anything that is not JSON.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace dtwin {

// The parsed document, or a discarded value (is_discarded()) with the reason in *why when
// `why` is given: "invalid JSON" or "member \"x\" given twice".
nlohmann::json parse_wire_json(std::string_view payload, std::string* why = nullptr);

}  // namespace dtwin
