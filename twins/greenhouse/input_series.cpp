#include "twins/greenhouse/input_series.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>

#include "engine/scenario/duration.hpp"
#include "engine/scenario/suggest.hpp"
#include "twins/greenhouse/csv_table.hpp"
#include "twins/greenhouse/time_format.hpp"

namespace dtwin::greenhouse {

namespace {

namespace fs = std::filesystem;

std::vector<std::string> all_keys(const std::vector<Quantity>& qs) {
  std::vector<std::string> out;
  for (const auto& q : qs) out.insert(out.end(), q.keys.begin(), q.keys.end());
  return out;
}

std::string key_list(const std::vector<std::string>& keys) {
  std::string s;
  for (std::size_t i = 0; i < keys.size(); ++i)
    s += (i == 0 ? "" : i + 1 == keys.size() ? " or " : ", ") + quote(keys[i]);
  return s;
}

// Which quantity a key names; fails at `n` (the member) for an unknown key.
std::size_t quantity_of(const std::string& key, const Node& n, const std::vector<Quantity>& qs) {
  for (std::size_t q = 0; q < qs.size(); ++q)
    for (const auto& k : qs[q].keys)
      if (k == key) return q;
  const auto keys = all_keys(qs);
  std::string msg = "unknown input " + quote(key);
  msg += did_you_mean(key, keys);
  msg += " (accepted here: " + key_list(keys) + ")";
  n.fail(msg);
}

std::string range_text(const Quantity& q) {
  if (q.max < 1e300) return "a number from " + format_number(q.min) + " to " + format_number(q.max);
  return "a number >= " + format_number(q.min);
}

std::string span_text(double s) {
  return format_duration(s);
}

}  // namespace

RawInputs read_inputs(const Node& source, const std::vector<Quantity>& qs, const InputContext& ctx,
                      const std::vector<std::string>& extra_keys) {
  if (!source.is_object())
    source.expected("an input source: {\"constant\": {...}} or {\"file\": \"...csv\", ...}");
  std::vector<std::string> keys{"constant", "file",    "time_column",   "time_format", "start",
                                "columns",  "max_gap", "interpolation", "delimiter"};
  keys.insert(keys.end(), extra_keys.begin(), extra_keys.end());
  source.check_keys(keys);
  RawInputs out;
  out.key.resize(qs.size());
  out.values.resize(qs.size());

  // constants
  if (auto c = source.find("constant")) {
    if (!c->is_object()) c->expected("an object of constant inputs {\"key_unit\": value}");
    for (const auto& [key, n] : c->members()) {
      const std::size_t q = quantity_of(key, n, qs);
      if (out.has(q)) n.fail("the same input as " + quote(out.key[q]) + ": give only one");
      out.key[q] = key;
      const double v = n.number();
      if (v < qs[q].min || v > qs[q].max) n.expected(range_text(qs[q]));
      out.values[q] = {v};
    }
  }

  const auto file = source.find("file");
  if (!file) {
    for (const char* k : {"time_column", "time_format", "start", "columns", "max_gap",
                          "interpolation", "delimiter"})
      if (source.has(k)) source.at(k).fail(quote(k) + " applies to inputs read from a \"file\"");
    if (!source.has("constant"))
      source.fail("expected \"constant\": {...} or \"file\": \"...csv\" with \"columns\"");
  } else {
    // the file and how to read it
    const FileAccess::Path fp = ctx.files.path_for(*file);
    const std::string& shown = fp.shown;
    out.file = shown;
    const Node time_col = source.at("time_column");
    const std::string time_column = time_col.string();
    std::string fmt_text = "s";
    if (auto f = source.find("time_format")) fmt_text = f->string();
    const auto fmt = TimeFormat::parse(fmt_text);
    if (!fmt)
      source.at("time_format")
          .expected("\"s\", \"min\", \"h\", \"d\" or a date pattern such as \"%Y-%m-%d %H:%M\"");
    char delimiter = ',';
    if (auto d = source.find("delimiter")) {
      const std::string s = d->string();
      if (s.size() != 1) d->expected("one character, such as \",\" or \";\"");
      delimiter = s[0];
    }
    double max_gap = 3600;
    if (auto g = source.find("max_gap")) max_gap = parse_duration_positive(*g);
    const Node gap_node = source.find("max_gap") ? source.at("max_gap") : *file;
    if (auto m = source.find("interpolation")) {
      const std::string s = m->string();
      if (s == "previous")
        out.hold = true;
      else if (s != "linear")
        m->expected("\"linear\" or \"previous\" (hold the last row)");
    }

    // which columns
    const Node cols = source.at("columns");
    if (!cols.is_object() || cols.size() == 0)
      cols.expected("an object {\"key_unit\": \"column name\"} with at least one column");
    std::vector<std::string> col_names;
    std::vector<std::size_t> col_q;
    std::vector<Node> col_nodes;
    for (const auto& [key, n] : cols.members()) {
      const std::size_t q = quantity_of(key, n, qs);
      if (out.has(q)) n.fail("the same input as " + quote(out.key[q]) + ": give only one");
      out.key[q] = key;
      col_names.push_back(n.string());
      col_q.push_back(q);
      col_nodes.push_back(n);
    }

    if (!std::ifstream(fp.open, std::ios::binary))
      file->fail("cannot read " + shown + ": " + ctx.files.why_not_opened(fp));
    CsvColumns csv;
    try {
      csv = read_csv_columns(fp.open, shown, delimiter, time_column, *fmt, col_names);
    } catch (const CsvError& e) {
      if (e.column >= 0) col_nodes[static_cast<std::size_t>(e.column)].fail(e.what());
      if (e.column == CsvError::kTimeColumn) time_col.fail(e.what());
      file->fail(e.what());
    }

    // run time 0
    double start = csv.time_s.front();
    if (auto s = source.find("start")) {
      if (s->is_string()) {
        if (!fmt->read(s->string(), &start)) s->expected("a time written as \"" + fmt_text + "\"");
      } else if (!fmt->calendar()) {
        start = s->number() * fmt->unit_s();
      } else {
        s->expected("a time written as \"" + fmt_text + "\"");
      }
    }
    if (fmt->calendar()) out.calendar_start_s = start;
    std::vector<double> t(csv.time_s.size());
    for (std::size_t i = 0; i < t.size(); ++i) t[i] = csv.time_s[i] - start;

    // the rows the run needs: from the last at or before 0 to the first at or after the end
    const std::size_t n = t.size();
    if (t.front() > 0)
      file->fail(shown + ": the first row (line " + std::to_string(csv.line.front()) + ") is " +
                 span_text(t.front()) + " after the run's start; the file must cover the run");
    if (t.back() < ctx.duration_s)
      file->fail(shown + ": the last row (line " + std::to_string(csv.line.back()) + ") is " +
                 span_text(t.back()) + " after the start, before the end of the run (" +
                 span_text(ctx.duration_s) + "); the file must cover the run");
    std::size_t w0 = 0, w1 = n - 1;
    while (w0 + 1 < n && t[w0 + 1] <= 0) ++w0;
    while (w1 > 0 && t[w1 - 1] >= ctx.duration_s) --w1;

    for (std::size_t i = w0 + 1; i <= w1; ++i)
      if (t[i] - t[i - 1] > max_gap)
        gap_node.fail(shown + ":" + std::to_string(csv.line[i]) + ": " +
                      span_text(t[i] - t[i - 1]) + " after the previous row (line " +
                      std::to_string(csv.line[i - 1]) + "), longer than max_gap (" +
                      span_text(max_gap) + ")");

    // fill short gaps of missing values
    for (std::size_t c = 0; c < col_names.size(); ++c) {
      std::vector<double>& v = csv.values[c];
      std::size_t i = w0;
      // a gap that starts before the window still counts: step back to its first row
      while (i > 0 && std::isnan(v[i]) && std::isnan(v[i - 1])) --i;
      for (; i <= w1; ++i) {
        if (!std::isnan(v[i])) continue;
        std::size_t j = i;
        while (j < n && std::isnan(v[j])) ++j;  // [i, j) missing
        const bool has_prev = i > 0, has_next = j < n;
        if (!has_prev && !has_next)
          col_nodes[c].fail(shown + ": column " + quote(col_names[c]) + " has no values");
        const double from = has_prev ? t[i - 1] : t[i];
        const double to = has_next ? t[j] : t[j - 1];
        const double span = to - from;
        if (span > max_gap)
          col_nodes[c].fail(shown + ":" + std::to_string(csv.line[i]) + ": column " +
                            quote(col_names[c]) + ": no value on lines " +
                            std::to_string(csv.line[i]) + " to " + std::to_string(csv.line[j - 1]) +
                            ", a gap of " + span_text(span) + ", longer than max_gap (" +
                            span_text(max_gap) + ")");
        for (std::size_t k = i; k < j; ++k) {
          if (!has_prev)
            v[k] = v[j];
          else if (!has_next || out.hold)
            v[k] = v[i - 1];
          else
            v[k] = v[i - 1] + (v[j] - v[i - 1]) * (t[k] - t[i - 1]) / (t[j] - t[i - 1]);
          if (k >= w0 && k <= w1) ++out.filled_values;
        }
        out.longest_gap_s = std::max(out.longest_gap_s, span);
        i = j;
      }
    }
    for (std::size_t c = 0; c < col_names.size(); ++c) {
      const Quantity& q = qs[col_q[c]];
      for (std::size_t i = w0; i <= w1; ++i)
        if (csv.values[c][i] < q.min || csv.values[c][i] > q.max)
          col_nodes[c].fail(shown + ":" + std::to_string(csv.line[i]) + ": column " +
                            quote(col_names[c]) + " (" + out.key[col_q[c]] + "): expected " +
                            range_text(q) + ", got " + format_number(csv.values[c][i]));
    }
    out.time_s.assign(t.begin() + static_cast<std::ptrdiff_t>(w0),
                      t.begin() + static_cast<std::ptrdiff_t>(w1) + 1);
    for (std::size_t c = 0; c < col_names.size(); ++c)
      out.values[col_q[c]].assign(csv.values[c].begin() + static_cast<std::ptrdiff_t>(w0),
                                  csv.values[c].begin() + static_cast<std::ptrdiff_t>(w1) + 1);
  }

  for (std::size_t q = 0; q < qs.size(); ++q)
    if (qs[q].required && !out.has(q))
      source.fail("missing input " + key_list(qs[q].keys) +
                  (file ? " (in \"columns\" or \"constant\")" : " (in \"constant\")"));
  return out;
}

InputSeries InputSeries::like(const RawInputs& raw) {
  InputSeries s;
  s.time_s = raw.time_s;
  s.hold = raw.hold;
  s.file = raw.file;
  s.filled_values = raw.filled_values;
  s.longest_gap_s = raw.longest_gap_s;
  s.calendar_start_s = raw.calendar_start_s;
  return s;
}

void InputSeries::at(double t, double* out) const {
  const std::size_t n = time_s.size();
  if (n == 0) {
    for (std::size_t i = 0; i < values.size(); ++i) out[i] = values[i][0];
    return;
  }
  // row k with time_s[k] <= t < time_s[k + 1], clamped to the rows
  std::size_t k = 0;
  double w = 0;
  if (t >= time_s[n - 1]) {
    k = n - 1;
  } else if (t > time_s[0]) {
    k = static_cast<std::size_t>(std::upper_bound(time_s.begin(), time_s.end(), t) -
                                 time_s.begin()) -
        1;
    w = hold ? 0 : (t - time_s[k]) / (time_s[k + 1] - time_s[k]);
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto& v = values[i];
    if (v.size() == 1)
      out[i] = v[0];
    else if (w == 0)
      out[i] = v[k];
    else
      out[i] = v[k] + w * (v[k + 1] - v[k]);
  }
}

}  // namespace dtwin::greenhouse
