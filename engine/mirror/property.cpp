#include "engine/mirror/property.hpp"

#include <cmath>

#include "engine/base/format.hpp"

namespace dtwin {

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::Applied:
      return "applied";
    case Outcome::Duplicate:
      return "duplicate";
    case Outcome::Stale:
      return "stale";
    case Outcome::UnknownTwin:
      return "unknown twin";
    case Outcome::UnknownProperty:
      return "unknown property";
    case Outcome::WrongType:
      return "wrong type";
    case Outcome::OutOfRange:
      return "out of range";
    case Outcome::NotWritable:
      return "not writable";
    case Outcome::RevisionMismatch:
      return "revision mismatch";
    case Outcome::StoreFailed:
      return "store failed";
    case Outcome::FutureSession:
      return "session ahead of the engine's clock";
    case Outcome::DeadSession:
      return "dead session";
  }
  return "?";
}

const std::vector<PropertySpec>& PropertyList::empty_list() {
  static const std::vector<PropertySpec> empty;
  return empty;
}

bool operator==(const PropertySpec& a, const PropertySpec& b) {
  return a.kind == b.kind && a.name == b.name && a.unit == b.unit && a.min == b.min &&
         a.max == b.max && a.tolerance == b.tolerance && a.choices == b.choices &&
         a.writable == b.writable && a.derived == b.derived;
}

Outcome check_value(const PropertySpec& p, const Value& v) {
  switch (p.kind) {
    case PropertySpec::Kind::Number:
      if (!std::isfinite(v.num)) return Outcome::WrongType;
      if (v.num < p.min || v.num > p.max) return Outcome::OutOfRange;
      return Outcome::Applied;
    case PropertySpec::Kind::Bool:
      return v.num == 0 || v.num == 1 ? Outcome::Applied : Outcome::WrongType;
    case PropertySpec::Kind::Enum:
      if (v.num != std::floor(v.num) || v.num < 0 || v.num >= static_cast<double>(p.choices.size()))
        return Outcome::OutOfRange;
      return Outcome::Applied;
    case PropertySpec::Kind::Text:
      return Outcome::Applied;
  }
  return Outcome::WrongType;
}

bool same_value(const PropertySpec& p, const Value& a, const Value& b) {
  if (p.kind == PropertySpec::Kind::Text) return a.text == b.text;
  if (p.kind == PropertySpec::Kind::Number) return std::fabs(a.num - b.num) <= p.tolerance;
  return a.num == b.num;
}

const char* kind_name(PropertySpec::Kind k) {
  switch (k) {
    case PropertySpec::Kind::Number:
      return "number";
    case PropertySpec::Kind::Bool:
      return "bool";
    case PropertySpec::Kind::Enum:
      return "enum";
    case PropertySpec::Kind::Text:
      return "text";
  }
  return "?";
}

Outcome parse_property_value(const PropertySpec& p, const nlohmann::json& j, Value& out,
                             std::string* reason) {
  auto fail = [&](Outcome o, const std::string& why) {
    if (reason) *reason = why;
    return o;
  };
  out = Value{};
  switch (p.kind) {
    case PropertySpec::Kind::Number:
      if (!j.is_number())
        return fail(Outcome::WrongType, p.name + ": expected a number (" + p.unit + "), got " +
                                            std::string(j.type_name()));
      out.num = j.get<double>();
      break;
    case PropertySpec::Kind::Bool:
      if (!j.is_boolean())
        return fail(Outcome::WrongType,
                    p.name + ": expected true or false, got " + std::string(j.type_name()));
      out.num = j.get<bool>() ? 1 : 0;
      break;
    case PropertySpec::Kind::Enum:
      if (j.is_string()) {
        const auto s = j.get<std::string>();
        for (std::size_t i = 0; i < p.choices.size(); ++i)
          if (p.choices[i] == s) {
            out.num = static_cast<double>(i);
            return Outcome::Applied;
          }
        std::string list;
        for (const auto& c : p.choices) list += (list.empty() ? "" : ", ") + c;
        return fail(Outcome::OutOfRange, p.name + ": \"" + s + "\" is not one of " + list);
      }
      return fail(
          Outcome::WrongType, p.name + ": expected a name (" + [&] {
            std::string list;
            for (const auto& c : p.choices) list += (list.empty() ? "" : ", ") + c;
            return list;
          }() + ")");
    case PropertySpec::Kind::Text:
      if (!j.is_string()) return fail(Outcome::WrongType, p.name + ": expected a string");
      out.text = j.get<std::string>();
      break;
  }
  const Outcome ok = check_value(p, out);
  if (ok == Outcome::OutOfRange)
    return fail(ok, p.name + ": " + fmt_num(out.num) + " is outside [" + fmt_num(p.min) + ", " +
                        fmt_num(p.max) + "] " + p.unit);
  if (ok != Outcome::Applied) return fail(ok, p.name + ": not a finite number");
  return Outcome::Applied;
}

nlohmann::json value_to_json(const PropertySpec& p, const Value& v) {
  switch (p.kind) {
    case PropertySpec::Kind::Number:
      return v.num;
    case PropertySpec::Kind::Bool:
      return v.num != 0;
    case PropertySpec::Kind::Enum:
      return v.num >= 0 && v.num < static_cast<double>(p.choices.size())
                 ? nlohmann::json(p.choices[static_cast<std::size_t>(v.num)])
                 : nlohmann::json(nullptr);
    case PropertySpec::Kind::Text:
      return v.text;
  }
  return nullptr;
}

}  // namespace dtwin
