// The line's "/flow": edges [from, to] between its twins become the machines' inputs and
// outputs and the places between them; then the checks on the whole: every twin connected, no
// cycle without a buffer, and the machines' order when the line is one chain.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <utility>

#include "engine/base/format.hpp"
#include "engine/scenario/suggest.hpp"
#include "twins/line/parse_detail.hpp"

namespace dtwin::line {

namespace {

// Builds the places and the machines' inputs and outputs, edge by edge.
class FlowBuilder {
 public:
  FlowBuilder(const Node& twins, const NodeRefs& refs, LineSpec& spec)
      : twins_(twins),
        refs_(refs),
        spec_(spec),
        source_out_(spec.sources.size(), 0),
        machine_out_ptr_(spec.machines.size()),
        outs_(spec.machines.size()) {
    for (const auto& kv : refs_) known_.push_back(kv.first);
  }

  void edge(const Node& e) {
    if (!e.is_array() || e.size() < 2 || e.size() > 3) e.expected("an edge [\"from\", \"to\"]");
    std::optional<Node> attrs;
    if (e.size() == 3) {
      attrs = e.at(std::size_t{2});
      if (!attrs->is_object())
        attrs->expected(
            "an edge's options, {\"products\": [...]}, {\"p\": probability} or {\"via\": fleet}");
      attrs->check_keys({"products", "p", "via"});
    }
    const Node fn = e.at(std::size_t{0}), tn = e.at(std::size_t{1});
    const NodeRef from = lookup(fn), to = lookup(tn);
    const std::string fid = fn.string(), tid = tn.string();
    if (fid == tid) e.fail("an edge from \"" + fid + "\" to itself");
    for (const auto& [n, r] : {std::make_pair(fn, from), std::make_pair(tn, to)})
      if (r.kind == NodeRef::Fleet)
        n.fail("fleet \"" + n.string() +
               "\" is not a station of the flow: name it in an edge's \"via\", such as "
               "[\"m1\", \"m2\", {\"via\": \"" +
               n.string() + "\"}]");
    if (attrs && attrs->has("via")) {
      if (from.kind != NodeRef::Machine)
        attrs->at("via").fail("a fleet carries parts from a machine; \"" + fid + "\" is not one");
      if (to.kind == NodeRef::Source) tn.fail("a source has no incoming edges");
      via_edge(e, from, to, fid, tid, *attrs);
      return;
    }
    if (from.kind == NodeRef::Place && spec_.places[from.index].kind == PlaceKind::Sink)
      fn.fail("a sink has no outgoing edges");
    if (to.kind == NodeRef::Source) tn.fail("a source has no incoming edges");
    if (from.kind == NodeRef::Source) {
      if (attrs)
        attrs->fail("a source's edge has no options: its products are its \"mix\" or \"sequence\"");
      from_source(e, from, to, fid, tid);
    } else if (from.kind == NodeRef::Machine) {
      from_machine(e, from, to, fid, tid, attrs);
    } else {
      from_place(e, from, to, tid, attrs);
    }
  }

