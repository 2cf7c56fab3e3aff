#include "viewer/view.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "engine/base/error.hpp"
#include "engine/live/settings.hpp"
#include "engine/scenario/duration.hpp"
#include "engine/scenario/scenario.hpp"
#include "viewer/app.hpp"
#include "viewer/replay.hpp"
#include "viewer/session.hpp"
#include "viewer/time_text.hpp"

namespace dtwin::viewer {

std::pair<int, int> parse_size(const std::string& text) {
  int w = 0, h = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%dx%d%c", &w, &h, &extra) != 2 || w < 16 || h < 16 || w > 8192 ||
      h > 8192)
    throw UsageError(
        "--size expects WIDTHxHEIGHT in pixels, each 16 to 8192 (like 1280x720), got \"" + text +
        "\"");
  return {w, h};
}

namespace {

// `--mqtt`: the live plant (live_source.hpp). The world shown is rebuilt from the mirror.
int run_live_view(const ViewOptions& o, const Scenario& sc, int w, int h) {
  if (!o.at.empty() || o.paused || o.speed > 0)
    throw UsageError(
        "--at, --paused and --speed are for a simulation: a live plant runs by itself");
  Session session(sc, Session::Options{o.variant, o.seed});
  if (session.lines().empty() && session.greenhouses().empty())
    throw UsageError(
        o.file + " has no production line or greenhouse to show (live mode draws those so far)");
  if (!o.select.empty()) session.select(session.find(o.select));
  session.playback().set_playing(false);  // the live world is not simulated forward
  LiveSource::Options lo;
  lo.plant = o.plant.empty() ? parse_live(sc).plant : o.plant;
  LiveSource src(o.live_link, lo);
  try {
    if (o.screenshot.empty()) {
      App app(session, w, h, App::Mode::Window);
      app.set_scenario(&sc);
      app.set_live(&src);
      return app.run();
    }
    // a picture of the plant as the engine mirrors it: after the first snapshot
    if (!src.wait_newer(0, 10)) {
      std::cerr << "error: no answer from an engine for plant \"" << lo.plant
                << "\" (is dtwin serve running?): " << src.state().error << "\n";
      return 1;
    }
    App app(session, w, h, App::Mode::Offscreen);
    app.set_live(&src);
    app.frame(0);
    app.frame(0);
    if (!app.save_png(o.screenshot)) throw UsageError("cannot write " + o.screenshot);
    std::cout << o.screenshot << ": " << w << "x" << h << ", live plant " << lo.plant << "\n";
    return 0;
  } catch (const DisplayError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int run_view(const ViewOptions& o) {
  const auto [w, h] = parse_size(o.size);
  double at = 0;
  if (!o.at.empty() && !parse_time(o.at, &at))
    throw UsageError("--at expects a sim time like 2h, 90min, 3d or 3600 (seconds), got \"" + o.at +
                     "\"");
  if (!o.screenshot.empty()) {
    std::string ext = o.screenshot.size() >= 4 ? o.screenshot.substr(o.screenshot.size() - 4) : "";
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext != ".png")
      throw UsageError("--screenshot writes a PNG: give a path ending in .png, got \"" +
                       o.screenshot + "\"");
  }
  if (o.speed < 0) throw UsageError("--speed expects a real-time factor > 0");

  // a replay: the run's scenario, seed and variant, and its recorded time series
  std::string file = o.file, variant = o.variant;
  long long seed = o.seed;
  std::shared_ptr<const TimeSeries> recorded;
  if (!o.replay.empty()) {
    if (!o.file.empty())
      throw UsageError("give a scenario FILE or --replay DIR, not both (got " + o.file + ")");
    if (o.seed >= 0) throw UsageError("--seed: a replay runs with the seed of the run");
    const RunDir run = open_run(o.replay);
    const std::size_t vi = o.variant_given ? run.find(o.variant) : 0;
    variant = run.variants[vi];
    seed = static_cast<long long>(run.seeds[vi]);
    file = run.scenario_file;
    // a run made with --no-timeseries replays too; its plot samples the world as it plays
    const std::string csv = run.timeseries_file(vi);
    if (std::ifstream(csv).good())
      recorded = std::make_shared<const TimeSeries>(read_timeseries(csv));
    else
      std::cerr << "note: no " << csv << " (run with --no-timeseries?): the plot samples the "
                << "replayed world as it plays\n";
  } else if (o.file.empty()) {
    throw UsageError("dtwin view needs a scenario FILE, or --replay DIR (a dtwin run output)");
  }
  const Scenario sc = Scenario::load(file);
  if (o.live_link) {
    if (!o.replay.empty()) throw UsageError("--replay and --mqtt: a replay is not live");
    return run_live_view(o, sc, w, h);
  }
  Session session(sc, Session::Options{variant, seed});
  if (session.lines().empty() && session.greenhouses().empty() && session.cells().empty())
    throw UsageError(file +
                     " has nothing the viewer draws (production lines, greenhouses, work cells)");
  // a replay shows the run that was made: not past its end (the world would run on beyond it)
  if (!o.replay.empty() && session.duration_s() > 0 && at > session.duration_s())
    throw UsageError("--at " + o.at + ": the run in " + o.replay + " lasts " +
                     format_duration(session.duration_s()) + " (its scenario " + file + ")");
  if (!o.select.empty()) session.select(session.find(o.select));
  session.playback().set_speed(o.speed > 0 ? o.speed : session.default_speed());
  session.playback().jump_to(at);

  try {
    if (o.screenshot.empty()) {
      session.playback().set_playing(!o.paused);
      App app(session, w, h, App::Mode::Window);
      if (recorded) app.set_recorded(recorded);
      if (o.plot) app.cycle_plot();
      app.set_scenario(&sc);
      return app.run();
    }
    session.playback().set_playing(false);
    App app(session, w, h, App::Mode::Offscreen);
    if (recorded) app.set_recorded(recorded);
    if (o.plot) app.cycle_plot();
    app.frame(0);
    app.frame(0);  // screen-sized labels know their size on screen after a first frame
    if (!app.save_png(o.screenshot)) throw UsageError("cannot write " + o.screenshot);
    std::cout << o.screenshot << ": " << w << "x" << h << " at t = " << clock_text(at) << "\n";
    return 0;
  } catch (const DisplayError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace dtwin::viewer
