#include "viewer/edit.hpp"

#include <cctype>

#include "engine/mirror/binding.hpp"

namespace dtwin::viewer {

namespace {
std::string trim(const std::string& s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}
}  // namespace

std::optional<Edit> parse_edit(const std::string& text, const std::string& twin, std::string* why) {
  const auto eq = text.find('=');
  const std::string lhs = trim(eq == std::string::npos ? text : text.substr(0, eq));
  const std::string rhs = eq == std::string::npos ? std::string() : trim(text.substr(eq + 1));
  if (eq == std::string::npos || lhs.empty() || rhs.empty()) {
    if (why) *why = "expected prop = value (say speed = 1.3), got \"" + text + "\"";
    return std::nullopt;
  }
  Edit e;
  const auto dot = lhs.find('.');
  if (dot != std::string::npos) {
    e.twin = trim(lhs.substr(0, dot));
    e.prop = trim(lhs.substr(dot + 1));
  } else {
    e.twin = twin;
    e.prop = lhs;
  }
  if (e.twin.empty() || e.prop.empty()) {
    if (why)
      *why = e.twin.empty() ? "select a twin first (click it), or write twin.prop = value"
                            : "expected prop = value";
    return std::nullopt;
  }
  // JSON when it is a JSON scalar (1.2, true, "text"), else the text itself (an enum's name)
  auto j = nlohmann::json::parse(rhs, nullptr, false);
  e.value = (!j.is_discarded() && (j.is_number() || j.is_boolean() || j.is_string()))
                ? j
                : nlohmann::json(rhs);
  return e;
}

std::vector<std::string> writable_properties(const World& w, const std::string& twin) {
  std::vector<std::string> out;
  const Binding b = Binding::of(w);
  for (const auto& t : b.twins)
    if (t.id == twin)
      for (const auto& p : t.properties)
        if (p.writable) out.push_back(p.name);
  return out;
}

std::string complete_property(const std::string& text, const std::vector<std::string>& props) {
  if (text.find('=') != std::string::npos) return text;
  const std::string typed = trim(text);
  std::string found;
  for (const auto& p : props)
    if (p.compare(0, typed.size(), typed) == 0) {
      if (!found.empty()) return text;  // ambiguous
      found = p;
    }
  return found.empty() ? text : found + " = ";
}

bool edit_value(const World& w, const Edit& e, Value& out, std::string* why) {
  const Binding b = Binding::of(w);
  const auto [t, p] = b.find(e.twin, e.prop);
  if (t == std::string::npos) {
    if (why) *why = "no twin \"" + e.twin + "\" with properties";
    return false;
  }
  if (p == std::string::npos) {
    if (why) *why = "twin \"" + e.twin + "\" has no property \"" + e.prop + "\"";
    return false;
  }
  return parse_property_value(b.twins[t].properties[p], e.value, out, why) == Outcome::Applied;
}

}  // namespace dtwin::viewer
