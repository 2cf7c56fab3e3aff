// Inside parse_line: what its source files share and nothing outside twins/line includes.
// parse.cpp reads the twins kind by kind (parse_machine.cpp the machines) and the line's own
// settings, parse_products.cpp what names products; parse_flow.cpp joins them by the "/flow"
// edges (and routes machines with several outputs) and checks the result.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "twins/line/parse.hpp"

namespace dtwin::line {

// What the flow refers to: index into sources, machines or places by twin id.
struct NodeRef {
  enum Kind { Source, Machine, Place, Fleet } kind;
  std::uint32_t index;
  std::string pointer;  // "/twins/<id>"
};
using NodeRefs = std::map<std::string, NodeRef>;

// The finest time step the line takes: 1 microsecond. A time (a process, a setup, a time to
// failure or repair, an interarrival, a transit) whose mean is positive but below it is refused:
// no station of a plant works that fast, and such times only make a run handle millions of
// events without time advancing (at a 30-year horizon a double still tells 0.1 us apart, so the
// resolution is well within what the clock represents). Zero is allowed where time can still
// advance (check_zero_time_paths).
constexpr double kTimeResolution_s = 1e-6;
// fails at `n` when 0 < mean_s < kTimeResolution_s
void check_resolution(const Node& n, double mean_s, const std::string& what);

// a capacity: null is unbounded, else a whole number >= 0
std::uint64_t parse_capacity(const Node& n);

// a "machine" or "assembly" twin t; its calendar (or the line's) goes into spec.calendars
MachineSpec parse_machine(const Node& t, const std::string& id, const std::string& kind,
                          const std::optional<Node>& line_calendar,
                          const ProcessFromTwin& from_twin, LineSpec& spec);

// the edges of "/flow" (flow): inputs and outputs of machines, places between them
void connect_flow(const Node& flow, const Node& twins, const NodeRefs& refs, LineSpec& spec);
// every twin connected; an assembly's parts per input
void check_connected(const Node& root, const Node& twins, const std::vector<std::string>& ids,
                     LineSpec& spec);
// a cycle through direct machine-to-machine links only would deadlock
void check_link_cycles(const Node& flow, const LineSpec& spec);
// a path from a saturated source to a sink through stations that all take no time (process
// 0 without setup, conveyors with transit 0) would release parts for ever at one instant:
// refused, at the first such machine's "process"
void check_zero_time_paths(const Node& twins, const LineSpec& spec);
// products (parse_products.cpp): "/products" at the root (before the twins that name them)
void parse_products(const Node& root, LineSpec& spec);
// a time given as {"by_product": {"A": dist, "*": dist for the rest}}: one per product in `by`;
// `overall` is a constant of their mean (for what reads one time)
bool is_by_product(const Node& n);
void parse_by_product(const Node& n, const LineSpec& spec, const std::string& what,
                      std::vector<Distribution>& by, Distribution& overall);
// a machine's "changeover": {"A->B": dist, ...}
void parse_changeover(const Node& c, const LineSpec& spec, MachineSpec& m);
// a source's "mix" or "sequence" (a line of one product releases it without either)
void parse_source_products(const Node& t, const LineSpec& spec, SourceSpec& s);
// a source's "orders": its order list's rows into spec.orders (parse_orders.cpp)
void parse_orders(const Node& t, const FileAccess* files, LineSpec& spec, SourceSpec& s);
// a buffer's "discipline"
Discipline parse_discipline(const Node& n, const LineSpec& spec);
// a flow edge's "products": a flag per product
std::vector<char> parse_product_set(const Node& list, const LineSpec& spec);

// resources (parse_resources.cpp): operator pools under "/resources" (before the twins), and a
// machine's "needs" (crew_repairs: the line's crew or the machine's maintenance repairs it)
void parse_resources(const Node& root, LineSpec& spec);
// the crew's "pool" (after the pools): its index, and the crew's size is the pool's
void link_crew_pool(const Node& root, LineSpec& spec);
void parse_needs(const Node& n, const LineSpec& spec, bool crew_repairs, MachineSpec& m);
// a "fleet" twin t (its lanes come with the flow's "via" edges)
// twins: every twin, for the layout positions when the fleet gives no "distances"
FleetSpec parse_fleet(const Node& t, const std::string& id, const Node& twins);
// the index of node `name` in the fleet's distance table, or kNone
std::uint32_t fleet_node(const FleetSpec& f, const std::string& name);

// machines in flow order when the line is one chain (for the arrow-based bottleneck), else none
std::vector<std::uint32_t> serial_order(const LineSpec& spec);

}  // namespace dtwin::line
