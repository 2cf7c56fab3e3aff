#include "viewer/scene_greenhouse.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "twins/greenhouse/greenlight_twin.hpp"
#include "twins/greenhouse/lettuce_greenhouse.hpp"
#include "twins/greenhouse/tomato_crop.hpp"

namespace dtwin::viewer {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kSectionArea_m2 = 1500;  // larger houses are drawn as a section
constexpr double kLettuceLaiPerKg = 25;   // lettuce: LAI drawn from dry weight (m2/m2 per kg/m2)

constexpr Rgba kFrame{0.80f, 0.82f, 0.86f, 1};
constexpr Rgba kGlass{0.72f, 0.86f, 0.96f, 0.13f};
constexpr Rgba kVentGlass{0.70f, 0.85f, 0.96f, 0.45f};
constexpr Rgba kSoil{0.36f, 0.30f, 0.24f, 1};
constexpr Rgba kSlab{0.55f, 0.55f, 0.52f, 1};

const greenhouse::GreenLightModel* as_greenlight(const greenhouse::StepTwin& m) {
  return dynamic_cast<const greenhouse::GreenLightModel*>(&m);
}

int index_of(const greenhouse::StepTwin& m, const char* name) {
  const auto& n = m.names();
  for (std::size_t i = 0; i < n.size(); ++i)
    if (n[i] == name) return static_cast<int>(i);
  return -1;
}

double metric(const Metrics& m, const std::string& key) {
  const auto* v = m.find(key);
  return v ? v->value : kNaN;
}

}  // namespace

GreenhouseGeom greenhouse_geometry(const greenhouse::StepTwin& m, double cx, double cy) {
  GreenhouseGeom g;
  const auto* gl = as_greenlight(m);
  const bool crop_only = m.kind() == "tomato_crop" || m.kind() == "lettuce_crop";
  g.lettuce = m.kind() == "lettuce_crop" || m.kind() == "lettuce_greenhouse";
  if (crop_only) {
    g.house = false;
    g.length = 12, g.width = 8;
  } else if (gl) {
    const auto& p = gl->spec().p;
    g.area_m2 = p.aFlr;
    g.gutter = p.hAir;
    g.ridge = std::max(p.hAir + 0.5, 2 * p.hGh - p.hAir);  // its mean height is hGh
    if (p.aFlr > kSectionArea_m2) {
      g.section = true;
      g.length = 36, g.width = 24;
    } else {
      g.length = std::sqrt(p.aFlr * 1.5);
      g.width = p.aFlr / g.length;
    }
    g.has_lamps = gl->spec().lamp != "none";
  }
  g.x0 = cx - g.length / 2;
  g.y0 = cy - g.width / 2;
  g.spans = std::max(1, static_cast<int>(std::lround(g.width / 4)));
  g.span = g.width / g.spans;
  g.screen_z = g.gutter - 0.15;
  for (double y = g.y0 + 0.8; y < g.y0 + g.width - 0.5; y += 1.6) g.rows_y.push_back(y);
  if (g.has_lamps)
    for (double x = g.x0 + 1.5; x < g.x0 + g.length - 1; x += 3)
      for (int k = 0; k < 2 * g.spans; ++k)
        g.lamps.push_back({x, g.y0 + g.span * (0.25 + 0.5 * k), g.gutter - 0.75});
  return g;
}

