// The inspector: what a twin is (its spec) and what it is doing now (its state), as rows of
// "label  value" text for the HUD's panel. Read-only.
#pragma once

#include <string>

#include "viewer/session.hpp"

namespace dtwin::viewer {

// The text for item `item` of the session's layout; empty when item < 0.
std::string inspect(const Session& s, int item);

}  // namespace dtwin::viewer
