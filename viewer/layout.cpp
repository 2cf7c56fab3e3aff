#include "viewer/layout.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace dtwin::viewer {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kLayerGap_m = 1.6;  // between the columns of the flow
constexpr double kStackGap_m = 1.8;  // between twins stacked across the flow
constexpr double kLineGap_m = 6.0;   // between lines

void default_size(Item& it, const line::LineSpec& spec) {
  switch (it.kind) {
    case ItemKind::Source:
      it.length_m = 1.4, it.width_m = 1.4, it.height_m = 0.15;
      return;
    case ItemKind::Machine:
      if (spec.machines[it.index].assembly)
        it.length_m = 2.6, it.width_m = 2.2, it.height_m = 1.6;
      else
        it.length_m = 2.2, it.width_m = 1.8, it.height_m = 1.5;
      return;
    case ItemKind::Buffer: {
      const Grid g = buffer_grid(spec.places[it.index].capacity);
      it.length_m = g.cols * kSlotPitch_m + 0.3;
      it.width_m = g.rows * kSlotPitch_m + 0.3;
      it.height_m = 0.55;
      return;
    }
    case ItemKind::Conveyor: {
      const double len = spec.places[it.index].length_m;
      it.length_m = std::clamp(len > 0 ? len : 6.0, 1.0, 80.0);
      it.width_m = 0.8, it.height_m = 0.6;
      return;
    }
    case ItemKind::Sink:
      it.length_m = 1.6, it.width_m = 1.6, it.height_m = 0.7;
      return;
    case ItemKind::Greenhouse:
    case ItemKind::Cell:
      return;  // sized by the session from the model's geometry
  }
}

// reads "layout": {"x", "y", "rotation_deg", "length", "width"} when the twin has one
void read_layout(const Node& twins, Item& it) {
  if (!twins.has(it.id)) return;
  const auto lay = twins.at(it.id).find("layout");
  if (!lay) return;
  if (!lay->is_object())
    lay->expected("an object like {\"x\": 4, \"y\": 0, \"rotation_deg\": 90} (metres, degrees)");
  lay->check_keys({"x", "y", "rotation_deg", "length", "width"});
  const bool hx = lay->has("x"), hy = lay->has("y");
  if (hx != hy) lay->fail("give both \"x\" and \"y\" (metres on the floor), or neither");
  if (hx) {
    it.x_m = lay->at("x").number();
    it.y_m = lay->at("y").number();
    it.placed = true;
  }
  if (auto r = lay->find("rotation_deg")) it.rotation_deg = r->number();
  if (auto l = lay->find("length")) it.length_m = std::min(l->positive(), 1000.0);
  if (auto w = lay->find("width")) it.width_m = std::min(w->positive(), 1000.0);
}

// Minimises sum (y_i - want_i)^2 subject to y_i - y_{i+1} >= sep_i (the twins of a layer keep
// their order, top to bottom, without overlapping): isotonic regression by pooling adjacent
// violators on z_i = y_i + (sep_0 + ... + sep_{i-1}), which must not increase.
void place_in_order(const std::vector<double>& want, const std::vector<double>& sep,
                    std::vector<double>& y) {
  const std::size_t n = want.size();
  std::vector<double> cum(n, 0);
  for (std::size_t i = 1; i < n; ++i) cum[i] = cum[i - 1] + sep[i - 1];
  struct Block {
    double sum;
    std::size_t count;
    double mean() const { return sum / static_cast<double>(count); }
  };
  std::vector<Block> blocks;
  for (std::size_t i = 0; i < n; ++i) {
    blocks.push_back({want[i] + cum[i], 1});
    while (blocks.size() > 1 && blocks[blocks.size() - 2].mean() < blocks.back().mean()) {
      blocks[blocks.size() - 2].sum += blocks.back().sum;
      blocks[blocks.size() - 2].count += blocks.back().count;
      blocks.pop_back();
    }
  }
  y.resize(n);
  std::size_t i = 0;
  for (const auto& b : blocks)
    for (std::size_t k = 0; k < b.count; ++k, ++i) y[i] = b.mean() - cum[i];
}

