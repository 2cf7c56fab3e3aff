// Products: what a source releases (a mix or a cyclic sequence), which part a machine takes from
// a buffer (the input's products, the buffer's discipline), where a routed machine sends a part
// (by product or by probability), changeovers between products, and each product's statistics.
// A line without products never comes here (LineSpec::typed).
#include <algorithm>
#include <string>

#include "twins/line/model_detail.hpp"

namespace dtwin::line {

// The product of the next part source i releases; counts it into the line's products.
std::uint32_t LineModel::release(Ctx& c, std::uint32_t i) const {
  const SourceSpec& src = spec_.sources[i];
  SourceState& ss = c.s.sources[i];
  std::uint32_t p = 0;
  if (!src.sequence.empty()) {
    p = src.sequence[ss.next];
    if (++ss.next == src.sequence.size()) ss.next = 0;
  } else {
    const double u = ss.rng_mix.uniform();
    while (p + 1 < src.mix_cum.size() && u >= src.mix_cum[p]) ++p;
  }
  product_entered(c, p);
  return p;
}

// A part of product p enters the line.
void LineModel::product_entered(Ctx& c, std::uint32_t p) const {
  ProductStats& ps = c.s.products[p];
  ps.wip_area += static_cast<double>(ps.wip) * (c.now - ps.wip_last);
  ps.wip_last = c.now;
  ++ps.wip;
}

// When a part is due: its order-list row's due time, else its product's "due" after release.
double LineModel::due_of(const Part& part) const {
  if (part.order != kNoOrder) return spec_.orders[part.order].due_s;
  return part.birth + spec_.products[part.product].due_s;
}

// A part leaves the line: at a sink (to_sink), or scrapped.
void LineModel::product_left(Ctx& c, Part part, bool to_sink) const {
  const std::uint32_t p = part.product;
  const double birth = part.birth;
  ProductStats& ps = c.s.products[p];
  ps.wip_area += static_cast<double>(ps.wip) * (c.now - ps.wip_last);
  ps.wip_last = c.now;
  --ps.wip;
  if (!to_sink) return;
  ++ps.out;
  ps.lead_sum += c.now - birth;
  const double due = due_of(part);
  if (c.now <= due)
    ++ps.on_time;
  else
    ps.tardy_sum += c.now - due;
}

// An input whose parts are chosen (by product or discipline) rather than taken first in.
bool LineModel::sorted_input(std::uint32_t m, std::size_t k) const {
  const PlaceSpec& P = spec_.places[spec_.machines[m].inputs[k]];
  return (P.kind == PlaceKind::Buffer || P.kind == PlaceKind::Conveyor) && P.capacity > 0;
}

// The part machine m takes from its input k: the index in the place's queue, or kNone. Among
// the parts the input accepts, the least by the discipline; ties first in, first out. A
// conveyor delivers its parts in order: only the first, once it reached the end.
std::uint32_t LineModel::pick(const Ctx& c, std::uint32_t m, std::size_t k) const {
  const MachineSpec& spec = spec_.machines[m];
  const std::uint32_t p = spec.inputs[k];
  const PlaceSpec& P = spec_.places[p];
  const PlaceState& ps = c.s.places[p];
  const std::vector<char>& accepts = spec.accepts[k];
  const auto ok = [&](std::size_t i) { return accepts.empty() || accepts[ps.births[i].product]; };
  if (P.kind == PlaceKind::Conveyor)
    return !ps.births.empty() && ps.ready[0] <= c.now && ok(0) ? 0 : kNone;
  const std::uint32_t last = c.s.machines[m].last_product;
  const auto key = [&](std::size_t i) {
    const std::uint32_t prod = ps.births[i].product;
    switch (P.discipline) {
      case Discipline::Priority:
        return spec_.products[prod].priority;
      case Discipline::Spt:
        return spec.process_mean_by[prod];
      case Discipline::Edd:
        return due_of(ps.births[i]);
      case Discipline::Setup:
        return prod == last ? 0.0 : 1.0;
      case Discipline::Fifo:
        break;
    }
    return 0.0;
  };
  std::uint32_t best = kNone;
  double best_key = 0;
  const std::size_t n = ps.births.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (!ok(i)) continue;
    if (P.discipline == Discipline::Fifo) return static_cast<std::uint32_t>(i);
    const double v = key(i);
    if (best == kNone || v < best_key) best = static_cast<std::uint32_t>(i), best_key = v;
  }
  return best;
}

