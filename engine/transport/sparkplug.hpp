// Sparkplug B (Eclipse Sparkplug 3.0.0): its topics and its protobuf payload, as plain structs.
// The protobuf code generated from sparkplug_b.proto stays inside sparkplug.cpp; the rest of the
// engine sees these types only.
//
// Topics: spBv1.0/<group>/<type>/<edge node>[/<device>] with type NBIRTH, NDEATH, NDATA, NCMD,
// DBIRTH, DDEATH, DDATA, DCMD; and spBv1.0/STATE/<host id> (a host application's retained
// presence, JSON {"online": bool, "timestamp": ms}).
//
// Values. The wire has a datatype per metric (in births; later messages may carry only an alias)
// and one of a few protobuf fields. Integers arrive in int_value or long_value (implementations
// disagree on UInt32: the specification's table says int_value, Eclipse Tahu writes long_value),
// so a reader takes whichever field is present and interprets it by the declared datatype:
// Int8/Int16/Int32 by their low 8/16/32 bits as two's complement, Int64 as two's complement.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace dtwin::sparkplug {

inline constexpr const char* kNamespace = "spBv1.0";

enum DataType : std::uint32_t {
  Unknown = 0,
  Int8 = 1,
  Int16 = 2,
  Int32 = 3,
  Int64 = 4,
  UInt8 = 5,
  UInt16 = 6,
  UInt32 = 7,
  UInt64 = 8,
  Float = 9,
  Double = 10,
  Boolean = 11,
  String = 12,
  DateTime = 13,
  Text = 14,
  UUID = 15,
  DataSet = 16,
  Bytes = 17,
  File = 18,
  Template = 19,
};
// "Int32", "Double", ...; "type 42" for a number the specification does not name.
std::string datatype_name(std::uint32_t t);
bool is_integer(std::uint32_t t);

// One metric as it travels. Which value field was set is `field`; a metric with is_null or
// without a value has field None.
struct Metric {
  std::string name;  // empty when absent
  bool has_name = false;
  std::uint64_t alias = 0;
  bool has_alias = false;
  std::uint64_t timestamp = 0;  // ms since the epoch
  bool has_timestamp = false;
  std::uint32_t datatype = Unknown;  // 0 when absent
  bool is_historical = false, is_transient = false, is_null = false;
  enum class Field : std::uint8_t {
    None,
    Int,
    Long,
    Float,
    Double,
    Bool,
    String,
    Other
  } field = Field::None;
  std::uint64_t u = 0;  // Int (32 bits) and Long
  double d = 0;         // Float and Double
  bool b = false;
  std::string s;  // String

  // Setters for writers: the datatype and the matching field.
  static Metric number(std::string name, std::uint32_t datatype, double v);
  static Metric boolean(std::string name, bool v);
  static Metric string(std::string name, std::string v);
};

struct Payload {
  std::uint64_t timestamp = 0;
  bool has_timestamp = false;
  std::uint64_t seq = 0;
  bool has_seq = false;
  std::vector<Metric> metrics;
};

// Decodes the protobuf bytes; false with the reason ("not a Sparkplug B payload") otherwise.
bool decode(std::string_view bytes, Payload& out, std::string* why = nullptr);
std::string encode(const Payload& p);

// The metric's value as JSON, read as `datatype` (the birth's when the message carries none):
// an integer, a number, true/false or a string. Null (is_null, no value, a compound type the
// engine does not read: DataSet, Template, Bytes, arrays) as a JSON null.
nlohmann::json value_json(const Metric& m, std::uint32_t datatype);
// Sets m's value field from a JSON number, bool or string as `datatype` wants it (integers
// rounded to the nearest, booleans from non-zero numbers). False when it cannot be said in that
// type (a string into an integer, a compound type).
bool set_value(Metric& m, std::uint32_t datatype, const nlohmann::json& v);

struct Topic {
  std::string group, type, node, device;  // device empty for node messages
  std::string host;                       // STATE: the host id (group and type empty)
  bool is_state() const { return !host.empty(); }
};
// Parses spBv1.0/... topics; false for anything else (another namespace, wrong number of levels,
// an unknown message type, an empty level).
bool parse_topic(std::string_view topic, Topic& out);
std::string topic(const std::string& group, const std::string& type, const std::string& node,
                  const std::string& device = "");
// A Sparkplug id (group, edge node, device, host): non-empty, no '/', '+', '#'.
bool valid_id(std::string_view id);

}  // namespace dtwin::sparkplug
