// The one place that knows every twin kind.
#pragma once

#include "engine/scenario/registry.hpp"

namespace dtwin::twins {

void register_all(Registry& r);

}  // namespace dtwin::twins
