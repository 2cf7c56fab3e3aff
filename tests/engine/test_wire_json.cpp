// JSON from the wire: refused when an object names a member twice (nlohmann keeps the last one
// silently; the scenario parser refuses them, and so does the wire), otherwise the same document
// nlohmann parses.
#include <catch2/catch.hpp>

#include <string>

#include "engine/transport/wire_json.hpp"

using dtwin::parse_wire_json;

TEST_CASE("wire JSON: the same document as nlohmann's parser when members are distinct", "[wire]") {
  for (const std::string text :
       {R"({"a": 1, "b": [1, 2, {"a": 3, "b": null}], "c": {"a": {"a": true}}})", R"([])",
        R"("text")", R"(-1.5e3)", R"({"": 1, "x": {"": 2}})",
        R"({"session": 18446744073709551615, "ts": 1.76e9, "values": {"speed": 1.2}})"}) {
    std::string why;
    const auto j = parse_wire_json(text, &why);
    REQUIRE_FALSE(j.is_discarded());
    CHECK(j == nlohmann::json::parse(text));
    CHECK(why.empty());
  }
}

TEST_CASE("wire JSON: a member named twice, at any depth, is refused with its name", "[wire]") {
  for (const auto& [text, name] : std::initializer_list<std::pair<std::string, std::string>>{
           {R"({"a": 1, "a": 2})", "a"},
           {R"({"op": "get", "x": 0, "op": "set"})", "op"},
           {R"({"v": {"speed": 1, "parts": 2, "speed": 3}})", "speed"},
           {R"([{"k": 1}, {"k": 1, "k": 1}])", "k"},
           {R"({"a": {"b": {"c": {"d": 0, "d": 0}}}})", "d"},
           {R"({"\u0061": 1, "a": 2})", "a"}}) {
    std::string why;
    CHECK(parse_wire_json(text, &why).is_discarded());
    CHECK(why == "member \"" + name + "\" given twice");
  }
}

TEST_CASE("wire JSON: a large object is checked in n log n, and its duplicates still found",
          "[wire]") {
  std::string text = "{";
  for (int i = 0; i < 5000; ++i)
    text += "\"k" + std::to_string(i) + "\": " + std::to_string(i) + ",";
  std::string dup = text + "\"k4321\": 0}";
  text += "\"last\": 0}";
  CHECK(parse_wire_json(text).size() == 5001);
  std::string why;
  CHECK(parse_wire_json(dup, &why).is_discarded());
  CHECK(why == "member \"k4321\" given twice");
}

TEST_CASE("wire JSON: what is not JSON is discarded, not thrown", "[wire]") {
  for (const std::string text : {"", "{", R"({"a": 1,})", "nul", R"({"a": 1} x)", "\x80"}) {
    std::string why;
    CHECK(parse_wire_json(text, &why).is_discarded());
    CHECK(why == "invalid JSON");
  }
}
