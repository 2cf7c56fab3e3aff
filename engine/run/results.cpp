#include "engine/run/results.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "engine/base/error.hpp"
#include "engine/base/format.hpp"
#include "engine/scenario/duration.hpp"

namespace dtwin {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

nlohmann::ordered_json num(double v) {
  if (std::isnan(v) || std::isinf(v)) return nullptr;
  return v;
}

nlohmann::ordered_json stat_json(const Summary& s) {
  nlohmann::ordered_json j;
  j["mean"] = num(s.mean);
  j["ci95"] = nlohmann::ordered_json::array({num(s.lo), num(s.hi)});
  j["n"] = s.n;
  return j;
}

std::vector<const RunRow*> rows_of(const ResultTable& t, const std::string& variant) {
  std::vector<const RunRow*> out;
  for (const auto& r : t.rows)
    if (r.variant == variant) out.push_back(&r);
  return out;
}

std::string pad(const std::string& s, std::size_t w, bool right = false) {
  // count UTF-8 code points for width
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  if (n >= w) return s;
  return right ? std::string(w - n, ' ') + s : s + std::string(w - n, ' ');
}

}  // namespace

bool csv_split(const std::string& line, std::vector<std::string>& out) {
  out.clear();
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          cur += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cur += c;
      }
    } else if (c == '"' && cur.empty()) {
      quoted = true;
    } else if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  if (quoted) return false;
  out.push_back(cur);
  return true;
}

int decimals_for(double half_width, double value) {
  double ref = std::isnan(half_width) || half_width <= 0 ? std::fabs(value) * 1e-3 : half_width;
  if (!(ref > 0)) return 2;
  const int d = 1 - static_cast<int>(std::floor(std::log10(ref)));
  return std::clamp(d, 0, 6);
}

const std::vector<std::string>& headline_kpis() {
  static const std::vector<std::string> k = {"throughput_per_h", "lead_time_s", "wip",
                                             "availability",     "energy_kwh",  "cost"};
  return k;
}

std::vector<std::size_t> headline_columns(const std::vector<std::string>& keys,
                                          const std::vector<std::string>& wanted) {
  std::vector<std::size_t> cols;
  for (const auto& h : wanted)
    for (std::size_t k = 0; k < keys.size(); ++k)
      if (keys[k] == h) {
        cols.push_back(k);
        break;
      }
  if (cols.empty())
    for (std::size_t k = 0; k < std::min<std::size_t>(4, keys.size()); ++k) cols.push_back(k);
  return cols;
}

namespace {
// the label column beside finding `l` that says how it was found (npos when none)
std::size_t finding_method(const ResultTable& t, std::size_t l) {
  const std::string want = t.label_keys[l] + "_method";
  for (std::size_t m = 0; m < t.label_keys.size(); ++m)
    if (t.label_keys[m] == want) return m;
  return std::string::npos;
}
}  // namespace

std::vector<std::size_t> finding_columns(const ResultTable& t) {
  std::vector<std::size_t> out;
  for (std::size_t l = 0; l < t.label_keys.size(); ++l)
    if (finding_method(t, l) != std::string::npos) out.push_back(l);
  return out;
}

Mode mode_of(const std::vector<const RunRow*>& rows, std::size_t label) {
  Mode m;
  for (const auto* r : rows)
    if (!r->labels[label].empty()) ++m.counts[r->labels[label]];
  for (const auto& [value, c] : m.counts)
    if (c > m.count) m.value = value, m.count = c;
  return m;
}

std::size_t ResultTable::variant_index(const std::string& name) const {
  for (std::size_t i = 0; i < variants.size(); ++i)
    if (variants[i] == name) return i;
  return std::string::npos;
}

std::size_t ResultTable::key_index(const std::string& key) const {
  for (std::size_t i = 0; i < keys.size(); ++i)
    if (keys[i] == key) return i;
  return std::string::npos;
}

std::size_t ResultTable::runs_planned() const {
  std::size_t n = 0;
  for (auto r : replications) n += r;
  return n;
}

