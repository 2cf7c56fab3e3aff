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
  std::string out;                    // empty: out/<scenario file stem>
  unsigned jobs = 0;                  // 0: every core
  bool quiet = false;
  bool no_timeseries = false;
};

struct SweepOptions {
  std::string file;
  std::string out;
  unsigned jobs = 0;
  std::string shard = "1/1";
  long long seed = -1;
  long long replications = -1;
  bool quiet = false;
};

struct CompareOptions {
  std::vector<std::string> dirs;
  std::string out;  // write the merged report.json and sweep.csv here
  std::vector<std::string> kpis;
};

int cmd_run(const RunOptions& o);
int cmd_validate(const std::string& file);
int cmd_sweep(const SweepOptions& o);
int cmd_compare(const CompareOptions& o);

}  // namespace dtwin::cli
