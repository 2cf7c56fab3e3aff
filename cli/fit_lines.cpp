// dtwin fit for lines: each machine's processing, setup, failure and repair times from the
// plant's history (twins/line/calibrate.hpp), a merge patch, a report, and a validation: the
// calibrated scenario simulated over the log's period against the throughput observed.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "engine/base/calendar.hpp"
#include "engine/base/error.hpp"
#include "engine/live/settings.hpp"
#include "engine/run/results.hpp"
#include "engine/run/runner.hpp"
#include "engine/scenario/scenario.hpp"
#include "engine/sim/stats.hpp"
#include "engine/store/mirror_store.hpp"
#include "twins/line/calibrate.hpp"
#include "twins/register.hpp"

namespace dtwin::cli {

namespace {

using line::LogRow;

// Seconds: a number, or an ISO 8601 date-time in UTC ("2026-03-01T06:00:00", an optional
// fraction of a second and Z).
bool parse_time(const std::string& s, double& out) {
  char* end = nullptr;
  const double x = std::strtod(s.c_str(), &end);
  if (!s.empty() && end == s.c_str() + s.size() && std::isfinite(x)) {
    out = x;
    return true;
  }
  std::string_view t = s;
  if (!t.empty() && t.back() == 'Z') t.remove_suffix(1);
  double fraction = 0;
  if (const auto dot = t.find('.'); dot != std::string_view::npos && dot >= 19) {
    const std::string frac = "0" + std::string(t.substr(dot));
    char* fend = nullptr;
    fraction = std::strtod(frac.c_str(), &fend);
    if (fend != frac.c_str() + frac.size() || frac.size() < 3) return false;
    t = t.substr(0, dot);
  }
  if (!parse_iso_local(t, &out)) return false;
  out += fraction;
  return true;
}

nlohmann::json parse_value(const std::string& s) {
  char* end = nullptr;
  const double x = std::strtod(s.c_str(), &end);
  if (!s.empty() && end == s.c_str() + s.size() && std::isfinite(x)) return x;
  if (s == "true") return true;
  if (s == "false") return false;
  return s;
}

// The event log CSV: a header naming time (or time_s), twin, property and value, in any order.
std::vector<LogRow> read_events(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UsageError("--events: cannot read " + path);
  std::string line;
  if (!std::getline(in, line)) throw UsageError(path + ":1: empty file (expected a header)");
  std::vector<std::string> head, f;
  if (!csv_split(line, head)) throw UsageError(path + ":1: a quote left open");
  int ct = -1, cw = -1, cp = -1, cv = -1;
  for (std::size_t i = 0; i < head.size(); ++i) {
    const std::string& h = head[i];
    const int k = static_cast<int>(i);
    if (h == "time" || h == "time_s") ct = k;
    if (h == "twin") cw = k;
    if (h == "property" || h == "prop") cp = k;
    if (h == "value") cv = k;
  }
  if (ct < 0 || cw < 0 || cp < 0 || cv < 0)
    throw UsageError(path +
                     ":1: expected a header with the columns time (or time_s), twin, property "
                     "and value, got \"" +
                     line.substr(0, 120) + "\"");
  std::vector<LogRow> rows;
  std::size_t n = 1;
  const auto need = static_cast<std::size_t>(std::max({ct, cw, cp, cv})) + 1;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line == "\r") continue;
    if (!csv_split(line, f))
      throw UsageError(path + ":" + std::to_string(n) + ": a quote left open");
    if (f.size() < need)
      throw UsageError(path + ":" + std::to_string(n) + ": expected " + std::to_string(need) +
                       " columns, got " + std::to_string(f.size()));
    LogRow r;
    if (!parse_time(f[static_cast<std::size_t>(ct)], r.t))
      throw UsageError(path + ":" + std::to_string(n) + ": time \"" +
                       f[static_cast<std::size_t>(ct)] +
                       "\": expected seconds or an ISO 8601 date-time (2026-03-01T06:00:00Z)");
    r.twin = f[static_cast<std::size_t>(cw)];
    r.prop = f[static_cast<std::size_t>(cp)];
    r.value = parse_value(f[static_cast<std::size_t>(cv)]);
    rows.push_back(std::move(r));
  }
  return rows;
}

// The store's reported history of the twins named, at plant time: (source time - the first) x
// the scenario's live speed (1 for a real plant; an emulated one runs faster).
std::vector<LogRow> read_store(const std::string& path, const std::vector<std::string>& twins,
                               double speed) {
  StoreOptions so;
  so.read_only = true;
  MirrorStore store;
  store.open(path, so);
  std::vector<LogRow> rows;
  for (const auto& id : twins)
    for (const auto& h : store.history(id, "")) {
      if (h.kind != HistoryKind::Reported || !std::isfinite(h.source_time)) continue;
      LogRow r;
      r.t = h.source_time;
      r.twin = h.twin;
      r.prop = h.prop;
      r.value = nlohmann::json::parse(h.value, nullptr, false);
      if (r.value.is_discarded()) continue;
      rows.push_back(std::move(r));
    }
  double t0 = 1e300;
  for (const auto& r : rows) t0 = std::min(t0, r.t);
  for (auto& r : rows) r.t = (r.t - t0) * speed;
  return rows;
}