ResultTable make_table(const Scenario& sc, const std::vector<CompiledVariant>& variants,
                       const std::vector<RunResult>& results) {
  ResultTable t;
  t.scenario = sc.name();
  t.file = sc.doc().file;
  if (!variants.empty()) {
    t.seed = variants[0].settings.seed;
    t.duration_s = variants[0].settings.duration_s;
    t.warmup_s = variants[0].settings.warmup_s;
  }
  for (const auto& v : variants) {
    t.variants.push_back(v.name);
    t.replications.push_back(v.settings.replications);
    t.expect.push_back(v.expect);
  }
  // the union of keys, in order of first appearance
  for (const auto& r : results) {
    for (const auto& v : r.metrics.values)
      if (t.key_index(v.key) == std::string::npos) {
        t.keys.push_back(v.key);
        t.units.push_back(v.unit);
      }
    for (const auto& l : r.metrics.labels)
      if (std::find(t.label_keys.begin(), t.label_keys.end(), l.first) == t.label_keys.end())
        t.label_keys.push_back(l.first);
  }
  for (const auto& r : results) {
    RunRow row;
    row.variant = variants[r.task.variant].name;
    row.replication = r.task.replication;
    row.seed = r.seed;
    row.events = r.events;
    row.values.assign(t.keys.size(), kNaN);
    for (const auto& v : r.metrics.values) row.values[t.key_index(v.key)] = v.value;
    row.labels.assign(t.label_keys.size(), "");
    for (const auto& l : r.metrics.labels)
      row.labels[static_cast<std::size_t>(
          std::find(t.label_keys.begin(), t.label_keys.end(), l.first) - t.label_keys.begin())] =
          l.second;
    t.rows.push_back(std::move(row));
  }
  std::stable_sort(t.rows.begin(), t.rows.end(), [&](const RunRow& a, const RunRow& b) {
    const auto va = t.variant_index(a.variant), vb = t.variant_index(b.variant);
    return va != vb ? va < vb : a.replication < b.replication;
  });
  return t;
}

void write_csv(std::ostream& os, const ResultTable& t) {
  os << "variant,replication,seed,events";
  for (std::size_t k = 0; k < t.keys.size(); ++k)
    os << ',' << csv_field(t.keys[k] + " [" + t.units[k] + "]");
  for (const auto& l : t.label_keys) os << ',' << csv_field(l);
  os << '\n';
  for (const auto& r : t.rows) {
    os << csv_field(r.variant) << ',' << r.replication << ',' << r.seed << ',' << r.events;
    for (double v : r.values) os << ',' << fmt_num(v, 17);
    for (const auto& l : r.labels) os << ',' << csv_field(l);
    os << '\n';
  }
}

nlohmann::ordered_json manifest(const ResultTable& t, const Shard& shard) {
  nlohmann::ordered_json j;
  j["scenario"] = t.scenario;
  j["file"] = t.file;
  j["seed"] = t.seed;
  j["duration_s"] = t.duration_s;
  j["warmup_s"] = t.warmup_s;
  auto& vs = j["variants"];
  vs = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < t.variants.size(); ++i) {
    vs.push_back({{"name", t.variants[i]}, {"replications", t.replications[i]}});
    // only when there are some: results of scenarios without expectations keep their bytes
    if (i < t.expect.size() && !t.expect[i].empty())
      vs.back()["expect"] = expectations_json(t.expect[i]);
  }
  j["shard"] = std::to_string(shard.k) + "/" + std::to_string(shard.n);
  j["runs_planned"] = t.runs_planned();
  j["runs_here"] = t.rows.size();
  return j;
}

std::string timeseries_file_name(std::size_t i, const std::string& name) {
  if (i == 0) return "timeseries.csv";
  std::string safe;
  for (char c : name)
    safe += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
             c == '=')
                ? c
                : '_';
  return "timeseries." + safe + ".csv";
}

