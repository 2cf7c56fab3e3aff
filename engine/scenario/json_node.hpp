// Typed, validated access to a JSON value that remembers its JSON pointer, so every check
// throws a ScenarioError naming the pointer and what was expected:
//   Node n(doc.value);            // root
//   double c = n.at("twins").at("b1").at("capacity").integer_at_least(0);
// -> "/twins/b1/capacity: expected an integer >= 0, got -3"
// A Node does not own the JSON; keep the document alive while nodes are in use.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/error.hpp"
#include "engine/base/format.hpp"
#include "engine/scenario/json_doc.hpp"  // complete, so Node(json) never tries json -> JsonDoc

namespace dtwin {

class Node {
 public:
  explicit Node(const nlohmann::json& j, std::string pointer = "")
      : j_(&j), ptr_(std::move(pointer)) {}
  // The root of a parsed document. Nodes reached from it throw errors that carry file:line:col
  // as well as the pointer, and members() is in document order.
  explicit Node(const JsonDoc& doc);
  // The root of `j`, a document derived from `doc` (say a variant's merge-patched copy of
  // doc.value): locations and member order come from `doc` for the pointers that exist there;
  // members `doc` does not have come after the others, in name order.
  Node(const nlohmann::json& j, const JsonDoc& doc) : j_(&j), ptr_(), doc_(&doc) {}

  const nlohmann::json& json() const { return *j_; }
  const std::string& pointer() const { return ptr_; }

  // "a string", "a number", "an object", ... for messages; and a short rendering of the value
  // (strings quoted, long values cut to about 40 characters).
  std::string type_name() const;
  std::string preview() const;

  [[noreturn]] void fail(const std::string& message) const;  // throws ScenarioError at pointer()
  // throws "expected <what>, got <type> <preview>"
  [[noreturn]] void expected(const std::string& what) const;

  bool is_object() const { return j_->is_object(); }
  bool is_array() const { return j_->is_array(); }
  bool is_string() const { return j_->is_string(); }
  bool is_number() const { return j_->is_number(); }
  bool is_null() const { return j_->is_null(); }
  bool is_bool() const { return j_->is_boolean(); }

  // objects
  bool has(std::string_view key) const;  // false when not an object
  Node at(std::string_view key) const;   // object member; "missing required member "key""
  std::optional<Node> find(std::string_view key) const;  // nullopt when absent or null
  // every member name must be in `allowed`; otherwise the error names the unknown member
  // and suggests the closest allowed name ("unknown member "capcity"; did you mean "capacity"?")
  void check_keys(std::initializer_list<std::string_view> allowed) const;
  void check_keys(const std::vector<std::string>& allowed) const;
  // in document order when the node comes from a JsonDoc; otherwise in nlohmann's order,
  // which sorts member names
  std::vector<std::pair<std::string, Node>> members() const;

  // arrays
  std::size_t size() const;  // array or object size; expected() when neither
  Node at(std::size_t index) const;
  std::vector<Node> items() const;  // expected("an array") when not an array

  // scalars, each throwing expected(...) with the requirement spelled out
  std::string string() const;
  bool boolean() const;
  double number() const;  // finite number
  double number_at_least(double lo) const;
  double positive() const;  // > 0
  double non_negative() const;
  double number_in(double lo, double hi) const;  // inclusive
  std::int64_t integer() const;                  // a number with no fractional part
  std::int64_t integer_at_least(std::int64_t lo) const;

 private:
  Node(const nlohmann::json& j, std::string pointer, const JsonDoc* doc)
      : j_(&j), ptr_(std::move(pointer)), doc_(doc) {}
  Node child(const nlohmann::json& j, std::string_view token) const;

  const nlohmann::json* j_;
  std::string ptr_;
  const JsonDoc* doc_ = nullptr;  // for locations; may be null
};

// A string for messages: JSON-quoted with escapes, cut to about `limit` bytes with "...".
std::string quote(std::string_view s, std::size_t limit = 40);

}  // namespace dtwin
