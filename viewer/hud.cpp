#include "viewer/hud.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/base/format.hpp"
#include "engine/scenario/duration.hpp"
#include "viewer/controls.hpp"
#include "viewer/fonts.hpp"
#include "viewer/inspector.hpp"
#include "viewer/inspector_models.hpp"
#include "viewer/palette.hpp"
#include "viewer/scene_cell.hpp"
#include "viewer/scene_greenhouse.hpp"
#include "viewer/time_text.hpp"

namespace dtwin::viewer {

namespace {

constexpr Rgba kPanel{0.06f, 0.07f, 0.09f, 0.80f};
constexpr Rgba kText{0.93f, 0.94f, 0.96f, 1};
Rgba panel_bg() {  // the what-if panel: darker, nearly opaque
  return {0.04f, 0.05f, 0.07f, 0.93f};
}

std::string factor_text(double f) {
  return (f < 1 ? fmt_num(f, 2) : fmt_fixed(f, f < 10 ? 1 : 0)) + "x";
}

}  // namespace

std::vector<std::pair<Rgba, std::string>> legend(const Session& s, bool stale) {
  std::vector<std::pair<Rgba, std::string>> e;
  if (!s.lines().empty()) {
    for (auto st : kLegend) e.push_back({status_color(st), line::status_name(st)});
    // a part, or each product's (the first line's products; a plant's lines share them)
    const auto& products = s.spec(0).products;
    if (products.empty()) e.push_back({kPart, "part"});
    for (std::uint32_t p = 0; p < products.size(); ++p)
      e.push_back({product_color(p), "product " + products[p].name});
    for (std::uint32_t li = 0; li < s.lines().size(); ++li)
      if (!s.spec(li).fleets.empty() || !s.spec(li).pools.empty()) {
        if (!s.spec(li).fleets.empty()) e.push_back({kVehicleTop, "vehicle"});
        if (!s.spec(li).pools.empty()) e.push_back({kOperator, "operator"});
        break;
      }
  }
  if (!s.cells().empty()) {  // the states a cell's robot is drawn in
    const std::string pre = s.lines().empty() ? "" : "robot ";
    for (auto st : {machine::CellStatus::Moving, machine::CellStatus::Waiting,
                    machine::CellStatus::Idle, machine::CellStatus::Fault})
      e.push_back({cell_status_color(st), pre + machine::cell_status_name(st)});
  }
  if (!s.greenhouses().empty()) {  // short: the legend sits beside the time bar
    auto clamp1 = [](Rgba c) {
      return Rgba{std::min(c.r, 1.f), std::min(c.g, 1.f), std::min(c.b, 1.f), 1};
    };
    e.push_back({clamp1(kLampOn), "lamps on"});
    e.push_back({kLampOff, "lamps off"});
    e.push_back({kScreenSheet, "screen"});
    e.push_back({kYoung, "crop thin"});
    e.push_back({kLush, "crop full"});
    e.push_back({kFruit, "fruit"});
    e.push_back({kPipeCold,
                 "pipes 20 \xc2\xb0"
                 "C"});
    e.push_back({kPipeHot,
                 "pipes 70 \xc2\xb0"
                 "C"});
  }
  if (stale) e.push_back({kStale, "stale / offline (no recent report)"});
  return e;
}

std::string kpi_text(const Session& s) {
  const std::string models = model_kpi_text(s);  // greenhouses and cells
  if (s.lines().empty()) return models;
  std::uint64_t out = 0, wip = 0, scrap = 0;
  double lead_sum = 0, since = 0;
  for (std::uint32_t li = 0; li < s.lines().size(); ++li) {
    const line::LineState& st = s.state(li);
    out += st.out;
    wip += st.wip;
    scrap += st.scrapped;
    lead_sum += st.lead_sum;
    since = st.stats_since;
  }
  const double T = s.world().now() - since;
  std::string t = "throughput " +
                  (T > 0 ? fmt_fixed(static_cast<double>(out) / T * 3600, 1) : std::string("-")) +
                  " parts/h   WIP " + std::to_string(wip) + " parts   out " + std::to_string(out);
  if (scrap > 0) t += "   scrap " + std::to_string(scrap);
  if (out > 0) t += "   lead time " + format_duration(lead_sum / static_cast<double>(out));
  if (!models.empty()) t += "\n" + models;
  return t;
}

std::string status_text(const Session& s) {
  const Playback& p = s.playback();
  std::string t = s.scenario_name() + "  \xc2\xb7  " + s.variant() + "  \xc2\xb7  seed " +
                  std::to_string(s.seed()) + "\n";
  t += "t = " + clock_text(p.now(), !p.playing());
  if (p.playing())
    t += "   \xe2\x96\xb6 " + factor_text(p.speed()) + "  (achieved " + factor_text(p.achieved()) +
         ")";
  else
    t += "   paused  (" + factor_text(p.speed()) + " when playing)";
  t += "\n" + kpi_text(s);
  if (!s.undrawn().empty()) {
    t += "\nnot drawn yet:";
    for (const auto& k : s.undrawn()) t += " " + k;
  }
  t += "\nh: help   click a twin to inspect it";
  return t;
}

Hud::Hud(int w, int h) : camera_(new osg::Camera) {
  camera_->setReferenceFrame(osg::Transform::ABSOLUTE_RF);
  camera_->setViewMatrix(osg::Matrixd::identity());
  camera_->setRenderOrder(osg::Camera::NESTED_RENDER);
  camera_->setClearMask(0);
  camera_->setAllowEventFocus(false);
  osg::StateSet* ss = camera_->getOrCreateStateSet();
  ss->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
  ss->setMode(GL_DEPTH_TEST, osg::StateAttribute::OFF);
  ss->setRenderBinDetails(100, "RenderBin");  // after everything in the scene
  resize(w, h);
}

void Hud::resize(int w, int h) {
  width_ = std::max(w, 1);
  height_ = std::max(h, 1);
  scale_ = std::clamp(static_cast<float>(height_) / 800.0f, 0.6f, 1.6f);
  camera_->setProjectionMatrixAsOrtho2D(0, width_, 0, height_);
  const int sans_px = static_cast<int>(std::lround(15 * scale_));
  const int mono_px = static_cast<int>(std::lround(13 * scale_));
  if (!sans_ || sans_->pixel_size() != sans_px) {
    if (sans_) camera_->removeChild(sans_->node());
    sans_ = std::make_unique<TextBatch>(ui_font(), sans_px);
    camera_->addChild(sans_->node());
  }
  if (!mono_ || mono_->pixel_size() != mono_px) {
    if (mono_) camera_->removeChild(mono_->node());
    mono_ = std::make_unique<TextBatch>(ui_font(true), mono_px);
    camera_->addChild(mono_->node());
  }
  sans_->set_viewport(width_, height_);
  mono_->set_viewport(width_, height_);
  key_.clear();
}

void Hud::update(const Session& s, const HudInput& in) {
  std::string status = in.live.empty() ? status_text(s) : in.live;
  if (!in.follow.empty()) status += "\n" + in.follow + "   (F or Esc: stop)";
  std::string inspector = in.help ? std::string() : inspect(s, s.selected());
  if (!in.live.empty()) {  // live: the world's "now" is not the plant's; the mirror's follows
    const auto a = inspector.find("-- now");
    if (a != std::string::npos) {
      const auto b = inspector.find("\n-- ", a);
      inspector.erase(a, b == std::string::npos ? std::string::npos : b + 1 - a);
    }
  }
  if (!inspector.empty() && !in.inspector_extra.empty()) inspector += "\n" + in.inspector_extra;
  std::string prompt = in.prompt ? "jump to time: " + in.prompt_text +
                                       "_\n2h, 90min, 3d ...   Enter: go   Esc: cancel"
                                 : std::string();
  if (in.prompt && !in.prompt_label.empty())
    prompt = in.prompt_label + in.prompt_text + "_\n" + in.prompt_hint;
  const std::string whatif = in.help ? std::string() : in.panel;
  std::string key = status + '\x1f' + inspector + '\x1f' + prompt + '\x1f' + in.message +
                    (in.help ? "\x1fhelp" : "") + '\x1f' + whatif +
                    (in.stale_legend ? "\x1fstale" : "") + '\x1f' + in.alerts;
  if (key == key_) return;
  key_ = std::move(key);

  const float W = static_cast<float>(width_), H = static_cast<float>(height_);
  const float m = 12, pad = std::round(8 * scale_);
  const Rgba panel = kPanel, text = kText;
  auto at = [](float x, float y) { return osg::Vec3(x, y, 0); };
  sans_->clear();
  mono_->clear();

  sans_->text(at(m + pad, H - m - pad), status, text, Align::LeftTop, panel, pad);

  // the legend, bottom left
  const float row = static_cast<float>(sans_->line_height()) + 3;
  const float sw = std::round(11 * scale_);
  float legend_w = 0;
  const std::vector<std::pair<Rgba, std::string>> entries = legend(s, in.stale_legend);
  for (const auto& e : entries) legend_w = std::max(legend_w, sans_->measure(e.second).x());
  const float lh = row * static_cast<float>(entries.size());
  if (!entries.empty()) sans_->rect(at(m, m), 0, 0, legend_w + sw + 3 * pad, lh + 2 * pad, panel);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const float y = m + pad + lh - row * (static_cast<float>(i) + 0.5f);
    const Rgba c = entries[i].first;
    sans_->rect(at(m + pad, std::round(y)), 0, -sw / 2, sw, sw / 2, {c.r, c.g, c.b, 1});
    sans_->text(at(m + 2 * pad + sw, std::round(y)), entries[i].second, text, Align::LeftCenter);
  }

