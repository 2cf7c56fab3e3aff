// A JSON document read from a file, with the line and column of every value, so errors about
// a value can name file:line:col as well as its JSON pointer. Columns count bytes (a UTF-8
// character of several bytes counts as several columns; a byte-order mark is not counted).
// Documents nested more than 512 levels deep are rejected, so code that walks a document
// recursively need not worry about the stack, and so are documents over 4 MiB (kMaxJsonBytes):
// a scenario is written by people; data sets belong in the files it names (CSV, EPW).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/error.hpp"

namespace dtwin {

constexpr std::size_t kMaxJsonBytes = 4u << 20;

struct JsonDoc {
  std::string file;      // the path as the user gave it (used in messages)
  std::string text;      // the raw text
  nlohmann::json value;  // the parsed document
  // hash_name(RFC 6901 pointer) -> 1-based (line, col) of the first character of that value
  // ("" is the root). For object members this is the position of the value, not the key. Keyed
  // by the pointer's 64-bit hash, not the pointer: a deep document's pointers are long, and
  // storing them would take memory quadratic in the depth (a collision would only misplace a
  // line number in a message).
  std::unordered_map<std::uint64_t, std::pair<int, int>> positions;
  // where the value at `pointer` starts, or nullptr
  const std::pair<int, int>* position(std::string_view pointer) const;

  // Location of the value at `pointer`, or of its nearest ancestor that exists in this
  // document (a missing member is reported where its parent object starts).
  SourceLocation locate(std::string_view pointer) const;
};

// Parses `text`. Syntax errors throw ScenarioError with file, line and column and a message
// saying what was expected ("expected ',' or '}' after object member, got 'x'"). Duplicate
// member names in one object are an error too (JSON allows them, nlohmann keeps the last one
// silently, and a user who wrote a key twice has made a mistake).
JsonDoc parse_json(std::string text, std::string file_label);

// Reads and parses a file. An unreadable file throws UsageError naming the path and errno text.
JsonDoc load_json_file(const std::string& path);

// Escapes one reference token for a JSON pointer ("~" -> "~0", "/" -> "~1").
std::string pointer_escape(std::string_view token);

// Splits an RFC 6901 pointer into its unescaped reference tokens ("" has none).
std::vector<std::string> pointer_tokens(const std::string& p);

}  // namespace dtwin