  // an edge [machine, to, {"via": fleet, ...}]: the machine hands its parts to the fleet at a
  // pickup of capacity 0 (it blocks until a vehicle loads them); the fleet drops them into `to`,
  // or into an input place in front of a machine
  void via_edge(const Node& e, const NodeRef& from, const NodeRef& to, const std::string& fid,
                const std::string& tid, const Node& attrs) {
    const Node vn = attrs.at("via");
    const NodeRef& fr = lookup(vn);
    if (fr.kind != NodeRef::Fleet)
      vn.fail("\"" + vn.string() + "\" is not a fleet (kind " +
              twins_.at(vn.string()).at("kind").string() + ")");
    FleetSpec& F = spec_.fleets[fr.index];
    Lane lane;
    lane.from = fleet_node(F, fid);
    lane.to = fleet_node(F, tid);
    const double inf = std::numeric_limits<double>::infinity();
    if (F.from_layout && (lane.from == kNone || lane.to == kNone))
      vn.fail("fleet \"" + F.id + "\" has no \"distances\", and \"" +
              (lane.from == kNone ? fid : tid) +
              "\" has no layout position: give it \"layout\": {\"x\": ..., \"y\": ...} "
              "(metres), or give the fleet its distances");
    if (lane.from == kNone || lane.to == kNone || F.dist(lane.from, lane.to) == inf)
      vn.fail("fleet \"" + F.id + "\" has no distance from \"" + fid + "\" to \"" + tid +
              "\": give it under /twins/" + F.id + "/distances");
    // parts would move for ever at one instant
    const double trip_s = F.load_s + F.unload_s + F.dist(lane.from, lane.to) / F.speed_m_s;
    if (trip_s == 0)
      vn.fail("fleet \"" + F.id + "\" carries a part from \"" + fid + "\" to \"" + tid +
              "\" in no time: give it a distance, a loading or an unloading time");
    check_resolution(vn, trip_s, "a trip of fleet \"" + F.id + "\"");
    const std::uint32_t pickup = link_place(fid + "->" + tid, PlaceKind::Link, 0);
    served_by(pickup, fr.index);
    lane.pickup = pickup;
    if (to.kind == NodeRef::Machine) {
      lane.drop = drop_place(fr.index, to.index, F.id + "->" + tid);
    } else {
      PlaceSpec& P = spec_.places[to.index];
      if ((P.extras & kPlaceFleet) && spec_.place_fleet[to.index] != fr.index)
        vn.fail("\"" + tid + "\" is reached by fleet \"" +
                spec_.fleets[spec_.place_fleet[to.index]].id +
                "\" already; one fleet delivers to a place");
      served_by(to.index, fr.index);
      spec_.places[to.index].extras |= kPlaceFleetDrop;
      lane.drop = to.index;
    }
    F.lanes.push_back(lane);
    // the machine's output, as any other (routes by product or probability may name it)
    std::optional<Node> route_attrs;
    if (attrs.has("products") || attrs.has("p")) route_attrs = attrs;
    add_output(e, from, pickup, fid, route_attrs);
  }

  // fleet f picks parts up or drops them at place p
  void served_by(std::uint32_t p, std::uint32_t f) {
    spec_.place_fleet.resize(spec_.places.size(), kNone);
    spec_.place_fleet[p] = f;
    spec_.places[p].extras |= kPlaceFleet;
  }

  // the input place a fleet drops parts into in front of machine m (one per fleet), with room
  // for a part per vehicle
  std::uint32_t drop_place(std::uint32_t fleet, std::uint32_t m, const std::string& name) {
    for (std::uint32_t p = 0; p < spec_.places.size(); ++p)
      if (spec_.places[p].id == name) return p;
    const std::uint32_t p = link_place(name, PlaceKind::Buffer, spec_.fleets[fleet].vehicles);
    served_by(p, fleet);
    spec_.places[p].extras |= kPlaceFleetDrop;
    spec_.machines[m].inputs.push_back(p);
    spec_.places[p].consumers.push_back(m);
    return p;
  }

  // the routes of machines with several outputs or edge options (after every edge)
  void finish_routes() {
    for (std::uint32_t i = 0; i < spec_.machines.size(); ++i)
      if (!outs_[i].empty() && (outs_[i].size() > 1 || outs_[i][0].attrs))
        route(spec_.machines[i], outs_[i]);
  }

 private:
  const NodeRef& lookup(const Node& n) const {
    const std::string id = n.string();
    auto it = refs_.find(id);
    if (it != refs_.end()) return it->second;
    if (twins_.has(id))
      n.fail("\"" + id + "\" is not a line twin (kind " + twins_.at(id).at("kind").string() + ")");
    const std::string hint = did_you_mean(id, known_);
    n.fail("unknown twin \"" + id + "\" in flow" +
           (hint.empty() ? "; the line's twins are defined under /twins" : hint));
  }

  // an implicit place between a source or machine and a machine
  std::uint32_t link_place(const std::string& name, PlaceKind kind, std::uint64_t cap) {
    PlaceSpec p;
    p.id = name;
    p.kind = kind;
    p.capacity = cap;
    spec_.places.push_back(std::move(p));
    return static_cast<std::uint32_t>(spec_.places.size() - 1);
  }

