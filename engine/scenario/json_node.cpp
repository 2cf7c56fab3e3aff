#include "engine/scenario/json_node.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "engine/scenario/json_doc.hpp"
#include "engine/scenario/suggest.hpp"

namespace dtwin {

namespace {

using nlohmann::json;

constexpr std::size_t kPreviewLimit = 40;

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// drops a partial UTF-8 sequence at the end of s
void trim_utf8_tail(std::string& s) {
  std::size_t n = s.size();
  std::size_t k = 0;  // continuation bytes at the end
  while (k < 3 && k < n && (static_cast<unsigned char>(s[n - 1 - k]) & 0xc0) == 0x80) ++k;
  if (k == n) return;
  const auto lead = static_cast<unsigned char>(s[n - 1 - k]);
  std::size_t want = 1;
  if (lead >= 0xf0) {
    want = 4;
  } else if (lead >= 0xe0) {
    want = 3;
  } else if (lead >= 0xc0) {
    want = 2;
  }
  if (want > 1 && k + 1 < want) s.resize(n - 1 - k);
}

// length of the well-formed UTF-8 character at the start of s; 0 when there is none
std::size_t utf8_length(std::string_view s) {
  if (s.empty()) return 0;
  const auto c = static_cast<unsigned char>(s[0]);
  std::size_t n = 0;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) n = 2;
  if (c >= 0xe0 && c <= 0xef) n = 3;
  if (c >= 0xf0 && c <= 0xf4) n = 4;
  if (n == 0 || s.size() < n) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[k]) & 0xc0) != 0x80) return 0;
  }
  return n;
}

// a compact rendering that stops soon after `limit` characters (so a huge value costs little)
void render(const json& j, std::string& out, std::size_t limit) {
  if (out.size() > limit) return;
  if (j.is_object()) {
    out += '{';
    bool first = true;
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (out.size() > limit) return;
      if (!first) out += ',';
      first = false;
      out += quote(it.key(), limit);
      out += ':';
      render(it.value(), out, limit);
    }
    out += '}';
  } else if (j.is_array()) {
    out += '[';
    bool first = true;
    for (const auto& v : j) {
      if (out.size() > limit) return;
      if (!first) out += ',';
      first = false;
      render(v, out, limit);
    }
    out += ']';
  } else if (j.is_string()) {
    out += quote(j.get_ref<const std::string&>(), limit);
  } else if (j.is_number_float() && !std::isfinite(j.get<double>())) {
    out += std::isnan(j.get<double>()) ? "NaN" : (j.get<double>() > 0 ? "Infinity" : "-Infinity");
  } else {
    out += dump(j);
  }
}

// a number with no fractional part that fits in int64 (5 and 5.0, not 5.5 or 1e300)
bool as_int64(const json& j, std::int64_t* out) {
  if (j.is_number_unsigned()) {
    const auto u = j.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return false;
    *out = static_cast<std::int64_t>(u);
    return true;
  }
  if (j.is_number_integer()) {
    *out = j.get<std::int64_t>();
    return true;
  }
  if (j.is_number_float()) {
    const double v = j.get<double>();
    // [-2^63, 2^63): the whole doubles that convert to int64 exactly
    if (std::isfinite(v) && v == std::floor(v) && v >= -9223372036854775808.0 &&
        v < 9223372036854775808.0) {
      *out = static_cast<std::int64_t>(v);
      return true;
    }
  }
  return false;
}

}  // namespace

std::string quote(std::string_view s, std::size_t limit) {
  // escape piece by piece so the cut never splits an escape or a UTF-8 character
  auto piece_at = [&s](std::size_t i, std::size_t* len) -> std::string {
    static const char* hex = "0123456789abcdef";
    const auto c = static_cast<unsigned char>(s[i]);
    *len = 1;
    switch (c) {
      case '"':
        return "\\\"";
      case '\\':
        return "\\\\";
      case '\n':
        return "\\n";
      case '\r':
        return "\\r";
      case '\t':
        return "\\t";
      default:
        break;
    }
    if (c < 0x20 || c == 0x7f) return std::string("\\u00") + hex[c >> 4] + hex[c & 15];
    if (c < 0x80) return std::string(1, static_cast<char>(c));
    const std::size_t n = utf8_length(s.substr(i));
    if (n == 0) return "\\ufffd";  // not UTF-8: the replacement character
    *len = n;
    return std::string(s.substr(i, n));
  };
  std::string body;
  std::size_t i = 0;
  std::size_t len = 0;
  while (i < s.size()) {
    const std::string piece = piece_at(i, &len);
    if (body.size() + piece.size() > limit) break;
    body += piece;
    i += len;
  }
  if (i < s.size()) {
    // too long: cut again with room for "..."
    body.clear();
    i = 0;
    while (i < s.size()) {
      const std::string piece = piece_at(i, &len);
      if (body.size() + piece.size() + 3 > limit) break;
      body += piece;
      i += len;
    }
    body += "...";
  }
  return "\"" + body + "\"";
}

Node::Node(const JsonDoc& doc) : j_(&doc.value), ptr_(), doc_(&doc) {}

Node Node::child(const nlohmann::json& j, std::string_view token) const {
  return Node(j, ptr_ + "/" + pointer_escape(token), doc_);
}

std::string Node::type_name() const {
  switch (j_->type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "a number";
    case json::value_t::string:
      return "a string";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    default:
      return "an unknown value";
  }
}

std::string Node::preview() const {
  if (j_->is_string()) return quote(j_->get_ref<const std::string&>(), kPreviewLimit - 2);
  std::string out;
  render(*j_, out, kPreviewLimit);
  if (out.size() > kPreviewLimit) {
    out.resize(kPreviewLimit - 3);
    trim_utf8_tail(out);
    out += "...";
  }
  return out;
}