// Automatic positions for the items [first, last) of one line, from its edges.
void auto_layout(Layout& L, std::size_t first, std::size_t last) {
  const std::size_t n = last - first;
  if (n == 0) return;
  std::vector<std::vector<std::uint32_t>> succ(n), pred(n);
  for (auto& e : L.edges) {
    if (e.from < first || e.from >= last) continue;
    succ[e.from - first].push_back(e.to - static_cast<std::uint32_t>(first));
  }

  // depth-first from the items nothing feeds: discovery order, and the edges that close a loop
  std::vector<int> color(n, 0);  // 0 new, 1 on the stack, 2 done
  std::vector<std::uint32_t> order;
  std::vector<std::vector<bool>> loop(n);
  for (std::size_t v = 0; v < n; ++v) loop[v].assign(succ[v].size(), false);
  std::vector<bool> has_pred(n, false);
  for (std::size_t v = 0; v < n; ++v)
    for (auto w : succ[v]) has_pred[w] = true;
  auto dfs = [&](std::uint32_t root) {
    std::vector<std::pair<std::uint32_t, std::size_t>> stack{{root, 0}};
    color[root] = 1;
    order.push_back(root);
    while (!stack.empty()) {
      auto& [v, k] = stack.back();
      if (k == succ[v].size()) {
        color[v] = 2;
        stack.pop_back();
        continue;
      }
      const std::size_t edge = k++;
      const std::uint32_t w = succ[v][edge];
      if (color[w] == 1) {
        loop[v][edge] = true;
      } else if (color[w] == 0) {
        color[w] = 1;
        order.push_back(w);
        stack.push_back({w, 0});
      }
    }
  };
  for (std::uint32_t v = 0; v < n; ++v)
    if (!has_pred[v] && color[v] == 0) dfs(v);
  for (std::uint32_t v = 0; v < n; ++v)
    if (color[v] == 0) dfs(v);
  for (auto& e : L.edges) {
    if (e.from < first || e.from >= last) continue;
    const std::uint32_t v = e.from - static_cast<std::uint32_t>(first);
    const std::uint32_t w = e.to - static_cast<std::uint32_t>(first);
    const auto it = std::find(succ[v].begin(), succ[v].end(), w);
    e.loop = loop[v][static_cast<std::size_t>(it - succ[v].begin())];
  }
  // the graph without loop edges
  for (std::size_t v = 0; v < n; ++v) {
    std::vector<std::uint32_t> keep;
    for (std::size_t k = 0; k < succ[v].size(); ++k)
      if (!loop[v][k]) keep.push_back(succ[v][k]);
    succ[v] = keep;
    for (auto w : keep) pred[w].push_back(static_cast<std::uint32_t>(v));
  }
  std::vector<std::size_t> rank(n);  // discovery order
  for (std::size_t i = 0; i < n; ++i) rank[order[i]] = i;

  // topological order (Kahn, ties by discovery order), longest-path layers, then pull each
  // item right up to its nearest successor
  std::vector<std::size_t> indeg(n, 0);
  for (std::size_t v = 0; v < n; ++v) indeg[v] = pred[v].size();
  std::vector<std::uint32_t> topo, ready;
  for (std::uint32_t v = 0; v < n; ++v)
    if (indeg[v] == 0) ready.push_back(v);
  auto later = [&](std::uint32_t a, std::uint32_t b) { return rank[a] > rank[b]; };
  std::make_heap(ready.begin(), ready.end(), later);
  while (!ready.empty()) {
    std::pop_heap(ready.begin(), ready.end(), later);
    const std::uint32_t v = ready.back();
    ready.pop_back();
    topo.push_back(v);
    for (auto w : succ[v])
      if (--indeg[w] == 0) {
        ready.push_back(w);
        std::push_heap(ready.begin(), ready.end(), later);
      }
  }
  std::vector<int> layer(n, 0);
  for (auto v : topo)
    for (auto w : succ[v]) layer[w] = std::max(layer[w], layer[v] + 1);
  for (auto it = topo.rbegin(); it != topo.rend(); ++it) {
    if (succ[*it].empty()) continue;
    int lo = std::numeric_limits<int>::max();
    for (auto w : succ[*it]) lo = std::min(lo, layer[w] - 1);
    layer[*it] = std::max(layer[*it], lo);
  }
  const int nlayers = 1 + *std::max_element(layer.begin(), layer.end());
  std::vector<std::vector<std::uint32_t>> layers(static_cast<std::size_t>(nlayers));
  for (auto v : order) layers[static_cast<std::size_t>(layer[v])].push_back(v);

  // order within layers: barycentres of the neighbours, a few sweeps down and up
  std::vector<double> pos(n, 0);
  auto number = [&] {
    for (auto& lay : layers)
      for (std::size_t i = 0; i < lay.size(); ++i)
        pos[lay[i]] = static_cast<double>(i) - 0.5 * static_cast<double>(lay.size() - 1);
  };
  number();
  auto sweep = [&](std::size_t l, const std::vector<std::vector<std::uint32_t>>& nb) {
    auto& lay = layers[l];
    std::vector<std::pair<double, std::uint32_t>> keyed;
    for (auto v : lay) {
      double k = pos[v];
      if (!nb[v].empty()) {
        k = 0;
        for (auto w : nb[v]) k += pos[w];
        k /= static_cast<double>(nb[v].size());
      }
      keyed.push_back({k, v});
    }
    std::stable_sort(keyed.begin(), keyed.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < lay.size(); ++i) lay[i] = keyed[i].second;
    number();
  };
  for (int it = 0; it < 4; ++it) {
    for (std::size_t l = 1; l < layers.size(); ++l) sweep(l, pred);
    for (std::size_t l = layers.size(); l-- > 1;) sweep(l - 1, succ);
  }

  // across the flow: stacked, then each item near its neighbours, order and spacing kept
  std::vector<double> y(n, 0);
  auto width = [&](std::uint32_t v) { return L.items[first + v].width_m; };
  for (auto& lay : layers) {
    double total = 0;
    for (auto v : lay) total += width(v);
    total += kStackGap_m * static_cast<double>(lay.size() - 1);
    double top = total / 2;
    for (auto v : lay) {  // the first of a layer is the furthest from the camera
      y[v] = top - width(v) / 2;
      top -= width(v) + kStackGap_m;
    }
  }
  auto settle = [&](std::size_t l, const std::vector<std::vector<std::uint32_t>>& nb) {
    const auto& lay = layers[l];
    std::vector<double> want, sep, out;
    for (std::size_t i = 0; i < lay.size(); ++i) {
      const auto v = lay[i];
      double w = y[v];
      if (!nb[v].empty()) {
        w = 0;
        for (auto u : nb[v]) w += y[u];
        w /= static_cast<double>(nb[v].size());
      }
      want.push_back(w);
      if (i + 1 < lay.size()) sep.push_back((width(v) + width(lay[i + 1])) / 2 + kStackGap_m);
    }
    place_in_order(want, sep, out);
    for (std::size_t i = 0; i < lay.size(); ++i) y[lay[i]] = out[i];
  };
  for (int it = 0; it < 6; ++it) {
    for (std::size_t l = 1; l < layers.size(); ++l) settle(l, pred);
    for (std::size_t l = layers.size(); l-- > 1;) settle(l - 1, succ);
  }
  // centre the line across the flow
  double mean_y = 0;
  for (std::size_t v = 0; v < n; ++v) mean_y += y[v];
  mean_y /= static_cast<double>(n);

  // along the flow: each layer as long as its longest item
  std::vector<double> x(layers.size(), 0);
  double at = 0;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    double len = 0;
    for (auto v : layers[l]) len = std::max(len, L.items[first + v].length_m);
    x[l] = at + len / 2;
    at += len + kLayerGap_m;
  }
  for (std::size_t v = 0; v < n; ++v) {
    Item& it = L.items[first + v];
    if (it.placed) continue;
    it.x_m = x[static_cast<std::size_t>(layer[v])];
    it.y_m = y[v] - mean_y;
    it.rotation_deg = 0;
  }
}

