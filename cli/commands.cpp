#include "cli/commands.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include "engine/base/calendar.hpp"
#include "engine/base/error.hpp"
#include "engine/live/alert_rules.hpp"
#include "engine/live/engine.hpp"
#include "engine/live/settings.hpp"
#include "engine/report/report.hpp"
#include "engine/run/event_log.hpp"
#include "engine/run/results.hpp"
#include "engine/run/runner.hpp"
#include "engine/run/verdict.hpp"
#include "engine/scenario/duration.hpp"
#include "engine/scenario/scenario.hpp"
#include "engine/scenario/suggest.hpp"
#include "twins/register.hpp"

namespace dtwin::cli {

namespace fs = std::filesystem;

namespace {

Registry make_registry() {
  Registry r;
  twins::register_all(r);
  return r;
}

unsigned default_jobs(unsigned jobs) {
  if (jobs > 0) return jobs;
  const unsigned hc = std::thread::hardware_concurrency();
  return hc ? hc : 1;
}

// Compiles the chosen variants, with command-line overrides applied to each.
std::vector<CompiledVariant> compile(const Scenario& sc, const Registry& reg,
                                     const std::vector<std::size_t>& which, long long seed,
                                     long long reps) {
  std::vector<CompiledVariant> out;
  for (auto i : which) {
    CompiledVariant v = sc.compile(i, reg);
    if (seed >= 0) v.settings.seed = static_cast<std::uint64_t>(seed);
    if (reps > 0) v.settings.replications = static_cast<std::uint32_t>(reps);
    out.push_back(std::move(v));
  }
  return out;
}

// The scenario, with the merge patch at `patch` (dtwin fit's) applied when one is named.
Scenario load_patched(const std::string& file, const std::string& patch) {
  Scenario sc = Scenario::load(file);
  if (!patch.empty()) sc.apply_patch(load_json_file(patch));
  return sc;
}

void make_dir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw UsageError("cannot create directory " + dir + ": " + ec.message());
}

void write_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream os(tmp, std::ios::binary);
    if (!os) throw UsageError("cannot write " + path);
    os << text;
    if (!os) throw UsageError("cannot write " + path);
  }
  fs::rename(tmp, path);  // readers never see a half-written file
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("cannot read " + path);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

// --max-events / --max-wall
Budget budget_of(unsigned long long max_events, const std::string& max_wall) {
  Budget b;
  b.max_events = max_events;
  if (!max_wall.empty() && !parse_duration_text(max_wall, &b.max_wall_s))
    throw UsageError("--max-wall: expected a duration such as 90s, 10min or 2h, got \"" + max_wall +
                     "\"");
  return b;
}

// out/<the scenario's folder>/<its file name without .json>: scenarios/line/flagship.json and
// scenarios/cell/flagship.json do not write over each other
std::string default_out(const std::string& file) {
  const fs::path p = fs::absolute(fs::path(file)).lexically_normal();
  const std::string folder = p.parent_path().filename().string();
  return "out/" + (folder.empty() ? std::string() : folder + "/") + p.stem().string();
}

// <dir>/report.html, said on stdout unless quiet
void write_report(const std::string& dir, bool quiet) {
  ReportOptions ro;
  ro.dir = dir;
  const std::string path = dir + "/report.html";
  write_file(path, make_html_report(ro));
  if (!quiet) std::cout << "wrote " << path << " (open it in a browser; it needs no network)\n";
}