void overlay_reported(const greenhouse::StepTwin& m, const nlohmann::json& reported,
                      GreenhouseNow& n) {
  const auto* gl = as_greenlight(m);
  if (!gl || !reported.is_object()) return;
  // the greenhouse's properties (twins/greenhouse/greenlight_mirror.cpp) and the figures they are
  static const std::pair<const char*, double GreenhouseNow::*> kShown[] = {
      {"air_temp", &GreenhouseNow::air_c},
      {"rh", &GreenhouseNow::rh_pct},
      {"co2", &GreenhouseNow::co2_ppm},
      {"outdoor_temp", &GreenhouseNow::out_c},
      {"radiation", &GreenhouseNow::rad_w_m2},
      {"thermal_screen", &GreenhouseNow::screen},
      {"blackout_screen", &GreenhouseNow::blackout},
      {"lamps", &GreenhouseNow::lamps},
      {"roof_vents", &GreenhouseNow::vents},
      {"pipe_temp", &GreenhouseNow::pipe_c},
      {"heating", &GreenhouseNow::boiler_w_m2},
      {"par", &GreenhouseNow::par_umol},
      {"lai", &GreenhouseNow::lai},
      {"dry_weight", &GreenhouseNow::dry_weight_kg_m2}};
  for (const auto& [prop, field] : kShown) {
    const auto it = reported.find(prop);
    if (it != reported.end() && it->contains("value") && (*it)["value"].is_number())
      n.*field = (*it)["value"].get<double>();
  }
  if (gl->spec().lamp == "none") n.lamps = kNaN;
  // the fractions and powers the greenhouse does not report, from those it does
  const greenhouse::GlParams& p = gl->spec().p;
  n.boiler = p.pBoil > 0 ? n.boiler_w_m2 / p.pBoil : kNaN;
  n.lamp_w_m2 = std::isnan(n.lamps) ? kNaN : n.lamps * p.thetaLampMax;
}

GreenhouseNow read_greenhouse(const greenhouse::StepTwin& m, const World& w, std::uint32_t model) {
  using namespace greenhouse;
  GreenhouseNow n;
  n.t = w.now();
  n.events = w.events_handled();
  const std::vector<double> y = m.values_now(w, model);
  if (const auto* gl = as_greenlight(m)) {
    std::vector<double> d(kGlN);
    GlFluxes f{};
    GlControls u{};
    const GlControlParams c = gl->control_now(w, model);  // the run's settings in force
    gl->evaluate(w.now(), y.data(), d.data(), &f, &u, &c);
    const GlWeather we = gl->spec().weather.at(w.now());
    const TomatoParams& cp = gl->spec().crop_p;
    n.air_c = y[kGlTAir];
    n.rh_pct = u.rhIn;
    n.co2_ppm = u.co2Ppm;
    n.out_c = we.tOut;
    n.rad_w_m2 = we.iGlob;
    n.screen = u.uThScr;
    n.blackout = u.uBlScr;
    n.lamps = gl->spec().lamp == "none" ? kNaN : u.uLamp;
    n.vents = u.uRoof;
    n.boiler = u.uBoil;
    n.pipe_c = y[kGlTPipe];
    n.boiler_w_m2 = f.boiler;
    n.lamp_w_m2 = f.lamp_electric;
    n.par_umol = f.par_above_canopy_umol;
    n.lai = tomato_lai(cp, y[kGlCLeaf]);
    n.fruit_share = std::clamp(y[kGlCFruit] / cp.cFruitMax, 0.0, 1.0);
    n.fruit_kg_m2 = y[kGlCFruit] * 1e-6 / cp.dry_matter_fraction;
    n.yield_kg_m2 = y[kGlFruitHar] * 1e-6 / cp.dry_matter_fraction;
    n.dry_weight_kg_m2 = (y[kGlCBuf] + y[kGlCLeaf] + y[kGlCStem] + y[kGlCFruit]) * 1e-6;
    n.heating_mj_m2 = y[kGlHeatMj];
    n.lamp_mj_m2 = y[kGlLampMj];
    return n;
  }
  m.collect(w, model, n.metrics);
  const std::string id = m.id();
  n.yield_kg_m2 = metric(n.metrics, id + ".yield_fresh_kg_m2");
  n.dry_weight_kg_m2 = metric(n.metrics, id + ".dry_weight_kg_m2");
  const double lai = metric(n.metrics, id + ".lai");
  if (!std::isnan(lai)) {
    n.lai = lai;
  } else if (!std::isnan(n.dry_weight_kg_m2)) {
    n.lai = kLettuceLaiPerKg * n.dry_weight_kg_m2;
  }
  if (const auto* tc = dynamic_cast<const TomatoCropModel*>(&m)) {
    const int k = index_of(m, "crop.c_fruit_mg_m2");
    if (k >= 0) {
      const double c = y[static_cast<std::size_t>(k)];
      n.fruit_share = std::clamp(c / tc->spec().p.cFruitMax, 0.0, 1.0);
      n.fruit_kg_m2 = c * 1e-6 / tc->spec().p.dry_matter_fraction;
    }
  }
  if (const int k = index_of(m, "air.temp_c"); k >= 0) n.air_c = y[static_cast<std::size_t>(k)];
  const double heat = metric(n.metrics, id + ".heating_mj_m2");
  if (!std::isnan(heat)) n.heating_mj_m2 = heat;
  return n;
}

