#include "viewer/view.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iostream>

#include "engine/duration.hpp"
#include "engine/error.hpp"
#include "engine/scenario.hpp"
#include "viewer/app.hpp"
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

  const Scenario sc = Scenario::load(o.file);
  Session session(sc, Session::Options{o.variant, o.seed});
  if (session.lines().empty() && session.greenhouses().empty() && session.cells().empty())
    throw UsageError(o.file +
                     " has nothing the viewer draws (production lines, greenhouses, work cells)");
  if (!o.select.empty()) session.select(session.find(o.select));
  session.playback().set_speed(o.speed > 0 ? o.speed : session.default_speed());
  session.playback().jump_to(at);

  try {
    if (o.screenshot.empty()) {
      session.playback().set_playing(!o.paused);
      App app(session, w, h, App::Mode::Window);
      return app.run();
    }
    session.playback().set_playing(false);
    App app(session, w, h, App::Mode::Offscreen);
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
