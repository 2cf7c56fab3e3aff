#include "viewer/inspector.hpp"

#include <algorithm>

#include "engine/base/format.hpp"
#include "engine/scenario/duration.hpp"
#include "viewer/inspector_models.hpp"
#include "viewer/time_text.hpp"

namespace dtwin::viewer {

namespace {

constexpr std::size_t kLabel = 13;  // the width of the label column
constexpr std::size_t kWrap = 34;   // values wrap after this many characters

struct Rows {
  std::string text;
  void heading(const std::string& h) { text += "\n-- " + h + "\n"; }
  void row(const std::string& label, const std::string& value) {
    std::string v = value;
    std::string pad = label;
    pad.resize(std::max(kLabel, label.size() + 1), ' ');
    bool first = true;
    while (!v.empty()) {  // wrap at spaces
      std::size_t cut = v.size();
      if (cut > kWrap) {
        cut = v.rfind(' ', kWrap);
        if (cut == std::string::npos || cut == 0) cut = kWrap;
      }
      text += (first ? pad : std::string(kLabel, ' ')) + v.substr(0, cut) + "\n";
      v = v.substr(cut);
      while (!v.empty() && v.front() == ' ') v.erase(0, 1);
      first = false;
    }
    if (first) text += pad + "\n";
  }
};

std::string pct(double f) {
  return fmt_fixed(100 * f, 0) + "%";
}

std::string count(std::uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// the ids of the items feeding / fed by an item
std::string neighbours(const Layout& L, int item, bool upstream) {
  std::string out;
  for (const auto& e : L.edges) {
    const auto self = static_cast<std::uint32_t>(item);
    if ((upstream ? e.to : e.from) != self) continue;
    out += (out.empty() ? "" : ", ") + L.items[upstream ? e.from : e.to].id;
  }
  return out.empty() ? "-" : out;
}

// a station that needs operators: what it holds or waits for, and its pool's busy members
void staffing(Rows& r, const Session& s, const Item& it, const line::MachineSpec& m,
              const line::MachineState& ms) {
  const line::LineSpec& spec = s.spec(it.line);
  const line::LineState& st = s.state(it.line);
  if (m.needs.pool >= spec.pools.size()) return;
  const line::PoolSpec& pool = spec.pools[m.needs.pool];
  const line::PoolState& ps = st.pools[m.needs.pool];
  std::string v = ms.holds     ? "holds " + count(m.needs.count, "operator", "operators")
                  : ms.pending ? "waits for " + count(m.needs.count, "operator", "operators")
                               : "none now";
  r.row("operators", v + " (pool " + pool.name + ")");
  std::string serving;  // the pool's busy members, by the station they are at
  for (std::size_t k = 0; k < spec.machines.size(); ++k)
    if (spec.machines[k].staffed && spec.machines[k].needs.pool == m.needs.pool &&
        st.machines[k].holds)
      serving += (serving.empty() ? "" : ", ") + spec.machines[k].id;
  r.row("pool " + pool.name,
        std::to_string(ps.busy) + " of " + std::to_string(pool.size) + " busy" +
            (serving.empty() ? "" : ": at " + serving) +
            (ps.queue.empty() ? "" : ", " + std::to_string(ps.queue.size()) + " waiting"));
}

void machine(Rows& r, const Session& s, const Item& it, double now) {
  const line::MachineSpec& m = s.spec(it.line).machines[it.index];
  const line::LineState& st = s.state(it.line);
  const line::MachineState& ms = st.machines[it.index];
  r.heading("now");
  r.row("status", std::string(line::status_name(ms.status)) + " for " +
                      format_duration(now - ms.status_since));
  if (ms.part_units > 0) {
    std::string v = count(ms.part_units, "part", "parts");
    if (ms.status == line::Status::Working) v += ", " + format_duration(ms.proc_rem) + " of work";
    r.row("holding", v);
    const auto& products = s.spec(it.line).products;
    if (ms.product < products.size()) r.row("product", products[ms.product].name);
  }
  if (m.staffed) staffing(r, s, it, m, ms);
  r.row("parts done", std::to_string(ms.done) + " (" + std::to_string(ms.good) + " good, " +
                          std::to_string(ms.scrapped) + " scrap)");
  if (m.fails) r.row("failures", std::to_string(ms.failures));
  const double T = now - st.stats_since;
  if (T > 0) {
    auto t = ms.time_in;
    t[static_cast<std::size_t>(ms.status)] += now - ms.status_since;
    std::string shares;
    for (std::size_t k = 0; k < line::kStatusCount; ++k) {
      if (t[k] <= 0) continue;
      shares += (shares.empty() ? "" : ", ") +
                std::string(line::status_name(static_cast<line::Status>(k))) + " " + pct(t[k] / T);
    }
    r.row("time", shares);
  }
  r.heading("spec");
  r.row("process", m.process.describe());
  const auto& products = s.spec(it.line).products;
  for (std::size_t k = 0; k < m.process_by.size() && k < products.size(); ++k)
    r.row("  " + products[k].name, m.process_by[k].describe());
  if (m.speed != 1) r.row("speed", fmt_num(m.speed, 4));
  r.row("ideal cycle", format_duration(m.ideal_cycle_s));
  if (m.fails) {
    r.row("fails after", m.ttf.describe() + " of work");
    r.row("repair", m.ttr.describe());
  }
  if (m.has_setup)
    r.row("setup", m.setup.describe() + " every " + count(m.setup_every, "part", "parts"));
  if (m.scrap > 0) r.row("scrap", fmt_num(100 * m.scrap, 4) + "%");
  if (m.calendar != line::kNone) r.row("calendar", "shifts");
  if (m.assembly) {
    std::string in;
    const line::LineSpec& spec = s.spec(it.line);
    for (std::size_t k = 0; k < m.inputs.size(); ++k) {
      const std::string& pid = spec.places[m.inputs[k]].id;
      in += (in.empty() ? "" : ", ") + std::to_string(m.input_qty[k]) + " from " +
            pid.substr(0, pid.find("->"));
    }
    r.row("takes", in);
  }
}

void place(Rows& r, const Session& s, const Item& it, double now) {
  const line::PlaceSpec& p = s.spec(it.line).places[it.index];
  const line::LineState& st = s.state(it.line);
  const line::PlaceState& ps = st.places[it.index];
  const std::uint64_t n = ps.births.size();
  const std::string cap = p.capacity == line::kUnbounded ? "unbounded" : std::to_string(p.capacity);
  r.heading("now");
  if (p.kind == line::PlaceKind::Sink) {
    r.row("received", count(ps.entered, "part", "parts"));
  } else {
    r.row("parts", std::to_string(n) + (p.capacity == line::kUnbounded ? "" : " of " + cap));
    if (p.kind == line::PlaceKind::Conveyor) {
      std::uint64_t moving = 0;
      for (std::size_t i = 0; i < ps.ready.size(); ++i)
        if (ps.ready[i] > now) ++moving;
      r.row("moving", std::to_string(moving) + ", " + std::to_string(n - moving) + " at the end");
    }
    const auto& products = s.spec(it.line).products;
    if (!products.empty() && n > 0) {  // the parts waiting, by product
      std::vector<std::uint64_t> by(products.size(), 0);
      for (std::size_t i = 0; i < ps.births.size(); ++i)
        if (ps.births[i].product < by.size()) ++by[ps.births[i].product];
      std::string v;
      for (std::size_t k = 0; k < by.size(); ++k)
        if (by[k] > 0)
          v += (v.empty() ? "" : ", ") + products[k].name + " " + std::to_string(by[k]);
      r.row("by product", v);
    }
    r.row("entered", count(ps.entered, "part", "parts"));
    const double T = now - st.stats_since;
    if (T > 0) {
      const double area = ps.level_area + static_cast<double>(n) * (now - ps.level_last);
      r.row("mean level", fmt_fixed(area / T, 2) + " (max " + std::to_string(ps.max_level) + ")");
    }
  }
  r.heading("spec");
  if (p.kind != line::PlaceKind::Sink) r.row("capacity", cap);
  if (p.kind == line::PlaceKind::Conveyor) {
    r.row("transit", format_duration(p.transit_s));
    if (p.length_m > 0) r.row("length", fmt_num(p.length_m, 4) + " m");
    if (p.speed_m_s > 0) r.row("speed", fmt_num(p.speed_m_s, 4) + " m/s");
  }
}

void source(Rows& r, const Session& s, const Item& it) {
  const line::LineSpec& spec = s.spec(it.line);
  const line::SourceSpec& src = spec.sources[it.index];
  const line::SourceState& ss = s.state(it.line).sources[it.index];
  r.heading("now");
  if (src.saturated) {
    r.row("supply", "never runs out");
  } else {
    r.row("arrivals", std::to_string(ss.arrivals));
    if (src.place != line::kNone) {
      const auto n = s.state(it.line).places[src.place].births.size();
      r.row("waiting", count(n, "part", "parts"));
    }
    if (ss.dropped > 0) r.row("dropped", std::to_string(ss.dropped));
    if (ss.blocked) r.row("blocked", "an arrival waits for space");
  }
  r.heading("spec");
  r.row("releases",
        src.saturated ? "on demand (saturated)"
        : src.has_orders()
            ? "an order list of " + std::to_string(src.orders_end - src.orders_begin) + " rows"
            : "every " + src.interarrival.describe());
  if (!src.saturated) r.row("when full", src.drop_when_full ? "drop" : "block");
}

const char* kind_name(const Session& s, const Item& it) {
  switch (it.kind) {
    case ItemKind::Source:
      return "source";
    case ItemKind::Machine:
      return s.spec(it.line).machines[it.index].assembly ? "assembly" : "machine";
    case ItemKind::Buffer:
      return "buffer";
    case ItemKind::Conveyor:
      return "conveyor";
    case ItemKind::Sink:
      return "sink";
    case ItemKind::Greenhouse:
      return "greenhouse";
    case ItemKind::Cell:
      return "work cell";
  }
  return "?";
}

}  // namespace

std::string inspect(const Session& s, int item) {
  if (item < 0 || static_cast<std::size_t>(item) >= s.layout().items.size()) return {};
  const Item& it = s.layout().items[static_cast<std::size_t>(item)];
  if (it.kind == ItemKind::Greenhouse || it.kind == ItemKind::Cell) return inspect_model(s, it);
  const double now = s.world().now();
  Rows r;
  r.text = it.id + "  (" + kind_name(s, it) + ")\n";
  switch (it.kind) {
    case ItemKind::Machine:
      machine(r, s, it, now);
      break;
    case ItemKind::Source:
      source(r, s, it);
      break;
    case ItemKind::Greenhouse:  // inspect_model()
    case ItemKind::Cell:
      break;
    default:
      place(r, s, it, now);
      break;
  }
  r.row("from", neighbours(s.layout(), item, true));
  r.row("to", neighbours(s.layout(), item, false));
  if (it.placed) r.row("position", fmt_num(it.x_m, 4) + ", " + fmt_num(it.y_m, 4) + " m");
  while (!r.text.empty() && r.text.back() == '\n') r.text.pop_back();
  return r.text;
}

}  // namespace dtwin::viewer
