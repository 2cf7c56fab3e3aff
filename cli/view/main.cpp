// dtwin-view: the desktop 3D viewer's executable. `dtwin view ARGS` runs it with ARGS (the dtwin
// binary links no OpenSceneGraph, so servers run it without GL libraries); run by hand it is the
// same command.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/live_commands.hpp"
#include "engine/base/error.hpp"
#include "viewer/view.hpp"

int main(int argc, char** argv) {
  using namespace dtwin::cli;
  CLI::App app{"dtwin view " DTWIN_VERSION
               ": watch a scenario's plant run in 3D, or render one frame of it to PNG "
               "(--screenshot); keys: h in the window"};
  app.name("dtwin view");
  app.set_version_flag("--version", DTWIN_VERSION);
  app.footer(
      "Exit status: 0 success, 2 bad input or usage, 1 no display or internal error.\n"
      "Example: dtwin view scenarios/line/flagship.json");
  dtwin::viewer::ViewOptions vo;
  app.add_option("file", vo.file, "Scenario JSON file (or --replay DIR)");
  app.add_option("--replay", vo.replay,
                 "Replay a run: the output directory of dtwin run FILE --out DIR (its scenario, "
                 "seed and time series; --variant picks one of its variants)");
  app.add_option("--variant", vo.variant,
                 "The variant to show (default: baseline; with --replay, the run's first)");
  app.add_option("--seed", vo.seed, "Override the scenario's seed")->check(CLI::NonNegativeNumber);
  app.add_option("--at", vo.at,
                 "Start at this sim time (2h, 90min, 3d); with --screenshot, the picture's time");
  app.add_option("--screenshot", vo.screenshot, "Render one frame off-screen to this PNG, exit");
  app.add_option("--size", vo.size, "Window or picture size in pixels (default 1280x720)");
  app.add_option("--select", vo.select, "Select this twin (highlight and inspector)");
  app.add_option("--speed", vo.speed,
                 "Real-time factor to start with (default 10; greenhouses 20000, cells 1)")
      ->check(CLI::PositiveNumber);
  app.add_flag("--paused", vo.paused, "Start paused");
  app.add_flag("--plot", vo.plot,
               "Show the plot panel: the selected twin's first time series, or the plant's");
  MqttArgs vm;  // live mode: an operator of a running dtwin serve
  add_mqtt_args(&app, vm, false);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  try {
    vo.variant_given = app.count("--variant") > 0;
    if (!vm.url.empty()) {
      vo.live_link = mqtt_client_links(vm);
      vo.plant = vm.plant;
    }
    return dtwin::viewer::run_view(vo);
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
}
