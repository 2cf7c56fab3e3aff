#include <catch2/catch.hpp>

#include <string>

#include "engine/scenario/json_doc.hpp"
#include "engine/scenario/json_node.hpp"

using dtwin::Node;
using dtwin::ScenarioError;
using nlohmann::json;

namespace {

template <class F>
ScenarioError error_of(F&& f) {
  try {
    f();
  } catch (const ScenarioError& e) {
    return e;
  }
  FAIL("expected a ScenarioError");
  throw std::logic_error("unreachable");
}

const json kScenario = json::parse(R"({
  "twins": {
    "b1": {"capacity": "abc", "rate": -3, "name": "buffer one", "ok": true},
    "b2": {"capacity": 5, "whole": 5.0, "half": 5.5, "big": 18446744073709551615}
  },
  "list": [10, 20, 30],
  "a/b": {"~": null}
})");

}  // namespace

TEST_CASE("errors name the pointer, the expectation and the value found") {
  const Node root(kScenario);
  const Node b1 = root.at("twins").at("b1");
  CHECK(b1.pointer() == "/twins/b1");

  const ScenarioError e = error_of([&] { b1.at("capacity").positive(); });
  CHECK(e.pointer() == "/twins/b1/capacity");
  CHECK(e.message() == "expected a positive number, got string \"abc\"");
  CHECK(e.describe() == "/twins/b1/capacity: expected a positive number, got string \"abc\"");

  const ScenarioError neg = error_of([&] { b1.at("rate").integer_at_least(0); });
  CHECK(neg.pointer() == "/twins/b1/rate");
  CHECK(neg.message() == "expected an integer >= 0, got -3");

  CHECK(error_of([&] { b1.at("rate").non_negative(); }).message() ==
        "expected a number >= 0, got -3");
  CHECK(error_of([&] { b1.at("rate").number_in(0, 1.5); }).message() ==
        "expected a number between 0 and 1.5, got -3");
  CHECK(error_of([&] { b1.at("name").boolean(); }).message() ==
        "expected true or false, got string \"buffer one\"");
  CHECK(error_of([&] { b1.at("ok").string(); }).message() == "expected a string, got true");
  CHECK(error_of([&] { root.at("list").string(); }).message() ==
        "expected a string, got array [10,20,30]");
}

TEST_CASE("missing and unknown members") {
  const Node b1 = Node(kScenario).at("twins").at("b1");
  const ScenarioError missing = error_of([&] { b1.at("size"); });
  CHECK(missing.pointer() == "/twins/b1");
  CHECK(missing.message() == "missing required member \"size\"");

  const json typo = json::parse(R"({"capcity": 3, "rate": 1})");
  const ScenarioError e = error_of([&] {
    Node(typo, "/twins/b1").check_keys({"capacity", "rate"});
  });
  CHECK(e.pointer() == "/twins/b1/capcity");
  CHECK(e.message() == "unknown member \"capcity\"; did you mean \"capacity\"?");

  const json far = json::parse(R"({"a": 1, "zzz": 2})");
  const ScenarioError f = error_of([&] { Node(far).check_keys({"a", "b", "c"}); });
  CHECK(f.pointer() == "/zzz");
  CHECK(f.message() == "unknown member \"zzz\"; expected one of: a, b, c");

  CHECK_NOTHROW(Node(typo).check_keys(std::vector<std::string>{"rate", "capcity"}));
  CHECK(error_of([&] { Node(typo).check_keys({}); }).message() ==
        "unknown member \"capcity\"; this object takes no members");
  CHECK(error_of([&] { Node(kScenario).at("list").check_keys({"a"}); }).message() ==
        "expected an object, got array [10,20,30]");
}

TEST_CASE("has and find") {
  const Node root(kScenario);
  CHECK(root.has("twins"));
  CHECK_FALSE(root.has("nope"));
  CHECK_FALSE(root.at("list").has("twins"));
  CHECK(root.find("twins").has_value());
  CHECK_FALSE(root.find("nope").has_value());
  CHECK_FALSE(root.at("a/b").find("~").has_value());  // null counts as absent
  CHECK(root.at("a/b").pointer() == "/a~1b");
  CHECK(error_of([&] { root.at("list").find("x"); }).pointer() == "/list");
}

