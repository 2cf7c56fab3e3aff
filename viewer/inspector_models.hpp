// The inspector's text for a greenhouse and a work cell (inspector.hpp dispatches here): the
// greenhouse's climate, actuators, crop, energy so far and house; the cell's status, joints
// (position and limits), tool point, what it carries, cycles and its spec. Values with units.
#pragma once

#include <string>

#include "viewer/session.hpp"

namespace dtwin::viewer {

std::string inspect_model(const Session& s, const Item& it);

// the headline figures of the greenhouses and cells: "gh: yield 1.2 kg/m2  heating ..."
std::string model_kpi_text(const Session& s);

}  // namespace dtwin::viewer
