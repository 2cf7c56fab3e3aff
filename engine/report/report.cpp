#include "engine/report/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "engine/base/calendar.hpp"
#include "engine/base/error.hpp"
#include "engine/base/format.hpp"
#include "engine/report/assets.hpp"
#include "engine/run/results.hpp"
#include "engine/run/verdict.hpp"

namespace dtwin {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

bool glob_match(const std::string& pattern, const std::string& text) {
  // iterative matcher with one backtrack point: linear in practice, no recursion
  std::size_t p = 0, s = 0, star = std::string::npos, mark = 0;
  while (s < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = s;
    } else if (p < pattern.size() && pattern[p] == text[s]) {
      ++p;
      ++s;
    } else if (star != std::string::npos) {
      p = star + 1;
      s = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw UsageError("cannot read " + p.string());
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

// A number as the page needs it: 6 significant digits, null when missing.
void put_number(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[32];
  const int n = std::snprintf(buf, sizeof buf, "%.6g", v);
  out.append(buf, static_cast<std::size_t>(n));
}

bool parse_double(const std::string& s, double* v) {
  if (s.empty()) return false;
  char* end = nullptr;
  *v = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

// The unit a time-series column's name ends with ("b1.level_parts", "gh.air.temp_c"), for the
// axis and for grouping columns into charts; longest suffix first.
struct UnitSuffix {
  const char* suffix;
  const char* unit;
};
const UnitSuffix kUnits[] = {
    {"_parts_h", "parts/h"},
    {"_mg_m3", "mg/m³"},
    {"_mg_m2", "mg/m²"},
    {"_mj_m2", "MJ/m²"},
    {"_kg_m2", "kg/m²"},
    {"_l_m2", "L/m²"},
    {"_w_m2", "W/m²"},
    {"_c_d", "°C·d"},
    {"_kwh", "kWh"},
    {"_parts", "parts"},
    {"_ppm", "ppm"},
    {"_pa", "Pa"},
    {"_pct", "%"},
    {"_c", "°C"},
    {"_s", "s"},
    {"_h", "h"},
    {"_m", "m"},
    {"_1", "1"},
    {"_mol_m2_d", "mol/m²/d"},
    {"_frac", "1"},
    {"_deg", "°"},
    {"_kw", "kW"},
    {"_m_s", "m/s"},
    {"_umol_m2_s", "µmol/m²/s"},
    {"_pairs", "pairs"},
    {"_wh", "Wh"},
    {"_kg_m3", "kg/m³"},
    {"_m3_m2", "m³/m²"},
    {"_kwh_m2", "kWh/m²"},
    {"_mol_m2", "mol/m²"},
};

std::string unit_of_column(const std::string& name) {
  const auto dot = name.rfind('.');
  const std::string last = dot == std::string::npos ? name : name.substr(dot + 1);
  std::string best;
  std::size_t best_len = 0;
  for (const auto& u : kUnits) {
    const std::string suf = u.suffix;
    if (last.size() > suf.size() && suf.size() > best_len &&
        last.compare(last.size() - suf.size(), suf.size(), suf) == 0) {
      best = u.unit;
      best_len = suf.size();
    }
  }
  return best;
}

struct SeriesFile {
  std::string variant, file;
  bool calendar = false;
  double t0_ms = 0;
  std::vector<double> t;
  std::vector<std::string> names;
  std::vector<std::vector<double>> values;  // numeric columns only
  std::size_t rows() const { return t.size(); }
};

SeriesFile read_series(const fs::path& p, const std::string& variant) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw UsageError("cannot read " + p.string());
  SeriesFile f;
  f.variant = variant;
  f.file = p.filename().string();
  std::string line;
  if (!std::getline(in, line)) throw UsageError(p.string() + ": empty, expected a CSV header");
  std::vector<std::string> header, cells;
  if (!csv_split(line, header))
    throw UsageError(p.string() + ":1: a quote is left open in the header");
  if (header.empty() || header[0] != "time_s")
    throw UsageError(p.string() + ":1: expected the header to start with time_s");
  const std::size_t first = header.size() > 1 && header[1] == "time" ? 2 : 1;
  f.calendar = first == 2;
  const std::size_t ncol = header.size() - first;
  std::vector<std::vector<double>> cols(ncol);
  std::vector<bool> numeric(ncol, true);
  std::size_t lineno = 1;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty()) continue;
    if (!csv_split(line, cells) || cells.size() != header.size())
      throw UsageError(p.string() + ":" + std::to_string(lineno) + ": " +
                       std::to_string(cells.size()) + " cells, the header has " +
                       std::to_string(header.size()));
    double t = 0;
    if (!parse_double(cells[0], &t))
      throw UsageError(p.string() + ":" + std::to_string(lineno) + ":1: expected a time in s");
    if (f.calendar && f.t.empty()) {  // the calendar time of time 0, in milliseconds
      double s0 = 0;
      if (!parse_iso_local(cells[1], &s0))
        throw UsageError(p.string() + ":" + std::to_string(lineno) +
                         ":2: expected a date-time such as 2023-09-27T00:00:00");
      f.t0_ms = (s0 - t) * 1000.0;
    }
    f.t.push_back(t);
    for (std::size_t c = 0; c < ncol; ++c) {
      double v = NAN;
      const std::string& cell = cells[first + c];
      if (!parse_double(cell, &v) && !cell.empty() && cell != "nan") numeric[c] = false;
      cols[c].push_back(v);
    }
  }
  for (std::size_t c = 0; c < ncol; ++c)
    if (numeric[c]) {
      f.names.push_back(header[first + c]);
      f.values.push_back(std::move(cols[c]));
    }
  return f;
}

// "a.b=1.5,c.d=800" (a sweep's grid point) as {"a.b": 1.5, "c.d": 800}; null otherwise
ojson params_of(const std::string& name) {
  ojson p = ojson::object();
  std::stringstream ss(name);
  std::string part;
  while (std::getline(ss, part, ',')) {
    const auto eq = part.find('=');
    double v = 0;
    if (eq == std::string::npos || eq == 0 || !parse_double(part.substr(eq + 1), &v))
      return nullptr;
    p[part.substr(0, eq)] = v;
  }
  return p.empty() ? ojson(nullptr) : p;
}

ojson stat_array(const ojson* s) {
  if (!s || !s->is_object()) return nullptr;
  ojson a = ojson::array();
  a.push_back((*s)["mean"]);
  const auto& ci = (*s)["ci95"];
  a.push_back(ci.is_array() && ci.size() == 2 ? ci[0] : ojson(nullptr));
  a.push_back(ci.is_array() && ci.size() == 2 ? ci[1] : ojson(nullptr));
  a.push_back((*s)["n"]);
  return a;
}

const ojson* stat_at(const ojson& v, const std::string& key) {
  const auto dot = key.find('.');
  if (dot == std::string::npos) {
    auto k = v.find("kpis");
    if (k == v.end()) return nullptr;
    auto s = k->find(key);
    return s == k->end() ? nullptr : &*s;
  }
  auto tw = v.find("twins");
  if (tw == v.end()) return nullptr;
  auto one = tw->find(key.substr(0, dot));
  if (one == tw->end()) return nullptr;
  auto s = one->find(key.substr(dot + 1));
  return s == one->end() ? nullptr : &*s;
}

// JSON inside <script>: "</" would end the element early
std::string script_safe(const std::string& json) {
  std::string out;
  out.reserve(json.size() + 16);
  for (std::size_t i = 0; i < json.size(); ++i) {
    if (json[i] == '<' && i + 1 < json.size() && (json[i + 1] == '/' || json[i + 1] == '!')) {
      out += "\\u003c";
      continue;
    }
    out += json[i];
  }
  return out;
}

}  // namespace

