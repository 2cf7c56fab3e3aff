#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/scenario/json_doc.hpp"

using dtwin::JsonDoc;
using dtwin::parse_json;
using dtwin::ScenarioError;

namespace {

// the ScenarioError that parsing `text` throws (fails the test when there is none)
ScenarioError parse_error(const std::string& text) {
  try {
    parse_json(text, "scenario.json");
  } catch (const ScenarioError& e) {
    return e;
  }
  FAIL("expected a ScenarioError for: " << text);
  throw std::logic_error("unreachable");
}

std::pair<int, int> pos(const JsonDoc& doc, const std::string& pointer) {
  const auto* at = doc.position(pointer);
  REQUIRE(at != nullptr);
  return *at;
}

}  // namespace

TEST_CASE("a missing comma is reported at the next member, with file, line and column") {
  const std::string text =
      "{\n"
      "  \"a\": 1,\n"
      "  \"b\": 2\n"
      "  \"c\": 3\n"
      "}\n";
  const ScenarioError e = parse_error(text);
  CHECK(e.location().file == "scenario.json");
  CHECK(e.location().line == 4);
  CHECK(e.location().col == 3);
  CHECK(e.message() ==
        "invalid JSON: expected ',' or '}' after object member, got \"c\" (is a ',' missing?)");
  CHECK(e.describe().rfind("scenario.json:4:3: invalid JSON", 0) == 0);
}

TEST_CASE("syntax errors say what was expected and what was found") {
  SECTION("a bare word after a member") {
    const ScenarioError e = parse_error("{\"a\": 1 x}");
    CHECK(e.message() == "invalid JSON: expected ',' or '}' after object member, got 'x'");
    CHECK(e.location().line == 1);
    CHECK(e.location().col == 9);
  }
  SECTION("a missing comma in an array") {
    const ScenarioError e = parse_error("[1,\n 22 33]");
    CHECK(e.message() ==
          "invalid JSON: expected ',' or ']' after array element, got '33' (is a ',' missing?)");
    CHECK(e.location().line == 2);
    CHECK(e.location().col == 5);
  }
  SECTION("a trailing comma") {
    const ScenarioError e = parse_error("{\"a\": 1,\n}");
    CHECK(e.message() ==
          "invalid JSON: expected a member name in double quotes, got '}' (a trailing comma is "
          "not allowed)");
    CHECK(e.location().line == 2);
    CHECK(e.location().col == 1);
    CHECK_THAT(parse_error("[1, 2, ]").message(), Catch::Contains("trailing comma"));
  }
  SECTION("an unquoted string value") {
    const ScenarioError e = parse_error("{\"dist\": exponential}");
    CHECK(e.message() ==
          "invalid JSON: expected a value, got 'exponential' (strings must be in double quotes)");
    CHECK(e.location().col == 10);
  }
  SECTION("a missing colon") {
    const ScenarioError e = parse_error("{\"a\" 1}");
    CHECK(e.message() == "invalid JSON: expected ':' after member name, got '1'");
    CHECK(e.location().col == 6);
  }
  SECTION("the input ends inside an object: the position is just after the last character") {
    const ScenarioError e = parse_error("{\n  \"a\": [1, 2]\n\n");
    CHECK(e.message() ==
          "invalid JSON: expected ',' or '}' after object member, got the end of the file");
    CHECK(e.location().line == 2);
    CHECK(e.location().col == 14);
  }
  SECTION("a string that is not closed on its line") {
    const ScenarioError e = parse_error("{\"a\": \"abc\n}");
    CHECK_THAT(e.message(), Catch::StartsWith("invalid JSON: a string is not closed"));
    CHECK(e.location().line == 1);
    CHECK(e.location().col == 11);
  }
  SECTION("a string that runs to the end of the file points at its opening quote") {
    const ScenarioError e = parse_error("[1, \"abc");
    CHECK(e.message() == "invalid JSON: a string is missing its closing quote");
    CHECK(e.location().col == 5);
  }
  SECTION("bad numbers") {
    const ScenarioError e = parse_error("[1, -x]");
    CHECK(e.message() == "invalid JSON: bad number '-x': expected digit after '-'");
    CHECK(e.location().col == 5);
    const ScenarioError big = parse_error("{\n \"a\": [1, 1e400]}");
    CHECK(big.message() == "invalid JSON: the number 1e400 is too large to represent");
    CHECK(big.location().line == 2);
    CHECK(big.location().col == 11);
  }
  SECTION("comments") {
    CHECK_THAT(parse_error("{\"a\": 1 // one\n}").message(),
               Catch::Contains("JSON does not allow comments"));
  }
  SECTION("something after the top-level value") {
    const ScenarioError e = parse_error("{\"a\": 1}\n}");
    CHECK(e.message() ==
          "invalid JSON: expected the end of the file after the top-level value, got '}'");
    CHECK(e.location().line == 2);
    CHECK(e.location().col == 1);
  }
  SECTION("a NUL byte after the value is not taken for the end of the input") {
    const ScenarioError e = parse_error(std::string("{\"a\": 1}\0{", 10));
    CHECK(e.location().col == 9);
  }
  SECTION("empty and blank files") {
    const ScenarioError e = parse_error("");
    CHECK(e.message() == "invalid JSON: the file is empty");
    CHECK(e.location().line == 1);
    CHECK(e.location().col == 1);
    CHECK(parse_error(" \n\t").message() == "invalid JSON: the file contains only whitespace");
  }
  SECTION("bytes that are not text are shown escaped") {
    CHECK(parse_error("[\xff]").message() == "invalid JSON: expected a value, got '\\xFF'");
  }
}

