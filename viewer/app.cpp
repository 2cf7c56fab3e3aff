#include "viewer/app.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include <osgDB/WriteFile>
#include <osgViewer/ViewerEventHandlers>

#include "engine/scenario/duration.hpp"
#include "viewer/edit.hpp"
#include "viewer/picking.hpp"
#include "viewer/time_text.hpp"

namespace dtwin::viewer {

namespace {

// a pbuffer is never shown: skipping its swap also keeps Mesa's software rasteriser from
// trying (and noisily failing) to put its pixels on the screen
struct NoSwap : osg::GraphicsContext::SwapCallback {
  void swapBuffersImplementation(osg::GraphicsContext*) override {}
};

std::string display_name() {
  const char* d = std::getenv("DISPLAY");
  return d ? d : "";
}

osg::ref_ptr<osg::GraphicsContext> make_context(int w, int h, bool offscreen,
                                                const std::string& title) {
  if (display_name().empty())
    throw DisplayError(
        "no X display (DISPLAY is not set): the viewer needs one, also for --screenshot; on a "
        "machine without a screen run it under Xvfb, e.g. xvfb-run -a dtwin view ...");
  auto traits = osg::ref_ptr<osg::GraphicsContext::Traits>(new osg::GraphicsContext::Traits);
  traits->readDISPLAY();
  traits->setUndefinedScreenDetailsToDefaultScreen();
  traits->x = 40;
  traits->y = 40;
  traits->width = w;
  traits->height = h;
  traits->red = traits->green = traits->blue = 8;
  traits->alpha = 8;
  traits->depth = 24;
  traits->doubleBuffer = true;  // single-buffered, Mesa would copy each flush to the screen
  traits->pbuffer = offscreen;
  traits->windowDecoration = !offscreen;
  traits->windowName = title;
  traits->vsync = false;
  auto gc = osg::GraphicsContext::createGraphicsContext(traits.get());
  if (!gc)
    throw DisplayError("cannot create an OpenGL " + std::string(offscreen ? "pbuffer" : "window") +
                       " on display " + display_name() +
                       " (is the X server running? Mesa's libgl1-mesa-dri installed?)");
  return gc;
}

}  // namespace

App::App(Session& s, int w, int h, Mode mode)
    : s_(s), mode_(mode), width_(w), height_(h), viewer_(new osgViewer::Viewer) {
  const bool offscreen = mode == Mode::Offscreen;
  auto gc = make_context(w, h, offscreen, "dtwin view: " + s.scenario_name());
  if (offscreen) gc->setSwapCallback(new NoSwap);

  viewer_->setThreadingModel(osgViewer::Viewer::SingleThreaded);
  viewer_->setKeyEventSetsDone(0);  // Esc clears the selection; q quits
  viewer_->setLightingMode(osg::View::NO_LIGHT);
  osg::Camera* cam = viewer_->getCamera();
  cam->setGraphicsContext(gc.get());
  cam->setViewport(0, 0, w, h);
  cam->setClearColor({kBackground.r, kBackground.g, kBackground.b, 1});
  const CameraPose home = home_pose(s.layout(), double(w) / h);
  cam->setProjectionMatrix(projection_matrix(home, double(w) / h));
  if (offscreen) {
    // a frame-buffer object: Mesa's multisampled FBOs fail OpenSceneGraph's set-up, so no
    // anti-aliasing off-screen
    cam->setRenderTargetImplementation(osg::Camera::FRAME_BUFFER_OBJECT);
    image_ = new osg::Image;
    image_->allocateImage(w, h, 1, GL_RGB, GL_UNSIGNED_BYTE);
    cam->attach(osg::Camera::COLOR_BUFFER, image_.get());
    cam->setViewMatrix(view_matrix(home));
    pose_ = home;
    osgGA::EventQueue* q = viewer_->getEventQueue();
    q->getCurrentEventState()->setInputRange(0, 0, float(w), float(h));
    q->getCurrentEventState()->setMouseYOrientation(osgGA::GUIEventAdapter::Y_INCREASING_UPWARDS);
  } else {
    cam->setDrawBuffer(GL_BACK);
    cam->setReadBuffer(GL_BACK);
    manipulator_ = new PlantManipulator;
    manipulator_->setVerticalAxisFixed(true);
    manipulator_->setAllowThrow(false);
    manipulator_->setHomePosition(home.eye, home.center, home.up);
    viewer_->setCameraManipulator(manipulator_.get());
    viewer_->addEventHandler(new osgViewer::StatsHandler);
    auto* capture = new osgViewer::ScreenCaptureHandler(
        new osgViewer::ScreenCaptureHandler::WriteToFile("dtwin_view", "png"));
    capture->setKeyEventTakeScreenShot('c');
    viewer_->addEventHandler(capture);
  }

  scene_ = std::make_unique<Scene>(s_);
  scene_->set_viewport(w, h);
  hud_ = std::make_unique<Hud>(w, h);
  auto root = osg::ref_ptr<osg::Group>(new osg::Group);
  root->addChild(scene_->root());
  root->addChild(hud_->camera());
  scrubber_ = std::make_unique<Scrubber>();
  scrubber_->set_duration(s_.duration_s());
  plot_ = std::make_unique<Plot>();
  hud_->camera()->addChild(scrubber_->node());
  hud_->camera()->addChild(plot_->node());
  scrubber_->resize(w, h, hud_scale(h));
  plot_->resize(w, h, hud_scale(h), scrubber_->strip());
  s_.playback().on_jump([this](double, double to) { plot_->trim_after(to); });
  viewer_->setSceneData(root.get());
  controls_ = new Controls(*this);
  viewer_->addEventHandler(controls_.get());
  viewer_->realize();
  if (!viewer_->isRealized()) throw DisplayError("the OpenGL context could not be realised");
}

App::~App() {
  s_.playback().on_jump(nullptr);
}

void App::frame(double wall_s) {
  using clock = std::chrono::steady_clock;
  auto since = [](clock::time_point t) {
    return std::chrono::duration<double>(clock::now() - t).count();
  };
  viewer_->advance();
  viewer_->eventTraversal();
  auto t = clock::now();
  s_.playback().advance(wall_s, 0.030);
  if (live_) sync_live();
  follow_step();
  if (whatif_.poll() && !whatif_.running()) note("what-if done");
  hud_in_.panel = whatif_.text();
  times_.sim_s = since(t);
  t = clock::now();
  if (message_left_s_ > 0 && (message_left_s_ -= wall_s) <= 0) hud_in_.message.clear();
  if (const osg::Viewport* vp = viewer_->getCamera()->getViewport()) {
    const int w = static_cast<int>(vp->width()), h = static_cast<int>(vp->height());
    if (w != width_ || h != height_) {
      width_ = w, height_ = h;
      hud_->resize(w, h);
      scene_->set_viewport(w, h);
      scrubber_->resize(w, h, hud_scale(h));
      plot_->resize(w, h, hud_scale(h), scrubber_->strip());
    }
  }
  scene_->update(s_, view(), projection());
  hud_->update(s_, hud_in_);
  scrubber_->update(s_.playback().now());
  plot_->update(s_.world());
  viewer_->updateTraversal();
  times_.update_s = since(t);
  t = clock::now();
  viewer_->renderingTraversals();
  times_.render_s = since(t);
}

int App::run() {
  using clock = std::chrono::steady_clock;
  auto last = clock::now();
  while (!viewer_->done()) {
    const auto start = clock::now();
    const double wall = std::min(std::chrono::duration<double>(start - last).count(), 0.25);
    last = start;
    frame(wall);
    const auto spent = clock::now() - start;
    const auto budget = std::chrono::microseconds(1000000 / 60);
    if (spent < budget) std::this_thread::sleep_for(budget - spent);
  }
  return 0;
}

osg::Matrixd App::view() const {
  return viewer_->getCamera()->getViewMatrix();
}

osg::Matrixd App::projection() const {
  return viewer_->getCamera()->getProjectionMatrix();
}

void App::set_pose(const CameraPose& p) {
  if (manipulator_) {
    manipulator_->setTransformation(p.eye, p.center, p.up);
  } else {
    pose_ = p;
    viewer_->getCamera()->setViewMatrix(view_matrix(p));
  }
}

CameraPose App::pose() const {
  if (!manipulator_) return pose_;  // off-screen: the view matrix alone loses the centre
  CameraPose p;
  viewer_->getCamera()->getViewMatrixAsLookAt(p.eye, p.center, p.up);
  if (manipulator_) p.center = manipulator_->getCenter();
  return p;
}

bool App::save_png(const std::string& path) const {
  return image_ && osgDB::writeImageFile(*image_, path);
}

void App::inject_click(double x, double y) {
  osgGA::EventQueue* q = viewer_->getEventQueue();
  q->mouseButtonPress(float(x), float(y), 1);
  q->mouseButtonRelease(float(x), float(y), 1);
}

void App::note(std::string message) {
  hud_in_.message = std::move(message);
  message_left_s_ = 3;
}

void App::toggle_play() {
  if (live_) {
    note("live: the plant runs by itself");
    return;
  }
  Playback& p = s_.playback();
  p.set_playing(!p.playing());
}

void App::step_event() {
  if (!s_.playback().step()) note("nothing left to happen");
}

void App::faster() {
  s_.playback().faster();
}

void App::slower() {
  s_.playback().slower();
}

void App::toggle_help() {
  hud_in_.help = !hud_in_.help;
}

void App::focus_selected() {
  const int sel = s_.selected();
  if (sel < 0) {
    note("select a twin first (click it)");
    return;
  }
  set_pose(focus_pose(s_.layout().items[static_cast<std::size_t>(sel)], pose()));
}

void App::toggle_follow() {
  if (follow_) {
    follow_ = false;
    hud_in_.follow.clear();
    note("follow off");
    return;
  }
  if (s_.selected() < 0) {
    note("select a twin first (click it), then F");
    return;
  }
  follow_ = true;
  follow_step();
}

void App::follow_step() {
  const int sel = s_.selected();
  if (!follow_ || sel < 0 || static_cast<std::size_t>(sel) >= s_.layout().items.size()) {
    follow_ = false;  // nothing selected any more: nothing to follow
    hud_in_.follow.clear();
    return;
  }
  const Item& it = s_.layout().items[static_cast<std::size_t>(sel)];
  // a work cell's robot moves: its tool point; any other twin: the middle of its item
  osg::Vec3d c(it.x_m, it.y_m, it.height_m / 2);
  if (it.kind == ItemKind::Cell) {
    const CellView& v = s_.cells()[it.index];
    const P3 tp = cell_tool_point(v.cell->spec(), s_.cell_state(it.index), v.geom);
    c.set(tp.x, tp.y, tp.z);
  }
  if (manipulator_) {
    manipulator_->setCenter(c);  // keeps the trackball's rotation and distance
  } else {
    const osg::Vec3d d = c - pose_.center;
    pose_.center += d;
    pose_.eye += d;
    viewer_->getCamera()->setViewMatrix(view_matrix(pose_));
  }
  hud_in_.follow = "following " + it.id;
}

void App::home() {
  follow_ = false;
  hud_in_.follow.clear();
  if (manipulator_)
    manipulator_->home(0.0);
  else
    set_pose(home_pose(s_.layout(), double(width_) / height_));
}

void App::deselect() {
  if (hud_in_.help)
    hud_in_.help = false;
  else if (whatif_.open())
    whatif_.close();
  else if (follow_)
    toggle_follow();
  else
    s_.select(-1);
}

void App::quit() {
  viewer_->setDone(true);
}

void App::open_prompt() {
  if (live_) {
    note("live: the plant's clock is its own (no jumps)");
    return;
  }
  prompt_kind_ = PromptKind::Jump;
  hud_in_.prompt_label.clear();
  hud_in_.prompt = true;
  hud_in_.prompt_text.clear();
}

void App::prompt_key(int key) {
  using GEA = osgGA::GUIEventAdapter;
  if (prompt_kind_ != PromptKind::Jump) return operator_key(key);
  std::string& t = hud_in_.prompt_text;
  if (key == GEA::KEY_Escape) {
    hud_in_.prompt = false;
  } else if (key == GEA::KEY_BackSpace) {
    if (!t.empty()) t.pop_back();
  } else if (key == GEA::KEY_Return || key == GEA::KEY_KP_Enter) {
    hud_in_.prompt = false;
    double at = 0;
    if (parse_time(t, &at)) {
      s_.playback().jump_to(at);
      note("jumped to " + clock_text(at));
    } else {
      note("not a time: \"" + t + "\" (try 2h, 90min, 3d)");
    }
  } else if (key >= 32 && key < 127 && t.size() < 24) {
    t += static_cast<char>(key);
  }
}

void App::click(double x, double y) {
  const double px = (x + 1) / 2 * width_, py = (y + 1) / 2 * height_;
  const Ray ray = pixel_ray(view(), projection(), width_, height_, px, py);
  s_.select(pick(s_.layout(), ray));
}

// ---- the operator: live mode, edits, what-ifs ----------------------------------------------

void App::set_live(LiveSource* src) {
  live_ = src;
  live_gen_ = 0;
  hud_in_.stale_legend = src != nullptr;
  if (!src) {
    hud_in_.live.clear();
    hud_in_.inspector_extra.clear();
    scene_->set_stale({});
    scene_->set_live({}, {});
  }
}

std::string App::selected_id() const {
  const int sel = s_.selected();
  if (sel < 0 || static_cast<std::size_t>(sel) >= s_.layout().items.size()) return "";
  return s_.layout().items[static_cast<std::size_t>(sel)].id;
}

void App::sync_live() {
  const double now = steady_now();
  const LiveSource::State st = live_->state();
  // the engine unreachable: everything the viewer holds gets older unseen, so every station
  // with a mirror is shaded stale until the engine answers again
  const bool lost = !st.reachable && st.polls > 0;
  if (st.generation != live_gen_ || lost != live_lost_) {
    if (st.generation != live_gen_) {  // the mirrored values into a fresh world (not advanced
      s_.playback().restart(live_init(st.twins));  // between polls: see live_source.hpp)
      std::map<std::string, nlohmann::json> reported;
      for (const auto& [id, t] : st.twins)
        if (t.j.contains("reported")) reported[id] = t.j["reported"];
      s_.set_live_reported(std::move(reported));
    }
    live_gen_ = st.generation;
    live_lost_ = lost;
    std::vector<bool> stale(s_.layout().items.size(), false);
    for (std::size_t i = 0; i < stale.size(); ++i) {
      const auto it = st.twins.find(s_.layout().items[i].id);
      stale[i] = it != st.twins.end() && (lost || is_stale(it->second.j));
    }
    scene_->set_stale(std::move(stale));
    // a station's reported state colours and labels it (live_view_of)
    std::vector<int> status;
    std::vector<std::string> labels;
    live_view_of(s_.layout(), st.twins, status, labels);
    scene_->set_live(std::move(status), std::move(labels));
    scene_->set_alerts(alert_levels(s_.layout(), st.alerts));
    hud_in_.alerts = alerts_text(st.alerts);
  }
  hud_in_.live = live_status_text(st, live_->plant(), now) + "\n" + s_.scenario_name() +
                 "\nh: help   click a twin to inspect it   e: edit   w: what-if";
  const auto it = st.twins.find(selected_id());
  hud_in_.inspector_extra = it == st.twins.end() ? "" : live_inspector_text(it->second, now);
  // the edit: first the engine's answer, then the asset's
  if (edit_ticket_) {
    if (auto a = live_->answer(edit_ticket_)) {
      edit_ticket_ = 0;
      if (a->value("ok", false)) {
        const auto& r = (*a)["result"];
        watch_ = Watch{r.value("twin", std::string()), r.value("prop", std::string()),
                       r.value("version", std::uint64_t{0})};
        last_edit_ = watch_->twin + "." + watch_->prop + ": pending (desired version " +
                     std::to_string(watch_->version) + ")";
      } else {
        watch_.reset();
        last_edit_ = "refused: " + a->value("error", std::string("?")) + " (" +
                     a->value("code", std::string("?")) + ")";
      }
      note(last_edit_);
    }
  }
  if (watch_) {
    const auto tw = st.twins.find(watch_->twin);
    if (tw != st.twins.end() && tw->second.j["desired"].contains(watch_->prop)) {
      const auto& d = tw->second.j["desired"][watch_->prop];
      const std::string state = d.value("state", std::string("pending"));
      if (d.value("version", std::uint64_t{0}) != watch_->version) {
        last_edit_ = watch_->twin + "." + watch_->prop + ": superseded";
        note(last_edit_);
        watch_.reset();
      } else if (state != "pending") {
        last_edit_ = watch_->twin + "." + watch_->prop + ": " + state +
                     (d.contains("reason") ? " (" + d["reason"].get<std::string>() + ")" : "");
        note(last_edit_);
        watch_.reset();
      }
    }
  }
}

void App::open_edit() {
  const std::string id = selected_id();
  if (id.empty()) {
    note("select a twin first (click it), then e");
    return;
  }
  const auto props = writable_properties(s_.world(), id);
  if (props.empty()) {
    note(id + " has no property an operator may set");
    return;
  }
  prompt_kind_ = PromptKind::Edit;
  hud_in_.prompt = true;
  hud_in_.prompt_text.clear();
  hud_in_.prompt_label = "edit " + id + (live_ ? " (desired value): " : ": ");
  std::string list;
  for (const auto& p : props) list += (list.empty() ? "" : ", ") + p;
  hud_in_.prompt_hint = "prop = value   writable: " + list + "   Tab: complete   Enter   Esc";
}

void App::open_whatif() {
  if (whatif_.running()) {
    note("a what-if is running: its panel shows when it is done");
    return;
  }
  if (!live_ && !scenario_) {
    note("what-if: no scenario");
    return;
  }
  prompt_kind_ = PromptKind::WhatIf;
  hud_in_.prompt = true;
  hud_in_.prompt_text.clear();
  const std::string id = selected_id();
  hud_in_.prompt_label = "what-if from now" + (id.empty() ? std::string() : " on " + id) + ": ";
  hud_in_.prompt_hint =
      "prop = value  or  variant NAME   (then: for 8h, x 5)   Enter: run   Esc: cancel";
}

void App::close_panel() {
  whatif_.close();
}

void App::operator_key(int key) {
  using GEA = osgGA::GUIEventAdapter;
  std::string& t = hud_in_.prompt_text;
  if (key == GEA::KEY_Escape) {
    hud_in_.prompt = false;
  } else if (key == GEA::KEY_BackSpace) {
    if (!t.empty()) t.pop_back();
  } else if (key == GEA::KEY_Tab) {
    t = complete_property(t, writable_properties(s_.world(), selected_id()));
  } else if (key == GEA::KEY_Return || key == GEA::KEY_KP_Enter) {
    hud_in_.prompt = false;
    const std::string text = t;
    if (prompt_kind_ == PromptKind::Edit)
      submit_edit(text);
    else
      submit_whatif(text);
  } else if (key >= 32 && key < 127 && t.size() < 60) {
    t += static_cast<char>(key);
  }
}

void App::submit_edit(const std::string& text) {
  std::string why;
  const auto e = parse_edit(text, selected_id(), &why);
  if (!e) {
    last_edit_ = why;
    note(why);
    return;
  }
  if (live_) {
    edit_ticket_ = live_->submit(
        {{"op", "set"}, {"twin", e->twin}, {"prop", e->prop}, {"value", e->value}}, 5000);
    watch_.reset();
    last_edit_ = e->twin + "." + e->prop + ": sent";
    note(last_edit_);
    return;
  }
  // simulation: a command to the viewer's world, handled by the model
  Value v;
  if (!edit_value(s_.world(), *e, v, &why) ||
      !s_.playback().apply_setpoint(e->twin, e->prop, v, &why)) {
    last_edit_ = "refused: " + why;
  } else {
    last_edit_ = e->twin + "." + e->prop +
                 " := " + (e->value.is_string() ? e->value.get<std::string>() : e->value.dump()) +
                 ": applied at t = " + clock_text(s_.world().now());
  }
  note(last_edit_);
}

void App::submit_whatif(const std::string& text) {
  WhatIfAsk ask;
  std::string why;
  if (!parse_whatif(text, selected_id(), ask, &why)) {
    note(why);
    return;
  }
  try {
    if (live_)
      whatif_.start_live(*live_, ask);
    else
      whatif_.start_sim(*scenario_, s_.variant(), s_.seed(), s_.world(), ask);
    note("what-if running: " + ask.label());
  } catch (const std::exception& e) {
    note(std::string("what-if: ") + e.what());
  }
}

}  // namespace dtwin::viewer