// --window FROM+SPAN or FROM..TO for one variant: FROM and TO a duration from the start, or a
// date (time) on the run's calendar (`origin`, when it has one); SPAN a duration.
SeriesWindow window_of(const std::string& text, const CompiledVariant& v,
                       const std::optional<double>& origin) {
  const std::string opt = "--window " + text;
  const std::string forms =
      "expected FROM+SPAN or FROM..TO: FROM and TO a duration from the start (30d, 30d12h) or a "
      "date on the run's calendar (2023-11-01, 2023-11-01T06:00), SPAN a duration (7d)";
  auto point = [&](const std::string& p) {
    double s = 0;
    if (parse_duration_text(p, &s)) return s;
    if (parse_iso_local(p, &s)) {
      if (!origin)
        throw UsageError(opt + ": " + p +
                         " is a date, but this run has no calendar (a greenhouse's weather "
                         "\"start\" as a full date \"YYYY-MM-DD\" gives it one); give a "
                         "duration from the start, such as 30d");
      return s - *origin;
    }
    throw UsageError(opt + ": " + forms + "; \"" + p + "\" is neither a duration nor a date");
  };
  SeriesWindow w;
  const std::size_t dots = text.find("..");
  const std::size_t plus = text.rfind('+');
  if (dots != std::string::npos) {
    w.from_s = point(text.substr(0, dots));
    w.to_s = point(text.substr(dots + 2));
    if (w.to_s < w.from_s) throw UsageError(opt + ": TO is before FROM");
  } else if (plus != std::string::npos) {
    w.from_s = point(text.substr(0, plus));
    double span = 0;
    if (!parse_duration_text(text.substr(plus + 1), &span))
      throw UsageError(opt + ": " + forms + "; \"" + text.substr(plus + 1) +
                       "\" is not a duration");
    w.to_s = w.from_s + span;
  } else {
    throw UsageError(opt + ": " + forms);
  }
  const double end = v.settings.duration_s;
  if (w.from_s > end || w.to_s < 0) {
    std::string span = "0 to " + format_duration(end);
    if (origin) span += " (" + iso_local(*origin) + " to " + iso_local(*origin + end) + ")";
    throw UsageError(opt + ": outside the run" +
                     (v.name == "baseline" ? std::string() : " of variant " + v.name) +
                     ", which spans " + span);
  }
  return w;
}

}  // namespace

int cmd_validate(const std::string& file) {
  const Registry reg = make_registry();
  const Scenario sc = Scenario::load(file);
  std::size_t runs = 0, twins = 0, alerts = 0;
  for (std::size_t i = 0; i < sc.variants().size(); ++i) {
    const CompiledVariant v = sc.compile(i, reg);
    runs += v.settings.replications;
    if (i == 0) {
      for (const auto& m : v.models) {
        std::vector<TwinInfo> t;
        m->twins(t);
        twins += t.size();
      }
      parse_live(sc);  // the live member and the alert rules are checked too
      alerts = parse_alert_rules(sc, mirror_specs(v)).size();
    }
  }
  std::cout << file << ": ok: \"" << sc.name() << "\", " << twins << " twins, "
            << sc.variants().size() - 1 << " variants and sweep points, " << runs << " runs";
  if (alerts > 0) std::cout << ", " << alerts << " alert rules";
  std::cout << "\n";
  return 0;
}

namespace {
// The scenario's expectations judged on `t`: the verdicts printed (those that did not hold on
// stderr when quiet), JUnit XML written when asked; exit status 4 when any did not hold.
int judged(const ResultTable& t, const JsonDoc* doc, const std::string& junit, bool quiet) {
  const auto verdicts = judge(t, doc);
  if (!junit.empty()) {
    std::ostringstream xml;
    write_junit(xml, t, verdicts);
    write_file(junit, xml.str());
  }
  if (verdicts.empty()) return 0;
  const bool ok = all_passed(verdicts);
  if (!quiet)
    std::cout << verdicts_text(verdicts, false);
  else if (!ok)
    std::cerr << verdicts_text(verdicts, false);
  return ok ? 0 : 4;
}
}  // namespace

