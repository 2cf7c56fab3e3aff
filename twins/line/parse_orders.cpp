// A source's order list: "orders": "orders.csv" (relative to the scenario's folder), the MES
// export a planner has. The first line names the columns (any order; others are ignored):
//   release   when the row's parts are released (required)
//   product   a product of "/products" (required)
//   quantity  how many parts, a whole number >= 1 (required)
//   due       when each of its parts is due (optional column; an empty cell: the product's
//             "due" after release, or none)
// A time is seconds from the run's start ("3600"), a duration from the start ("1h", "90min"),
// or, when the source gives "start" (the date-time of the run's start), a local ISO 8601
// date-time ("2026-12-07T06:00" or "2026-12-07 06:00:30"). Rows are sorted by release time.
// Errors name the file, line and column ("orders.csv:4:9: ..."), at the "orders" pointer.
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/calendar.hpp"
#include "engine/base/format.hpp"
#include "engine/scenario/duration.hpp"
#include "engine/scenario/suggest.hpp"
#include "twins/line/parse_detail.hpp"

namespace dtwin::line {

namespace {

// One CSV cell: its text (quotes removed, spaces around trimmed) and its 1-based column.
struct Cell {
  std::string text;
  std::size_t col = 1;
};

// Splits a line at commas; a cell may be quoted ("a, b"; "" for a quote inside).
std::vector<Cell> split_cells(const std::string& line) {
  std::vector<Cell> cells;
  std::size_t i = 0;
  while (true) {
    Cell c;
    c.col = i + 1;
    while (i < line.size() && line[i] == ' ') ++i;
    if (i < line.size() && line[i] == '"') {
      for (++i; i < line.size(); ++i) {
        if (line[i] != '"') {
          c.text += line[i];
        } else if (i + 1 < line.size() && line[i + 1] == '"') {
          c.text += '"';
          ++i;
        } else {
          ++i;
          break;
        }
      }
      while (i < line.size() && line[i] != ',') ++i;
    } else {
      while (i < line.size() && line[i] != ',') c.text += line[i++];
      while (!c.text.empty() && c.text.back() == ' ') c.text.pop_back();
    }
    cells.push_back(std::move(c));
    if (i >= line.size()) break;
    ++i;  // the comma
  }
  return cells;
}

// Reads an order list's lines and turns them into rows, failing at the "orders" node.
class OrderReader {
 public:
  OrderReader(const Node& at, std::string shown, std::optional<double> start, LineSpec& spec)
      : at_(at), shown_(std::move(shown)), start_(start), spec_(spec) {}

  void header(const std::string& line, std::size_t line_no) {
    const std::vector<Cell> cells = split_cells(line);
    for (std::size_t k = 0; k < cells.size(); ++k) {
      const std::string& n = cells[k].text;
      if (n == "release") release_ = k;
      if (n == "product") product_ = k;
      if (n == "quantity") quantity_ = k;
      if (n == "due") due_ = k;
    }
    for (auto [col, name] : {std::pair{release_, "release"}, std::pair{product_, "product"},
                             std::pair{quantity_, "quantity"}})
      if (col == kMissing)
        fail(line_no, 1,
             std::string("no column \"") + name +
                 "\": the first line names the columns release, product, quantity and "
                 "(optional) due");
  }

  OrderSpec row(const std::string& line, std::size_t line_no) {
    const std::vector<Cell> cells = split_cells(line);
    const auto cell = [&](std::size_t k, const char* name) -> const Cell& {
      if (k >= cells.size())
        fail(line_no, line.size() + 1, std::string("no ") + name + " (too few cells)");
      return cells[k];
    };
    OrderSpec o;
    const Cell& r = cell(release_, "release");
    o.release_s = time_of(r, line_no, "release");
    if (o.release_s < last_release_)
      fail(line_no, r.col,
           "released before the row above it (line " + std::to_string(last_line_) +
               "): sort the order list by release time");
    last_release_ = o.release_s;
    last_line_ = line_no;
    const Cell& p = cell(product_, "product");
    o.product = product_of(p, line_no);
    o.quantity = quantity_of(cell(quantity_, "quantity"), line_no);
    o.due_s = o.release_s + spec_.products[o.product].due_s;
    if (due_ != kMissing && due_ < cells.size() && !cells[due_].text.empty()) {
      o.due_s = time_of(cells[due_], line_no, "due");
      spec_.products[o.product].due_by_order = true;
    }
    return o;
  }

