#include "viewer/parts.hpp"

#include <algorithm>
#include <cmath>

namespace dtwin::viewer {

namespace {

constexpr double kPi = 3.14159265358979323846;

// a part at (lx, ly) in the item's frame, its base at height z
void put_part(const Item& it, double lx, double ly, double z, std::vector<Box>& out,
              Rgba color = kPart) {
  Box b;
  double x, y;
  to_floor(it, lx, ly, &x, &y);
  b.x = static_cast<float>(x);
  b.y = static_cast<float>(y);
  b.z = static_cast<float>(z);
  b.yaw = static_cast<float>(it.rotation_deg * kPi / 180);
  b.length = kPartLength_m;
  b.width = kPartWidth_m;
  b.height = kPartHeight_m;
  b.color = color;
  out.push_back(b);
}

// parts of a line with products in their product's colour
Rgba part_color(const line::LineSpec& spec, std::uint32_t product) {
  return spec.products.empty() ? kPart : product_color(product);
}

// n parts in slots of a grid on top of the item (height z), the first slot at the exit end
void fill_grid(const Item& it, Grid g, double pitch, std::uint64_t n, double z,
               std::vector<Box>& out) {
  const std::uint64_t per_layer = static_cast<std::uint64_t>(g.cols) * g.rows;
  n = std::min<std::uint64_t>(n, per_layer * kMaxLayers);
  const double x0 = g.cols * pitch / 2, y0 = g.rows * pitch / 2;
  for (std::uint64_t i = 0; i < n; ++i) {
    const auto col = static_cast<double>(i % static_cast<std::uint64_t>(g.cols));
    const auto row = static_cast<double>((i / static_cast<std::uint64_t>(g.cols)) %
                                         static_cast<std::uint64_t>(g.rows));
    const auto layer = static_cast<double>(i / per_layer);
    put_part(it, x0 - pitch * (col + 0.5), y0 - pitch * (row + 0.5),
             z + layer * (kPartHeight_m + 0.02), out);
  }
}

// the parts waiting in a place no twin stands for (the drop of a fleet before a machine): a
// stack on the floor at the entry end of the machine it feeds
void implicit_buffer(const Layout& layout, const Layout::LineItems& map, const line::LineSpec& spec,
                     std::size_t p, const line::PlaceState& ps, std::vector<Box>& out) {
  for (std::size_t m = 0; m < spec.machines.size(); ++m) {
    const auto& in = spec.machines[m].inputs;
    if (std::find(in.begin(), in.end(), p) == in.end() || map.machines[m] < 0) continue;
    const Item& it = layout.items[static_cast<std::size_t>(map.machines[m])];
    const std::size_t n = std::min<std::size_t>(ps.births.size(), kMaxLayers);
    for (std::size_t i = 0; i < n; ++i)
      put_part(it, -it.length_m / 2 - 0.25, 0, static_cast<double>(i) * (kPartHeight_m + 0.02), out,
               part_color(spec, ps.births[i].product));
    return;
  }
}

}  // namespace

double conveyor_offset_m(double ready_s, double now_s, double transit_s, double travel_m,
                         double pitch_m, double previous_m, bool first) {
  const double progress =
      transit_s > 0 ? std::clamp(1.0 - (ready_s - now_s) / transit_s, 0.0, 1.0) : 1.0;
  double s = progress * travel_m;
  if (!first) s = std::min(s, previous_m - pitch_m);
  return std::max(s, 0.0);
}

void place_parts(const Layout& layout, std::uint32_t li, const line::LineSpec& spec,
                 const line::LineState& state, double now, std::vector<Box>& out) {
  const Layout::LineItems& map = layout.lines[li];

  for (std::size_t m = 0; m < spec.machines.size(); ++m) {
    if (state.machines[m].part_units == 0 || map.machines[m] < 0) continue;
    const Item& it = layout.items[static_cast<std::size_t>(map.machines[m])];
    put_part(it, 0, 0, it.height_m + 0.001, out, part_color(spec, state.machines[m].product));
  }

  for (std::size_t p = 0; p < spec.places.size(); ++p) {
    const line::PlaceSpec& P = spec.places[p];
    const line::PlaceState& ps = state.places[p];
    const std::uint64_t n = ps.births.size();
    switch (P.kind) {
      case line::PlaceKind::Buffer: {
        if (map.places[p] < 0) {  // a place of no twin (a fleet's drop): at its machine's entry
          implicit_buffer(layout, map, spec, p, ps, out);
          break;
        }
        const Item& it = layout.items[static_cast<std::size_t>(map.places[p])];
        const std::size_t first = out.size();
        fill_grid(it, buffer_grid(P.capacity), kSlotPitch_m, n, it.height_m + 0.001, out);
        for (std::size_t i = first; i < out.size(); ++i)  // slot i holds the i-th part in line
          out[i].color = part_color(spec, ps.births[i - first].product);
        break;
      }
      case line::PlaceKind::Conveyor: {
        if (map.places[p] < 0) break;
        const Item& it = layout.items[static_cast<std::size_t>(map.places[p])];
        const double travel = std::max(0.0, it.length_m - kPartLength_m - 0.1);
        const double pitch =
            P.capacity == line::kUnbounded || P.capacity == 0
                ? kPartLength_m * 1.3
                : std::max(travel / static_cast<double>(P.capacity), kPartLength_m * 0.5);
        double prev = 0;
        for (std::uint64_t i = 0; i < n; ++i) {
          const double ready = i < ps.ready.size() ? ps.ready[i] : now;
          prev = conveyor_offset_m(ready, now, P.transit_s, travel, pitch, prev, i == 0);
          put_part(it, -travel / 2 + prev, 0, it.height_m + 0.001, out,
                   part_color(spec, ps.births[i].product));
        }
        break;
      }
      case line::PlaceKind::Sink: {
        if (map.places[p] < 0) break;
        const Item& it = layout.items[static_cast<std::size_t>(map.places[p])];
        fill_grid(it, Grid{4, 4}, 0.36, std::min<std::uint64_t>(ps.entered, 48), it.height_m, out);
        break;
      }
      case line::PlaceKind::Arrivals:
      case line::PlaceKind::Supply: {
        if (P.source == line::kNone || map.sources[P.source] < 0) break;
        const Item& it = layout.items[static_cast<std::size_t>(map.sources[P.source])];
        if (P.kind == line::PlaceKind::Supply)  // raw stock that never runs out
          fill_grid(it, Grid{2, 2}, 0.42, 8, it.height_m, out);
        else {  // the arrivals waiting for the machine
          const std::size_t first = out.size();
          fill_grid(it, Grid{3, 3}, 0.42, n, it.height_m, out);
          for (std::size_t i = first; i < out.size(); ++i)
            out[i].color = part_color(spec, ps.births[i - first].product);
        }
        break;
      }
      case line::PlaceKind::Link:
        break;
    }
  }
}

}  // namespace dtwin::viewer
