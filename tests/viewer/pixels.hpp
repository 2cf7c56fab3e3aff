// Reading the viewer's off-screen pictures in tests: a pixel's colour and how many pixels around
// a point satisfy a predicate. Images are RGB, rows from the bottom up (OpenGL's order).
#pragma once

#include <functional>

#include <osg/Image>
#include <osg/Vec2d>

namespace dtwin::test {

struct Rgb {
  int r, g, b;
};

// (x, y) from the bottom-left, as OpenGL and the image store them
inline Rgb at(const osg::Image& img, int x, int y) {
  const unsigned char* p = img.data(x, y);
  return {p[0], p[1], p[2]};
}

// how many pixels in the square of half-size r around c satisfy pred (outside the image: none)
inline int count(const osg::Image& img, osg::Vec2d c, int r, const std::function<bool(Rgb)>& pred) {
  int n = 0;
  for (int y = int(c.y()) - r; y <= int(c.y()) + r; ++y)
    for (int x = int(c.x()) - r; x <= int(c.x()) + r; ++x)
      if (x >= 0 && y >= 0 && x < img.s() && y < img.t() && pred(at(img, x, y))) ++n;
  return n;
}

}  // namespace dtwin::test