int cmd_run(const RunOptions& o) {
  const Registry reg = make_registry();
  const Scenario sc = load_patched(o.file, o.patch);
  std::vector<std::size_t> which;
  if (o.variants.empty()) {
    std::size_t grid = 0;
    for (std::size_t i = 0; i < sc.variants().size(); ++i) {
      if (sc.variants()[i].kind != Variant::Kind::Grid)
        which.push_back(i);
      else
        ++grid;
    }
    if (grid > 0 && !o.quiet)
      std::cerr << "note: the scenario's sweep (" << grid
                << " points) is not part of dtwin run: dtwin sweep " << o.file
                << " --out DIR runs it\n";
  } else {
    for (const auto& n : o.variants) which.push_back(sc.find_variant(n));
  }
  const auto variants = compile(sc, reg, which, o.seed, o.replications);
  std::vector<SeriesWindow> windows;
  if (!o.window.empty()) {
    if (o.no_timeseries)
      throw UsageError("--window " + o.window +
                       ": it cuts the time series, and --no-timeseries "
                       "writes none");
    for (const auto& v : variants)
      windows.push_back(window_of(o.window, v, World(v.models).calendar_origin()));
  }
  const std::string out = o.out.empty() ? default_out(o.file) : o.out;
  make_dir(out);
  if (!o.events.empty()) {
    // the first variant's first replication, as a plant's history (dtwin fit --events)
    std::ofstream ev(o.events, std::ios::binary);
    if (!ev) throw UsageError("--events: cannot write " + o.events);
    const std::uint64_t rows = write_event_log(variants.front(), 0, ev);
    ev.flush();
    if (!ev) throw UsageError("--events: cannot write " + o.events);
    if (!o.quiet)
      std::cerr << "event log of " << variants.front().name << ", replication 1: " << rows
                << " rows in " << o.events << "\n";
  }

  // the first replication of each variant writes its time series
  std::vector<std::unique_ptr<std::ofstream>> ts(variants.size());
  if (!o.no_timeseries)
    for (std::size_t i = 0; i < variants.size(); ++i) {
      const std::string path = out + "/" + timeseries_file_name(i, variants[i].name);
      ts[i] = std::make_unique<std::ofstream>(path, std::ios::binary);
      if (!*ts[i]) throw UsageError("cannot write " + path);
    }
  const auto tasks = plan_runs(variants);
  Progress progress(tasks.size(), "runs", !o.quiet && stderr_is_terminal());
  const auto results = run_all(
      variants, tasks, default_jobs(o.jobs),
      [&](const RunTask& t) -> std::ostream* {
        return t.replication == 0 && ts[t.variant] ? ts[t.variant].get() : nullptr;
      },
      &progress, nullptr, budget_of(o.max_events, o.max_wall), windows);
  progress.finish();
  for (auto& f : ts)
    if (f) f->close();

  const ResultTable table = make_table(sc, variants, results);
  std::ostringstream csv;
  write_csv(csv, table);
  write_file(out + "/runs.csv", csv.str());
  write_file(out + "/runs.json", manifest(table, Shard{}).dump(2) + "\n");
  write_file(out + "/report.json", make_report(table).dump(2) + "\n");
  // the scenario as run, byte for byte: a replay (dtwin view --replay) reads it from here
  write_file(out + "/scenario.json", read_bytes(o.file));
  if (!o.quiet) {
    std::cout << comparison_text(table, headline_kpis());
    std::cout << "wrote " << out << "/report.json, " << out << "/timeseries.csv and " << out
              << "/runs.csv\n";
  }
  if (o.report) write_report(out, o.quiet);
  return judged(table, &sc.doc(), o.junit, o.quiet);
}