std::string make_html_report(const ReportOptions& o, ReportInfo* info) {
  const fs::path dir(o.dir);
  if (!fs::is_directory(dir))
    throw UsageError(o.dir + ": no such directory (expected the output of dtwin run or sweep)");
  const ResultTable t = read_results(o.dir);
  const ojson rep = make_report(t);
  const bool sweep = fs::exists(dir / "sweep.csv");

  ojson meta;
  meta["title"] = t.scenario.empty() ? t.file : t.scenario;
  meta["file"] = t.file;
  meta["seed"] = t.seed;
  meta["duration_s"] = t.duration_s;
  meta["warmup_s"] = t.warmup_s;
  meta["version"] = DTWIN_VERSION;
  meta["source"] = sweep ? "sweep" : "run";
  meta["confidence"] = rep.value("confidence", std::string());

  const ojson& vj = rep["variants"];
  ojson variants = ojson::array();
  for (std::size_t vi = 0; vi < t.variants.size(); ++vi) {
    std::size_t runs = 0;
    for (const auto& r : t.rows) runs += r.variant == t.variants[vi];
    variants.push_back({{"name", t.variants[vi]},
                        {"runs", runs},
                        {"planned", t.replications[vi]},
                        {"params", params_of(t.variants[vi])}});
  }
  meta["variants"] = std::move(variants);

  // the terminal's headline KPIs; for a plant without plant-wide ones (a cell, a greenhouse:
  // its first four metrics) also each twin's energy and cost, which a manager asks for
  ojson headline = ojson::array();
  const auto shown = headline_columns(t.keys, headline_kpis());
  for (const auto k : shown) headline.push_back(t.keys[k]);
  const bool plant_wide = std::any_of(shown.begin(), shown.end(), [&](std::size_t k) {
    return t.keys[k].find('.') == std::string::npos;
  });
  if (!plant_wide)
    for (std::size_t k = 0; k < t.keys.size() && headline.size() < 8; ++k) {
      const std::string last = t.keys[k].substr(t.keys[k].rfind('.') + 1);
      if ((last == "energy_kwh" || last == "energy_per_cycle_wh" || last == "cost") &&
          std::find(shown.begin(), shown.end(), k) == shown.end())
        headline.push_back(t.keys[k]);
    }
  meta["headline"] = std::move(headline);

  ojson keys = ojson::array(), stats = ojson::object(), deltas = ojson::object();
  for (std::size_t k = 0; k < t.keys.size(); ++k) {
    const std::string& key = t.keys[k];
    keys.push_back({{"key", key}, {"unit", t.units[k]}});
    ojson s = ojson::array(), d = ojson::array();
    for (const auto& name : t.variants) {
      auto v = vj.find(name);
      if (v == vj.end()) {
        s.push_back(nullptr);
        d.push_back(nullptr);
        continue;
      }
      s.push_back(stat_array(stat_at(*v, key)));
      auto dv = v->find("delta_vs_baseline");
      d.push_back(dv == v->end() ? ojson(nullptr) : stat_array(stat_at(*dv, key)));
    }
    stats[key] = std::move(s);
    deltas[key] = std::move(d);
  }
  meta["keys"] = std::move(keys);
  meta["stats"] = std::move(stats);
  meta["deltas"] = std::move(deltas);

  ojson findings = ojson::array();
  for (const std::size_t l : finding_columns(t)) {
    const std::string& key = t.label_keys[l];
    ojson f;
    f["key"] = key;
    ojson vals = ojson::array();
    std::string method;
    for (const auto& name : t.variants) {
      auto v = vj.find(name);
      if (v == vj.end() || !v->contains(key)) {
        vals.push_back(nullptr);
        continue;
      }
      const ojson& b = (*v)[key];
      if (method.empty()) method = b.value("method", std::string());
      vals.push_back({{"id", b["id"]}, {"share", b["share"]}});
    }
    f["method"] = method;
    f["values"] = std::move(vals);
    findings.push_back(std::move(f));
  }
  meta["findings"] = std::move(findings);

  ojson verdicts = ojson::array();
  for (const auto& v : judge(t)) {
    verdicts.push_back({{"variant", v.variant},
                        {"key", v.expect.key},
                        {"op", v.expect.op},
                        {"bound", v.expect.bound},
                        {"unit", v.unit},
                        {"is", v.is_text()},
                        {"passed", v.passed()},
                        {"detail", v.detail()}});
  }
  meta["verdicts"] = std::move(verdicts);
  if (fs::exists(dir / "scenario.json")) meta["scenario_json"] = read_text(dir / "scenario.json");

  // the time series: the first replication of each variant (dtwin run writes them)
  std::vector<SeriesFile> files;
  for (std::size_t vi = 0; vi < t.variants.size(); ++vi) {
    const fs::path p = dir / timeseries_file_name(vi, t.variants[vi]);
    if (fs::exists(p)) files.push_back(read_series(p, t.variants[vi]));
  }
  // which columns: those asked for, or all while they fit; then, when too many numbers, the
  // first of each unit's columns in turn until the budget is spent
  std::vector<std::string> names;
  for (const auto& f : files)
    for (const auto& n : f.names)
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  std::vector<std::string> chosen;
  if (!o.series.empty()) {
    for (const auto& pat : o.series) {
      bool any = false;
      for (const auto& n : names)
        if (glob_match(pat, n)) {
          any = true;
          if (std::find(chosen.begin(), chosen.end(), n) == chosen.end()) chosen.push_back(n);
        }
      if (!any && !files.empty())
        throw UsageError("--series " + pat + ": no time-series column matches (columns: " +
                         (names.size() > 12 ? "first 12 of " + std::to_string(names.size()) + ": "
                                            : std::string()) +
                         [&] {
                           std::string s;
                           for (std::size_t i = 0; i < names.size() && i < 12; ++i)
                             s += (i ? ", " : "") + names[i];
                           return s;
                         }() +
                         ")");
    }
  } else {
    chosen = names;
  }
  std::size_t rows_total = 0;
  for (const auto& f : files) rows_total += f.rows();
  std::vector<std::string> omitted;
  if (rows_total * chosen.size() > o.max_cells && rows_total > 0) {
    const std::size_t fit = std::max<std::size_t>(1, o.max_cells / rows_total);
    // round-robin over units so each quantity keeps its first columns
    std::map<std::string, std::vector<std::string>> by_unit;
    std::vector<std::string> unit_order;
    for (const auto& n : chosen) {
      const std::string u = unit_of_column(n);
      if (!by_unit.count(u)) unit_order.push_back(u);
      by_unit[u].push_back(n);
    }
    std::vector<std::string> keep;
    for (std::size_t round = 0; keep.size() < fit; ++round) {
      bool added = false;
      for (const auto& u : unit_order)
        if (round < by_unit[u].size() && keep.size() < fit) {
          keep.push_back(by_unit[u][round]);
          added = true;
        }
      if (!added) break;
    }
    for (const auto& n : chosen)
      if (std::find(keep.begin(), keep.end(), n) == keep.end()) omitted.push_back(n);
    std::vector<std::string> ordered;
    for (const auto& n : chosen)
      if (std::find(keep.begin(), keep.end(), n) != keep.end()) ordered.push_back(n);
    chosen = std::move(ordered);
  }
  meta["omitted_series"] = omitted;

  std::string series = "[";
  std::size_t ncols = 0;
  for (std::size_t fi = 0; fi < files.size(); ++fi) {
    const auto& f = files[fi];
    if (fi) series += ',';
    ojson head;
    head["variant"] = f.variant;
    head["file"] = f.file;
    head["calendar"] = f.calendar;
    head["t0_ms"] = f.calendar ? ojson(f.t0_ms) : ojson(nullptr);
    std::string h = head.dump();
    h.pop_back();  // reopen the object for the arrays
    series += h;
    // evenly spaced samples (every run's but the last row's, which may be the end of the run)
    // as a start and a step: a year at 5 minutes is 105,120 numbers fewer
    bool even = f.t.size() > 2;
    const double dt = even ? f.t[1] - f.t[0] : 0;
    for (std::size_t i = 1; even && i + 1 < f.t.size(); ++i)
      even = f.t[i] == f.t[0] + static_cast<double>(i) * dt;
    if (even) {
      series += ",\"t_start\":";
      put_number(series, f.t[0]);
      series += ",\"t_step\":";
      put_number(series, dt);
      series += ",\"t_last\":";
      put_number(series, f.t.back());
      series += ",\"n\":" + std::to_string(f.t.size());
    } else {
      series += ",\"t\":[";
      for (std::size_t i = 0; i < f.t.size(); ++i) {
        if (i) series += ',';
        put_number(series, f.t[i]);
      }
      series += "]";
    }
    series += ",\"columns\":[";
    bool first_col = true;
    for (std::size_t c = 0; c < f.names.size(); ++c) {
      if (std::find(chosen.begin(), chosen.end(), f.names[c]) == chosen.end()) continue;
      if (!first_col) series += ',';
      first_col = false;
      ++ncols;
      series += ojson({{"name", f.names[c]}, {"unit", unit_of_column(f.names[c])}}).dump();
      series.pop_back();
      series += ",\"values\":[";
      for (std::size_t i = 0; i < f.values[c].size(); ++i) {
        if (i) series += ',';
        put_number(series, f.values[c][i]);
      }
      series += "]}";
    }
    series += "]}";
  }
  series += "]";

  const std::string data =
      "{\"meta\":" + script_safe(meta.dump()) + ",\"series\":" + script_safe(series) + "}";

  std::string html;
  html.reserve(data.size() + report_assets::chart_js().size() + 64 * 1024);
  html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += "<meta name=\"generator\" content=\"dtwin " DTWIN_VERSION "\">\n";
  html += "<title>" + xml_escape(meta["title"].get<std::string>()) + " — dtwin report</title>\n";
  html += "<style>\n";
  html += report_assets::report_css();
  html += "</style>\n</head>\n<body data-status=\"loading\">\n";
  html +=
      "<noscript>This report draws its charts with JavaScript; the numbers are in "
      "report.json beside it.</noscript>\n";
  html += "<main id=\"report\"></main>\n<pre id=\"errors\" hidden></pre>\n";
  html += "<script id=\"dtwin-data\" type=\"application/json\">";
  html += data;
  html += "</script>\n<script>\n/* Chart.js " + std::string(report_assets::chart_js_version()) +
          " (MIT licence, https://www.chartjs.org), from Debian's libjs-chart.js */\n";
  html += report_assets::chart_js();
  html += "\n</script>\n<script>\n";
  html += report_assets::report_js();
  html += "\n</script>\n</body>\n</html>\n";

  if (info) {
    info->metrics = t.keys.size();
    info->series_files = files.size();
    info->series_columns = ncols;
    info->omitted = omitted;
  }
  return html;
}

}  // namespace dtwin
