// The dtwin commands. Each returns the process exit status: 0 success, 2 bad input (the message
// names the place), 1 an internal failure.
#pragma once

#include <string>
#include <vector>

namespace dtwin::cli {

struct RunOptions {
  std::string file;
  std::vector<std::string> variants;  // empty: baseline and every variant
  long long seed = -1;                // -1: the scenario's
  long long replications = -1;        // -1: the scenario's
  std::string out;                    // empty: out/<scenario folder>/<file stem>
  unsigned jobs = 0;                  // 0: every core
  bool quiet = false;
  bool no_timeseries = false;
  unsigned long long max_events = 0;  // per run; 0: no limit
  std::string max_wall;               // for every run together ("10min"); empty: no limit
  std::string junit;                  // write the judged expectations here (JUnit XML)
  bool report = false;                // also write <out>/report.html
  std::string window;                 // "FROM+SPAN" or "FROM..TO": the series rows written
  std::string events;                 // write the first run's event log here (CSV)
  std::string patch;                  // a merge patch applied to the scenario (dtwin fit --out)
};

struct SweepOptions {
  std::string file;
  std::string out;
  unsigned jobs = 0;
  std::string shard = "1/1";
  long long seed = -1;
  long long replications = -1;
  bool quiet = false;
  unsigned long long max_events = 0;
  std::string max_wall;
  std::string junit;
  bool report = false;  // also write <out>/report.html (unsharded)
  std::string patch;    // a merge patch applied to the scenario (dtwin fit --out)
};

struct CompareOptions {
  std::vector<std::string> dirs;
  std::string out;  // write the merged report.json and sweep.csv here
  std::vector<std::string> kpis;
  std::string junit;
  bool partial = false;  // compare even when planned runs are missing
};

// dtwin check: simulate a work cell with a candidate program and/or speed override before it is
// sent to the machine. Exit status 0 safe, 3 rejected as unsafe, 2 bad input.
struct CheckOptions {
  std::string file;
  std::string variant = "baseline";
  std::string twin;     // empty: the scenario's only cell
  std::string program;  // a program JSON file ({"waypoints": ..., "steps": [...]})
  double speed = -1;    // speed override; < 0: the cell's own
  long long cycles = 2;
  double max_time_s = 600;
  bool json = false;
};
constexpr int kExitUnsafe = 3;

// dtwin report: the HTML report of a run's or sweep's output directory (engine/report)
struct ReportCmdOptions {
  std::string dir;
  std::string out;                  // default: <dir>/report.html
  std::vector<std::string> series;  // time-series column patterns
  bool quiet = false;
};

// dtwin fit: calibrate a scenario from data (cli/fit.cpp). A line from its plant's history (an
// event log CSV of time, twin, property, value, or a served plant's SQLite store): fit_lines
// (cli/fit_lines.cpp). A greenhouse from observations (--observed, or the scenario's
// "calibrate" recipe): fit_crops (cli/fit_crops.cpp).
struct FitOptions {
  std::string file;
  std::string events;               // event log CSV: time,twin,property,value
  std::string store;                // a served plant's SQLite store
  std::string observed;             // crops: observations CSV (time + series columns)
  std::vector<std::string> params;  // crops: JSON pointers of the parameters to fit
  std::string out;                  // the merge patch (JSON) written
  std::string report;               // the fit report (JSON) written
  long long replications = 20;      // validation runs
  long long seed = -1;              // -1: the scenario's
  bool no_validate = false;
  bool quiet = false;
};
int cmd_fit(const FitOptions& o);
int fit_lines(const FitOptions& o);
int fit_crops(const FitOptions& o);

int cmd_run(const RunOptions& o);
int cmd_report(const ReportCmdOptions& o);
int cmd_check(const CheckOptions& o);
int cmd_validate(const std::string& file);
int cmd_sweep(const SweepOptions& o);
int cmd_compare(const CompareOptions& o);

// `dtwin view ARGS`: replaces this process with dtwin-view ARGS, found beside the running dtwin
// binary (`self`: argv[0]), else on PATH. Returns only when it cannot (exit status 2, saying why).
int run_viewer(const char* self, const std::vector<std::string>& args);

}  // namespace dtwin::cli