void footprint_bounds(const Item& it, double& x0, double& y0, double& x1, double& y1) {
  const double cx[] = {-0.5, 0.5, 0.5, -0.5}, cy[] = {-0.5, -0.5, 0.5, 0.5};
  for (int k = 0; k < 4; ++k) {
    double x, y;
    to_floor(it, cx[k] * it.length_m, cy[k] * it.width_m, &x, &y);
    x0 = std::min(x0, x), x1 = std::max(x1, x);
    y0 = std::min(y0, y), y1 = std::max(y1, y);
  }
}

}  // namespace

Grid buffer_grid(std::uint64_t capacity) {
  const std::uint64_t shown =
      capacity == line::kUnbounded ? 12 : std::clamp<std::uint64_t>(capacity, 1, 36);
  Grid g;
  g.cols = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(shown))));
  g.rows = static_cast<int>((shown + static_cast<std::uint64_t>(g.cols) - 1) /
                            static_cast<std::uint64_t>(g.cols));
  return g;
}

void to_floor(const Item& it, double lx, double ly, double* x, double* y) {
  const double a = it.rotation_deg * kPi / 180;
  const double c = std::cos(a), s = std::sin(a);
  *x = it.x_m + c * lx - s * ly;
  *y = it.y_m + s * lx + c * ly;
}

int Layout::find(std::string_view id) const {
  for (std::size_t i = 0; i < items.size(); ++i)
    if (items[i].id == id) return static_cast<int>(i);
  return -1;
}

std::vector<std::string> Layout::ids() const {
  std::vector<std::string> out;
  for (const auto& it : items) out.push_back(it.id);
  return out;
}

