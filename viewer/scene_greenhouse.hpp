// The greenhouse scene: a Venlo house (a frame of posts, gutters, ridges and rafters, with
// translucent glass walls), the thermal screen as a sheet drawn across each span as far as it is
// closed, the lamps (bright when on, dark when off), the roof vents tilted open to their
// opening, the heating pipes coloured by their temperature, and the crop as rows whose height
// and green follow the LAI, with red fruit in proportion to the fruit on the plants. The
// crop-only kinds (tomato_crop, lettuce_crop) are drawn as a bed of rows without a house.
//
// Size: from the model's geometry where it has one (greenlight_tomato: floor area aFlr, heights
// hAir and hGh); a house larger than 1,500 m2 is drawn as a 36 x 24 m section of it (the
// inspector says so). Defaults otherwise: a 20 x 12 m house with a 4 m gutter, a 12 x 8 m bed.
// Everything is read from the model's public accessors at the world's time; nothing is written.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/sim/model.hpp"
#include "engine/sim/world.hpp"
#include "twins/greenhouse/step_twin.hpp"
#include "viewer/box.hpp"
#include "viewer/shapes.hpp"

namespace dtwin::viewer {

struct GreenhouseGeom {
  bool house = true;     // a greenhouse (or only a crop bed)
  bool section = false;  // the house is larger than drawn: a section of it
  bool lettuce = false;  // a low crop in wide beds (tomatoes grow tall in narrow rows)
  double area_m2 = 0;    // the modelled floor area, 0 when the model has none
  double x0 = 0, y0 = 0, length = 20, width = 12;  // the drawn floor: corner and size, m
  double gutter = 4, ridge = 4.8;                  // heights, m
  int spans = 3;                                   // Venlo spans across the width
  double span = 4;
  bool has_lamps = false;
  std::vector<P3> lamps;       // lamp centres
  std::vector<double> rows_y;  // crop rows along x, at these y
  double screen_z = 0;         // the thermal screen's height
  double height() const { return house ? ridge : 2.5; }
};

// The drawn geometry of greenhouse model m centred on (cx, cy).
GreenhouseGeom greenhouse_geometry(const greenhouse::StepTwin& m, double cx, double cy);

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// What the scene and the inspector show of a greenhouse at one instant (NaN: the kind does not
// have it).
struct GreenhouseNow {
  double t = -1;  // sim time it was read at
  std::uint64_t events = ~std::uint64_t{0};
  std::uint64_t rebuilds = 0;  // live rebuilds and reported values it was read after (Session)
  // climate
  double air_c = kNaN, rh_pct = kNaN, co2_ppm = kNaN, out_c = kNaN, rad_w_m2 = kNaN;
  // actuators, 0..1
  double screen = kNaN, blackout = kNaN, lamps = kNaN, vents = kNaN, boiler = kNaN;
  double pipe_c = kNaN, boiler_w_m2 = kNaN, lamp_w_m2 = kNaN, par_umol = kNaN;
  // crop
  double lai = 0;             // leaf area index (lettuce: from its dry weight)
  double fruit_share = 0;     // fruit on the plants over the most they carry, 0..1
  double fruit_kg_m2 = kNaN;  // fresh fruit on the plants
  double yield_kg_m2 = kNaN;  // harvested, fresh
  double dry_weight_kg_m2 = kNaN;
  // energy since the statistics began
  double heating_mj_m2 = kNaN, lamp_mj_m2 = kNaN;
  Metrics metrics;  // the model's KPIs now (all kinds but greenlight_tomato)
};

GreenhouseNow read_greenhouse(const greenhouse::StepTwin& m, const World& w, std::uint32_t model);
// Live mode: what the greenhouse's asset reported (the mirror's "reported" of its twin) over
// what the fresh world holds: the world stands at the scenario's start, so its weather and its
// controller's actions are not the plant's.
void overlay_reported(const greenhouse::StepTwin& m, const nlohmann::json& reported,
                      GreenhouseNow& n);

// The house that does not change (frame, floor); the glass is drawn with the changing parts.
void greenhouse_static_boxes(const GreenhouseGeom& g, std::vector<Box>& out);
// The parts that follow the state: crop, fruit, pipes, lamps (opaque) and the glass, the
// screen and the vents (translucent).
void greenhouse_boxes(const GreenhouseGeom& g, const GreenhouseNow& now, std::vector<Box>& opaque,
                      std::vector<Box>& glass);

// the colour of the screen sheet and of a lamp that is on (the tests look for them)
constexpr Rgba kScreenSheet{0.97f, 0.92f, 0.74f, 0.85f};
constexpr Rgba kLampOn{1.8f, 1.7f, 1.2f, 1};
constexpr Rgba kLampOff{0.16f, 0.16f, 0.18f, 1};
// the crop from thin to full, the fruit, the pipes from 20 to 70 degC (the legend shows them)
constexpr Rgba kYoung{0.72f, 0.74f, 0.36f, 1};
constexpr Rgba kLush{0.10f, 0.46f, 0.14f, 1};
constexpr Rgba kFruit{0.86f, 0.12f, 0.08f, 1};
constexpr Rgba kPipeCold{0.35f, 0.45f, 0.66f, 1};
constexpr Rgba kPipeHot{1.00f, 0.32f, 0.08f, 1};

}  // namespace dtwin::viewer
