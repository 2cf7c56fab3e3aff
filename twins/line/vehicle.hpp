// A vehicle as it is at a time. The simulation moves a loaded vehicle by one event, from the
// start of loading to the end of unloading; its state keeps the loading leg. What a picture or
// a report of it needs (the phase, the node it left and the one it goes to, the leg's times) is
// this, worked out from the fleet's load time, distance and speed.
#pragma once

#include "twins/line/spec.hpp"
#include "twins/line/state.hpp"

namespace dtwin::line {

VehicleState vehicle_as_of(const VehicleState& v, const FleetSpec& fleet, double now);

}  // namespace dtwin::line