TEST_CASE("positions of nested values") {
  const std::string text =
      "{\n"
      "  \"twins\": [\n"
      "    {\"id\": \"b1\", \"capacity\": 5},\n"
      "    {\"id\": \"say \\\"hi\\\"\", \"a/b~c\": [true, null]}\n"
      "  ],\n"
      "  \"k\\u00e9y\":\n"
      "     -1.5e3\n"
      "}";
  const JsonDoc doc = parse_json(text, "f.json");
  CHECK(doc.value["twins"][0]["capacity"] == 5);
  CHECK(pos(doc, "") == std::pair{1, 1});
  CHECK(pos(doc, "/twins") == std::pair{2, 12});
  CHECK(pos(doc, "/twins/0") == std::pair{3, 5});
  CHECK(pos(doc, "/twins/0/id") == std::pair{3, 12});
  CHECK(pos(doc, "/twins/0/capacity") == std::pair{3, 30});
  // escaped quotes inside a string do not end it
  CHECK(pos(doc, "/twins/1/id") == std::pair{4, 12});
  // '/' and '~' in a name are escaped in the pointer
  CHECK(pos(doc, "/twins/1/a~1b~0c") == std::pair{4, 35});
  CHECK(pos(doc, "/twins/1/a~1b~0c/0") == std::pair{4, 36});
  CHECK(pos(doc, "/twins/1/a~1b~0c/1") == std::pair{4, 42});
  // the pointer uses the decoded name ("\u00e9" is é); the value is on the next line
  CHECK(pos(doc, "/k\xc3\xa9y") == std::pair{7, 6});
  CHECK(doc.positions.size() == 11);
}

TEST_CASE("a byte-order mark is not counted as columns") {
  const JsonDoc doc = parse_json("\xEF\xBB\xBF{\"a\": 1}", "bom.json");
  CHECK(pos(doc, "") == std::pair{1, 1});
  CHECK(pos(doc, "/a") == std::pair{1, 7});
  CHECK(parse_error("\xEF\xBB\xBF[1 2]").location().col == 4);
}