TEST_CASE("numbers: booleans are not numbers, integers may be written 5.0") {
  const Node b2 = Node(kScenario).at("twins").at("b2");
  CHECK(b2.at("capacity").number() == 5);
  CHECK(b2.at("capacity").integer() == 5);
  CHECK(b2.at("whole").integer() == 5);
  CHECK(error_of([&] { b2.at("half").integer(); }).message() == "expected an integer, got 5.5");
  CHECK(error_of([&] { b2.at("big").integer(); }).message() ==
        "expected an integer, got 18446744073709551615");
  CHECK(b2.at("big").number() == Approx(1.8446744073709552e19));

  const json t = true;
  CHECK(error_of([&] { Node(t).number(); }).message() == "expected a number, got true");
  const json inf = std::numeric_limits<double>::infinity();
  CHECK(error_of([&] { Node(inf).number(); }).message() ==
        "expected a number, got a number that is not finite");
  const json big = 1e300;
  CHECK(error_of([&] { Node(big).integer(); }).message() == "expected an integer, got 1e+300");
  CHECK(Node(json(0.5)).number_in(0, 1) == 0.5);
  CHECK(Node(json(1)).number_at_least(1) == 1);
  CHECK(Node(json(-2.0)).integer_at_least(-2) == -2);
}

TEST_CASE("arrays") {
  const Node list = Node(kScenario).at("list");
  CHECK(list.size() == 3);
  const auto items = list.items();
  REQUIRE(items.size() == 3);
  CHECK(items[2].pointer() == "/list/2");
  CHECK(items[2].integer() == 30);
  CHECK(list.at(std::size_t{1}).pointer() == "/list/1");
  const ScenarioError e = error_of([&] { list.at(std::size_t{3}); });
  CHECK(e.pointer() == "/list");
  CHECK(e.message() == "missing element 3 (the array has 3)");
  CHECK(error_of([&] { Node(kScenario).at("twins").items(); })
            .message()
            .rfind("expected an array, got object {", 0) == 0);
  CHECK(error_of([&] { list.at(std::size_t{0}).size(); }).message() ==
        "expected an array or an object, got 10");
}

TEST_CASE("previews are short") {
  const json long_string = std::string(100, 'x');
  const std::string p = Node(long_string).preview();
  CHECK(p.size() <= 42);
  CHECK(p == "\"" + std::string(35, 'x') + "...\"");
  const json long_array = json::parse("[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21]");
  const std::string a = Node(long_array).preview();
  CHECK(a.size() == 40);
  CHECK(a.substr(a.size() - 3) == "...");
  CHECK(Node(json("é")).preview() == "\"é\"");
  // escapes count towards the length, and are never cut in half
  const std::string controls = Node(json(std::string(30, '\x01'))).preview();
  CHECK(controls.size() <= 40);
  CHECK(controls == "\"" + std::string("\\u0001\\u0001\\u0001\\u0001\\u0001...") + "\"");
  CHECK(dtwin::quote("a\"b\n") == "\"a\\\"b\\n\"");
  CHECK(Node(json(nullptr)).type_name() == "null");
  CHECK(Node(kScenario).type_name() == "an object");
}

TEST_CASE("nodes from a document carry file, line and column, and keep document order") {
  const dtwin::JsonDoc doc = dtwin::parse_json(
      "{\n"
      "  \"zeta\": 1,\n"
      "  \"alpha\": \"x\",\n"
      "  \"mid\": {}\n"
      "}",
      "s.json");
  const Node root(doc);
  const auto members = root.members();
  REQUIRE(members.size() == 3);
  CHECK(members[0].first == "zeta");
  CHECK(members[1].first == "alpha");
  CHECK(members[2].first == "mid");
  CHECK(members[1].second.pointer() == "/alpha");

  const ScenarioError e = error_of([&] { root.at("alpha").number(); });
  CHECK(e.describe() == "s.json:3:12: /alpha: expected a number, got string \"x\"");
  const ScenarioError m = error_of([&] { root.at("mid").at("capacity"); });
  CHECK(m.location().line == 4);
  CHECK(m.location().col == 10);

  // without the document, members come in name order
  CHECK(Node(doc.value).members()[0].first == "alpha");

  // a patched copy keeps the order of the original; new members come last
  json patched = doc.value;
  patched.merge_patch(json::parse(R"({"beta": 2, "zeta": 3, "aaa": 4})"));
  const auto order = Node(patched, doc).members();
  REQUIRE(order.size() == 5);
  CHECK(order[0].first == "zeta");
  CHECK(order[1].first == "alpha");
  CHECK(order[2].first == "mid");
  CHECK(order[3].first == "aaa");
  CHECK(order[4].first == "beta");
  CHECK(error_of([&] { Node(patched, doc).at("zeta").string(); }).location().line == 2);
}

TEST_CASE("format_number") {
  CHECK(dtwin::format_number(60) == "60");
  CHECK(dtwin::format_number(-3) == "-3");
  CHECK(dtwin::format_number(0.25) == "0.25");
  CHECK(dtwin::format_number(1.0 / 3) == "0.333333");
  CHECK(dtwin::format_number(1e300) == "1e+300");
}
