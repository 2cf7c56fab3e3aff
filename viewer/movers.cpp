#include "viewer/movers.hpp"

#include <algorithm>
#include <cmath>

#include "twins/line/vehicle.hpp"
#include "viewer/shapes.hpp"

namespace dtwin::viewer {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDeckZ = 0.30;  // a vehicle's load deck above the floor

// a box standing on height z
Box box(double x, double y, double z, double yaw, double l, double w, double h, Rgba c) {
  return centred({x, y, z + h / 2}, l, w, h, yaw, c);
}

// where vehicle k parks at a place: in front of it (its -y side), from its exit end back
Spot parking(const Item& it, std::uint32_t k) {
  Spot s;
  to_floor(it, it.length_m / 2 - 0.4 - 1.2 * static_cast<double>(k), -(it.width_m / 2 + 0.8), &s.x,
           &s.y);
  return s;
}

void place_vehicles(const Layout& layout, const line::LineSpec& spec, const line::LineState& state,
                    double now, std::vector<Box>& out) {
  for (const line::FleetSpec& F : spec.fleets) {
    // each node's item (-1: none drawn)
    std::vector<int> item(F.nodes.size());
    for (std::size_t n = 0; n < F.nodes.size(); ++n) item[n] = layout.find(F.nodes[n]);
    for (std::uint32_t k = 0; k < F.vehicles; ++k) {
      const line::VehicleState v = line::vehicle_as_of(state.vehicles[F.first_vehicle + k], F, now);
      if (v.from >= item.size() || v.at >= item.size() || item[v.from] < 0 || item[v.at] < 0)
        continue;
      const Spot a = parking(layout.items[static_cast<std::size_t>(item[v.from])], k);
      const Spot b = parking(layout.items[static_cast<std::size_t>(item[v.at])], k);
      const Spot p = vehicle_position(a, b, v.leg_start, v.leg_end, now);
      const double yaw =
          std::hypot(b.x - a.x, b.y - a.y) > 1e-6
              ? std::atan2(b.y - a.y, b.x - a.x)
              : layout.items[static_cast<std::size_t>(item[v.at])].rotation_deg * kPi / 180;
      out.push_back(box(p.x, p.y, 0.04, yaw, 1.0, 0.7, kDeckZ - 0.09, kVehicle));
      out.push_back(box(p.x, p.y, kDeckZ - 0.05, yaw, 0.92, 0.62, 0.05, kVehicleTop));
      const bool loaded = v.phase == line::kVehicleLoading || v.phase == line::kVehicleCarrying ||
                          v.phase == line::kVehicleUnloading;
      if (loaded)
        out.push_back(box(p.x, p.y, kDeckZ, yaw, 0.30, 0.30, 0.22,
                          spec.products.empty() ? kPart : product_color(v.part.product)));
    }
  }
}

// the operators a station holds, in front of it (its -y side) from its entry end on
void place_operators(const Layout& layout, const Layout::LineItems& map, const line::LineSpec& spec,
                     const line::LineState& state, std::vector<Box>& out) {
  for (std::size_t m = 0; m < spec.machines.size(); ++m) {
    const line::MachineSpec& M = spec.machines[m];
    if (!M.staffed || !state.machines[m].holds || map.machines[m] < 0) continue;
    const Item& it = layout.items[static_cast<std::size_t>(map.machines[m])];
    const double yaw = it.rotation_deg * kPi / 180;
    for (std::uint32_t k = 0; k < M.needs.count; ++k) {
      double x, y;
      to_floor(it, -it.length_m / 2 + 0.25 + 0.55 * k, -(it.width_m / 2 + 0.35), &x, &y);
      out.push_back(box(x, y, 0, yaw, 0.34, 0.26, 1.25, kOperator));
      out.push_back(box(x, y, 1.27, yaw, 0.24, 0.24, 0.26, kOperatorHead));
    }
  }
}

}  // namespace

Spot vehicle_position(Spot from, Spot to, double leg_start, double leg_end, double now) {
  const double f =
      leg_end > leg_start ? std::clamp((now - leg_start) / (leg_end - leg_start), 0.0, 1.0) : 1.0;
  return {from.x + (to.x - from.x) * f, from.y + (to.y - from.y) * f};
}

void place_movers(const Layout& layout, std::uint32_t li, const line::LineSpec& spec,
                  const line::LineState& state, double now, std::vector<Box>& out) {
  place_vehicles(layout, spec, state, now, out);
  place_operators(layout, layout.lines[li], spec, state, out);
}

}  // namespace dtwin::viewer
