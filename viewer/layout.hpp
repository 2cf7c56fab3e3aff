// Where each twin of a production line stands on the floor and how big it is drawn.
//
// A twin may place and size itself in the scenario:
//   "layout": {"x": 12, "y": -3, "rotation_deg": 90, "length": 8, "width": 1}
// in metres on the floor: x to the right, y away from the default camera, rotation about the
// vertical (counter-clockwise seen from above; 0 means its parts flow towards +x), length along
// its flow and width across it. Twins without a position are placed automatically: the flow graph
// is layered by longest path from the sources, left to right (edges closing a loop are left
// out); each twin then moves right as far as its successors allow, so a side branch ends next
// to the station it feeds; the twins of a layer are stacked across the flow, each near the mean
// position of its neighbours. Several lines are placed one behind the other.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/scenario/json_node.hpp"
#include "twins/line/spec.hpp"

namespace dtwin::viewer {

// Greenhouse and Cell: a whole model of another kind, drawn in a region of its own (index: into
// the session's greenhouses or cells)
enum class ItemKind : std::uint8_t { Source, Machine, Buffer, Conveyor, Sink, Greenhouse, Cell };

// one drawn twin
struct Item {
  std::string id;
  ItemKind kind = ItemKind::Machine;
  std::uint32_t line = 0;   // index of its line
  std::uint32_t index = 0;  // into its LineSpec's sources, machines or places
  double x_m = 0, y_m = 0;  // centre on the floor
  double rotation_deg = 0;
  double length_m = 1, width_m = 1, height_m = 1;
  bool placed = false;  // its position came from the scenario
};

// a flow edge between two items (the parts go from -> to)
struct Edge {
  std::uint32_t from = 0, to = 0;
  bool loop = false;  // closes a cycle: drawn around the line
};

// slots of a buffer rack: parts fill cols x rows, then stack in layers
struct Grid {
  int cols = 1, rows = 1;
};
constexpr double kSlotPitch_m = 0.42;
Grid buffer_grid(std::uint64_t capacity);

struct Layout {
  std::vector<Item> items;
  std::vector<Edge> edges;
  // per line: the item of each source, machine and place (-1 for implicit places)
  struct LineItems {
    std::vector<int> sources, machines, places;
  };
  std::vector<LineItems> lines;
  double min_x_m = 0, min_y_m = 0, max_x_m = 0, max_y_m = 0;  // bounds of every footprint
  double max_height_m = 0;

  int find(std::string_view id) const;  // -1 when there is no such item
  std::vector<std::string> ids() const;
};

// A point given in an item's own frame (x along its flow from its centre, y across), on the
// floor.
void to_floor(const Item& it, double lx, double ly, double* x, double* y);

// twins: the scenario's "/twins" object (for "layout" members; errors name their pointer).
Layout make_layout(const std::vector<const line::LineSpec*>& lines, const Node& twins);

// Adds a model's region (it.length_m x it.width_m, unturned) to the layout and returns its item.
// Beside item `next_to` when >= 0 (in front of it, on the camera's side, so a cell stands by
// the station it times), else to the right of everything placed so far, centred on the lines'
// middle. Updates the bounds.
int add_region(Layout& L, Item it, int next_to = -1);

}  // namespace dtwin::viewer
