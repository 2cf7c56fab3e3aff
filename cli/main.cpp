// dtwin: the command line. A composition root: it parses arguments and wires the engine and
// the twins together; no model logic lives here.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "engine/error.hpp"
#include "viewer/view.hpp"

int main(int argc, char** argv) {
  using namespace dtwin::cli;
  CLI::App app{"dtwin " DTWIN_VERSION
               ": a digital twin engine for machines, production lines "
               "and greenhouses.\nRun what-if scenarios from JSON and compare their KPIs with "
               "confidence intervals."};
  app.require_subcommand(1);
  app.set_version_flag("--version", DTWIN_VERSION);
  app.footer(
      "Exit status: 0 success, 2 bad input or usage, 1 internal error; dtwin check: 3 unsafe.\n"
      "Example: dtwin run scenarios/line_flagship.json");

  RunOptions ro;
  auto* run = app.add_subcommand("run",
                                 "Run a scenario: the baseline and its variants, each "
                                 "replicated; write report.json, timeseries.csv, runs.csv");
  run->add_option("file", ro.file, "Scenario JSON file")->required();
  run->add_option("--variant", ro.variants,
                  "Run only this variant (repeatable; \"baseline\" is the base scenario)");
  run->add_option("--seed", ro.seed, "Override the scenario's seed")->check(CLI::NonNegativeNumber);
  run->add_option("--replications", ro.replications, "Override the number of replications")
      ->check(CLI::PositiveNumber);
  run->add_option("--out", ro.out, "Output directory (default: out/<scenario file name>)");
  run->add_option("--jobs,-j", ro.jobs, "Parallel runs (default: every core)");
  run->add_flag("--quiet,-q", ro.quiet, "Print nothing on success");
  run->add_flag("--no-timeseries", ro.no_timeseries, "Do not write timeseries.csv");

  std::string vfile;
  auto* validate = app.add_subcommand("validate",
                                      "Check a scenario (every variant and sweep "
                                      "point) without running it");
  validate->add_option("file", vfile, "Scenario JSON file")->required();

  SweepOptions so;
  auto* sweep = app.add_subcommand("sweep",
                                   "Run every variant and sweep point x replications "
                                   "on all cores, or one shard of them; write sweep.csv");
  sweep->add_option("file", so.file, "Scenario JSON file")->required();
  sweep->add_option("--out", so.out, "Output directory")->required();
  sweep->add_option("--jobs,-j", so.jobs, "Parallel runs (default: every core)");
  sweep->add_option("--shard", so.shard,
                    "Run shard K of N (1 <= K <= N): runs whose index i has i % N == K-1. "
                    "Merge shards with dtwin compare");
  sweep->add_option("--seed", so.seed, "Override the scenario's seed")
      ->check(CLI::NonNegativeNumber);
  sweep->add_option("--replications", so.replications, "Override the number of replications")
      ->check(CLI::PositiveNumber);
  sweep->add_flag("--quiet,-q", so.quiet, "Print nothing on success");

  CompareOptions co;
  auto* compare = app.add_subcommand("compare",
                                     "Merge the outputs of runs or sweep shards and "
                                     "print the comparison table");
  compare->add_option("dirs", co.dirs, "Output directories of dtwin run or dtwin sweep")
      ->required();
  compare->add_option("--out", co.out, "Write the merged report.json and sweep.csv here");
  compare->add_option("--kpi", co.kpis,
                      "KPI to show (repeatable; default: throughput_per_h, "
                      "lead_time_s, wip)");

  dtwin::viewer::ViewOptions vo;
  auto* view = app.add_subcommand("view",
                                  "Watch a scenario's plant run in 3D, or render one frame of it "
                                  "to PNG (--screenshot); keys: h in the window");
  view->add_option("file", vo.file, "Scenario JSON file")->required();
  view->add_option("--variant", vo.variant, "The variant to show (default: baseline)");
  view->add_option("--seed", vo.seed, "Override the scenario's seed")
      ->check(CLI::NonNegativeNumber);
  view->add_option("--at", vo.at,
                   "Start at this sim time (2h, 90min, 3d); with --screenshot, the picture's time");
  view->add_option("--screenshot", vo.screenshot, "Render one frame off-screen to this PNG, exit");
  view->add_option("--size", vo.size, "Window or picture size in pixels (default 1280x720)");
  view->add_option("--select", vo.select, "Select this twin (highlight and inspector)");
  view->add_option("--speed", vo.speed, "Real-time factor to start with (default 10)")
      ->check(CLI::PositiveNumber);
  view->add_flag("--paused", vo.paused, "Start paused");

  CheckOptions ko;
  auto* check = app.add_subcommand(
      "check",
      "What-if safety check of a work cell: simulate a new motion program and/or speed "
      "override; print the verdict (exit 0 safe, 3 rejected, 2 bad input)");
  check->add_option("file", ko.file, "Scenario JSON file")->required();
  check->add_option("--twin", ko.twin, "The cell twin (default: the scenario's only cell)");
  check->add_option("--variant", ko.variant, "The variant the cell comes from (default: baseline)");
  check->add_option("--program", ko.program,
                    "Candidate program JSON file: {\"waypoints\": {...}, \"steps\": [...]}");
  check->add_option("--speed", ko.speed, "Candidate speed override (e.g. 1.2)")
      ->check(CLI::PositiveNumber);
  check->add_option("--cycles", ko.cycles, "Program cycles to complete (default 2)")
      ->check(CLI::PositiveNumber);
  check->add_option("--max-time", ko.max_time_s, "Simulated seconds allowed for them (default 600)")
      ->check(CLI::PositiveNumber);
  check->add_flag("--json", ko.json, "Print the verdict as JSON");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  try {
    if (*run) return cmd_run(ro);
    if (*validate) return cmd_validate(vfile);
    if (*sweep) return cmd_sweep(so);
    if (*compare) return cmd_compare(co);
    if (*check) return cmd_check(ko);
    if (*view) return dtwin::viewer::run_view(vo);
  } catch (const dtwin::ScenarioError& e) {
    std::cerr << "error: " << e.describe() << "\n";
    return 2;
  } catch (const dtwin::UsageError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return 1;
  }
  return 2;
}