  // a source feeds a machine (through an implicit place) or a buffer or conveyor; a saturated
  // one may feed several machines (a supply each), or keeps a buffer or conveyor full
  void from_source(const Node& e, const NodeRef& from, const NodeRef& to, const std::string& fid,
                   const std::string& tid) {
    SourceSpec& s = spec_.sources[from.index];
    const bool several = s.saturated && to.kind == NodeRef::Machine &&
                         (s.place == kNone || spec_.places[s.place].kind == PlaceKind::Supply);
    if (++source_out_[from.index] > 1 && !several)
      e.fail(
          "source \"" + fid + "\" already has an outgoing edge" +
          (s.saturated ? " (a saturated source feeds one buffer or conveyor, or machines)" : ""));
    if (to.kind == NodeRef::Machine) {
      const std::uint32_t p = link_place(
          fid + "->" + tid, s.saturated ? PlaceKind::Supply : PlaceKind::Arrivals, kUnbounded);
      if (!s.saturated) {
        const Node st = twins_.at(fid);
        if (auto c = st.find("capacity")) spec_.places[p].capacity = parse_capacity(*c);
      }
      spec_.places[p].source = from.index;
      if (s.place == kNone) s.place = p;
      spec_.machines[to.index].inputs.push_back(p);
      spec_.places[p].consumers.push_back(to.index);
    } else if (to.kind == NodeRef::Place && spec_.places[to.index].kind != PlaceKind::Sink) {
      if (s.saturated && spec_.places[to.index].capacity == kUnbounded)
        e.fail("a saturated source fills \"" + tid +
               "\" for ever: give it a \"capacity\" (the source keeps it full)");
      if (spec_.places[to.index].source != kNone)
        e.fail("\"" + tid + "\" is already fed by another source");
      if (twins_.at(fid).has("capacity"))
        twins_.at(fid)
            .at("capacity")
            .fail("a source feeding a buffer or conveyor uses its capacity");
      s.place = to.index;
      spec_.places[to.index].source = from.index;
      if (s.saturated) spec_.places[to.index].extras |= kPlaceKeptFull;
    } else {
      e.fail("a source must feed a machine, a buffer or a conveyor");
    }
  }

  // a machine sends its parts to one place: a twin, or a link of capacity 0 to a machine
  void from_machine(const Node& e, const NodeRef& from, const NodeRef& to, const std::string& fid,
                    const std::string& tid, const std::optional<Node>& attrs) {
    std::uint32_t p;
    if (to.kind == NodeRef::Machine) {
      p = link_place(fid + "->" + tid, PlaceKind::Link, 0);
      spec_.machines[to.index].inputs.push_back(p);
      spec_.places[p].consumers.push_back(to.index);
    } else {
      p = to.index;
    }
    add_output(e, from, p, fid, attrs);
  }

  // place p becomes an output of the machine `from`
  void add_output(const Node& e, const NodeRef& from, std::uint32_t p, const std::string& fid,
                  const std::optional<Node>& attrs) {
    MachineSpec& m = spec_.machines[from.index];
    auto& outs = outs_[from.index];
    if (m.output != kNone && !attrs && !outs[0].attrs && m.routing.rule == Routing::Rule::None)
      e.fail("machine \"" + fid + "\" already has an output (" + machine_out_ptr_[from.index] +
             "); a machine sends its parts to one place, unless its edges give "
             "\"products\" or \"p\" or it has a \"route\" rule");
    if (m.output == kNone) machine_out_ptr_[from.index] = e.pointer();
    for (const auto& o : outs)
      if (o.place == p) e.fail("duplicate edge (first at " + o.edge.pointer() + ")");
    outs.push_back({p, e, attrs});
    if (m.output == kNone) m.output = p;
    m.outputs.push_back(p);
    spec_.places[p].producers.push_back(from.index);
  }