ResultTable read_results(const std::string& dir) {
  std::string base;
  for (const char* name : {"sweep", "runs"}) {
    std::ifstream probe(dir + "/" + name + ".csv");
    if (probe) {
      base = dir + "/" + name;
      break;
    }
  }
  if (base.empty())
    throw UsageError("no sweep.csv or runs.csv in " + dir +
                     " (is it an output of dtwin run or "
                     "dtwin sweep?)");
  ResultTable t;
  {
    const std::string mf = base + ".json";
    std::ifstream in(mf);
    if (!in) throw UsageError("cannot read " + mf + ": it should sit beside " + base + ".csv");
    nlohmann::json j;
    try {
      in >> j;
      t.scenario = j.at("scenario").get<std::string>();
      t.file = j.at("file").get<std::string>();
      t.seed = j.at("seed").get<std::uint64_t>();
      t.duration_s = j.at("duration_s").get<double>();
      t.warmup_s = j.at("warmup_s").get<double>();
      for (const auto& v : j.at("variants")) {
        t.variants.push_back(v.at("name").get<std::string>());
        t.replications.push_back(v.at("replications").get<std::uint32_t>());
        t.expect.push_back(v.contains("expect") ? expectations_from_json(v.at("expect"))
                                                : std::vector<Expectation>{});
      }
    } catch (const nlohmann::json::exception& e) {
      throw UsageError(mf + ": not a dtwin manifest (" + std::string(e.what()) + ")");
    }
  }
  const std::string csv = base + ".csv";
  std::ifstream in(csv);
  std::string line;
  std::vector<std::string> f;
  int lineno = 1;
  auto bad = [&](const std::string& what) {
    throw UsageError(csv + ":" + std::to_string(lineno) + ": " + what);
  };
  if (!std::getline(in, line) || !csv_split(line, f) || f.size() < 4 || f[0] != "variant")
    bad("expected the header \"variant,replication,seed,events,...\"");
  std::vector<bool> is_metric;
  for (std::size_t i = 4; i < f.size(); ++i) {
    const auto open = f[i].rfind(" [");
    if (open != std::string::npos && f[i].back() == ']') {
      t.keys.push_back(f[i].substr(0, open));
      t.units.push_back(f[i].substr(open + 2, f[i].size() - open - 3));
      is_metric.push_back(true);
    } else {
      t.label_keys.push_back(f[i]);
      is_metric.push_back(false);
    }
  }
  const std::size_t cols = f.size();
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty()) continue;
    if (!csv_split(line, f) || f.size() != cols)
      bad("expected " + std::to_string(cols) + " fields, got " + std::to_string(f.size()));
    RunRow r;
    r.variant = f[0];
    if (t.variant_index(r.variant) == std::string::npos)
      bad("variant \"" + r.variant + "\" is not in the manifest");
    try {
      r.replication = static_cast<std::uint32_t>(std::stoul(f[1]));
      r.seed = std::stoull(f[2]);
      r.events = std::stoull(f[3]);
      for (std::size_t i = 4; i < cols; ++i) {
        if (is_metric[i - 4])
          r.values.push_back(f[i] == "nan" ? kNaN : std::stod(f[i]));
        else
          r.labels.push_back(f[i]);
      }
    } catch (const std::exception&) {
      bad("expected numbers in the replication, seed, events and metric columns");
    }
    t.rows.push_back(std::move(r));
  }
  return t;
}

ResultTable merge(const std::vector<ResultTable>& parts) {
  if (parts.empty()) throw UsageError("nothing to merge");
  ResultTable t = parts[0];
  t.rows.clear();
  std::map<std::pair<std::string, std::uint32_t>, const RunRow*> seen;
  for (const auto& p : parts) {
    if (p.scenario != t.scenario || p.seed != t.seed || p.variants != t.variants ||
        p.replications != t.replications || p.expect != t.expect)
      throw UsageError(
          "cannot merge results of different scenarios, seeds, variant sets or expectations (\"" +
          t.scenario + "\" seed " + std::to_string(t.seed) + " vs \"" + p.scenario + "\" seed " +
          std::to_string(p.seed) + ")");
    if (p.keys != t.keys || p.label_keys != t.label_keys)
      throw UsageError("cannot merge results with different metric columns");
    for (const auto& r : p.rows) {
      auto key = std::make_pair(r.variant, r.replication);
      auto it = seen.find(key);
      if (it != seen.end()) {
        const RunRow& o = *it->second;
        bool same = o.labels == r.labels && o.events == r.events;
        for (std::size_t i = 0; same && i < r.values.size(); ++i)
          same = (std::isnan(o.values[i]) && std::isnan(r.values[i])) || o.values[i] == r.values[i];
        if (!same)
          throw UsageError("run " + r.variant + " #" + std::to_string(r.replication) +
                           " appears twice with different results");
        continue;
      }
      seen[key] = &r;
      t.rows.push_back(r);
    }
  }
  std::stable_sort(t.rows.begin(), t.rows.end(), [&](const RunRow& a, const RunRow& b) {
    const auto va = t.variant_index(a.variant), vb = t.variant_index(b.variant);
    return va != vb ? va < vb : a.replication < b.replication;
  });
  return t;
}

