#include "viewer/picking.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dtwin::viewer {

namespace {
constexpr double kPi = 3.14159265358979323846;

osg::Matrixd window(double w, double h) {
  return osg::Matrixd::translate(1, 1, 1) * osg::Matrixd::scale(w / 2, h / 2, 0.5);
}

// the entry distance of the ray into an axis-aligned box, or infinity
double slab(const osg::Vec3d& o, const osg::Vec3d& d, const osg::Vec3d& lo, const osg::Vec3d& hi) {
  double t0 = 0, t1 = std::numeric_limits<double>::infinity();
  for (int k = 0; k < 3; ++k) {
    if (std::abs(d[k]) < 1e-12) {
      if (o[k] < lo[k] || o[k] > hi[k]) return std::numeric_limits<double>::infinity();
      continue;
    }
    double a = (lo[k] - o[k]) / d[k], b = (hi[k] - o[k]) / d[k];
    if (a > b) std::swap(a, b);
    t0 = std::max(t0, a);
    t1 = std::min(t1, b);
    if (t0 > t1) return std::numeric_limits<double>::infinity();
  }
  return t0;
}
}  // namespace

Ray pixel_ray(const osg::Matrixd& view, const osg::Matrixd& proj, double w, double h, double x,
              double y) {
  const osg::Matrixd inv = osg::Matrixd::inverse(view * proj * window(w, h));
  const osg::Vec3d a = osg::Vec3d(x, y, 0) * inv, b = osg::Vec3d(x, y, 1) * inv;
  Ray r{a, b - a};
  r.dir.normalize();
  return r;
}

int pick(const Layout& L, const Ray& ray) {
  int best = -1;
  double best_t = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < L.items.size(); ++i) {
    const Item& it = L.items[i];
    // the ray in the item's frame
    const double a = -it.rotation_deg * kPi / 180, c = std::cos(a), s = std::sin(a);
    const osg::Vec3d o0 = ray.origin - osg::Vec3d(it.x_m, it.y_m, 0);
    const osg::Vec3d o(c * o0.x() - s * o0.y(), s * o0.x() + c * o0.y(), o0.z());
    const osg::Vec3d d(c * ray.dir.x() - s * ray.dir.y(), s * ray.dir.x() + c * ray.dir.y(),
                       ray.dir.z());
    // low items (pallets, buffers) are picked up to a reachable height
    const double top = std::max(it.height_m, 0.6);
    const double t =
        slab(o, d, {-it.length_m / 2, -it.width_m / 2, 0}, {it.length_m / 2, it.width_m / 2, top});
    if (t < best_t) best_t = t, best = static_cast<int>(i);
  }
  return best;
}

osg::Vec2d project(const osg::Matrixd& view, const osg::Matrixd& proj, double w, double h,
                   const osg::Vec3d& p) {
  const osg::Vec3d q = p * (view * proj * window(w, h));
  return {q.x(), q.y()};
}

}  // namespace dtwin::viewer
