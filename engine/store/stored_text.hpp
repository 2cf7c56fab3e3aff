// How the store spells values and states in its file: a property's value as JSON text (the
// mirror's one JSON form of a value, engine/mirror/property.hpp, with numbers in the store's
// round-trip form), and the names of property kinds, qualities and desired states. Both ways:
// the writer formats, load_into reads back. Internal to engine/store.
#pragma once

#include <string>
#include <string_view>

#include "engine/mirror/mirror.hpp"

namespace dtwin::store_detail {

// Room for one value's JSON text (a bound text must outlive its statement's step).
struct JsonBuf {
  char num[64];
  std::string text;
};

// The value's JSON text (value_to_json): 1.25, true, "working", "a \"label\""; null for a value
// JSON cannot hold (a non-finite number, an enumeration index out of range). In buf when it has
// to be formatted, so valid until the next call with the same buf.
std::string_view value_text(const PropertySpec& p, const Value& v, JsonBuf& buf);
// A stored value's JSON text back into a Value (parse_property_value); false if it does not fit
// the property. A number outside the property's range still reads back: the stored state is
// restored as it was, and a replayed report is refused (and counted) by Mirror::report.
bool read_value(const PropertySpec& p, const std::string& text, Value& out);

// The shortest text that reads back as the same double, in plain decimals where that is
// readable (1700000000.25, 0.1) and in exponent form otherwise (5e-324, 1e+300). Valid JSON for
// finite values. Returns the end of the text written into [first, last).
char* write_num(char* first, char* last, double v);
std::string num_text(double v);

// quality_name and desired_state_name read back; false for a name they do not give
bool parse_quality(const std::string& s, Quality& q);
bool parse_desired_state(const std::string& s, DesiredState& d);

}  // namespace dtwin::store_detail
