// Products in a line's scenario: "/products", a source's "mix" or "sequence", times given
// {"by_product": {...}}, a machine's "changeover" matrix, a buffer's "discipline" and the
// product lists of flow edges. Each refers to products by name; an unknown name is an error at
// its pointer, with a suggestion.
#include <cmath>
#include <optional>
#include <string>
#include <utility>

#include "engine/base/format.hpp"
#include "engine/scenario/distribution.hpp"
#include "engine/scenario/duration.hpp"
#include "engine/scenario/suggest.hpp"
#include "twins/line/parse_detail.hpp"

namespace dtwin::line {

namespace {

std::vector<std::string> product_names(const LineSpec& spec) {
  std::vector<std::string> names;
  for (const auto& p : spec.products) names.push_back(p.name);
  return names;
}

// fails at n when the line has no products
void need_products(const Node& n, const LineSpec& spec, const std::string& what) {
  if (spec.products.empty())
    n.fail(what + " needs products: define them at the top level, \"products\": {\"A\": {}, ...}");
}

// the index of product `name`, or a located error at n
std::uint32_t product_named(const Node& n, const std::string& name, const LineSpec& spec) {
  for (std::uint32_t i = 0; i < spec.products.size(); ++i)
    if (spec.products[i].name == name) return i;
  const std::string hint = did_you_mean(name, product_names(spec));
  n.fail("unknown product \"" + name + "\"" +
         (hint.empty() ? "; the products are defined under /products" : hint));
}

// probabilities that must sum to 1 (as doubles, within 1e-9)
void check_sum_to_one(const Node& n, double sum) {
  if (std::fabs(sum - 1) > 1e-9)
    n.fail("the probabilities sum to " + format_number(sum) + ", not 1");
}

}  // namespace

void parse_products(const Node& root, LineSpec& spec) {
  auto ps = root.find("products");
  if (!ps) return;
  if (!ps->is_object() || ps->size() == 0)
    ps->expected("an object of products, such as {\"A\": {\"priority\": 1, \"due\": \"4h\"}}");
  for (const auto& [name, p] : ps->members()) {
    if (name.empty() || name == "*" || name.find("->") != std::string::npos)
      p.fail("a product's name is not empty, not \"*\" and has no \"->\"");
    p.check_keys({"priority", "due", "name", "description"});
    ProductSpec prod;
    prod.name = name;
    if (auto pr = p.find("priority")) prod.priority = pr->number();
    if (auto d = p.find("due")) prod.due_s = parse_duration_positive(*d);
    spec.products.push_back(std::move(prod));
  }
}

bool is_by_product(const Node& n) {
  return n.is_object() && n.has("by_product");
}

void parse_by_product(const Node& n, const LineSpec& spec, const std::string& what,
                      std::vector<Distribution>& by, Distribution& overall) {
  n.check_keys({"by_product"});
  const Node table = n.at("by_product");
  need_products(table, spec, "\"by_product\"");
  if (!table.is_object()) table.expected("an object {\"<product>\": distribution, ...}");
  const std::size_t P = spec.products.size();
  std::vector<char> given(P, 0);
  by.assign(P, Distribution{});
  std::optional<Distribution> rest;
  for (const auto& [name, d] : table.members()) {
    Distribution dist = parse_distribution(d);
    check_resolution(d, dist.mean(), what);
    if (name == "*") {
      rest = dist;
      continue;
    }
    const std::uint32_t i = product_named(d, name, spec);
    by[i] = std::move(dist);
    given[i] = 1;
  }
  double mean_sum = 0;
  for (std::size_t i = 0; i < P; ++i) {
    if (!given[i]) {
      if (!rest)
        table.fail("no time for product \"" + spec.products[i].name +
                   "\": give every product one, or \"*\" for the others");
      by[i] = *rest;
    }
    mean_sum += by[i].mean();
  }
  // the machine's time for what reads one time (checks, OEE's ideal cycle): the mean over products
  overall = Distribution::constant(mean_sum / static_cast<double>(P));
}

void parse_changeover(const Node& c, const LineSpec& spec, MachineSpec& m) {
  need_products(c, spec, "\"changeover\"");
  if (!c.is_object()) c.expected("an object {\"A->B\": duration, ...}");
  const std::size_t P = spec.products.size();
  m.changeover.assign(P * P, Distribution{});
  m.has_changeover.assign(P * P, 0);
  for (const auto& [pair, d] : c.members()) {
    const auto arrow = pair.find("->");
    if (arrow == std::string::npos)
      d.fail("a changeover is named \"<from>-><to>\" by two products, got \"" + pair + "\"");
    const std::uint32_t from = product_named(d, pair.substr(0, arrow), spec);
    const std::uint32_t to = product_named(d, pair.substr(arrow + 2), spec);
    if (from == to) d.fail("a changeover is between two different products");
    Distribution dist = parse_distribution(d);
    check_resolution(d, dist.mean(), "a changeover time");
    m.changeover[from * P + to] = std::move(dist);
    m.has_changeover[from * P + to] = 1;
  }
}

void parse_source_products(const Node& t, const LineSpec& spec, SourceSpec& s) {
  if (t.has("mix") && t.has("sequence"))
    t.at("sequence").fail("give either \"mix\" or \"sequence\", not both");
  if (auto mix = t.find("mix")) {
    need_products(*mix, spec, "\"mix\"");
    if (!mix->is_object() || mix->size() == 0)
      mix->expected("an object {\"<product>\": probability, ...}");
    std::vector<double> p(spec.products.size(), 0);
    double sum = 0;
    for (const auto& [name, x] : mix->members()) {
      const std::uint32_t i = product_named(x, name, spec);
      p[i] = x.number_in(0, 1);
      sum += p[i];
    }
    check_sum_to_one(*mix, sum);
    double cum = 0;
    for (double x : p) s.mix_cum.push_back(cum += x);
    s.mix_cum.back() = 1;  // rounding: the last product takes what is left
  } else if (auto seq = t.find("sequence")) {
    need_products(*seq, spec, "\"sequence\"");
    if (!seq->is_array() || seq->size() == 0)
      seq->expected("a non-empty array of products, such as [\"A\", \"A\", \"B\"]");
    for (const auto& x : seq->items()) s.sequence.push_back(product_named(x, x.string(), spec));
  } else if (spec.products.size() > 1) {
    t.fail("a source of a line with products says which it releases: \"mix\" or \"sequence\"");
  } else if (spec.products.size() == 1) {
    s.sequence.push_back(0);
  }
}

Discipline parse_discipline(const Node& n, const LineSpec& spec) {
  static const std::vector<std::string> names = {"fifo", "priority", "spt", "edd", "setup"};
  const std::string v = n.string();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] != v) continue;
    if (i > 0) need_products(n, spec, "discipline \"" + v + "\"");
    return static_cast<Discipline>(i);
  }
  const std::string hint = did_you_mean(v, names);
  n.fail("unknown discipline \"" + v + "\"" +
         (hint.empty() ? "; one of fifo, priority, spt, edd, setup" : hint));
}

std::vector<char> parse_product_set(const Node& list, const LineSpec& spec) {
  need_products(list, spec, "a flow edge's \"products\"");
  if (!list.is_array() || list.size() == 0)
    list.expected("a non-empty array of products, such as [\"A\"]");
  std::vector<char> set(spec.products.size(), 0);
  for (const auto& x : list.items()) set[product_named(x, x.string(), spec)] = 1;
  return set;
}

}  // namespace dtwin::line