  // a machine's outputs by product (an edge without "products" takes the others) or by
  // probability (an edge without "p" takes what the others leave)
  struct Out {
    std::uint32_t place;
    Node edge;
    std::optional<Node> attrs;
  };
  void route(MachineSpec& m, const std::vector<Out>& outs) {
    const bool by_p = std::any_of(outs.begin(), outs.end(),
                                  [](const Out& o) { return o.attrs && o.attrs->has("p"); });
    m.routed = true;
    m.prepares = true;
    if (m.routing.rule != Routing::Rule::None) {
      for (const auto& o : outs)
        if (o.attrs)
          o.attrs->fail("machine \"" + m.id +
                        "\" chooses its output by its \"route\"; its edges have no \"products\" "
                        "or \"p\"");
      return;
    }
    if (by_p) {
      route_by_p(m, outs);
      return;
    }
    const std::size_t P = spec_.products.size();
    m.routing.by_product.assign(P, kNone);
    const Out* rest = nullptr;
    for (const auto& o : outs) {
      if (!o.attrs) {
        if (rest)
          o.edge.fail("a second edge without \"products\" (first at " + rest->edge.pointer() +
                      "): which one takes the other products?");
        rest = &o;
        continue;
      }
      const Node list = o.attrs->at("products");
      const std::vector<char> set = parse_product_set(list, spec_);
      for (std::size_t i = 0; i < P; ++i) {
        if (!set[i]) continue;
        if (m.routing.by_product[i] != kNone)
          list.fail("product \"" + spec_.products[i].name + "\" already has a route from \"" +
                    m.id + "\"");
        m.routing.by_product[i] = o.place;
      }
    }
    for (std::size_t i = 0; i < P; ++i) {
      if (m.routing.by_product[i] != kNone) continue;
      if (!rest)
        outs[0].edge.fail("product \"" + spec_.products[i].name + "\" has no way out of \"" + m.id +
                          "\": name it in an edge's \"products\" or add an edge without");
      m.routing.by_product[i] = rest->place;
    }
  }

  void route_by_p(MachineSpec& m, const std::vector<Out>& outs) {
    double sum = 0;
    const Out* rest = nullptr;
    std::vector<double> p(outs.size(), 0);
    for (std::size_t k = 0; k < outs.size(); ++k) {
      const Out& o = outs[k];
      if (o.attrs && o.attrs->has("products"))
        o.attrs->at("products")
            .fail("a machine's edges split by \"p\" or by \"products\", not both");
      if (!o.attrs || !o.attrs->has("p")) {
        if (rest)
          o.edge.fail("a second edge without \"p\" (first at " + rest->edge.pointer() +
                      "): give every edge but one its probability");
        rest = &o;
        continue;
      }
      p[k] = o.attrs->at("p").number_in(0, 1);
      sum += p[k];
    }
    const Node where = outs.back().attrs ? outs.back().attrs->at("p") : outs.back().edge;
    const std::string of = "the probabilities of the edges from \"" + m.id + "\" sum to ";
    if (rest) {
      if (sum > 1 + 1e-9) where.fail(of + format_number(sum) + ", more than 1");
      p[static_cast<std::size_t>(rest - outs.data())] = std::max(0.0, 1 - sum);
    } else if (std::fabs(sum - 1) > 1e-9) {
      where.fail(of + format_number(sum) + ", not 1");
    }
    double cum = 0;
    for (double x : p) m.routing.cum_p.push_back(cum += x);
    m.routing.cum_p.back() = 1;
  }

  // a buffer or conveyor feeds machines
  void from_place(const Node& e, const NodeRef& from, const NodeRef& to, const std::string& tid,
                  const std::optional<Node>& attrs) {
    if (to.kind != NodeRef::Machine)
      e.fail(
          "a " +
          std::string(spec_.places[from.index].kind == PlaceKind::Buffer ? "buffer" : "conveyor") +
          " must feed a machine (got \"" + tid + "\")");
    const auto key = std::make_pair(from.index, to.index);
    if (seen_edge_.count(key)) e.fail("duplicate edge (first at " + seen_edge_[key] + ")");
    seen_edge_[key] = e.pointer();
    MachineSpec& m = spec_.machines[to.index];
    m.inputs.push_back(from.index);
    m.accepts.resize(m.inputs.size());
    spec_.places[from.index].consumers.push_back(to.index);
    if (!attrs) return;
    if (attrs->has("p"))
      attrs->at("p").fail(
          "a buffer's parts go to the machine that takes them first; \"p\" splits a machine's "
          "outputs");
    if (spec_.places[from.index].capacity == 0)
      attrs->fail("a buffer of capacity 0 does not sort parts by product: give it room");
    m.accepts.back() = parse_product_set(attrs->at("products"), spec_);
  }

