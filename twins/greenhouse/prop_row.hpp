// A mirrored greenhouse property as a row of a table: its name, unit and accepted range. The
// greenhouse twins' mirrors (greenlight_mirror.cpp, lettuce_crop_mirror.cpp) list theirs as
// constexpr tables and make their PropertySpecs from the rows here.
#pragma once

#include "engine/mirror/property.hpp"

namespace dtwin::greenhouse {

struct PropRow {
  const char* name;
  const char* unit;
  double min, max;
};

// "any number" as a bound
constexpr double kUnbounded = 1e300;

// A reported property (derived = false) or one the live engine derives.
inline PropertySpec property_of(const PropRow& r, bool derived) {
  PropertySpec p;
  p.name = r.name;
  p.unit = r.unit;
  p.min = r.min;
  p.max = r.max;
  p.derived = derived;
  return p;
}

}  // namespace dtwin::greenhouse
