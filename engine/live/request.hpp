// What the request ops share: the answer's shape, the request's members read with checks.
// Internal to engine/live.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/mirror/property.hpp"

namespace dtwin::live_detail {

// {"ok": true, "result": ...}
inline nlohmann::json ok(nlohmann::json result) {
  return {{"ok", true}, {"result", std::move(result)}};
}
inline nlohmann::json fail(const std::string& code, const std::string& error) {
  return {{"ok", false}, {"code", code}, {"error", error}};
}
inline const char* outcome_code(Outcome o) {
  switch (o) {
    case Outcome::UnknownTwin:
      return "unknown_twin";
    case Outcome::UnknownProperty:
      return "unknown_property";
    case Outcome::WrongType:
      return "wrong_type";
    case Outcome::OutOfRange:
      return "out_of_range";
    case Outcome::NotWritable:
      return "not_writable";
    case Outcome::RevisionMismatch:
      return "revision_mismatch";
    case Outcome::StoreFailed:
      return "store_failed";
    default:
      return "refused";
  }
}

// A request member, or a bad_request naming it.
struct BadRequest {
  std::string what;
};
inline const nlohmann::json& member(const nlohmann::json& req, const char* key) {
  const auto it = req.find(key);
  if (it == req.end()) throw BadRequest{std::string("missing \"") + key + "\""};
  return *it;
}
inline std::string str_member(const nlohmann::json& req, const char* key) {
  const auto& j = member(req, key);
  if (!j.is_string()) throw BadRequest{std::string("\"") + key + "\" must be a string"};
  return j.get<std::string>();
}
inline double num_member(const nlohmann::json& req, const char* key, double dflt) {
  const auto it = req.find(key);
  if (it == req.end() || it->is_null()) return dflt;
  if (!it->is_number() || !std::isfinite(it->get<double>()))
    throw BadRequest{std::string("\"") + key + "\" must be a number"};
  return it->get<double>();
}
inline std::uint64_t uint_member(const nlohmann::json& req, const char* key, std::uint64_t dflt) {
  const auto it = req.find(key);
  if (it == req.end() || it->is_null()) return dflt;
  if (!it->is_number_integer() ||
      (it->is_number_integer() && it->get<std::int64_t>() < 0 && !it->is_number_unsigned()))
    throw BadRequest{std::string("\"") + key + "\" must be a non-negative integer"};
  return it->get<std::uint64_t>();
}

}  // namespace dtwin::live_detail
