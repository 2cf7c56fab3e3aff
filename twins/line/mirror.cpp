// The line as the mirror sees it (Mirrorable): machines' state, parts, speed and the
// configured health, signal, RUL and power readings; buffer and conveyor levels; the line's WIP
// and output. Only speed is a setpoint; a fork takes levels, machines down and speeds.
#include <algorithm>
#include <cmath>

#include "engine/base/format.hpp"
#include "twins/line/model_detail.hpp"

namespace dtwin::line {

namespace {
// a machine's mirror properties after state, parts and speed, in this order when configured
enum class Extra { Health, Vibration, Temperature, Rul, Power, PmOrders, Rejects, None };
Extra extra_prop(const MachineSpec& m, std::size_t k) {
  const bool has[] = {m.health.type != HealthSpec::Type::None,
                      m.signals.vibration.on,
                      m.signals.temperature.on,
                      m.signals.interval_s > 0,
                      m.power.on,
                      m.maint.has_preventive && m.clocks,
                      m.scrap > 0};
  for (int i = 0; i < 7; ++i)
    if (has[i] && k-- == 0) return static_cast<Extra>(i);
  return Extra::None;
}

// the property of a configured reading
PropertySpec extra_spec(const MachineSpec& m, Extra x) {
  PropertySpec p;
  p.min = 0;
  switch (x) {
    case Extra::Health:
      p.name = "health";
      p.unit = m.health.markov() ? "state" : "1";
      break;
    case Extra::Vibration:
      p.name = "vibration";
      p.unit = "mm/s";
      p.min = -1e300;
      break;
    case Extra::Temperature:
      p.name = "temperature";
      p.unit = "degC";
      p.min = -1e300;
      break;
    case Extra::Rul:
      p.name = "rul";
      p.unit = "h";
      break;
    case Extra::PmOrders:
      // a count the digital side raises by one to order a preventive maintenance job, done
      // after the part in progress; the asset reports it raised once it took the order
      p.name = "pm_orders";
      p.unit = "orders";
      p.writable = true;
      break;
    case Extra::Rejects:
      // parts processed and scrapped since the start (beside parts, the good ones): a
      // machine's reject counter, as OEE's quality rate needs
      p.name = "rejects";
      p.unit = "parts";
      break;
    default:
      p.name = "power";
      p.unit = "kW";
      break;
  }
  return p;
}

}  // namespace

bool monitored(const MachineSpec& m) {
  return m.health.type != HealthSpec::Type::None && m.signals.interval_s > 0 &&
         (m.signals.vibration.on || m.signals.temperature.on);
}

std::string monitor_extra_name(const MachineSpec& m, std::size_t k) {
  const Extra x = extra_prop(m, k);
  return x == Extra::None ? std::string() : extra_spec(m, x).name;
}

namespace {

// The derived properties of a monitored machine (live_monitor.cpp), after its readings.
void add_monitor_specs(const MachineSpec& m, std::vector<PropertySpec>& props) {
  PropertySpec p;
  p.derived = true;
  p.min = 0;
  p.name = "health_est";
  p.unit = m.health.markov() ? "state" : "1";
  props.push_back(p);
  p.unit = "h";
  for (const char* name : {"rul_est", "rul_lo", "rul_hi"}) {
    p.name = name;
    props.push_back(p);
  }
  p.name = "p_fail";
  p.unit = "1";
  p.max = 1;
  props.push_back(p);
}

// products (lines with them): a machine's "product", after its other properties, is the
// product of the part it holds, else the one it made last (its setup); a buffer's or
// conveyor's "level_<product>", after "level", its parts of that product
std::size_t product_prop(const MachineSpec& m) {
  std::size_t k = 0;
  while (extra_prop(m, k) != Extra::None) ++k;
  return 3 + k + (monitored(m) ? 5 : 0);  // (5: add_monitor_specs)
}

// the twin-th TwinSpec of properties(): 0 the line, then machines, then buffers and conveyors
struct PropTarget {
  enum { Line, Machine, Place } kind;
  std::size_t index;
};
PropTarget target_of(const LineSpec& spec, std::size_t twin) {
  if (twin == 0) return {PropTarget::Line, 0};
  if (twin <= spec.machines.size()) return {PropTarget::Machine, twin - 1};
  std::size_t k = twin - 1 - spec.machines.size();
  for (std::size_t p = 0; p < spec.places.size(); ++p)
    if (spec.places[p].is_twin && spec.places[p].kind != PlaceKind::Sink && k-- == 0)
      return {PropTarget::Place, p};
  return {PropTarget::Place, spec.places.size()};
}
}  // namespace

void LineModel::properties(std::vector<TwinSpec>& out) const {
  PropertySpec state;
  state.name = "state";
  state.kind = PropertySpec::Kind::Enum;
  for (std::size_t k = 0; k < kStatusCount; ++k)
    state.choices.push_back(status_name(static_cast<Status>(k)));
  PropertySpec parts;
  parts.name = "parts";
  parts.unit = "parts";
  parts.min = 0;
  PropertySpec speed;
  speed.name = "speed";
  speed.unit = "1";
  speed.min = 0.05;
  speed.max = 20;
  speed.tolerance = 1e-9;
  speed.writable = true;
  PropertySpec level;
  level.name = "level";
  level.unit = "parts";
  level.min = 0;
  PropertySpec wip = level, output = parts;
  wip.name = "wip";
  output.name = "output";
  out.push_back(TwinSpec{spec_.id, {wip, output}});
  for (const auto& m : spec_.machines) {
    std::vector<PropertySpec> props{state, parts, speed};
    for (std::size_t k = 0;; ++k) {
      const Extra x = extra_prop(m, k);
      if (x == Extra::None) break;
      props.push_back(extra_spec(m, x));
    }
    if (monitored(m)) add_monitor_specs(m, props);
    if (spec_.typed) {
      PropertySpec product;
      product.name = "product";
      product.kind = PropertySpec::Kind::Enum;
      for (const auto& pr : spec_.products) product.choices.push_back(pr.name);
      props.push_back(product);
    }
    out.push_back(TwinSpec{m.id, std::move(props)});  // the mirror shares equal lists
  }
  // a level above a place's capacity is not something the place can hold: the mirror keeps such
  // a report as uncertain (the layout or the gateway is wrong)
  for (const auto& p : spec_.places)
    if (p.is_twin && p.kind != PlaceKind::Sink) {
      PropertySpec l = level;
      if (p.capacity != kUnbounded) l.max = static_cast<double>(p.capacity);
      std::vector<PropertySpec> props{l};
      for (const auto& pr : spec_.products) {
        props.push_back(l);
        props.back().name = "level_" + pr.name;
      }
      out.push_back(TwinSpec{p.id, std::move(props)});
    }
}

bool LineModel::read_property(const World& w, std::uint32_t self, std::size_t twin,
                              std::size_t prop, Value& out) const {
  const LineState& s = w.state<LineState>(self);
  const PropTarget t = target_of(spec_, twin);
  out = Value{};
  switch (t.kind) {
    case PropTarget::Line:
      if (prop > 1) return false;
      out.num = static_cast<double>(prop == 0 ? s.wip : s.out_total);
      return true;
    case PropTarget::Machine: {
      const MachineState& ms = s.machines[t.index];
      if (spec_.typed && prop == product_prop(spec_.machines[t.index])) {
        const std::uint32_t p = ms.part_units > 0 ? ms.product : ms.last_product;
        if (p >= spec_.products.size()) return false;  // no part made yet
        out.num = static_cast<double>(p);
        return true;
      }
      if (prop == 0)
        out.num = static_cast<double>(ms.status);
      else if (prop == 1)
        out.num = static_cast<double>(ms.made_total);
      else if (prop == 2)
        out.num = ms.speed;
      else {
        const MachineSpec& m = spec_.machines[t.index];
        switch (extra_prop(m, prop - 3)) {
          case Extra::Health:
            out.num = m.health.markov() ? static_cast<double>(ms.health)
                                        : wear_now(ms, w.now()) / m.health.wear_threshold;
            break;
          case Extra::Vibration:
            out.num = ms.vib;
            break;
          case Extra::Temperature:
            out.num = ms.temp;
            break;
          case Extra::Rul:
            out.num = ms.rul_h;
            break;
          case Extra::Power:
            out.num = power_kw(ms, m);
            break;
          case Extra::PmOrders:
            out.num = static_cast<double>(ms.pm_orders);
            break;
          case Extra::Rejects:
            out.num = static_cast<double>(ms.scrapped_total);
            break;
          default:
            return false;
        }
      }
      return true;
    }
    case PropTarget::Place: {
      if (t.index >= spec_.places.size() || prop > spec_.products.size()) return false;
      const Ring<Part>& parts = s.places[t.index].births;
      if (prop == 0) {
        out.num = static_cast<double>(parts.size());
        return true;
      }
      std::size_t n = 0;
      for (std::size_t i = 0; i < parts.size(); ++i) n += parts[i].product == prop - 1 ? 1 : 0;
      out.num = static_cast<double>(n);
      return true;
    }
  }
  return false;
}

namespace {
// pm_orders raised by one: a preventive job after the part in progress (the maintenance clock
// runs out at once); the same count again changes nothing
bool order_maintenance(MachineState& ms, const Value& v, std::string* reason) {
  const auto held = static_cast<double>(ms.pm_orders);
  if (v.num == held) return true;
  if (v.num != held + 1) {
    if (reason)
      *reason =
          "pm_orders counts the orders: order the next one with " + format_number(held + 1, 15);
    return false;
  }
  ms.pm_orders += 1;
  ms.pm_rem = 0;
  return true;
}
}  // namespace

bool LineModel::apply_setpoint(World& w, std::uint32_t self, std::size_t twin, std::size_t prop,
                               const Value& v, std::string* reason) const {
  const PropTarget t = target_of(spec_, twin);
  if (t.kind == PropTarget::Machine && prop > 2 &&
      extra_prop(spec_.machines[t.index], prop - 3) == Extra::PmOrders)
    return order_maintenance(w.state<LineState>(self).machines[t.index], v, reason);
  if (t.kind != PropTarget::Machine || prop != 2) {
    if (reason) *reason = "only a machine's speed and pm_orders are setpoints";
    return false;
  }
  if (!(v.num >= 0.05 && v.num <= 20)) {
    if (reason) *reason = "speed must be between 0.05 and 20";
    return false;
  }
  // takes effect from the next part (or setup) the machine starts
  w.state<LineState>(self).machines[t.index].speed = v.num;
  return true;
}

bool LineModel::assimilate(World& w, std::uint32_t self, std::size_t twin, std::size_t prop,
                           const Value& v, std::string* reason) const {
  LineState& s = w.state<LineState>(self);
  const PropTarget t = target_of(spec_, twin);
  auto refuse = [&](const char* why) {
    if (reason) *reason = why;
    return false;
  };
  switch (t.kind) {
    case PropTarget::Line:
      return refuse("a counter: a fork counts from zero");
    case PropTarget::Machine: {
      if (prop == 2) return apply_setpoint(w, self, twin, prop, v, reason);
      if (spec_.typed && prop == product_prop(spec_.machines[t.index])) {
        // the machine's setup: the fork's next part of another product needs a changeover
        if (!(v.num >= 0 && v.num < static_cast<double>(spec_.products.size())))
          return refuse("no such product");
        s.machines[t.index].last_product = static_cast<std::uint32_t>(v.num);
        return true;
      }
      if (prop != 0) return refuse("a counter: a fork counts from zero");
      const auto st = static_cast<Status>(static_cast<std::size_t>(v.num));
      if (st != Status::Down) return refuse("only \"down\" is carried into a fork");
      const MachineSpec& m = spec_.machines[t.index];
      if (!m.fails) return refuse("the scenario gives this machine no repair time");
      if (m.managed) return refuse("its repairs go through the shared crew: not carried yet");
      // the repair's elapsed part is not reported: a fresh repair time (exact for exponential
      // repairs, which are memoryless)
      MachineState& ms = s.machines[t.index];
      ms.status = Status::Down;
      ms.rep_rem = m.ttr.sample(ms.rng_ttr);
      return true;
    }
    case PropTarget::Place: {
      if (t.index >= spec_.places.size() || prop > spec_.products.size())
        return refuse("no such property");
      if (spec_.typed && prop == 0)
        return refuse("a line with products takes a place's parts by product (level_<product>)");
      const PlaceSpec& P = spec_.places[t.index];
      if (!(v.num >= 0) || v.num != std::floor(v.num)) return refuse("a level is a whole number");
      const auto n = static_cast<std::uint64_t>(v.num);
      PlaceState& ps = s.places[t.index];
      if (n > P.capacity - ps.births.size()) return refuse("more parts than the place holds");
      if (!spec_.typed && !ps.births.empty()) return refuse("the place was already filled");
      // parts waiting at the fork: released at time 0, at the conveyor's end already; by
      // product, one level after the other
      const std::uint32_t product = spec_.typed ? static_cast<std::uint32_t>(prop - 1) : 0;
      for (std::uint64_t k = 0; k < n; ++k) {
        ps.births.push_back({0.0, product});
        if (P.kind == PlaceKind::Conveyor) ps.ready.push_back(0.0);
      }
      ps.max_level = std::max<std::uint64_t>(ps.max_level, ps.births.size());
      s.wip += n;
      if (spec_.typed) s.products[product].wip += n;
      return true;
    }
  }
  return refuse("no such property");
}

}  // namespace dtwin::line