  const Node& twins_;
  const NodeRefs& refs_;
  LineSpec& spec_;
  std::vector<std::string> known_;  // the line twins' ids, for suggestions
  std::vector<int> source_out_;
  std::vector<std::string> machine_out_ptr_;
  std::vector<std::vector<Out>> outs_;  // per machine: its output edges
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::string> seen_edge_;
};

// an assembly's "inputs": {"<input>": parts, ...}, an input named by its place or, for an
// implicit place, by the twin upstream
void parse_assembly_inputs(const Node& in, const LineSpec& spec, MachineSpec& m) {
  in.check_keys([&] {
    std::vector<std::string> names;
    for (auto p : m.inputs) names.push_back(spec.places[p].id);
    for (auto p : m.inputs)
      if (spec.places[p].kind == PlaceKind::Link || spec.places[p].kind == PlaceKind::Supply ||
          spec.places[p].kind == PlaceKind::Arrivals) {
        // implicit place: named after the upstream twin
        const std::string& pid = spec.places[p].id;
        names.push_back(pid.substr(0, pid.find("->")));
      }
    return names;
  }());
  for (const auto& [name, q] : in.members()) {
    for (std::size_t k = 0; k < m.inputs.size(); ++k) {
      const std::string& pid = spec.places[m.inputs[k]].id;
      if (pid == name || pid.substr(0, pid.find("->")) == name)
        m.input_qty[k] = static_cast<std::uint32_t>(q.integer_at_least(1));
    }
  }
}

}  // namespace

void connect_flow(const Node& flow, const Node& twins, const NodeRefs& refs, LineSpec& spec) {
  FlowBuilder b(twins, refs, spec);
  for (const auto& e : flow.items()) b.edge(e);
  b.finish_routes();
  // inputs sorted by product: an input that filters products, or a buffer with a discipline
  for (auto& m : spec.machines) {
    m.accepts.resize(m.inputs.size());
    for (std::size_t k = 0; k < m.inputs.size(); ++k)
      if (!m.accepts[k].empty() || spec.places[m.inputs[k]].discipline != Discipline::Fifo)
        m.picky = true;
  }
}

namespace {

// a fleet carries parts, and its vehicles can drive from every drop to every pickup (empty)
void check_fleet(const Node& t, const FleetSpec& f) {
  if (f.lanes.empty())
    t.fail("fleet \"" + f.id + "\" carries nothing: name it in a flow edge's \"via\"");
  const double inf = std::numeric_limits<double>::infinity();
  for (const auto& a : f.lanes)
    for (const auto& b : f.lanes)
      if (f.dist(a.to, b.from) == inf)
        t.at("distances")
            .fail("no way from \"" + f.nodes[a.to] + "\" to \"" + f.nodes[b.from] +
                  "\" in the distances: a vehicle goes there empty for its next part");
}

}  // namespace

void check_connected(const Node& root, const Node& twins, const std::vector<std::string>& ids,
                     LineSpec& spec) {
  for (std::uint32_t i = 0; i < spec.sources.size(); ++i)
    if (spec.sources[i].place == kNone)
      twins.at(spec.sources[i].id)
          .fail("source \"" + spec.sources[i].id + "\" feeds nothing: add a flow edge from it");
  for (auto& m : spec.machines) {
    const Node t = twins.at(m.id);
    if (m.inputs.empty()) t.fail("machine \"" + m.id + "\" has no input: add a flow edge into it");
    if (m.output == kNone)
      t.fail("machine \"" + m.id + "\" has no output: add a flow edge from it");
    m.input_qty.assign(m.inputs.size(), 1);
    if (m.assembly) {
      if (auto in = t.find("inputs")) parse_assembly_inputs(*in, spec, m);
    }
  }
  for (auto& p : spec.places) {
    if (!p.is_twin) continue;
    const Node t = twins.at(p.id);
    if (p.kind == PlaceKind::Sink) {
      if (p.producers.empty() && !(p.extras & kPlaceFleet))
        t.fail("sink \"" + p.id + "\" receives nothing: add a flow edge into it");
      continue;
    }
    if (p.producers.empty() && p.source == kNone && !(p.extras & kPlaceFleet))
      t.fail("\"" + p.id + "\" has no input: add a flow edge into it");
    if (p.consumers.empty()) t.fail("\"" + p.id + "\" feeds nothing: add a flow edge from it");
  }
  for (const auto& f : spec.fleets) check_fleet(twins.at(f.id), f);
  if (spec.machines.empty() && !ids.empty())
    root.at("twins").fail("a line needs at least one machine");
}

void check_link_cycles(const Node& flow, const LineSpec& spec) {
  const std::size_t n = spec.machines.size();
  std::vector<int> color(n, 0);  // 0 new, 1 on stack, 2 done
  std::vector<std::uint32_t> stack;
  std::function<void(std::uint32_t)> dfs = [&](std::uint32_t u) {
    color[u] = 1;
    stack.push_back(u);
    for (const std::uint32_t o : spec.machines[u].outputs) {
      const PlaceSpec& out = spec.places[o];
      if (out.kind != PlaceKind::Link) continue;
      for (auto v : out.consumers) {
        if (color[v] == 1) {
          std::string cyc;
          auto it = std::find(stack.begin(), stack.end(), v);
          for (; it != stack.end(); ++it) cyc += spec.machines[*it].id + " -> ";
          cyc += spec.machines[v].id;
          flow.fail("cycle " + cyc + " has no buffer: its machines would block each other " +
                    "for ever; put a buffer in the loop");
        }
        if (color[v] == 0) dfs(v);
      }
    }
    stack.pop_back();
    color[u] = 2;
  };
  for (std::uint32_t i = 0; i < n; ++i)
    if (color[i] == 0) dfs(i);
}

void check_resolution(const Node& n, double mean_s, const std::string& what) {
  if (mean_s > 0 && mean_s < kTimeResolution_s)
    n.fail(what + " of " + format_number(mean_s) +
           " s is below the line's time resolution of 1 us (no station works that fast; the run "
           "would handle events for ever without time advancing)");
}

void check_zero_time_paths(const Node& twins, const LineSpec& spec) {
  const auto instant = [&](const MachineSpec& m) {
    return m.process.mean() == 0 && !(m.has_setup && m.setup.mean() > 0);
  };
  // from every saturated source's place, through zero-time machines and places, to a sink
  std::vector<char> seen(spec.places.size(), 0);
  // places still to visit: (place, the first zero-time machine on the path to it)
  std::vector<std::pair<std::uint32_t, std::uint32_t>> frontier;
  for (const auto& src : spec.sources)
    if (src.saturated && src.place != kNone) frontier.push_back({src.place, kNone});
  for (std::uint32_t p = 0; p < spec.places.size(); ++p)  // the other machines it supplies
    if (spec.places[p].kind == PlaceKind::Supply) frontier.push_back({p, kNone});
  while (!frontier.empty()) {
    const auto [p, first] = frontier.back();
    frontier.pop_back();
    const PlaceSpec& place = spec.places[p];
    if (place.kind == PlaceKind::Sink) {
      const MachineSpec& m = spec.machines[first];
      twins.at(m.id).at("process").fail(
          "a process time of 0 on a path from a saturated source to a sink where nothing else "
          "takes time: parts would flow for ever at one instant; give it (or a station on the "
          "path) a time of at least 1 us");
    }
    if (seen[p] || (place.kind == PlaceKind::Conveyor && place.transit_s > 0)) continue;
    seen[p] = 1;
    for (const std::uint32_t c : place.consumers) {
      const MachineSpec& m = spec.machines[c];
      if (instant(m))
        for (const std::uint32_t o : m.outputs) frontier.push_back({o, first == kNone ? c : first});
    }
  }
}

std::vector<std::uint32_t> serial_order(const LineSpec& spec) {
  bool serial = !spec.machines.empty();
  for (const auto& m : spec.machines)
    if (m.inputs.size() != 1 || m.outputs.size() != 1) serial = false;
  for (const auto& p : spec.places)
    if (p.producers.size() > 1 || p.consumers.size() > 1) serial = false;
  if (!serial) return {};
  // the first machine takes from a place no machine feeds
  std::uint32_t first = kNone;
  for (std::uint32_t i = 0; i < spec.machines.size(); ++i)
    if (spec.places[spec.machines[i].inputs[0]].producers.empty()) {
      if (first != kNone) serial = false;
      first = i;
    }
  std::vector<std::uint32_t> order;
  for (std::uint32_t m = first; serial && m != kNone && order.size() <= spec.machines.size();) {
    order.push_back(m);
    const PlaceSpec& out = spec.places[spec.machines[m].output];
    m = out.consumers.empty() ? kNone : out.consumers[0];
  }
  if (serial && order.size() == spec.machines.size()) return order;
  return {};
}

}  // namespace dtwin::line
