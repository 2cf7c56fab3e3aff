// Registers the greenhouse twin kinds (lettuce_greenhouse, lettuce_crop, tomato_crop): one
// model per twin, built from its Spec.
#pragma once

#include "engine/scenario/registry.hpp"

namespace dtwin::greenhouse {

void register_kinds(Registry& r);

}  // namespace dtwin::greenhouse
