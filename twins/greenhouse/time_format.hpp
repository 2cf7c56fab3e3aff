// How an input file writes time: a number in a unit ("s", "min", "h", "d"), or a calendar time
// in a strftime-like pattern with %Y %m %d %H %M %S ("%m/%d/%Y %H:%M" reads "2/1/2022 0:05";
// each field takes as many digits as are there, up to its width; %S may have a fraction).
// Calendar times are read as written, without time zones or daylight saving: the file's clock
// is taken to be uniform (true of the data shipped here; a file that jumps an hour at a DST
// change shows up as a non-monotonic time or as a gap).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/base/calendar.hpp"

namespace dtwin::greenhouse {

class TimeFormat {
 public:
  // "s", "min", "h", "d", or a pattern containing '%'; nullopt for anything else.
  static std::optional<TimeFormat> parse(std::string_view spec);

  // Seconds on the format's own axis (since 1970-01-01 for calendar times); false when the
  // text does not match.
  bool read(std::string_view text, double* seconds) const;

  bool calendar() const { return calendar_; }
  double unit_s() const { return unit_s_; }  // seconds per unit of a number format
  const std::string& spec() const { return spec_; }

 private:
  std::string spec_;
  bool calendar_ = false;
  double unit_s_ = 1;
};

using dtwin::days_from_civil;  // engine/base/calendar.hpp

}  // namespace dtwin::greenhouse