void greenhouse_static_boxes(const GreenhouseGeom& g, std::vector<Box>& out) {
  const double x1 = g.x0 + g.length, y1 = g.y0 + g.width;
  if (!g.house) {  // a raised bed
    out.push_back(beam({g.x0, g.y0 + g.width / 2, 0.08}, {x1, g.y0 + g.width / 2, 0.08}, g.width,
                       0.16, kSoil));
    return;
  }
  out.push_back(
      beam({g.x0, g.y0 + g.width / 2, 0.02}, {x1, g.y0 + g.width / 2, 0.02}, g.width, 0.04, kSlab));
  for (double y : g.rows_y)  // growing gutters under the rows
    out.push_back(beam({g.x0 + 1, y, 0.12}, {x1 - 1, y, 0.12}, 0.3, 0.12, kSoil));
  constexpr double post = 0.14;
  // posts along the front and the back walls, and at every span's gutter on the side walls
  const int bays = std::max(1, static_cast<int>(std::lround(g.length / 4)));
  const double bay = g.length / bays;
  for (int i = 0; i <= bays; ++i)
    for (double y : {g.y0, y1})
      out.push_back(centred({g.x0 + i * bay, y, g.gutter / 2}, post, post, g.gutter, 0, kFrame));
  for (int k = 1; k < g.spans; ++k)
    for (double x : {g.x0, x1})
      out.push_back(centred({x, g.y0 + k * g.span, g.gutter / 2}, post, post, g.gutter, 0, kFrame));
  // gutters and ridges along x; rafters across
  for (int k = 0; k <= g.spans; ++k) {
    const double y = g.y0 + k * g.span;
    out.push_back(beam({g.x0, y, g.gutter}, {x1, y, g.gutter}, 0.22, 0.12, kFrame));
    if (k == g.spans) break;
    const double yr = y + g.span / 2;
    out.push_back(beam({g.x0, yr, g.ridge}, {x1, yr, g.ridge}, 0.1, 0.1, kFrame));
    for (int i = 0; i <= bays; ++i) {
      const double x = g.x0 + i * bay;
      out.push_back(beam({x, y, g.gutter}, {x, yr, g.ridge}, 0.07, 0.07, kFrame));
      out.push_back(beam({x, yr, g.ridge}, {x, y + g.span, g.gutter}, 0.07, 0.07, kFrame));
    }
  }
}

