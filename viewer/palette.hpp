// The viewer's colours, in one place: a machine's state is read from its colour at a glance, so
// the legend in the HUD and the boxes in the scene must agree.
#pragma once

#include "twins/line/state.hpp"

namespace dtwin::viewer {

struct Rgba {
  float r = 0, g = 0, b = 0, a = 1;
};

// working green, starved grey-blue, blocked amber, down red, setup violet, off dark grey
inline Rgba status_color(line::Status s) {
  switch (s) {
    case line::Status::Working:
      return {0.20f, 0.72f, 0.32f, 1};
    case line::Status::Starved:
      return {0.62f, 0.68f, 0.78f, 1};
    case line::Status::Blocked:
      return {0.96f, 0.66f, 0.10f, 1};
    case line::Status::Down:
      return {0.88f, 0.12f, 0.10f, 1};
    case line::Status::Setup:
      return {0.50f, 0.36f, 0.90f, 1};
    case line::Status::Off:
      return {0.30f, 0.30f, 0.32f, 1};
  }
  return {1, 0, 1, 1};
}

// the legend's order
constexpr line::Status kLegend[] = {line::Status::Working, line::Status::Starved,
                                    line::Status::Blocked, line::Status::Down,
                                    line::Status::Setup,   line::Status::Off};

constexpr Rgba kPart{0.96f, 0.94f, 0.86f, 1};  // ivory: parts stand out on dark belts
// a line with products: each product's parts in its own colour (the legend names them), hues
// no machine state, alert or stale twin is drawn in; after eight they repeat
inline Rgba product_color(std::uint32_t product) {
  constexpr Rgba kProducts[] = {{0.22f, 0.52f, 0.98f, 1}, {0.98f, 0.48f, 0.30f, 1},
                                {0.10f, 0.80f, 0.78f, 1}, {0.62f, 0.40f, 0.18f, 1},
                                {0.62f, 0.88f, 0.22f, 1}, {0.36f, 0.28f, 0.72f, 1},
                                {0.98f, 0.98f, 0.98f, 1}, {0.05f, 0.35f, 0.30f, 1}};
  return kProducts[product % 8];
}
constexpr Rgba kVehicle{0.16f, 0.18f, 0.20f, 1};     // a fleet's vehicle: a dark chassis
constexpr Rgba kVehicleTop{0.98f, 0.82f, 0.20f, 1};  // its load deck, amber like a warning
constexpr Rgba kOperator{0.10f, 0.30f, 0.55f, 1};    // an operator at a station: navy overalls
constexpr Rgba kOperatorHead{0.93f, 0.78f, 0.64f, 1};
constexpr Rgba kPlinth{0.22f, 0.23f, 0.25f, 1};   // machine bases, conveyor frames
constexpr Rgba kTable{0.45f, 0.50f, 0.58f, 1};    // buffer racks
constexpr Rgba kBelt{0.12f, 0.12f, 0.13f, 1};     // conveyor belts
constexpr Rgba kSinkBin{0.25f, 0.40f, 0.36f, 1};  // sinks
constexpr Rgba kPallet{0.58f, 0.42f, 0.26f, 1};   // sources
constexpr Rgba kWorktop{0.80f, 0.81f, 0.83f, 1};  // the top of a machine, where its part sits
constexpr Rgba kFloor{0.78f, 0.79f, 0.80f, 1};
constexpr Rgba kGrid{0.70f, 0.71f, 0.73f, 1};
constexpr Rgba kLane{0.93f, 0.76f, 0.16f, 1};       // the flow painted on the floor
constexpr Rgba kHighlight{0.05f, 0.85f, 1.00f, 1};  // the selected twin
constexpr Rgba kBackground{0.16f, 0.18f, 0.21f, 1};
// live mode: a station whose mirror is stale or offline (no recent report) is drawn in this
// pale lilac, whatever its last reported state: brighter than every state colour and of a hue
// none of them has
constexpr Rgba kStale{0.88f, 0.80f, 0.92f, 1};
// live mode: the beacon over a twin with an active alert, by severity (0 info, 1 warning,
// 2 critical): a hot pink, a yellow and a blue no machine state is drawn in
inline Rgba alert_color(int level) {
  if (level >= 2) return {1.00f, 0.08f, 0.55f, 1};
  if (level == 1) return {1.00f, 0.90f, 0.05f, 1};
  return {0.25f, 0.55f, 1.00f, 1};
}

}  // namespace dtwin::viewer
