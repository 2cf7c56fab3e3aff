// Distributions in scenario JSON (the forms are listed in engine/sim/distribution.hpp, where
// they are sampled).
#pragma once

#include "engine/scenario/json_node.hpp"
#include "engine/sim/distribution.hpp"

namespace dtwin {

// Parses a distribution at `n`. Values must be >= 0 (they are durations or counts); a mean of
// 0 is allowed only for constant. Unknown "dist" names list the known ones; unknown members
// are rejected with a suggestion. A distribution whose mean is too large to represent (say
// lognormal with mu 800) is rejected too, so mean() is always finite.
Distribution parse_distribution(const Node& n);

}  // namespace dtwin