int cmd_sweep(const SweepOptions& o) {
  const Registry reg = make_registry();
  const Scenario sc = load_patched(o.file, o.patch);
  const Shard shard = parse_shard(o.shard);
  std::vector<std::size_t> which;
  for (std::size_t i = 0; i < sc.variants().size(); ++i) which.push_back(i);
  const auto variants = compile(sc, reg, which, o.seed, o.replications);
  const auto tasks = plan_runs(variants, shard);
  make_dir(o.out);
  Progress progress(tasks.size(), "runs", !o.quiet && stderr_is_terminal());
  const auto results = run_all(variants, tasks, default_jobs(o.jobs), nullptr, &progress, nullptr,
                               budget_of(o.max_events, o.max_wall));
  progress.finish();
  const ResultTable table = make_table(sc, variants, results);
  std::ostringstream csv;
  write_csv(csv, table);
  write_file(o.out + "/sweep.csv", csv.str());
  write_file(o.out + "/sweep.json", manifest(table, shard).dump(2) + "\n");
  if (!o.quiet)
    std::cout << "shard " << shard.k << "/" << shard.n << ": " << tasks.size() << " of "
              << table.runs_planned() << " runs -> " << o.out << "/sweep.csv\n";
  if (shard.n > 1) {
    // a shard holds some replications of some variants: judging it would judge too few runs
    if (!o.junit.empty())
      throw UsageError("--junit with --shard " + o.shard +
                       ": a shard is not judged alone; give --junit to dtwin compare over "
                       "the merged shards");
    if (o.report)
      throw UsageError("--report with --shard " + o.shard +
                       ": a shard holds part of the runs; dtwin compare --out DIR merges them, "
                       "then dtwin report DIR");
    return 0;
  }
  if (o.report) write_report(o.out, o.quiet);
  return judged(table, &sc.doc(), o.junit, o.quiet);
}

int cmd_compare(const CompareOptions& o) {
  std::vector<ResultTable> parts;
  for (const auto& d : o.dirs) parts.push_back(read_results(d));
  const ResultTable t = merge(parts);
  if (t.rows.size() < t.runs_planned()) {
    const std::string what = std::to_string(t.rows.size()) + " of " +
                             std::to_string(t.runs_planned()) +
                             " planned runs present (missing shards?)";
    if (!o.partial) throw UsageError(what + "; --partial compares what there is");
    std::cerr << "warning: " << what << "\n";
  }
  for (const auto& k : o.kpis)
    if (t.key_index(k) == std::string::npos) {
      std::string top;  // the plant-wide metrics; per-twin ones are "<twin>.<metric>"
      for (const auto& key : t.keys)
        if (key.find('.') == std::string::npos) top += (top.empty() ? "" : ", ") + key;
      throw UsageError("--kpi " + k + ": no such metric in the results" + did_you_mean(k, t.keys) +
                       " (plant-wide: " + top +
                       "; per twin: <twin>.<metric>, as in the header of sweep.csv or runs.csv)");
    }
  std::cout << comparison_text(t, o.kpis.empty() ? headline_kpis() : o.kpis);
  if (!o.out.empty()) {
    make_dir(o.out);
    std::ostringstream csv;
    write_csv(csv, t);
    write_file(o.out + "/sweep.csv", csv.str());
    write_file(o.out + "/sweep.json", manifest(t, Shard{}).dump(2) + "\n");
    write_file(o.out + "/report.json", make_report(t).dump(2) + "\n");
    std::cout << "wrote " << o.out << "/report.json and " << o.out << "/sweep.csv\n";
  }
  return judged(t, nullptr, o.junit, false);
}

int cmd_report(const ReportCmdOptions& o) {
  ReportOptions ro;
  ro.dir = o.dir;
  ro.series = o.series;
  ReportInfo info;
  const std::string html = make_html_report(ro, &info);
  const std::string path = o.out.empty() ? o.dir + "/report.html" : o.out;
  write_file(path, html);
  if (!o.quiet) {
    std::cout << "wrote " << path << " (" << (html.size() + 512 * 1024) / (1024 * 1024)
              << " MB; open it in a browser, it needs no network)\n";
    if (!info.omitted.empty())
      std::cout << "note: " << info.omitted.size()
                << " time-series columns left out to keep the file small; --series PATTERN "
                   "chooses which (such as --series 'gh.air.*')\n";
  }
  return 0;
}

}  // namespace dtwin::cli