void Node::fail(const std::string& message) const {
  if (doc_ != nullptr) throw ScenarioError(doc_->locate(ptr_), ptr_, message);
  throw ScenarioError(ptr_, message);
}

void Node::expected(const std::string& what) const {
  std::string got;
  switch (j_->type()) {
    case json::value_t::number_float:
      got = std::isfinite(j_->get<double>()) ? preview() : "a number that is not finite";
      break;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::boolean:
    case json::value_t::null:
      got = preview();
      break;
    case json::value_t::string:
      got = "string " + preview();
      break;
    case json::value_t::array:
      got = "array " + preview();
      break;
    case json::value_t::object:
      got = "object " + preview();
      break;
    default:
      got = type_name();
  }
  fail("expected " + what + ", got " + got);
}

bool Node::has(std::string_view key) const {
  return j_->is_object() && j_->find(key) != j_->end();
}

Node Node::at(std::string_view key) const {
  if (!j_->is_object()) expected("an object");
  const auto it = j_->find(key);
  if (it == j_->end()) fail("missing required member " + quote(key));
  return child(*it, key);
}

std::optional<Node> Node::find(std::string_view key) const {
  if (!j_->is_object()) expected("an object");
  const auto it = j_->find(key);
  if (it == j_->end() || it->is_null()) return std::nullopt;
  return child(*it, key);
}

void Node::check_keys(std::initializer_list<std::string_view> allowed) const {
  check_keys(std::vector<std::string>(allowed.begin(), allowed.end()));
}

void Node::check_keys(const std::vector<std::string>& allowed) const {
  if (!j_->is_object()) expected("an object");
  for (auto it = j_->begin(); it != j_->end(); ++it) {
    const std::string& key = it.key();
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string message = "unknown member " + quote(key);
    if (const std::string hint = did_you_mean(key, allowed); !hint.empty()) {
      message += hint;
    } else if (allowed.empty()) {
      message += "; this object takes no members";
    } else {
      message += "; expected one of: ";
      for (std::size_t i = 0; i < allowed.size(); ++i) {
        if (i > 0) message += ", ";
        message += allowed[i];
      }
    }
    child(it.value(), key).fail(message);
  }
}

std::vector<std::pair<std::string, Node>> Node::members() const {
  if (!j_->is_object()) expected("an object");
  std::vector<std::pair<std::string, Node>> out;
  out.reserve(j_->size());
  for (auto it = j_->begin(); it != j_->end(); ++it) {
    out.emplace_back(it.key(), child(it.value(), it.key()));
  }
  if (doc_ != nullptr) {
    // nlohmann sorts member names; the scanner knows where each member was written
    auto where = [this](const Node& n) {
      const auto* at = doc_->position(n.pointer());
      constexpr int kLast = std::numeric_limits<int>::max();
      return at ? *at : std::pair<int, int>{kLast, kLast};
    };
    std::stable_sort(out.begin(), out.end(), [&where](const auto& a, const auto& b) {
      return where(a.second) < where(b.second);
    });
  }
  return out;
}

std::size_t Node::size() const {
  if (!j_->is_array() && !j_->is_object()) expected("an array or an object");
  return j_->size();
}

Node Node::at(std::size_t index) const {
  if (!j_->is_array()) expected("an array");
  if (index >= j_->size()) {
    fail("missing element " + std::to_string(index) + " (the array has " +
         std::to_string(j_->size()) + ")");
  }
  return child((*j_)[index], std::to_string(index));
}

std::vector<Node> Node::items() const {
  if (!j_->is_array()) expected("an array");
  std::vector<Node> out;
  out.reserve(j_->size());
  for (std::size_t i = 0; i < j_->size(); ++i) out.push_back(child((*j_)[i], std::to_string(i)));
  return out;
}

std::string Node::string() const {
  if (!j_->is_string()) expected("a string");
  return j_->get<std::string>();
}

bool Node::boolean() const {
  if (!j_->is_boolean()) expected("true or false");
  return j_->get<bool>();
}

double Node::number() const {
  if (!j_->is_number() || !std::isfinite(j_->get<double>())) expected("a number");
  return j_->get<double>();
}

double Node::number_at_least(double lo) const {
  const std::string what = "a number >= " + format_number(lo);
  if (!j_->is_number() || !std::isfinite(j_->get<double>())) expected(what);
  const double v = j_->get<double>();
  if (!(v >= lo)) expected(what);
  return v;
}

double Node::positive() const {
  if (!j_->is_number() || !std::isfinite(j_->get<double>())) expected("a positive number");
  const double v = j_->get<double>();
  if (!(v > 0)) expected("a positive number");
  return v;
}

double Node::non_negative() const {
  return number_at_least(0);
}

double Node::number_in(double lo, double hi) const {
  const std::string what = "a number between " + format_number(lo) + " and " + format_number(hi);
  if (!j_->is_number() || !std::isfinite(j_->get<double>())) expected(what);
  const double v = j_->get<double>();
  if (!(v >= lo && v <= hi)) expected(what);
  return v;
}

std::int64_t Node::integer() const {
  std::int64_t v = 0;
  if (!as_int64(*j_, &v)) expected("an integer");
  return v;
}

std::int64_t Node::integer_at_least(std::int64_t lo) const {
  std::int64_t v = 0;
  if (!as_int64(*j_, &v) || v < lo) expected("an integer >= " + std::to_string(lo));
  return v;
}

}  // namespace dtwin