  [[noreturn]] void fail(std::size_t line, std::size_t col, const std::string& what) const {
    at_.fail(shown_ + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " + what);
  }

 private:
  static constexpr std::size_t kMissing = static_cast<std::size_t>(-1);

  // a time of the run: seconds or a duration from its start, or a date-time given "start"
  double time_of(const Cell& c, std::size_t line, const char* what) const {
    const std::string& t = c.text;
    double v = 0;
    char* end = nullptr;
    const double num = std::strtod(t.c_str(), &end);
    if (!t.empty() && end == t.c_str() + t.size() && std::isfinite(num)) {
      v = num;
    } else if (parse_duration_text(t, &v)) {
    } else if (parse_iso_local(t, &v)) {
      if (!start_)
        fail(line, c.col,
             std::string(what) + " \"" + t +
                 "\" is a date-time: give the source's \"start\" (the date-time of the run's "
                 "start), or write times as seconds or durations from the start");
      v -= *start_;
    } else {
      fail(line, c.col,
           std::string("expected a ") + what + " time (seconds or a duration such as \"4h\" " +
               "from the run's start, or a date-time such as \"2026-12-07T06:00\"), got \"" + t +
               "\"");
    }
    if (v < 0) fail(line, c.col, std::string(what) + " \"" + t + "\" is before the run's start");
    return v;
  }

  std::uint32_t product_of(const Cell& c, std::size_t line) const {
    std::vector<std::string> names;
    for (std::uint32_t i = 0; i < spec_.products.size(); ++i) {
      if (spec_.products[i].name == c.text) return i;
      names.push_back(spec_.products[i].name);
    }
    const std::string hint = did_you_mean(c.text, names);
    fail(line, c.col,
         "unknown product \"" + c.text + "\"" +
             (hint.empty() ? "; the products are defined under /products" : hint));
  }

  std::uint32_t quantity_of(const Cell& c, std::size_t line) const {
    const std::string& t = c.text;
    bool digits = !t.empty() && t.size() <= 9;
    for (char ch : t) digits = digits && ch >= '0' && ch <= '9';
    const long q = digits ? std::strtol(t.c_str(), nullptr, 10) : 0;
    if (q < 1) fail(line, c.col, "expected a quantity, a whole number >= 1, got \"" + t + "\"");
    return static_cast<std::uint32_t>(q);
  }

  const Node& at_;
  std::string shown_;
  std::optional<double> start_;
  LineSpec& spec_;
  std::size_t release_ = kMissing, product_ = kMissing, quantity_ = kMissing, due_ = kMissing;
  double last_release_ = 0;
  std::size_t last_line_ = 0;
};

}  // namespace

void parse_orders(const Node& t, const FileAccess* files, LineSpec& spec, SourceSpec& s) {
  const Node f = t.at("orders");
  if (spec.products.empty())
    f.fail("an order list needs products: define them at the top level, \"products\": {...}");
  for (const char* k : {"interarrival", "saturated", "mix", "sequence"})
    if (t.has(k))
      t.at(k).fail(std::string("a source with an order list has no \"") + k +
                   "\": its rows say what it releases and when");
  std::optional<double> start;
  if (auto st = t.find("start")) {
    double v = 0;
    if (!st->is_string() || !parse_iso_local(st->string(), &v))
      st->expected("the date-time of the run's start, such as \"2026-12-07T06:00\"");
    start = v;
  }
  if (!files) f.fail("an order list is read from a file beside a scenario file");
  const FileAccess::Path fp = files->path_for(f);
  std::ifstream in(fp.open, std::ios::binary);
  if (!in) f.fail("cannot read " + fp.shown + ": " + files->why_not_opened(fp));
  OrderReader reader(f, fp.shown, start, spec);
  std::string line;
  std::size_t line_no = 0;
  bool has_header = false;
  s.orders_begin = static_cast<std::uint32_t>(spec.orders.size());
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    if (!has_header) {
      reader.header(line, line_no);
      has_header = true;
      continue;
    }
    spec.orders.push_back(reader.row(line, line_no));
  }
  s.orders_end = static_cast<std::uint32_t>(spec.orders.size());
  if (!has_header) reader.fail(1, 1, "empty: expected a line naming the columns, then the orders");
  if (!s.has_orders()) reader.fail(line_no + 1, 1, "no orders after the line naming the columns");
}

}  // namespace dtwin::line