namespace dtwin::viewer {

void App::inject_drag(double x0, double x1, double y) {
  osgGA::EventQueue* q = viewer_->getEventQueue();
  q->mouseButtonPress(float(x0), float(y), 1);
  q->mouseMotion(float((x0 + x1) / 2), float(y));
  q->mouseMotion(float(x1), float(y));
  q->mouseButtonRelease(float(x1), float(y), 1);
}

void App::set_recorded(std::shared_ptr<const TimeSeries> ts) {
  plot_->set_recorded(std::move(ts), s_.duration_s());
}

bool App::press(double x, double y) {
  const double px = (x + 1) / 2 * width_, py = (y + 1) / 2 * height_;
  if (!scrubber_->strip().contains(px, py) || scrubber_->duration() <= 0) return false;
  scrubbing_ = true;
  s_.playback().jump_to(scrubber_->time_at(px));
  return true;
}

void App::drag(double x, double /*y*/) {
  if (!scrubbing_) return;
  const double t = scrubber_->time_at((x + 1) / 2 * width_);
  if (t != s_.playback().now()) s_.playback().jump_to(t);
}

void App::release() {
  scrubbing_ = false;
}

void App::scrub_step(int direction) {
  const double d = scrubber_->duration();
  if (d <= 0) {
    note("the run has no duration to step through");
    return;
  }
  const double t = std::clamp(s_.playback().now() + direction * 0.01 * d, 0.0, d);
  s_.playback().jump_to(t);
}

void App::cycle_plot() {
  const int sel = s_.selected();
  std::string twin = sel >= 0 ? s_.layout().items[static_cast<std::size_t>(sel)].id : "";
  if (!twin.empty() && !plot_->has_series(s_.world(), twin)) {
    note(twin + " has no numeric series: the plant's instead");
    twin.clear();
  }
  if (plot_->cycle(s_.world(), twin).empty()) note("no series to plot");
}

void App::hide_plot() {
  plot_->hide();
}

}  // namespace dtwin::viewer