Layout make_layout(const std::vector<const line::LineSpec*>& lines, const Node& twins) {
  Layout L;
  double behind = 0;  // the far edge of the lines laid out so far
  for (std::uint32_t li = 0; li < lines.size(); ++li) {
    const line::LineSpec& spec = *lines[li];
    const std::size_t first = L.items.size();
    Layout::LineItems map;
    auto add = [&](const std::string& id, ItemKind kind, std::uint32_t index) {
      Item it;
      it.id = id;
      it.kind = kind;
      it.line = li;
      it.index = index;
      default_size(it, spec);
      read_layout(twins, it);
      L.items.push_back(std::move(it));
      return static_cast<int>(L.items.size() - 1);
    };
    for (std::uint32_t i = 0; i < spec.sources.size(); ++i)
      map.sources.push_back(add(spec.sources[i].id, ItemKind::Source, i));
    for (std::uint32_t i = 0; i < spec.machines.size(); ++i)
      map.machines.push_back(add(spec.machines[i].id, ItemKind::Machine, i));
    for (std::uint32_t i = 0; i < spec.places.size(); ++i) {
      const line::PlaceSpec& p = spec.places[i];
      if (!p.is_twin) {
        map.places.push_back(-1);
        continue;
      }
      const ItemKind k = p.kind == line::PlaceKind::Sink       ? ItemKind::Sink
                         : p.kind == line::PlaceKind::Conveyor ? ItemKind::Conveyor
                                                               : ItemKind::Buffer;
      map.places.push_back(add(p.id, k, i));
    }

    // edges between drawn items: implicit places (a saturated supply, an arrival queue, a
    // direct link between machines) join their neighbours directly
    const std::size_t first_edge = L.edges.size();
    auto edge = [&](int a, int b) {
      if (a < 0 || b < 0) return;
      for (std::size_t k = first_edge; k < L.edges.size(); ++k)
        if (L.edges[k].from == static_cast<std::uint32_t>(a) &&
            L.edges[k].to == static_cast<std::uint32_t>(b))
          return;
      L.edges.push_back({static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(b), false});
    };
    auto into_place = [&](int from, std::uint32_t p) {
      if (p == line::kNone) return;
      if (map.places[p] >= 0) {
        edge(from, map.places[p]);
      } else {
        for (auto c : spec.places[p].consumers) edge(from, map.machines[c]);
      }
    };
    for (std::uint32_t i = 0; i < spec.sources.size(); ++i)
      into_place(map.sources[i], spec.sources[i].place);
    for (std::uint32_t i = 0; i < spec.machines.size(); ++i)
      into_place(map.machines[i], spec.machines[i].output);
    for (std::uint32_t i = 0; i < spec.places.size(); ++i)
      if (map.places[i] >= 0)
        for (auto c : spec.places[i].consumers) edge(map.places[i], map.machines[c]);

    auto_layout(L, first, L.items.size());
    // one line behind the other
    double y0 = std::numeric_limits<double>::max(), y1 = std::numeric_limits<double>::lowest();
    for (std::size_t k = first; k < L.items.size(); ++k) {
      if (L.items[k].placed) continue;
      double a = 1e300, b = 1e300, c = -1e300, d = -1e300;
      footprint_bounds(L.items[k], a, b, c, d);
      y0 = std::min(y0, b), y1 = std::max(y1, d);
    }
    if (y0 <= y1) {
      const double shift = li == 0 ? 0 : behind + kLineGap_m - y0;
      for (std::size_t k = first; k < L.items.size(); ++k)
        if (!L.items[k].placed) L.items[k].y_m += shift;
      behind = y1 + shift;
    }
    L.lines.push_back(std::move(map));
  }

  if (!L.items.empty()) {
    L.min_x_m = L.min_y_m = std::numeric_limits<double>::max();
    L.max_x_m = L.max_y_m = std::numeric_limits<double>::lowest();
  }
  for (const auto& it : L.items) {
    footprint_bounds(it, L.min_x_m, L.min_y_m, L.max_x_m, L.max_y_m);
    L.max_height_m = std::max(L.max_height_m, it.height_m);
  }
  return L;
}

int add_region(Layout& L, Item it, int next_to) {
  constexpr double kRegionGap_m = 3.0;
  const bool empty = L.items.empty();
  if (next_to >= 0) {
    const Item& n = L.items[static_cast<std::size_t>(next_to)];
    it.x_m = n.x_m;
    it.y_m = n.y_m - n.width_m / 2 - 1.0 - it.width_m / 2;
  } else if (empty) {
    it.x_m = 0, it.y_m = 0;
  } else {
    it.x_m = L.max_x_m + kRegionGap_m + it.length_m / 2;
    it.y_m = (L.min_y_m + L.max_y_m) / 2;
  }
  it.rotation_deg = 0;
  if (empty) {
    L.min_x_m = L.min_y_m = std::numeric_limits<double>::max();
    L.max_x_m = L.max_y_m = std::numeric_limits<double>::lowest();
  }
  footprint_bounds(it, L.min_x_m, L.min_y_m, L.max_x_m, L.max_y_m);
  L.max_height_m = std::max(L.max_height_m, it.height_m);
  L.items.push_back(std::move(it));
  return static_cast<int>(L.items.size() - 1);
}

}  // namespace dtwin::viewer