namespace {
// A product's KPI, "products.<name>.<kpi>": the position of the dot before <kpi>, else npos.
constexpr std::string_view kProducts = "products.";
std::size_t product_kpi(const std::string& key) {
  if (key.compare(0, kProducts.size(), kProducts) != 0) return std::string::npos;
  const auto dot = key.rfind('.');
  return dot >= kProducts.size() ? dot : std::string::npos;
}
}  // namespace

nlohmann::ordered_json make_report(const ResultTable& t) {
  nlohmann::ordered_json j;
  j["dtwin"] = {{"version", DTWIN_VERSION}, {"report_format", 1}};
  j["scenario"] = {{"name", t.scenario},
                   {"file", t.file},
                   {"seed", t.seed},
                   {"duration_s", t.duration_s},
                   {"warmup_s", t.warmup_s}};
  j["confidence"] =
      "95% Student-t intervals over replications; deltas are paired by replication "
      "(common random numbers)";
  auto& units = j["units"];
  units = nlohmann::ordered_json::object();
  for (std::size_t k = 0; k < t.keys.size(); ++k) {
    const auto dot = t.keys[k].rfind('.');
    units[dot == std::string::npos ? t.keys[k] : t.keys[k].substr(dot + 1)] = t.units[k];
  }
  const auto base_rows =
      t.variants.empty() ? std::vector<const RunRow*>{} : rows_of(t, t.variants[0]);
  auto& vj = j["variants"];
  vj = nlohmann::ordered_json::object();
  for (std::size_t vi = 0; vi < t.variants.size(); ++vi) {
    const auto rows = rows_of(t, t.variants[vi]);
    if (rows.empty()) continue;
    nlohmann::ordered_json v;
    v["runs"] = rows.size();
    v["replications_planned"] = t.replications[vi];
    nlohmann::ordered_json kpis = nlohmann::ordered_json::object();
    nlohmann::ordered_json twins = nlohmann::ordered_json::object();
    nlohmann::ordered_json dk = nlohmann::ordered_json::object();
    nlohmann::ordered_json dt = nlohmann::ordered_json::object();
    nlohmann::ordered_json prods = nlohmann::ordered_json::object();  // a line's products
    nlohmann::ordered_json dp = nlohmann::ordered_json::object();
    for (std::size_t k = 0; k < t.keys.size(); ++k) {
      Welford w, d;
      for (const auto* r : rows) {
        w.add(r->values[k]);
        if (vi > 0)
          for (const auto* b : base_rows)
            if (b->replication == r->replication) d.add(r->values[k] - b->values[k]);
      }
      const std::string& key = t.keys[k];
      const auto dot = key.find('.');
      const auto sub = product_kpi(key);
      if (dot == std::string::npos) {
        kpis[key] = stat_json(summarize(w));
        if (vi > 0) dk[key] = stat_json(summarize(d));
      } else if (sub != std::string::npos) {
        prods[key.substr(kProducts.size(), sub - kProducts.size())][key.substr(sub + 1)] =
            stat_json(summarize(w));
        if (vi > 0)
          dp[key.substr(kProducts.size(), sub - kProducts.size())][key.substr(sub + 1)] =
              stat_json(summarize(d));
      } else {
        twins[key.substr(0, dot)][key.substr(dot + 1)] = stat_json(summarize(w));
        if (vi > 0) dt[key.substr(0, dot)][key.substr(dot + 1)] = stat_json(summarize(d));
      }
    }
    v["kpis"] = std::move(kpis);
    v["twins"] = std::move(twins);
    if (!prods.empty()) v["products"] = std::move(prods);
    // findings (the bottleneck): the value named most often across replications
    for (const std::size_t l : finding_columns(t)) {
      const Mode m = mode_of(rows, l);
      const std::size_t method = finding_method(t, l);
      nlohmann::ordered_json b;
      b["id"] = m.value;
      b["method"] = rows.empty() ? std::string() : rows[0]->labels[method];
      b["share"] =
          rows.empty() ? 0.0 : static_cast<double>(m.count) / static_cast<double>(rows.size());
      b["counts"] = m.counts;
      v[t.label_keys[l]] = std::move(b);
    }
    if (vi > 0) {
      v["delta_vs_baseline"] = {{"kpis", std::move(dk)}, {"twins", std::move(dt)}};
      if (!dp.empty()) v["delta_vs_baseline"]["products"] = std::move(dp);
    }
    vj[t.variants[vi]] = std::move(v);
  }
  return j;
}

