// Frame time of the 3D viewer (dtwin view) drawn by Mesa's software rasteriser, no GPU: a
// generated large plant (1,000 stations in 40 parallel lines, about 10,000 parts in flight) and
// the flagship line, the greenhouse season and the SCARA work cell, each playing at a real-time
// factor in a window, seen from the home view. Each frame is the whole turn a user waits for:
// advance the world, update the scene and HUD, draw, present. Frames are not capped at 60 a second
// here (the viewer caps them).
//
//   xvfb-run -a -s "-screen 0 1920x1080x24" build/bin/bench_viewer [--frames N] [--size WxH]
//       [--offscreen] [--only large|flagship|greenhouse|cell]
// "large/near" is the large plant with the camera four times closer than the home view: fewer
// twins in sight, but whole boxes for the parts and the labels of the twins near the camera.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/scenario/scenario.hpp"
#include "viewer/app.hpp"
#include "viewer/camera.hpp"
#include "viewer/session.hpp"
#include "viewer/view.hpp"

using namespace dtwin;
using namespace dtwin::viewer;

namespace {

// 40 lines of 25 machines; between machines, conveyors and buffers alternate (12 parts each).
// Machines get slower along each line, so the lines fill up from the end: about 10,000 parts.
std::string large_plant() {
  constexpr int kLines = 40, kStations = 25;
  nlohmann::json twins = nlohmann::json::object(), flow = nlohmann::json::array();
  for (int l = 0; l < kLines; ++l) {
    const std::string p = "l" + std::to_string(l) + "_";
    twins[p + "src"] = {{"kind", "source"}, {"saturated", true}};
    std::string prev = p + "src";
    for (int k = 0; k < kStations; ++k) {
      const std::string m = p + "m" + std::to_string(k);
      twins[m] = {{"kind", "machine"},
                  {"process", {{"dist", "exponential"}, {"mean", 30 + 1.5 * k}}}};
      if (k % 6 == 5) twins[m]["mtbf"] = "2h", twins[m]["mttr"] = "10min";
      flow.push_back({prev, m});
      if (k + 1 == kStations) {
        twins[p + "sink"] = {{"kind", "sink"}};
        flow.push_back({m, p + "sink"});
        break;
      }
      const std::string q = p + (k % 2 ? "b" : "c") + std::to_string(k);
      if (k % 2)
        twins[q] = {{"kind", "buffer"}, {"capacity", 12}};
      else
        twins[q] = {{"kind", "conveyor"}, {"length", 6}, {"speed", 0.1}, {"max_parts", 12}};
      flow.push_back({m, q});
      prev = q;
    }
  }
  nlohmann::json doc = {
      {"name", "large plant"}, {"seed", 1}, {"duration", "30d"}, {"twins", twins}, {"flow", flow}};
  return doc.dump();
}

struct Stats {
  double mean, median, p95;
};

Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  return {sum / static_cast<double>(v.size()), v[v.size() / 2], v[v.size() * 95 / 100]};
}

// zoom < 1 moves the camera that much closer to the middle of the plant than the home view
void bench(const std::string& name, const Scenario& sc, double warm_s, double speed, int w, int h,
           int frames, bool offscreen, double zoom = 1) {
  Session s(sc, Session::Options{});
  s.playback().jump_to(warm_s);
  s.playback().set_speed(speed);
  s.playback().set_playing(true);
  App app(s, w, h, offscreen ? App::Mode::Offscreen : App::Mode::Window);
  if (zoom != 1) {
    CameraPose p = home_pose(s.layout(), double(w) / h);
    p.eye = p.center + (p.eye - p.center) * zoom;
    app.set_pose(p);
  }
  using clock = std::chrono::steady_clock;
  std::vector<double> total, sim, update, render;
  double dt = 1.0 / 60;
  std::size_t parts = 0;
  for (int i = 0; i < frames + 30; ++i) {
    const auto t0 = clock::now();
    app.frame(dt);
    dt = std::chrono::duration<double>(clock::now() - t0).count();
    if (i < 30) continue;  // warm-up: shaders compiled, glyphs cached, buffers sized
    total.push_back(dt * 1e3);
    sim.push_back(app.times().sim_s * 1e3);
    update.push_back(app.times().update_s * 1e3);
    render.push_back(app.times().render_s * 1e3);
    parts = std::max(parts, app.scene().parts_drawn());
  }
  const Stats t = stats(total), a = stats(sim), u = stats(update), r = stats(render);
  std::printf(
      "%-10s %5zu twins %6zu parts %6zu boxes %4zu labels | frame %5.1f ms mean %5.1f median "
      "%5.1f p95 = %5.1f fps | sim %4.1f  update %4.1f  render %5.1f ms | %gx, achieved %.0fx\n",
      name.c_str(), s.layout().items.size(), parts, app.scene().boxes_drawn(),
      app.scene().labels_drawn(), t.mean, t.median, t.p95, 1e3 / t.mean, a.mean, u.mean, r.mean,
      s.playback().speed(), s.playback().achieved());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  int frames = 200;
  std::string size = "1280x720", only;
  bool offscreen = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--frames") && i + 1 < argc)
      frames = std::max(10, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--size") && i + 1 < argc)
      size = argv[++i];
    else if (!std::strcmp(argv[i], "--only") && i + 1 < argc)
      only = argv[++i];
    else if (!std::strcmp(argv[i], "--offscreen"))
      offscreen = true;
    else {
      std::fprintf(stderr,
                   "usage: bench_viewer [--frames N] [--size WxH] [--offscreen] "
                   "[--only large|flagship|greenhouse|cell]\n");
      return 2;
    }
  }
  if (!std::getenv("DISPLAY")) {
    std::fprintf(stderr, "bench_viewer needs an X display: run it under xvfb-run -a\n");
    return 1;
  }
  const auto [w, h] = parse_size(size);
  std::printf("viewer frame times, %dx%d %s, %d frames each\n", w, h,
              offscreen ? "off-screen" : "window", frames);
  if (only.empty() || only == "large") {
    const Scenario large = Scenario::parse(large_plant(), "large_plant.json");
    bench("large", large, 12 * 3600, 50, w, h, frames, offscreen);
    bench("large/near", large, 12 * 3600, 50, w, h, frames, offscreen, 0.25);
  }
  if (only.empty() || only == "flagship")
    bench("flagship", Scenario::load(DTWIN_SOURCE_DIR "/scenarios/line/flagship.json"), 3600, 10, w,
          h, frames, offscreen);
  // the greenhouse season two months in at its default 20000x, the SCARA cell at 1x
  if (only.empty() || only == "greenhouse")
    bench("greenhouse",
          Scenario::load(DTWIN_SOURCE_DIR "/scenarios/greenhouse/tomato_season_hps.json"),
          60 * 86400, 20000, w, h, frames, offscreen);
  if (only.empty() || only == "cell")
    bench("cell", Scenario::load(DTWIN_SOURCE_DIR "/scenarios/cell/flagship.json"), 60, 1, w, h,
          frames, offscreen);
  return 0;
}
