// Small fixed-size vector and rigid-transform math for the work cell, in double precision.
// Plain values (no Bullet, no Eigen) so specs and states stay copyable and comparable; the
// physics layer converts to Bullet's types (built with double-precision btScalar) exactly.
#pragma once

#include <array>
#include <cmath>

namespace dtwin::machine {

struct Vec3 {
  double x = 0, y = 0, z = 0;
  double& operator[](int i) { return i == 0 ? x : i == 1 ? y : z; }
  double operator[](int i) const { return i == 0 ? x : i == 1 ? y : z; }
  Vec3 operator+(const Vec3& o) const { return {x + o.x, y + o.y, z + o.z}; }
  Vec3 operator-(const Vec3& o) const { return {x - o.x, y - o.y, z - o.z}; }
  Vec3 operator*(double s) const { return {x * s, y * s, z * s}; }
  Vec3 operator-() const { return {-x, -y, -z}; }
  double dot(const Vec3& o) const { return x * o.x + y * o.y + z * o.z; }
  Vec3 cross(const Vec3& o) const {
    return {y * o.z - z * o.y, z * o.x - x * o.z, x * o.y - y * o.x};
  }
  double norm() const { return std::sqrt(dot(*this)); }
  bool operator==(const Vec3& o) const { return x == o.x && y == o.y && z == o.z; }
  bool operator!=(const Vec3& o) const { return !(*this == o); }
};

// Row-major 3x3 rotation.
struct Mat3 {
  std::array<double, 9> m{1, 0, 0, 0, 1, 0, 0, 0, 1};
  double operator()(int r, int c) const { return m[static_cast<std::size_t>(r * 3 + c)]; }
  double& operator()(int r, int c) { return m[static_cast<std::size_t>(r * 3 + c)]; }
  Vec3 operator*(const Vec3& v) const {
    return {m[0] * v.x + m[1] * v.y + m[2] * v.z, m[3] * v.x + m[4] * v.y + m[5] * v.z,
            m[6] * v.x + m[7] * v.y + m[8] * v.z};
  }
  Mat3 operator*(const Mat3& o) const {
    Mat3 r;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        r(i, j) = (*this)(i, 0) * o(0, j) + (*this)(i, 1) * o(1, j) + (*this)(i, 2) * o(2, j);
    return r;
  }
  Mat3 transposed() const {
    Mat3 r;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) r(i, j) = (*this)(j, i);
    return r;
  }
  Vec3 col(int c) const { return {(*this)(0, c), (*this)(1, c), (*this)(2, c)}; }
  bool operator==(const Mat3& o) const { return m == o.m; }

  // rotation by `angle` (rad) about the unit vector `a` (Rodrigues)
  static Mat3 axis_angle(const Vec3& a, double angle) {
    const double c = std::cos(angle), s = std::sin(angle), t = 1 - c;
    Mat3 r;
    r.m = {t * a.x * a.x + c,       t * a.x * a.y - s * a.z, t * a.x * a.z + s * a.y,
           t * a.x * a.y + s * a.z, t * a.y * a.y + c,       t * a.y * a.z - s * a.x,
           t * a.x * a.z - s * a.y, t * a.y * a.z + s * a.x, t * a.z * a.z + c};
    return r;
  }
  // a rotation taking the local z axis onto the unit vector `d`
  static Mat3 z_onto(const Vec3& d) {
    const Vec3 z{0, 0, 1};
    const Vec3 a = z.cross(d);
    const double s = a.norm(), c = z.dot(d);
    if (s < 1e-12) return c > 0 ? Mat3{} : axis_angle({1, 0, 0}, M_PI);
    return axis_angle(a * (1 / s), std::atan2(s, c));
  }
};

// A rigid transform: p_world = R * p_local + p.
struct Pose {
  Mat3 R;
  Vec3 p;
  Pose operator*(const Pose& o) const { return {R * o.R, R * o.p + p}; }
  Vec3 apply(const Vec3& v) const { return R * v + p; }
  Pose inverse() const {
    const Mat3 Rt = R.transposed();
    return {Rt, -(Rt * p)};
  }
  bool operator==(const Pose& o) const { return R == o.R && p == o.p; }
  bool operator!=(const Pose& o) const { return !(*this == o); }
};

constexpr double kDeg = M_PI / 180.0;

}  // namespace dtwin::machine