void greenhouse_boxes(const GreenhouseGeom& g, const GreenhouseNow& n, std::vector<Box>& opaque,
                      std::vector<Box>& glass) {
  const double x1 = g.x0 + g.length, y1 = g.y0 + g.width;
  const double base = g.house ? 0.18 : 0.16;
  // the crop: rows as tall and as green as the canopy is dense, fruit in red
  const double lai = std::max(n.lai, 0.0);
  const double h = g.lettuce ? 0.05 + 0.1 * std::min(lai, 3.0) : 0.2 + 0.65 * std::min(lai, 4.0);
  const double row_w = g.lettuce ? 1.2 : 0.5;
  const Rgba leaf = mix(kYoung, kLush, lai / 3);
  const int fruit = static_cast<int>(std::lround(16 * std::clamp(n.fruit_share, 0.0, 1.0)));
  const double rx0 = g.x0 + 1.2, rx1 = x1 - 1.2;
  for (double y : g.rows_y) {
    opaque.push_back(beam({rx0, y, base + h / 2}, {rx1, y, base + h / 2}, row_w, h, leaf));
    for (int f = 0; f < fruit; ++f) {
      const double x = rx0 + (rx1 - rx0) * (f + 0.5) / fruit;
      const double side = (f % 2 ? 0.27 : -0.27);
      const double z = base + h * (0.25 + 0.3 * ((f * 7) % 5) / 4.0);
      opaque.push_back(centred({x, y + side, z}, 0.16, 0.1, 0.16, 0, kFruit));
    }
  }
  if (!g.house) return;
  // heating pipes beside each row, coloured by their temperature (20 to 70 degC)
  if (!std::isnan(n.pipe_c)) {
    const Rgba pipe = mix(kPipeCold, kPipeHot, (n.pipe_c - 20) / 50);
    for (double y : g.rows_y)
      for (double dy : {-0.42, 0.42})
        opaque.push_back(beam({g.x0 + 0.6, y + dy, 0.1}, {x1 - 0.6, y + dy, 0.1}, 0.1, 0.1, pipe));
  }
  // lamps under the screen
  if (g.has_lamps) {
    const double on = std::isnan(n.lamps) ? 0 : std::clamp(n.lamps, 0.0, 1.0);
    const Rgba c = mix(kLampOff, kLampOn, on);
    for (const auto& p : g.lamps) opaque.push_back(centred(p, 0.8, 0.4, 0.25, 0, c));
  }
  // glass: the walls (the roof is its frame: glass over the whole house would cost a fifth of
  // the frame time in llvmpipe's blending)
  const double wall = g.gutter;
  glass.push_back(beam({g.x0, g.y0, wall / 2}, {x1, g.y0, wall / 2}, 0.03, wall, kGlass));
  glass.push_back(beam({g.x0, y1, wall / 2}, {x1, y1, wall / 2}, 0.03, wall, kGlass));
  glass.push_back(beam({g.x0, g.y0, wall / 2}, {g.x0, y1, wall / 2}, 0.03, wall, kGlass));
  glass.push_back(beam({x1, g.y0, wall / 2}, {x1, y1, wall / 2}, 0.03, wall, kGlass));
  const double alpha = std::atan2(g.ridge - g.gutter, g.span / 2);
  const double slope = std::hypot(g.ridge - g.gutter, g.span / 2);
  const double vent_deg = 45 * (std::isnan(n.vents) ? 0 : std::clamp(n.vents, 0.0, 1.0));
  const double theta = vent_deg * kPi / 180;
  const double vent_len = std::min(1.3, 0.8 * slope);
  const int bays = std::max(1, static_cast<int>(std::lround(g.length / 4)));
  const double bay = g.length / bays;
  for (int k = 0; k < g.spans; ++k) {
    const double y = g.y0 + k * g.span, yr = y + g.span / 2;
    // roof vents on the +y slope, hinged at the ridge, turned up by their opening
    for (int i = 0; i < bays; ++i) {
      const double xc = g.x0 + (i + 0.5) * bay;
      const P3 a{xc, yr + 0.05, g.ridge + 0.04};
      const P3 b{xc, a.y + vent_len * std::cos(alpha - theta),
                 a.z - vent_len * std::sin(alpha - theta)};
      glass.push_back(beam(a, b, 0.55 * bay, 0.04, kVentGlass));
      opaque.push_back(
          beam({xc - 0.275 * bay, b.y, b.z}, {xc + 0.275 * bay, b.y, b.z}, 0.06, 0.06, kFrame));
    }
    // the thermal screen: drawn across the span from its -y side as far as it is closed
    if (!std::isnan(n.screen)) {
      const double c = std::clamp(n.screen, 0.0, 1.0);
      const double wdt = std::max(0.15, c * g.span);
      glass.push_back(beam({g.x0, y + wdt / 2, g.screen_z}, {x1, y + wdt / 2, g.screen_z}, wdt,
                           0.03, kScreenSheet));
    }
  }
}

}  // namespace dtwin::viewer
