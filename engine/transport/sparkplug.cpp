#include "engine/transport/sparkplug.hpp"

#include <cmath>
#include <limits>

#include "engine/transport/sparkplug_b.pb.h"

namespace dtwin::sparkplug {

std::string datatype_name(std::uint32_t t) {
  static const char* names[] = {"Unknown", "Int8",    "Int16",  "Int32",    "Int64",
                                "UInt8",   "UInt16",  "UInt32", "UInt64",   "Float",
                                "Double",  "Boolean", "String", "DateTime", "Text",
                                "UUID",    "DataSet", "Bytes",  "File",     "Template"};
  if (t < sizeof names / sizeof names[0]) return names[t];
  return "type " + std::to_string(t);
}

bool is_integer(std::uint32_t t) {
  return (t >= Int8 && t <= UInt64) || t == DateTime;
}

Metric Metric::number(std::string name, std::uint32_t datatype, double v) {
  Metric m;
  m.name = std::move(name);
  m.has_name = true;
  m.datatype = datatype;
  set_value(m, datatype, v);
  return m;
}

Metric Metric::boolean(std::string name, bool v) {
  Metric m;
  m.name = std::move(name);
  m.has_name = true;
  m.datatype = Boolean;
  m.field = Field::Bool;
  m.b = v;
  return m;
}

Metric Metric::string(std::string name, std::string v) {
  Metric m;
  m.name = std::move(name);
  m.has_name = true;
  m.datatype = String;
  m.field = Field::String;
  m.s = std::move(v);
  return m;
}

bool decode(std::string_view bytes, Payload& out, std::string* why) {
  pb::Payload p;
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      !p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    if (why) *why = "not a Sparkplug B payload (protobuf decoding failed)";
    return false;
  }
  out = Payload{};
  out.has_timestamp = p.has_timestamp();
  out.timestamp = p.timestamp();
  out.has_seq = p.has_seq();
  out.seq = p.seq();
  out.metrics.reserve(static_cast<std::size_t>(p.metrics_size()));
  for (const auto& pm : p.metrics()) {
    Metric m;
    m.has_name = pm.has_name();
    m.name = pm.name();
    m.has_alias = pm.has_alias();
    m.alias = pm.alias();
    m.has_timestamp = pm.has_timestamp();
    m.timestamp = pm.timestamp();
    m.datatype = pm.datatype();
    m.is_historical = pm.is_historical();
    m.is_transient = pm.is_transient();
    m.is_null = pm.is_null();
    using V = pb::Payload::Metric;
    switch (pm.value_case()) {
      case V::kIntValue:
        m.field = Metric::Field::Int;
        m.u = pm.int_value();
        break;
      case V::kLongValue:
        m.field = Metric::Field::Long;
        m.u = pm.long_value();
        break;
      case V::kFloatValue:
        m.field = Metric::Field::Float;
        m.d = static_cast<double>(pm.float_value());
        break;
      case V::kDoubleValue:
        m.field = Metric::Field::Double;
        m.d = pm.double_value();
        break;
      case V::kBooleanValue:
        m.field = Metric::Field::Bool;
        m.b = pm.boolean_value();
        break;
      case V::kStringValue:
        m.field = Metric::Field::String;
        m.s = pm.string_value();
        break;
      case V::VALUE_NOT_SET:
        m.field = Metric::Field::None;
        break;
      default:
        m.field = Metric::Field::Other;
        break;
    }
    out.metrics.push_back(std::move(m));
  }
  return true;
}

std::string encode(const Payload& p) {
  pb::Payload out;
  if (p.has_timestamp) out.set_timestamp(p.timestamp);
  if (p.has_seq) out.set_seq(p.seq);
  for (const auto& m : p.metrics) {
    auto* pm = out.add_metrics();
    if (m.has_name) pm->set_name(m.name);
    if (m.has_alias) pm->set_alias(m.alias);
    if (m.has_timestamp) pm->set_timestamp(m.timestamp);
    if (m.datatype != Unknown) pm->set_datatype(m.datatype);
    if (m.is_historical) pm->set_is_historical(true);
    if (m.is_transient) pm->set_is_transient(true);
    if (m.is_null) pm->set_is_null(true);
    switch (m.field) {
      case Metric::Field::Int:
        pm->set_int_value(static_cast<std::uint32_t>(m.u));
        break;
      case Metric::Field::Long:
        pm->set_long_value(m.u);
        break;
      case Metric::Field::Float:
        pm->set_float_value(static_cast<float>(m.d));
        break;
      case Metric::Field::Double:
        pm->set_double_value(m.d);
        break;
      case Metric::Field::Bool:
        pm->set_boolean_value(m.b);
        break;
      case Metric::Field::String:
        pm->set_string_value(m.s);
        break;
      case Metric::Field::None:
      case Metric::Field::Other:
        break;
    }
  }
  return out.SerializeAsString();
}