std::string num(double x) {
  std::ostringstream s;
  s << std::setprecision(4) << x;
  return s.str();
}

std::string describe_fit(const SampleFit& f) {
  const FamilyFit& b = f.best();
  std::string s = Distribution::kind_name(b.kind);
  s += "(";
  for (std::size_t i = 0; i < b.estimates.size(); ++i) {
    const auto& e = b.estimates[i];
    s += (i ? ", " : "") + e.name + " " + num(e.value);
    if (e.hi > e.lo) s += " [" + num(e.lo) + ", " + num(e.hi) + "]";
  }
  s += "), n " + std::to_string(f.n);
  if (f.censored) s += " (" + std::to_string(f.censored) + " censored)";
  if (b.kind != Distribution::Kind::Constant) s += ", KS p " + num(b.ks_p);
  if (f.families.size() > 1)
    s += ", AIC " + num(b.aic) + " vs " + Distribution::kind_name(f.families[1].kind) + " " +
         num(f.families[1].aic);
  return s;
}

}  // namespace

int fit_lines(const FitOptions& o) {
  const Scenario sc = Scenario::load(o.file);
  Registry reg;
  twins::register_all(reg);
  const nlohmann::json& doc = sc.doc().value;
  // the machines, and what feeds the sinks (the line's output when the log has no "line" twin)
  std::vector<std::string> machines;
  std::set<std::string> sinks;
  for (const auto& [id, t] : doc.at("twins").items()) {
    const std::string kind = t.value("kind", std::string());
    if (kind == "machine" || kind == "assembly") machines.push_back(id);
    if (kind == "sink") sinks.insert(id);
  }
  if (machines.empty()) throw UsageError(o.file + ": no machine to calibrate (dtwin fit --events)");
  std::set<std::string> last;
  if (doc.contains("flow"))
    for (const auto& e : doc["flow"])
      if (e.is_array() && e.size() >= 2 && e[0].is_string() && e[1].is_string() &&
          sinks.count(e[1].get<std::string>()))
        last.insert(e[0].get<std::string>());

  std::vector<LogRow> rows;
  std::string source;
  if (!o.events.empty()) {
    rows = read_events(o.events);
    source = o.events;
  } else {
    std::vector<std::string> ids = machines;
    ids.push_back("line");
    rows = read_store(o.store, ids, parse_live(sc).speed);
    source = o.store;
  }
  if (rows.empty()) throw UsageError(source + ": no rows");
  const auto by_time = [](const LogRow& a, const LogRow& b) { return a.t < b.t; };
  if (!std::is_sorted(rows.begin(), rows.end(), by_time))
    std::stable_sort(rows.begin(), rows.end(), by_time);
  const double t0 = rows.front().t, t_end = rows.back().t;
  for (auto& r : rows) r.t -= t0;
  const double span = t_end - t0;
  if (!(span > 0)) throw UsageError(source + ": the log spans no time");
  const std::size_t n_rows = rows.size();
  std::map<std::string, std::vector<LogRow>> by_twin;
  {
    std::map<std::string, std::size_t> count;
    for (const auto& r : rows) ++count[r.twin];
    for (const auto& [id, n] : count) by_twin[id].reserve(n);
  }
  for (auto& r : rows) by_twin[r.twin].push_back(std::move(r));
  rows.clear();
  rows.shrink_to_fit();

  nlohmann::json patch_twins = nlohmann::json::object(), report_machines = nlohmann::json::array();
  if (!o.quiet)
    std::cout << "log " << source << ": " << n_rows << " rows over " << num(span / 3600) << " h\n";
  for (const auto& id : machines) {
    const auto it = by_twin.find(id);
    if (it == by_twin.end()) {
      if (!o.quiet) std::cout << id << ": no rows in the log\n";
      continue;
    }
    line::MachineFit f = line::fit_machine(line::machine_samples(id, it->second, span));
    line::fit_health(f, it->second, doc["twins"][id]);
    const nlohmann::json p = line::machine_patch(f, doc["twins"][id]);
    if (!p.is_null()) patch_twins[id] = p;
    report_machines.push_back(f.to_json());
    if (o.quiet) continue;
    std::cout << id << ": " << f.data.parts << " parts, " << f.data.failures << " failures, "
              << num(f.data.working_s / 3600) << " h working\n";
    if (f.process) std::cout << "  process  " << describe_fit(*f.process) << "\n";
    for (const auto& [name, pf] : f.process_by)
      std::cout << "    " << name << "  " << describe_fit(pf) << "\n";
    if (f.setup) std::cout << "  setup    " << describe_fit(*f.setup) << "\n";
    for (const auto& [pair, cf] : f.changeover)
      std::cout << "    " << pair << "  " << describe_fit(cf) << "\n";
    if (f.ttf) std::cout << "  ttf      " << describe_fit(*f.ttf) << "\n";
    if (f.ttr) std::cout << "  ttr      " << describe_fit(*f.ttr) << "\n";
    if (f.scrap)
      std::cout << "  scrap    " << num(f.scrap->value) << " [" << num(f.scrap->lo) << ", "
                << num(f.scrap->hi) << "], " << f.data.rejects << " rejects of "
                << f.data.parts + f.data.rejects << " parts\n";
    if (f.health) {
      const auto ph = f.health->per_hour(f.health_step_h);
      std::cout << "  health   " << f.health->k << " states from " << f.health_samples << " "
                << f.health_signal << " samples in " << f.health_lives << " lives (Baum-Welch, "
                << f.health->iterations << " iterations): stay per h";
      for (std::size_t i = 0; i + 1 < ph.size(); ++i) std::cout << " " << num(ph[i][i]);
      std::cout << "; signal " << num(f.health->base) << " + " << num(f.health->slope)
                << " x state, sd " << num(f.health->sd) << "\n";
    }
    for (const auto& n : f.notes) std::cout << "  note: " << n << "\n";
  }
  const nlohmann::json patch = {{"twins", patch_twins}};

  // observed throughput: the line twin's output, else the parts of the machines before a sink
  double observed = std::nan("");
  const auto gain = [&](const std::string& twin, const std::string& prop) {
    const auto it = by_twin.find(twin);
    double first = std::nan(""), lastv = std::nan("");
    if (it != by_twin.end())
      for (const auto& r : it->second)
        if (r.prop == prop && r.value.is_number()) {
          if (std::isnan(first)) first = r.value.get<double>();
          lastv = r.value.get<double>();
        }
    return lastv - first;
  };
  if (by_twin.count("line")) {
    observed = gain("line", "output");
  } else if (!last.empty()) {
    observed = 0;
    for (const auto& m : last) observed += gain(m, "parts");
  }
  const double observed_per_h = observed / (span / 3600);

  nlohmann::json validation = nullptr;
  if (!o.no_validate && std::isfinite(observed_per_h)) {
    nlohmann::json calibrated = doc;
    calibrated.merge_patch(patch);
    calibrated["duration"] = span;
    calibrated.erase("warmup");
    calibrated["replications"] = o.replications;
    if (o.seed >= 0) calibrated["seed"] = o.seed;
    const Scenario cs = Scenario::parse(calibrated.dump(2), o.file + " (calibrated)");
    const std::vector<CompiledVariant> vs{cs.compile(0, reg)};
    const auto results = run_all(vs, plan_runs(vs), 0, nullptr, nullptr);
    Welford thr;
    for (const auto& r : results)
      if (const auto* m = r.metrics.find("throughput_per_h")) thr.add(m->value);
    if (thr.n() >= 2) {
      const double mean = thr.mean(), sd = thr.sd();
      const double n = static_cast<double>(thr.n());
      const double t = t975(thr.n() - 1);
      const double half_ci = t * sd / std::sqrt(n);
      const double half_pi = t * sd * std::sqrt(1 + 1 / n);
      const bool inside = std::fabs(observed_per_h - mean) <= half_pi;
      validation = {{"observed_throughput_per_h", observed_per_h},
                    {"simulated_throughput_per_h",
                     {{"mean", mean}, {"ci95", {mean - half_ci, mean + half_ci}}}},
                    {"prediction_interval95", {mean - half_pi, mean + half_pi}},
                    {"replications", thr.n()},
                    {"consistent", inside}};
      if (!o.quiet)
        std::cout << "validation over the log's " << num(span / 3600) << " h, " << thr.n()
                  << " runs: observed " << num(observed_per_h) << " parts/h, calibrated model "
                  << num(mean) << " parts/h (95 % CI " << num(mean - half_ci) << " to "
                  << num(mean + half_ci) << "; a single run falls within " << num(mean - half_pi)
                  << " to " << num(mean + half_pi)
                  << "): " << (inside ? "consistent" : "NOT consistent") << "\n";
    }
  }
  if (!o.out.empty()) {
    std::ofstream f(o.out);
    f << patch.dump(2) << "\n";
    if (!f) throw UsageError("--out: cannot write " + o.out);
    if (!o.quiet)
      std::cout << "patch: " << o.out << " (dtwin run " << o.file << " --patch " << o.out << ")\n";
  } else if (!o.quiet) {
    std::cout << "patch:\n" << patch.dump(2) << "\n";
  }
  if (!o.report.empty()) {
    const nlohmann::json rep = {
        {"scenario", o.file},
        {"data", {{"source", source}, {"rows", n_rows}, {"span_s", span}}},
        {"machines", report_machines},
        {"patch", patch},
        {"validation", validation},
        {"notes",
         {"Kolmogorov-Smirnov p-values are computed with parameters estimated from the same "
          "data: they are conservative (too large).",
          "The log is taken to start with machines as good as new and parts in hand left out."}}};
    std::ofstream f(o.report);
    f << rep.dump(2) << "\n";
    if (!f) throw UsageError("--report: cannot write " + o.report);
  }
  return 0;
}

}  // namespace dtwin::cli
