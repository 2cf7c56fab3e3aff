#include "viewer/camera.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace dtwin::viewer {

namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr double kPitch_deg = 48;  // the home view looks down this far below the horizon
}  // namespace

CameraPose home_pose(const Layout& L, double aspect) {
  // the plant's bounding box, seen from the front at a fixed pitch: the nearest distance at
  // which every corner lands inside the picture, a little below the middle (the HUD's panels
  // take the top and the corners)
  const double h = std::max(L.max_height_m, 1.0);
  // margins: half a metre around, 0.8 m above; less round a plant smaller than 4 m (a work cell
  // alone), which would otherwise be mostly margin
  const double size = std::max(L.max_x_m - L.min_x_m, L.max_y_m - L.min_y_m);
  const double side = std::min(0.5, 0.125 * size), above = std::min(0.8, 0.2 * size);
  std::vector<osg::Vec3d> corners;
  for (double x : {L.min_x_m - side, L.max_x_m + side})
    for (double y : {L.min_y_m - side, L.max_y_m + side})
      for (double z : {0.0, (size < 4 ? L.max_height_m : h) + above}) corners.emplace_back(x, y, z);
  const osg::Vec3d c((L.min_x_m + L.max_x_m) / 2, (L.min_y_m + L.max_y_m) / 2, 0);
  const double pitch = kPitch_deg * kPi / 180;
  const osg::Vec3d back(0, -std::cos(pitch), std::sin(pitch));  // from the centre to the eye
  const osg::Vec3d up(0, std::sin(pitch), std::cos(pitch));     // the camera's up
  constexpr double kLeft = -0.95, kRight = 0.95, kBottom = -0.92, kTop = 0.60;

  CameraPose p;
  auto place = [&](double dist, double lift) {
    p.center = c + up * lift;
    p.eye = p.center + back * dist;
  };
  // the extent of the corners on the screen, in normalised coordinates
  auto extent = [&](double& x0, double& x1, double& y0, double& y1) {
    const osg::Matrixd vp = view_matrix(p) * projection_matrix(p, aspect);
    x0 = y0 = 1e9, x1 = y1 = -1e9;
    for (const auto& q : corners) {
      const osg::Vec3d n = q * vp;
      x0 = std::min(x0, n.x()), x1 = std::max(x1, n.x());
      y0 = std::min(y0, n.y()), y1 = std::max(y1, n.y());
    }
  };
  // for a distance, lift the view so the plant sits centred in [kBottom, kTop]; does it fit?
  auto fits = [&](double dist, double& lift) {
    double x0, x1, y0, y1;
    for (int k = 0; k < 4; ++k) {
      place(dist, lift);
      extent(x0, x1, y0, y1);
      const double off = (y0 + y1) / 2 - (kBottom + kTop) / 2;
      lift += off * dist * std::tan(p.fov_y_deg * kPi / 360);
    }
    place(dist, lift);
    extent(x0, x1, y0, y1);
    return x0 >= kLeft && x1 <= kRight && y0 >= kBottom && y1 <= kTop;
  };
  const double span = std::max({L.max_x_m - L.min_x_m, L.max_y_m - L.min_y_m, 4.0});
  double lo = 1, hi = 50 * span + 100, lift = 0;
  for (int it = 0; it < 40; ++it) {
    const double mid = std::sqrt(lo * hi);
    double l = lift;
    if (fits(mid, l))
      hi = mid, lift = l;
    else
      lo = mid;
  }
  fits(hi, lift);
  return p;
}

CameraPose focus_pose(const Item& it, const CameraPose& from) {
  CameraPose p = from;
  p.center.set(it.x_m, it.y_m, it.height_m / 2);
  osg::Vec3d dir = from.eye - from.center;
  dir.normalize();
  const double size = std::max({it.length_m, it.width_m, it.height_m, 2.0});
  p.eye = p.center + dir * (size * 2.2 + 4);
  return p;
}

osg::Matrixd view_matrix(const CameraPose& p) {
  return osg::Matrixd::lookAt(p.eye, p.center, p.up);
}

osg::Matrixd projection_matrix(const CameraPose& p, double aspect) {
  const double dist = (p.eye - p.center).length();
  return osg::Matrixd::perspective(p.fov_y_deg, aspect, std::max(0.05, dist / 200), dist * 20);
}

}  // namespace dtwin::viewer