TEST_CASE("duplicate member names are an error at the second one") {
  const std::string text =
      "{\n"
      "  \"twins\": {\n"
      "    \"b1\": {\"capacity\": 1},\n"
      "    \"b2\": {},\n"
      "    \"b1\": {\"capacity\": 2}\n"
      "  }\n"
      "}";
  const ScenarioError e = parse_error(text);
  CHECK(e.message() == "duplicate member \"b1\" in object (first at line 3)");
  CHECK(e.pointer() == "/twins/b1");
  CHECK(e.location().line == 5);
  CHECK(e.location().col == 5);

  SECTION("names are compared after decoding escapes") {
    CHECK(parse_error("{\"kA\": 1, \"k\\u0041\": 2}").pointer() == "/kA");
  }
  SECTION("the same name in different objects is fine") {
    CHECK_NOTHROW(parse_json("[{\"a\": 1}, {\"a\": 2}, {\"b\": {\"a\": 3}}]", ""));
  }
}

TEST_CASE("locate falls back to the nearest existing ancestor") {
  const JsonDoc doc = parse_json("{\n  \"a\": {\n    \"b\": 1\n  }\n}", "x.json");
  const dtwin::SourceLocation b = doc.locate("/a/b");
  CHECK(b.file == "x.json");
  CHECK(b.line == 3);
  CHECK(b.col == 10);
  const dtwin::SourceLocation missing = doc.locate("/a/capacity");
  CHECK(missing.line == 2);
  CHECK(missing.col == 8);
  CHECK(doc.locate("/a/b/c/d").line == 3);
  CHECK(doc.locate("/nope").line == 1);
  CHECK(doc.locate("").line == 1);
}

TEST_CASE("nesting deeper than 512 levels is rejected, 500 levels are fine") {
  const std::string ok = std::string(500, '[') + std::string(500, ']');
  CHECK(parse_json(ok, "").positions.size() == 500);
  const std::string deep = std::string(600, '[') + std::string(600, ']');
  const ScenarioError e = parse_error(deep);
  CHECK_THAT(e.message(), Catch::Contains("nested deeper than 512 levels"));
  CHECK(e.location().col == 513);
}

TEST_CASE("pointer_escape") {
  CHECK(dtwin::pointer_escape("plain") == "plain");
  CHECK(dtwin::pointer_escape("a/b~c") == "a~1b~0c");
  CHECK(dtwin::pointer_escape("~1") == "~01");
}

TEST_CASE("load_json_file reads a file and names it in errors") {
  const auto path = std::filesystem::temp_directory_path() / "dtwin_test_json_doc.json";
  {
    std::ofstream out(path, std::ios::binary);
    out << "{\n  \"a\": [1,\n  2,]\n}";
  }
  try {
    dtwin::load_json_file(path.string());
    FAIL("expected a ScenarioError");
  } catch (const ScenarioError& e) {
    CHECK(e.location().file == path.string());
    CHECK(e.location().line == 3);
    CHECK(e.location().col == 5);
  }
  {
    std::ofstream out(path, std::ios::binary);
    out << "{\"a\": [1, 2]}";
  }
  const JsonDoc doc = dtwin::load_json_file(path.string());
  CHECK(doc.file == path.string());
  CHECK(doc.value["a"][1] == 2);
  std::filesystem::remove(path);

  CHECK_THROWS_MATCHES(
      dtwin::load_json_file("/nonexistent/dir/x.json"), dtwin::UsageError,
      Catch::Matchers::Message("cannot read /nonexistent/dir/x.json: No such file or directory"));
  CHECK_THROWS_AS(dtwin::load_json_file(std::filesystem::temp_directory_path().string()),
                  dtwin::UsageError);
}

TEST_CASE("a scenario over 4 MiB is refused before it is parsed, saying why") {
  const std::string big = "{\"junk\": [" + std::string(4u << 20, ' ') + "1]}";
  try {
    parse_json(big, "big.json");
    FAIL("parsed");
  } catch (const dtwin::UsageError& e) {
    CHECK_THAT(e.what(), Catch::Contains("at most 4 MiB"));
  }
}
