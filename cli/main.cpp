// dtwin: the command line. A composition root: it parses arguments and wires the engine and
// the twins together; no model logic lives here.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/live_commands.hpp"
#include "engine/base/error.hpp"
#include "engine/sim/budget.hpp"

int main(int argc, char** argv) {
  using namespace dtwin::cli;
  CLI::App app{"dtwin " DTWIN_VERSION
               ": a digital twin engine for machines, production lines "
               "and greenhouses.\nRun what-if scenarios from JSON and compare their KPIs with "
               "confidence intervals."};
  app.require_subcommand(1);
  app.set_version_flag("--version", DTWIN_VERSION);
  const std::string exit_status =
      "Exit status: 0 success, 2 bad input or usage, 1 internal error; dtwin check: 3 unsafe;\n"
      "run, sweep, compare: 4 an expectation of the scenario did not hold (failed or "
      "inconclusive).\n";
  app.footer(exit_status + "Example: dtwin run scenarios/line/flagship.json");

  RunOptions ro;
  auto* run = app.add_subcommand("run",
                                 "Run a scenario: the baseline and its variants, each "
                                 "replicated; write report.json, timeseries.csv, runs.csv "
                                 "(with a column time, the date in the weather file's local "
                                 "time, when the run has a calendar)");
  run->add_option("file", ro.file, "Scenario JSON file")->required();
  run->add_option("--variant", ro.variants,
                  "Run only this variant (repeatable; \"baseline\" is the base scenario)");
  run->add_option("--seed", ro.seed, "Override the scenario's seed")->check(CLI::NonNegativeNumber);
  run->add_option("--replications", ro.replications, "Override the number of replications")
      ->check(CLI::PositiveNumber);
  run->add_option("--out", ro.out,
                  "Output directory (default: out/<scenario folder>/<scenario file name>)");
  run->add_option("--jobs,-j", ro.jobs, "Parallel runs (default: every core)");
  run->add_flag("--quiet,-q", ro.quiet, "Print nothing on success");
  run->add_flag("--no-timeseries", ro.no_timeseries, "Do not write timeseries.csv");
  run->add_option("--window", ro.window,
                  "Write only the time-series rows in FROM+SPAN or FROM..TO (the run and its "
                  "KPIs are the same): FROM, TO a duration from the start (30d, 30d12h) or, for a "
                  "run with a calendar, a date (2023-11-01, 2023-11-01T06:00); SPAN a duration "
                  "(7d)");
  run->add_option("--max-events", ro.max_events,
                  "Stop (exit 2) when a run handles more events than this (default: no limit)");
  run->add_option("--max-wall", ro.max_wall,
                  "Stop (exit 2) when the runs take longer than this, say 10min (default: none)");
  run->add_option("--junit", ro.junit,
                  "Write the scenario's expectations, judged, as JUnit XML to this file");
  run->add_option("--events", ro.events,
                  "Also write the event log of the first variant's first run here (CSV: "
                  "time_s,twin,property,value, every change of every reported property: what a "
                  "MES exports; dtwin fit --events reads it)");
  run->add_option("--patch", ro.patch,
                  "Apply this JSON merge patch (RFC 7386) to the scenario first: the parameters "
                  "dtwin fit estimated (--out)");
  run->add_flag("--report", ro.report,
                "Also write report.html: charts of the KPIs with their CIs, the stations, the "
                "time series (dtwin report)");

  FitOptions fo;
  auto* fit = app.add_subcommand(
      "fit",
      "Calibrate a scenario from data and write a merge patch: a line from its plant's history "
      "(--events CSV or --store DB), a greenhouse from crop observations (--observed CSV "
      "--param POINTER, or the scenario's \"calibrate\" recipe)");
  fit->add_option("file", fo.file, "Scenario JSON file")->required();
  fit->add_option("--events", fo.events,
                  "Event log CSV with columns time,twin,property,value (time in seconds from "
                  "the log's start, or an ISO date-time): what a MES or historian exports");
  fit->add_option("--store", fo.store, "The SQLite store of a served plant (dtwin serve --store)");
  fit->add_option("--observed", fo.observed,
                  "Crops: observations CSV, a time column and columns named like the twin's "
                  "time series");
  fit->add_option("--param", fo.params,
                  "Crops: a parameter to fit, as a JSON pointer into the scenario (repeatable)");
  fit->add_option("--out", fo.out, "Write the merge patch here (JSON; dtwin run --patch)");
  fit->add_option("--report", fo.report, "Write the fit report here (JSON)");
  fit->add_option("--replications", fo.replications,
                  "Runs of the calibrated scenario for the validation (default 20)")
      ->check(CLI::PositiveNumber);
  fit->add_option("--seed", fo.seed, "Override the scenario's seed")->check(CLI::NonNegativeNumber);
  fit->add_flag("--no-validate", fo.no_validate, "Skip the validation runs");
  fit->add_flag("--quiet,-q", fo.quiet, "Print nothing on success");

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
  sweep->add_option("--max-events", so.max_events,
                    "Stop (exit 2) when a run handles more events than this (default: no limit)");
  sweep->add_option("--max-wall", so.max_wall,
                    "Stop (exit 2) when the runs take longer than this, say 1h (default: none)");
  sweep->add_option("--junit", so.junit,
                    "Write the expectations, judged, as JUnit XML (unsharded; a sharded sweep "
                    "is judged by dtwin compare)");
  sweep->add_option("--patch", so.patch,
                    "Apply this JSON merge patch (RFC 7386) to the scenario first (dtwin fit "
                    "--out)");
  sweep->add_flag("--report", so.report,
                  "Also write report.html (unsharded; for shards: dtwin compare --out DIR, then "
                  "dtwin report DIR)");

  CompareOptions co;
  auto* compare = app.add_subcommand("compare",
                                     "Merge the outputs of runs or sweep shards and "
                                     "print the comparison table");
  compare->add_option("dirs", co.dirs, "Output directories of dtwin run or dtwin sweep")
      ->required();
  compare->add_option("--out", co.out, "Write the merged report.json and sweep.csv here");
  compare->add_option("--kpi", co.kpis,
                      "KPI to show (repeatable; default: the headline KPIs the results have: "
                      "throughput_per_h, lead_time_s, wip, availability, energy_kwh, cost)");
  compare->add_option("--junit", co.junit,
                      "Write the expectations, judged on the merged runs, as JUnit XML");
  compare->add_flag("--partial", co.partial,
                    "Compare even when runs are missing (without it: exit 2 when a shard is "
                    "missing)");

  ReportCmdOptions rpo;
  auto* report = app.add_subcommand(
      "report",
      "Write one self-contained HTML file from a run's or sweep's output directory: the "
      "variants' KPIs with their 95% CIs, paired deltas, station states, a sweep's curves, "
      "time series zoomable to a window; opens offline in any browser");
  report->add_option("dir", rpo.dir, "Output directory of dtwin run, sweep or compare --out")
      ->required();
  report->add_option("--out,-o", rpo.out, "The HTML file to write (default: DIR/report.html)");
  report->add_option("--series", rpo.series,
                     "Time-series columns to include, '*' as a wildcard (repeatable; default: "
                     "all that fit in 4 million numbers, the first of each unit first)");
  report->add_flag("--quiet,-q", rpo.quiet, "Print nothing on success");

  // the viewer is its own executable (it links OpenSceneGraph, this one does not): `dtwin view
  // ARGS` runs `dtwin-view ARGS`, as git runs its subcommands
  auto* view = app.add_subcommand("view",
                                  "Watch a scenario's plant run in 3D, replay a run, or operate "
                                  "a live plant (runs dtwin-view; dtwin view --help for its "
                                  "options)");
  view->prefix_command();
  view->set_help_flag();
  view->allow_extras();

  // ---- the live plant ----
  ServeOptions sv;
  auto* serve = app.add_subcommand(
      "serve",
      "Mirror the scenario's twins from a live plant over MQTT: take what the assets report, "
      "send them desired values, answer get/set/history/whatif; until Ctrl-C");
  serve->add_option("file", sv.file, "Scenario JSON file (its twins are the plant's assets)")
      ->required();
  add_mqtt_args(serve, sv.mqtt, false, true);
  serve->add_option("--replay", sv.replay,
                    "Play a recording (JSON Lines, from --record) instead of a broker: rebuild "
                    "the mirror and its store as the live run had them, then exit");
  serve
      ->add_option("--replay-speed", sv.replay_speed,
                   "Recorded seconds per second (default 0: as fast as it goes)")
      ->check(CLI::NonNegativeNumber);
  serve->add_option("--record", sv.record,
                    "Append every message the engine takes to this recording (JSON Lines)");
  serve->add_option("--store", sv.store,
                    "SQLite file for the mirror's state and history (WAL); a restart resumes "
                    "from it");
  serve->add_option("--stale-after", sv.stale_after,
                    "An asset silent this long turns stale (say 10s; 0: only its last will; "
                    "default: the scenario's live.stale_after, else 5min)");
  serve->add_option("--client-id", sv.client_id,
                    "MQTT client id (default dtwin-serve-<plant>-<64 random bits>: one no client "
                    "can guess and take over)");
  serve->add_option("--partition", sv.partition,
                    "Mirror partition K of N of the plant's twins (by a hash of the twin id): N "
                    "engines together mirror one large plant");
  serve->add_option("--data-dir", sv.data_dirs,
                    "A directory the scenario's data files (weather, climate CSV) may be read "
                    "from (repeatable; default: the scenario's own directory)");
  serve->add_option("--jobs,-j", sv.jobs, "Threads for what-ifs (default: every core)");
  serve->add_option("--whatif-max-events", sv.whatif_max_events,
                    "Events a what-if's run may handle (default 100000000; 0: no limit)");
  serve->add_option("--whatif-max-wall", sv.whatif_max_wall,
                    "Wall-clock time a what-if may take, all its runs (default 2min)");
  serve->add_flag("--sparkplug", sv.sparkplug,
                  "Be a Sparkplug B host application for the plant's edge nodes (as the "
                  "scenario's \"live\": {\"wire\": \"sparkplug\"} says; engine/MQTT.md)");
  serve->add_flag("--quiet,-q", sv.quiet, "Log nothing");

  EmulateOptions em;
  auto* emulate = app.add_subcommand(
      "emulate",
      "Play the physical plant: run the scenario's models in scaled real time as the assets, "
      "publish their telemetry and obey desired values; until Ctrl-C");
  emulate->add_option("file", em.file, "Scenario JSON file")->required();
  add_mqtt_args(emulate, em.mqtt, true, true);
  emulate->add_option("--variant", em.variant, "Emulate this variant (default: baseline)");
  emulate->add_option("--seed", em.seed, "Override the scenario's seed")
      ->check(CLI::NonNegativeNumber);
  emulate
      ->add_option("--speed", em.speed,
                   "Simulated seconds per wall-clock second (default: the scenario's "
                   "live.emulator.speed, else 1)")
      ->check(CLI::PositiveNumber);
  emulate->add_option("--for", em.duration, "Stop after this wall-clock time (say 5min)");
  emulate->add_option("--drop", em.drop, "Lose this fraction of the assets' messages (0-1)")
      ->check(CLI::Range(0.0, 1.0));
  emulate->add_option("--duplicate", em.duplicate, "Send this fraction twice (0-1)")
      ->check(CLI::Range(0.0, 1.0));
  emulate
      ->add_option("--reorder", em.reorder,
                   "Hold back this fraction and send it after the next (0-1)")
      ->check(CLI::Range(0.0, 1.0));
  emulate->add_flag("--sparkplug", em.sparkplug,
                    "Play each asset as a Sparkplug B edge node (NBIRTH, DDATA, DCMD, ...) "
                    "instead of dtwin's JSON wire (the default when the scenario's live.wire is "
                    "\"sparkplug\")");
  emulate->add_flag("--quiet,-q", em.quiet, "Log nothing");

  GetOptions go;
  auto* get = app.add_subcommand(
      "get",
      "Ask a running engine for a twin (JSON: reported values with quality and age, desired "
      "values with their state, the delta, the revision), or list every twin");
  get->add_option("twin", go.target, "TWIN or TWIN.PROPERTY (none: every twin)");
  add_mqtt_args(get, go.mqtt);
  get->add_option("--timeout", go.mqtt.timeout, "Wait this long for the answer (default 10s)");

  SetOptions st;
  auto* set = app.add_subcommand(
      "set", "Set a desired value on a running engine; it reaches the asset, which applies it");
  set->add_option("target", st.target, "TWIN.PROPERTY, say m2.speed")->required();
  set->add_option("value", st.value, "The value: a number, true/false, or a name")->required();
  add_mqtt_args(set, st.mqtt);
  set->add_option("--if-revision", st.if_revision,
                  "Refuse unless the twin is still at this revision");
  set->add_option("--ttl", st.ttl, "Expire the desired value if not applied within this time");
  set->add_option("--wait", st.wait,
                  "Wait up to this long for the asset to apply it (exit 1 when it does not)");
  set->add_option("--timeout", st.mqtt.timeout, "Wait this long for the engine (default 10s)");

  HistoryOptions ho;
  auto* history = app.add_subcommand(
      "history", "A property's (or a twin's) recorded history from a running engine's store");
  history->add_option("target", ho.target, "TWIN.PROPERTY or TWIN")->required();
  add_mqtt_args(history, ho.mqtt);
  history->add_option("--since", ho.since, "From this long ago (say 1h; default: the start)");
  history->add_option("--until", ho.until, "Up to this long ago (default: now)");
  history->add_option("--limit", ho.limit, "At most this many rows, the newest (default 10000)");
  history->add_option("--csv", ho.csv, "Write CSV to this file (- for standard output)");
  history->add_option("--timeout", ho.mqtt.timeout, "Wait this long for the engine (default 10s)");

  AlertsOptions ao;
  auto* alerts = app.add_subcommand(
      "alerts",
      "The active alerts of a running engine (its scenario's \"alerts\" rules); --follow "
      "prints each alert raised, acknowledged or cleared as it happens");
  add_mqtt_args(alerts, ao.mqtt);
  alerts->add_flag("--all", ao.all, "Also the alerts that cleared (from the engine's store)");
  alerts->add_option("--limit", ao.limit, "With --all: at most this many cleared ones, the newest");
  alerts->add_flag("--follow", ao.follow, "Then print alerts as they happen, until Ctrl-C");
  alerts->add_option("--for", ao.follow_for, "With --follow: stop after this long (say 10min)");
  alerts->add_flag("--json", ao.json, "JSON: the list, then one event per line");
  alerts->add_option("--timeout", ao.mqtt.timeout, "Wait this long for the engine (default 10s)");

  DescribeOptions dso;
  auto* describe = app.add_subcommand(
      "describe",
      "The wire contract: every twin's properties (type, unit, range or choices, writable, "
      "derived) and its topics, from a scenario file or a running engine");
  describe->add_option("target", dso.first, "FILE.json [TWIN], or TWIN with --mqtt");
  describe->add_option("twin", dso.second, "With FILE.json: one twin only");
  describe->add_flag("--json", dso.json, "Print it as JSON");
  describe->add_flag("--markdown", dso.markdown, "Print it as Markdown tables (engine/MQTT.md)");
  add_mqtt_args(describe, dso.mqtt, false, true);
  describe->add_option("--timeout", dso.mqtt.timeout,
                       "Wait this long for the engine (default 10s)");

  StatusOptions sto;
  auto* status = app.add_subcommand(
      "status", "A running engine's state: twins online, message counters, store, alerts");
  status->add_flag("--json", sto.json, "Print the engine's answer as JSON");
  add_mqtt_args(status, sto.mqtt);
  status->add_option("--timeout", sto.mqtt.timeout, "Wait this long for the engine (default 10s)");

  AckOptions ak;
  auto* ack = app.add_subcommand(
      "ack", "Acknowledge an alert: who and when are stored with it and published");
  ack->add_option("id", ak.id, "The alert's id (dtwin alerts lists them)")->required();
  ack->add_option("--by", ak.by, "Who acknowledges (default: $USER@host)");
  ack->add_option("--note", ak.note, "A note kept with the acknowledgement");
  ack->add_option("--twin", ak.twin,
                  "The alert's twin: routes the request to its engine when the plant is "
                  "partitioned (serve --partition)");
  add_mqtt_args(ack, ak.mqtt);
  ack->add_option("--timeout", ak.mqtt.timeout, "Wait this long for the engine (default 10s)");

  WhatIfOptions wo;
  auto* whatif = app.add_subcommand(
      "whatif",
      "Fork the live plant at its current state and run variants of the scenario forward, "
      "beside the baseline, without touching it; --apply promotes the winner's setpoints");
  whatif->add_option("--from", wo.from, "Where the fork starts: live (the running engine)");
  whatif->add_option("--variant", wo.variants,
                     "A variant of the engine's scenario (repeatable; default: every variant)");
  whatif->add_option("--horizon", wo.horizon, "How far ahead to simulate (default 8h)");
  whatif->add_option("--replications,--members", wo.replications,
                     "Replications per variant (default: the scenario's); for a greenhouse, "
                     "weather ensemble members");
  whatif->add_option("--objective", wo.objective,
                     "KPI that picks the winner (default throughput_per_h; a greenhouse's "
                     "profit_eur_m2)");
  whatif->add_option("--forecast", wo.forecast,
                     "A greenhouse's weather forecast (CSV: time_h,temp_c,rh_pct,rad_w_m2,"
                     "wind_m_s; hours from now): the ensemble spreads around it");
  whatif->add_option("--weather-start", wo.weather_start,
                     "A greenhouse's weather starts on this date (MM-DD, or MM-DDThh:mm local; "
                     "default the fork's minute)");
  whatif->add_flag("--minimize", wo.minimize, "Lower is better for the objective");
  whatif->add_flag("--apply", wo.apply,
                   "Make the winner's setpoints desired values (refused if any of them was set "
                   "after the fork)");
  whatif->add_option(
      "--patch", wo.patch,
      "A merge patch (JSON file: what dtwin fit --out writes): one more variant, the "
      "scenario with it, over the live state");
  whatif->add_flag("--json", wo.json, "Print the whole answer as JSON");
  add_mqtt_args(whatif, wo.mqtt);
  whatif->add_option("--timeout", wo.mqtt.timeout, "Wait this long for the answer (default 10min)");

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

  // each command's help ends with an example of that command
  const std::pair<CLI::App*, const char*> examples[] = {
      {run, "dtwin run scenarios/line/flagship.json --replications 20 --junit junit.xml"},
      {validate, "dtwin validate scenarios/greenhouse/tomato_season_led.json"},
      {sweep, "dtwin sweep scenarios/line/flagship.json --shard 1/4 --out shard-1"},
      {report, "dtwin report out/line/flagship --out flagship.html"},
      {compare, "dtwin compare shard-1 shard-2 shard-3 shard-4 --out merged --junit junit.xml"},
      {view, "dtwin view scenarios/line/flagship.json"},
      {serve, "dtwin serve scenarios/live/line.json --mqtt mqtt://127.0.0.1:1883 --store line1.db"},
      {emulate, "dtwin emulate scenarios/live/line.json --mqtt mqtt://127.0.0.1:1883"},
      {get, "dtwin get m2 --mqtt mqtt://127.0.0.1:1883 --plant line1"},
      {set, "dtwin set m2.speed 1.2 --wait 10s --mqtt mqtt://127.0.0.1:1883 --plant line1"},
      {history, "dtwin history m2.speed --since 1h --mqtt mqtt://127.0.0.1:1883 --plant line1"},
      {alerts, "dtwin alerts --follow --mqtt mqtt://127.0.0.1:1883 --plant line1"},
      {describe, "dtwin describe scenarios/live/line.json m2"},
      {status, "dtwin status --mqtt mqtt://127.0.0.1:1883 --plant line1"},
      {ack, "dtwin ack 12 --note 'coolant topped up' --mqtt mqtt://127.0.0.1:1883 --plant line1"},
      {whatif, "dtwin whatif --from live --horizon 8h --mqtt mqtt://127.0.0.1:1883 --plant line1"},
      {check, "dtwin check scenarios/cell/flagship.json --speed 1.2"},
      {fit, "dtwin fit scenarios/line/flagship.json --events log.csv --out patch.json"}};
  for (const auto& [cmd, example] : examples) cmd->footer(exit_status + "Example: " + example);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  try {
    if (*run) return cmd_run(ro);
    if (*validate) return cmd_validate(vfile);
    if (*fit) return cmd_fit(fo);
    if (*sweep) return cmd_sweep(so);
    if (*compare) return cmd_compare(co);
    if (*report) return cmd_report(rpo);
    if (*check) return cmd_check(ko);
    if (*view) return run_viewer(argv[0], view->remaining());
    if (*serve) return cmd_serve(sv);
    if (*emulate) return cmd_emulate(em);
    if (*get) return cmd_get(go);
    if (*set) return cmd_set(st);
    if (*history) return cmd_history(ho);
    if (*whatif) return cmd_whatif(wo);
    if (*alerts) return cmd_alerts(ao);
    if (*ack) return cmd_ack(ak);
    if (*describe) return cmd_describe(dso);
    if (*status) return cmd_status(sto);
  } catch (const dtwin::ScenarioError& e) {
    std::cerr << "error: " << e.describe() << "\n";
    return 2;
  } catch (const dtwin::UsageError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const dtwin::BudgetExceeded& e) {
    std::cerr << "error: " << e.what() << " (--max-events / --max-wall)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return 1;
  }
  return 2;
}