nlohmann::json value_json(const Metric& m, std::uint32_t t) {
  using F = Metric::Field;
  if (m.is_null) return nullptr;
  if (t == Unknown) t = m.datatype;
  switch (m.field) {
    case F::Int:
    case F::Long:
      switch (t) {
        case Int8:
          return static_cast<std::int8_t>(static_cast<std::uint8_t>(m.u & 0xFF));
        case Int16:
          return static_cast<std::int16_t>(static_cast<std::uint16_t>(m.u & 0xFFFF));
        case Int32:
          return static_cast<std::int32_t>(static_cast<std::uint32_t>(m.u & 0xFFFFFFFFu));
        case Int64:
          return static_cast<std::int64_t>(m.u);
        case UInt8:
          return static_cast<std::uint64_t>(m.u & 0xFF);
        case UInt16:
          return static_cast<std::uint64_t>(m.u & 0xFFFF);
        case UInt32:
          return static_cast<std::uint64_t>(m.u & 0xFFFFFFFFu);
        case Boolean:
          return m.u != 0;
        default:  // UInt64, DateTime, a datatype not given
          return m.u;
      }
    case F::Float:
    case F::Double:
      if (!std::isfinite(m.d)) return nullptr;
      return m.d;
    case F::Bool:
      return m.b;
    case F::String:
      return m.s;
    case F::None:
    case F::Other:
      break;
  }
  return nullptr;
}

bool set_value(Metric& m, std::uint32_t t, const nlohmann::json& v) {
  using F = Metric::Field;
  m.is_null = false;
  if (t == Boolean) {
    if (v.is_boolean()) {
      m.b = v.get<bool>();
    } else if (v.is_number()) {
      m.b = v.get<double>() != 0;
    } else {
      return false;
    }
    m.field = F::Bool;
    return true;
  }
  if (t == String || t == Text || t == UUID) {
    if (v.is_string()) {
      m.s = v.get<std::string>();
    } else if (v.is_number() || v.is_boolean()) {
      m.s = v.dump();
    } else {
      return false;
    }
    m.field = F::String;
    return true;
  }
  if (!v.is_number() && !v.is_boolean()) return false;
  const double x = v.is_boolean() ? (v.get<bool>() ? 1.0 : 0.0) : v.get<double>();
  if (!std::isfinite(x)) return false;
  if (t == Float || t == Double) {
    m.field = t == Float ? F::Float : F::Double;
    m.d = x;
    return true;
  }
  if (!is_integer(t)) return false;
  const double r = std::nearbyint(x);
  const bool is_signed = t >= Int8 && t <= Int64;
  if (is_signed) {
    if (r < -9.2e18 || r > 9.2e18) return false;
    const auto i = static_cast<std::int64_t>(r);
    m.u = static_cast<std::uint64_t>(i);
    if (t != Int64) m.u &= 0xFFFFFFFFu;  // the 32-bit two's complement in int_value
  } else {
    if (r < 0 || r > 1.8e19) return false;
    m.u = static_cast<std::uint64_t>(r);
  }
  // int_value for the 8-, 16- and 32-bit types, but UInt32 in long_value: Eclipse Tahu reads
  // it there (a reader that follows the table reads either field, as this one does)
  m.field = (t == Int64 || t == UInt64 || t == DateTime || t == UInt32) ? F::Long : F::Int;
  return true;
}

bool valid_id(std::string_view id) {
  return !id.empty() && id.find_first_of("/+#") == std::string_view::npos;
}

bool parse_topic(std::string_view t, Topic& out) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const auto slash = t.find('/', start);
    parts.push_back(t.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
    if (parts.size() > 5) return false;
  }
  if (parts.size() < 3 || parts[0] != kNamespace) return false;
  for (const auto p : parts)
    if (p.empty()) return false;
  out = Topic{};
  if (parts[1] == "STATE") {
    if (parts.size() != 3) return false;
    out.host = std::string(parts[2]);
    return true;
  }
  if (parts.size() < 4) return false;
  const std::string_view type = parts[2];
  const bool node_msg = type == "NBIRTH" || type == "NDEATH" || type == "NDATA" || type == "NCMD";
  const bool dev_msg = type == "DBIRTH" || type == "DDEATH" || type == "DDATA" || type == "DCMD";
  if ((node_msg && parts.size() != 4) || (dev_msg && parts.size() != 5) || (!node_msg && !dev_msg))
    return false;
  out.group = std::string(parts[1]);
  out.type = std::string(type);
  out.node = std::string(parts[3]);
  if (dev_msg) out.device = std::string(parts[4]);
  return true;
}

std::string topic(const std::string& group, const std::string& type, const std::string& node,
                  const std::string& device) {
  std::string s = std::string(kNamespace) + "/" + group + "/" + type + "/" + node;
  if (!device.empty()) s += "/" + device;
  return s;
}

}  // namespace dtwin::sparkplug