// Takes the index-th part waiting in place p (a buffer or conveyor with parts).
Part LineModel::take_at(Ctx& c, std::uint32_t p, std::uint32_t index) const {
  if (index == 0) return take(c, p);
  level_changed(c, p);
  return c.s.places[p].births.erase(index);
}

// Where routed machine m sends its finished part.
std::uint32_t LineModel::route(Ctx& c, std::uint32_t m) const {
  const MachineSpec& spec = spec_.machines[m];
  MachineState& ms = c.s.machines[m];
  if (!spec.routing.by_product.empty()) return spec.routing.by_product[ms.product];
  if (spec.routing.rule == Routing::Rule::RoundRobin) {
    const std::uint32_t out = spec.outputs[ms.route_turn];
    ms.route_turn = static_cast<std::uint32_t>((ms.route_turn + 1) % spec.outputs.size());
    return out;
  }
  if (spec.routing.rule == Routing::Rule::ShortestQueue) {
    std::uint32_t best = spec.outputs[0];
    std::size_t least = queue_at(c, best);
    for (std::size_t k = 1; k < spec.outputs.size(); ++k) {
      const std::size_t q = queue_at(c, spec.outputs[k]);
      if (q < least) least = q, best = spec.outputs[k];
    }
    return best;
  }
  const double u = ms.rng_route.uniform();
  std::size_t k = 0;
  while (k + 1 < spec.routing.cum_p.size() && u >= spec.routing.cum_p[k]) ++k;
  return spec.outputs[k];
}

// Parts at place p and on their way there by a fleet; machines taking from it directly count
// the parts they hold.
std::size_t LineModel::queue_at(const Ctx& c, std::uint32_t p) const {
  const PlaceSpec& P = spec_.places[p];
  std::size_t n = c.s.places[p].births.size();
  if (!c.s.inbound.empty()) n += c.s.inbound[p];
  if (P.capacity == 0)
    for (auto m : P.consumers) n += c.s.machines[m].part_units > 0 ? 1 : 0;
  return n;
}

// begin_work in a line with products: the setup when due and the changeover when the product
// changes, as one setup; the part's processing time by its product
void LineModel::begin_typed(Ctx& c, std::uint32_t m, bool setup) const {
  const MachineSpec& spec = spec_.machines[m];
  MachineState& ms = c.s.machines[m];
  const double change = changeover(c, m);
  if (setup || change > 0)
    start_setup(c, m, (setup ? setup_time(spec, ms) : 0.0) + change);
  else
    process_when_staffed(c, m, process_time(spec, ms));
}

// The changeover before machine m's part, when its product differs from the last one made.
double LineModel::changeover(Ctx& c, std::uint32_t m) const {
  const MachineSpec& spec = spec_.machines[m];
  MachineState& ms = c.s.machines[m];
  const std::uint32_t last = ms.last_product;
  ms.last_product = ms.product;
  if (spec.has_changeover.empty() || last == kNone || last == ms.product) return 0;
  const std::size_t pair = last * spec_.products.size() + ms.product;
  return spec.has_changeover[pair] ? spec.changeover[pair].sample(ms.rng_changeover) : 0;
}

// Per product: throughput, lead time, WIP, and with a due time tardiness and the share on time.
void LineModel::collect_products(const LineState& s, double now, double T, Metrics& out) const {
  for (std::size_t p = 0; p < spec_.products.size(); ++p) {
    const ProductSpec& prod = spec_.products[p];
    const ProductStats& ps = s.products[p];
    const std::string key = "products." + prod.name + ".";
    const double n = static_cast<double>(ps.out);
    const double area = ps.wip_area + static_cast<double>(ps.wip) * (now - ps.wip_last);
    out.set(key + "throughput_per_h", T > 0 ? n / T * 3600.0 : kNaN, "parts/h");
    out.set(key + "lead_time_s", ps.out > 0 ? ps.lead_sum / n : kNaN, "s");
    out.set(key + "wip", T > 0 ? area / T : kNaN, "parts");
    if (prod.due_s < kInf || prod.due_by_order) {
      out.set(key + "tardiness_s", ps.out > 0 ? ps.tardy_sum / n : kNaN, "s");
      out.set(key + "on_time_frac", ps.out > 0 ? static_cast<double>(ps.on_time) / n : kNaN, "1");
    }
  }
}

}  // namespace dtwin::line
