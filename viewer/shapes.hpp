// Boxes placed by their ends or their centre, for the greenhouse and work-cell scenes: a beam
// from one point to another (turned by yaw and pitch, so it may slope), a box centred on a
// point, and "#rrggbb" colours. Plain functions over Box.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>

#include "viewer/box.hpp"

namespace dtwin::viewer {

struct P3 {
  double x = 0, y = 0, z = 0;
};

// a box from a to b (its length), `width` across (horizontally) and `thick` the other way,
// centred on the segment
inline Box beam(P3 a, P3 b, double width, double thick, Rgba c) {
  const double dx = b.x - a.x, dy = b.y - a.y, dz = b.z - a.z;
  const double len = std::sqrt(dx * dx + dy * dy + dz * dz);
  const double horiz = std::hypot(dx, dy);
  const double yaw = horiz > 1e-12 ? std::atan2(dy, dx) : 0.0;
  const double pitch = std::atan2(-dz, horiz);
  // the box's own z after the pitch and the yaw: its base centre is half a thickness below
  // the segment's middle along it
  const double uz_x = std::cos(yaw) * std::sin(pitch), uz_y = std::sin(yaw) * std::sin(pitch),
               uz_z = std::cos(pitch);
  Box r;
  r.x = static_cast<float>((a.x + b.x) / 2 - uz_x * thick / 2);
  r.y = static_cast<float>((a.y + b.y) / 2 - uz_y * thick / 2);
  r.z = static_cast<float>((a.z + b.z) / 2 - uz_z * thick / 2);
  r.yaw = static_cast<float>(yaw);
  r.pitch = static_cast<float>(pitch);
  r.length = static_cast<float>(std::max(len, 1e-4));
  r.width = static_cast<float>(width);
  r.height = static_cast<float>(thick);
  r.color = c;
  return r;
}

// an upright box centred on c
inline Box centred(P3 c, double l, double w, double h, double yaw, Rgba col) {
  Box r;
  r.x = static_cast<float>(c.x);
  r.y = static_cast<float>(c.y);
  r.z = static_cast<float>(c.z - h / 2);
  r.yaw = static_cast<float>(yaw);
  r.length = static_cast<float>(l);
  r.width = static_cast<float>(w);
  r.height = static_cast<float>(h);
  r.color = col;
  return r;
}

// "#rrggbb"; grey for anything else
inline Rgba hex_color(const std::string& s) {
  if (s.size() != 7 || s[0] != '#') return {0.6f, 0.6f, 0.6f, 1};
  auto byte = [&](std::size_t i) {
    return static_cast<float>(std::stoi(s.substr(i, 2), nullptr, 16)) / 255.0f;
  };
  try {
    return {byte(1), byte(3), byte(5), 1};
  } catch (...) {
    return {0.6f, 0.6f, 0.6f, 1};
  }
}

inline Rgba mix(Rgba a, Rgba b, double t) {
  const float u = static_cast<float>(std::clamp(t, 0.0, 1.0));
  return {a.r + (b.r - a.r) * u, a.g + (b.g - a.g) * u, a.b + (b.b - a.b) * u,
          a.a + (b.a - a.a) * u};
}

}  // namespace dtwin::viewer
