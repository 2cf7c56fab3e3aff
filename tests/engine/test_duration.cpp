#include <catch2/catch.hpp>

#include <string>

#include "engine/scenario/duration.hpp"

using dtwin::format_duration;
using dtwin::Node;
using dtwin::parse_duration;
using dtwin::parse_duration_text;
using dtwin::ScenarioError;
using nlohmann::json;

namespace {

double text_seconds(const std::string& text) {
  double s = -1;
  INFO("text: " << text);
  REQUIRE(parse_duration_text(text, &s));
  return s;
}

bool rejects(const std::string& text) {
  double s = 12345;
  const bool ok = parse_duration_text(text, &s);
  return !ok && s == 12345;  // a rejected text leaves the output alone
}

ScenarioError duration_error(const json& j, bool positive = false) {
  try {
    if (positive) {
      dtwin::parse_duration_positive(Node(j, "/t"));
    } else {
      parse_duration(Node(j, "/t"));
    }
  } catch (const ScenarioError& e) {
    return e;
  }
  FAIL("expected a ScenarioError for " << j.dump());
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("duration strings") {
  CHECK(text_seconds("250ms") == Approx(0.25));
  CHECK(text_seconds("90s") == 90);
  CHECK(text_seconds("5min") == 300);
  CHECK(text_seconds("8h") == 28800);
  CHECK(text_seconds("2d") == 172800);
  CHECK(text_seconds("1w") == 604800);
  CHECK(text_seconds("1.5h") == 5400);
  CHECK(text_seconds("90 s") == 90);
  CHECK(text_seconds(" 5min ") == 300);
  CHECK(text_seconds(".5s") == 0.5);
  CHECK(text_seconds("1e3s") == 1000);
  CHECK(text_seconds("0s") == 0);
  CHECK_FALSE(std::signbit(text_seconds("-0s")));
}

TEST_CASE("compound durations: terms from the largest unit down") {
  CHECK(text_seconds("3d10h") == 3 * 86400 + 10 * 3600);
  CHECK(text_seconds("1h30min") == 5400);
  CHECK(text_seconds("1h 30min") == 5400);
  CHECK(text_seconds("2min30s") == 150);
  CHECK(text_seconds("1w2d3h4min5s6ms") == Approx(604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5.006));
  CHECK(text_seconds("1.5h30min") == 7200);
  CHECK(rejects("10h3d"));     // units go down
  CHECK(rejects("1h1h"));      // and each once
  CHECK(rejects("1h-30min"));  // no negative term
  CHECK(rejects("-1h30min"));
  CHECK(rejects("1h30"));  // every term has its unit
  CHECK(rejects("1h,30min"));
}

TEST_CASE("texts that are not durations are rejected") {
  CHECK(rejects(""));
  CHECK(rejects("   "));
  CHECK(rejects("5"));  // a string needs a unit; a bare number is written as a JSON number
  CHECK(rejects("5 parsecs"));
  CHECK(rejects("h"));
  CHECK(rejects("5H"));
  CHECK(rejects("5 m"));
  CHECK(rejects("5sec"));
  CHECK(rejects("1e400s"));
  CHECK(rejects("1e306w"));  // finite as a number, not in seconds
  CHECK(rejects("inf s"));
  CHECK(rejects("nan s"));
  CHECK(rejects("+5s"));
  CHECK(rejects("-5s"));
  CHECK(rejects("5s5"));
  CHECK(rejects("0x10s"));
}

TEST_CASE("parse_duration reads numbers as seconds and strings with units") {
  CHECK(parse_duration(Node(json(90))) == 90);
  CHECK(parse_duration(Node(json(0.5))) == 0.5);
  CHECK(parse_duration(Node(json(0))) == 0);
  CHECK(parse_duration(Node(json("2d"))) == 172800);
  CHECK(dtwin::parse_duration_positive(Node(json("1ms"))) == Approx(0.001));
}

TEST_CASE("duration errors name the pointer and the accepted forms") {
  const ScenarioError neg = duration_error(json(-5));
  CHECK(neg.pointer() == "/t");
  CHECK(neg.message() ==
        "expected a duration >= 0 (seconds, or a string such as \"90s\", \"5min\", \"8h\", "
        "\"2d\", \"3d10h\"), got -5");
  CHECK_THAT(duration_error(json("-5min")).message(), Catch::EndsWith("got string \"-5min\""));
  CHECK_THAT(duration_error(json(true)).message(), Catch::EndsWith("got true"));
  CHECK_THAT(duration_error(json("5 parsecs")).message(),
             Catch::Contains("got string \"5 parsecs\" (the units are ms, s, min, h, d and w)"));
  CHECK_THAT(duration_error(json(0), true).message(),
             Catch::StartsWith("expected a duration > 0 (seconds") && Catch::EndsWith("got 0"));
  CHECK_THAT(duration_error(json("0h"), true).message(), Catch::Contains("> 0"));
}

TEST_CASE("format_duration picks the largest unit and three significant digits") {
  CHECK(format_duration(0) == "0s");
  CHECK(format_duration(0.25) == "0.25s");
  CHECK(format_duration(59) == "59s");
  CHECK(format_duration(60) == "1min");
  CHECK(format_duration(90) == "1.5min");
  CHECK(format_duration(5400) == "1.5h");
  CHECK(format_duration(172800) == "2d");
  CHECK(format_duration(100000) == "1.16d");
  CHECK(format_duration(86400 * 365.0) == "365d");
  CHECK(format_duration(-90) == "-1.5min");
}

TEST_CASE("format_duration output parses back to about the same duration") {
  for (double s : {0.001, 0.37, 1.0, 59.5, 61.0, 3599.0, 7200.0, 123456.0, 1e7}) {
    INFO("seconds: " << s);
    CHECK(text_seconds(format_duration(s)) == Approx(s).epsilon(0.005));
  }
}
