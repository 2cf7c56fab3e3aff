// The properties of a twin as its mirror knows them: what an asset reports and what the digital
// side may set, with their types, units, ranges and choices, and the values they take. The one
// parser and the one JSON form of a property's value (the wire, requests, the store, the CLI).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dtwin {

// A property value: a number (also booleans as 0/1 and enumerations as their index) or text.
struct Value {
  double num = 0;
  std::string text;  // only for kind Text
  bool operator==(const Value& o) const { return num == o.num && text == o.text; }
};

struct PropertySpec {
  enum class Kind : std::uint8_t { Number, Bool, Enum, Text } kind = Kind::Number;
  std::string name;                  // "speed"
  std::string unit;                  // "1", "parts", "degC"
  double min = -1e300, max = 1e300;  // accepted range (numbers)
  double tolerance = 0;              // |desired - reported| <= tolerance counts as applied
  std::vector<std::string> choices;  // Enum: the names, index = value
  bool writable = false;             // may the digital side set a desired value?
  // Derived: computed by the twin from the reported values (a robot cell's tool position from
  // its joints), not reported by the asset. The live engine writes it into the mirror as a
  // reported value with the session, sequence and source time of the report it was derived
  // from; `get` marks it "derived": true. Emulated assets do not report it.
  bool derived = false;
};

// Why an input was not applied.
enum class Outcome : std::uint8_t {
  Applied,
  Duplicate,  // identical to what is held: nothing changes
  Stale,      // older than what is held: dropped
  UnknownTwin,
  UnknownProperty,
  WrongType,
  OutOfRange,
  NotWritable,
  RevisionMismatch,
  StoreFailed,    // the store could not make a desired value durable: refused
  FutureSession,  // a session number ahead of the engine's clock: refused
  DeadSession,    // from a session whose death was received: dropped until the asset's birth
};
const char* outcome_name(Outcome o);

// "number", "bool", "enum", "text": a kind as the store, the wire contract and people spell it.
const char* kind_name(PropertySpec::Kind k);

// A value as JSON: numbers, booleans, enumeration names, text.
nlohmann::json value_to_json(const PropertySpec& p, const Value& v);
// A JSON value for the property (number, bool, enumeration name, text), type- and
// range-checked; the reason names the property and what it accepts.
Outcome parse_property_value(const PropertySpec& p, const nlohmann::json& j, Value& out,
                             std::string* reason);

// A twin's properties: an immutable list shared by every twin of the same schema (a fleet of
// 100,000 machines keeps one copy of the names, units and choices, not 100,000).
class PropertyList {
 public:
  PropertyList() = default;
  PropertyList(std::vector<PropertySpec> v)  // NOLINT: implicit, as the vector it stands for
      : p_(std::make_shared<const std::vector<PropertySpec>>(std::move(v))) {}
  PropertyList(std::initializer_list<PropertySpec> l)
      : PropertyList(std::vector<PropertySpec>(l)) {}

  std::size_t size() const { return p_ ? p_->size() : 0; }
  bool empty() const { return size() == 0; }
  const PropertySpec& operator[](std::size_t i) const { return (*p_)[i]; }
  const PropertySpec& at(std::size_t i) const { return vec().at(i); }
  const std::vector<PropertySpec>& vec() const { return p_ ? *p_ : empty_list(); }
  std::vector<PropertySpec>::const_iterator begin() const { return vec().begin(); }
  std::vector<PropertySpec>::const_iterator end() const { return vec().end(); }
  // the same list object (shared), not only equal contents
  bool same_as(const PropertyList& o) const { return p_ == o.p_; }

 private:
  static const std::vector<PropertySpec>& empty_list();
  std::shared_ptr<const std::vector<PropertySpec>> p_;
};

bool operator==(const PropertySpec& a, const PropertySpec& b);

struct TwinSpec {
  std::string id;
  PropertyList properties;
};

// A value the property accepts (type, range, choices): Applied, WrongType or OutOfRange.
Outcome check_value(const PropertySpec& p, const Value& v);
// Equal within the property's tolerance (numbers), exactly otherwise.
bool same_value(const PropertySpec& p, const Value& a, const Value& b);

}  // namespace dtwin