  if (!inspector.empty()) {
    const osg::Vec2 size = mono_->measure(inspector);
    mono_->text(at(W - m - pad - size.x(), H - m - pad), inspector, text, Align::LeftTop, panel,
                pad);
  }
  if (in.help) {
    const std::string help = help_text();
    const osg::Vec2 size = mono_->measure(help);
    mono_->text(at(std::round((W - size.x()) / 2), std::round((H + size.y()) / 2)), help, text,
                Align::LeftTop, panel, 2 * pad);
  }
  if (!whatif.empty()) {
    const osg::Vec2 size = mono_->measure(whatif);
    mono_->text(at(std::round((W - size.x()) / 2), std::round(H * 0.42f + size.y() / 2)), whatif,
                text, Align::LeftTop, panel_bg(), 2 * pad);
  }
  if (!prompt.empty())
    sans_->text(at(W / 2, H * 0.7f), prompt, text, Align::Center,
                {kHighlight.r * 0.25f, kHighlight.g * 0.25f, kHighlight.b * 0.3f, 0.92f}, 2 * pad);
  if (!in.alerts.empty() && !in.help) {  // bottom right, on a red panel
    const osg::Vec2 size = mono_->measure(in.alerts);
    mono_->text(at(W - m - pad - size.x(), m + pad + size.y()), in.alerts, text, Align::LeftTop,
                {0.45f, 0.04f, 0.10f, 0.88f}, pad);
  }
  if (!in.message.empty())
    sans_->text(at(W / 2, m + pad), in.message, text, Align::CenterBottom, panel, pad);
  sans_->commit();
  mono_->commit();
}

}  // namespace dtwin::viewer
