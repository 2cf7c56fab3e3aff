// Builds the greenhouse twins' Specs from scenario JSON (the members spec.hpp documents).
// Every error is a ScenarioError naming the JSON pointer and what was expected; errors in an
// input file name the file and line as well.
#pragma once

#include <string>
#include <vector>

#include "engine/scenario/json_node.hpp"
#include "twins/greenhouse/input_series.hpp"
#include "twins/greenhouse/spec.hpp"

namespace dtwin::greenhouse {

const std::vector<std::string>& greenhouse_kinds();

// t: the twin's node ("/twins/<id>").
LettuceGreenhouseSpec parse_lettuce_greenhouse(const Node& t, const std::string& id,
                                               const InputContext& ctx);
LettuceCropSpec parse_lettuce_crop(const Node& t, const std::string& id, const InputContext& ctx);
TomatoCropSpec parse_tomato_crop(const Node& t, const std::string& id, const InputContext& ctx);

}  // namespace dtwin::greenhouse
