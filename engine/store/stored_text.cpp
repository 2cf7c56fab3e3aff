#include "engine/store/stored_text.hpp"

#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

namespace dtwin::store_detail {

std::string_view value_text(const PropertySpec& p, const Value& v, JsonBuf& buf) {
  const nlohmann::json j = value_to_json(p, v);
  switch (j.type()) {
    case nlohmann::json::value_t::number_float: {
      const double x = j.get<double>();
      if (!std::isfinite(x)) return "null";
      const char* end = write_num(buf.num, buf.num + sizeof buf.num, x);
      return std::string_view(buf.num, static_cast<std::size_t>(end - buf.num));
    }
    case nlohmann::json::value_t::boolean:
      return j.get<bool>() ? "true" : "false";
    case nlohmann::json::value_t::string:
      buf.text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return buf.text;
    default:
      return "null";
  }
}

bool read_value(const PropertySpec& p, const std::string& text, Value& out) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  // numbers: shortest round-trip text, so strtod gives the same double
  const Outcome o = parse_property_value(p, j, out, nullptr);
  return o == Outcome::Applied ||
         (o == Outcome::OutOfRange && p.kind == PropertySpec::Kind::Number);
}

char* write_num(char* first, char* last, double v) {
  const double a = std::fabs(v);
  if (a == 0 || (a >= 1e-5 && a < 1e16))
    return std::to_chars(first, last, v, std::chars_format::fixed).ptr;
  return std::to_chars(first, last, v).ptr;
}

std::string num_text(double v) {
  char buf[64];
  return std::string(buf, write_num(buf, buf + sizeof buf, v));
}

bool parse_quality(const std::string& s, Quality& q) {
  for (Quality c : {Quality::Good, Quality::Stale, Quality::Uncertain})
    if (s == quality_name(c)) {
      q = c;
      return true;
    }
  return false;
}

bool parse_desired_state(const std::string& s, DesiredState& d) {
  for (DesiredState c : {DesiredState::None, DesiredState::Pending, DesiredState::Applied,
                         DesiredState::Rejected, DesiredState::Superseded, DesiredState::Expired})
    if (s == desired_state_name(c)) {
      d = c;
      return true;
    }
  return false;
}

}  // namespace dtwin::store_detail