std::string comparison_text(const ResultTable& t, const std::vector<std::string>& headline) {
  std::ostringstream os;
  std::uint32_t reps = t.replications.empty() ? 0 : t.replications[0];
  os << (t.scenario.empty() ? t.file : t.scenario) << ": " << reps << " replication"
     << (reps == 1 ? "" : "s") << " of " << format_duration(t.duration_s - t.warmup_s)
     << (t.warmup_s > 0 ? " after a " + format_duration(t.warmup_s) + " warm-up" : "") << "\n";

  const std::vector<std::size_t> cols = headline_columns(t.keys, headline);
  const std::vector<std::size_t> findings = finding_columns(t);

  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> head = {"variant"};
  for (auto k : cols) {
    head.push_back(t.keys[k] + " [" + t.units[k] + "]");
    head.push_back("Δ vs baseline");
  }
  for (const std::size_t l : findings) head.push_back(t.label_keys[l]);
  cells.push_back(head);
  const auto base_rows =
      t.variants.empty() ? std::vector<const RunRow*>{} : rows_of(t, t.variants[0]);
  for (std::size_t vi = 0; vi < t.variants.size(); ++vi) {
    const auto rows = rows_of(t, t.variants[vi]);
    if (rows.empty()) continue;
    std::vector<std::string> line = {t.variants[vi]};
    for (auto k : cols) {
      Welford w, d;
      for (const auto* r : rows) {
        w.add(r->values[k]);
        for (const auto* b : base_rows)
          if (vi > 0 && b->replication == r->replication) d.add(r->values[k] - b->values[k]);
      }
      const Summary s = summarize(w);
      const int dec = decimals_for(s.half_width(), s.mean);
      std::string c = fmt_fixed(s.mean, dec);
      if (s.n >= 2) c += " ± " + fmt_fixed(s.half_width(), dec);
      line.push_back(c);
      if (vi == 0 || d.n() == 0) {
        line.push_back("");
      } else {
        const Summary ds = summarize(d);
        std::string dc = (ds.mean >= 0 ? "+" : "") + fmt_fixed(ds.mean, dec);
        if (ds.n >= 2) {
          dc += " ± " + fmt_fixed(ds.half_width(), dec);
          if (ds.lo > 0 || ds.hi < 0) dc += " *";
        }
        line.push_back(dc);
      }
    }
    for (const std::size_t l : findings) {
      const Mode m = mode_of(rows, l);
      line.push_back(m.value + " (" + std::to_string(m.count) + "/" + std::to_string(rows.size()) +
                     ")");
    }
    cells.push_back(line);
  }
  std::vector<std::size_t> width(head.size(), 0);
  for (const auto& row : cells)
    for (std::size_t c = 0; c < row.size(); ++c) {
      std::size_t n = 0;
      for (unsigned char ch : row[c])
        if ((ch & 0xC0) != 0x80) ++n;
      width[c] = std::max(width[c], n);
    }
  for (std::size_t r = 0; r < cells.size(); ++r) {
    for (std::size_t c = 0; c < cells[r].size(); ++c) {
      os << pad(cells[r][c], width[c],
                c > 0 && r > 0 && !cells[r][c].empty() && c < 1 + 2 * cols.size());
      if (c + 1 < cells[r].size()) os << "  ";
    }
    os << "\n";
  }
  // the legend of ± and Δ only when there are intervals: a table of single runs has none
  bool replicated = false;
  for (std::size_t vi = 0; vi < t.variants.size() && !replicated; ++vi)
    replicated = rows_of(t, t.variants[vi]).size() >= 2;
  if (replicated)
    os << "± : 95% confidence half-width over replications. Δ : paired difference from the "
          "baseline\n(same random numbers per replication); * : the interval excludes 0.\n";
  return os.str();
}

}  // namespace dtwin
