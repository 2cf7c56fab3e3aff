// Where twins stand: the automatic layout (layers left to right, branches stacked, loops drawn
// back) and the scenario's own "layout" fields, with errors that name the pointer.
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/base/error.hpp"
#include "scenes.hpp"

using namespace dtwin;
using namespace dtwin::viewer;

namespace {
const Item& item(const Session& s, const std::string& id) {
  const int i = s.layout().find(id);
  REQUIRE(i >= 0);
  return s.layout().items[static_cast<std::size_t>(i)];
}

bool overlap(const Item& a, const Item& b) {
  return std::abs(a.x_m - b.x_m) < (a.length_m + b.length_m) / 2 &&
         std::abs(a.y_m - b.y_m) < (a.width_m + b.width_m) / 2;
}

std::string file(const std::string& rel) {
  return std::string(DTWIN_SOURCE_DIR) + "/" + rel;
}
}  // namespace

TEST_CASE("a serial line is laid out left to right on one row") {
  auto s = test::session(test::kDownLine);
  const char* order[] = {"src", "m1", "b1", "m2", "conv", "m3", "sink"};
  for (std::size_t k = 0; k + 1 < std::size(order); ++k) {
    const Item& a = item(*s, order[k]);
    const Item& b = item(*s, order[k + 1]);
    CHECK(a.x_m + a.length_m / 2 < b.x_m - b.length_m / 2);  // b starts after a ends
    CHECK(a.y_m == Approx(b.y_m).margin(1e-9));
  }
  CHECK(item(*s, "conv").length_m == Approx(10));  // the conveyor's real length
  CHECK(s->layout().edges.size() == 6);
}

TEST_CASE("the flagship's branches are stacked and join at the assembly") {
  const Scenario sc = Scenario::load(file("scenarios/line/flagship.json"));
  Session s(sc, Session::Options{});
  const Item& asm_ = item(s, "asm");
  const Item& lathe = item(s, "lathe");
  const Item& wash = item(s, "wash");
  const Item& b_shaft = item(s, "b_shaft");
  const Item& conv1 = item(s, "conv1");
  // the shaft branch ends next to the assembly, beside the housing branch
  CHECK(b_shaft.x_m == Approx(conv1.x_m));
  CHECK(lathe.x_m == Approx(wash.x_m));
  CHECK(std::abs(b_shaft.y_m - conv1.y_m) > 1);
  CHECK(asm_.x_m > conv1.x_m + conv1.length_m / 2);
  // the assembly sits between its two inputs
  CHECK(asm_.y_m <= std::max(b_shaft.y_m, conv1.y_m));
  CHECK(asm_.y_m >= std::min(b_shaft.y_m, conv1.y_m));
  for (std::size_t i = 0; i < s.layout().items.size(); ++i)
    for (std::size_t j = 0; j < i; ++j) {
      INFO(s.layout().items[i].id << " / " << s.layout().items[j].id);
      CHECK_FALSE(overlap(s.layout().items[i], s.layout().items[j]));
    }
}

TEST_CASE("a rework loop is laid out forward and its back edge marked") {
  auto s = test::session(R"({
    "name": "rework", "duration": "1h",
    "twins": {
      "src": {"kind": "source", "saturated": true},
      "m1":  {"kind": "machine", "process": 30},
      "b1":  {"kind": "buffer", "capacity": 4},
      "m2":  {"kind": "machine", "process": 20},
      "sink": {"kind": "sink"}
    },
    "flow": [["src", "m1"], ["m1", "b1"], ["b1", "m2"], ["b1", "m1"], ["m2", "sink"]]
  })");
  int loops = 0;
  for (const auto& e : s->layout().edges) loops += e.loop;
  CHECK(loops == 1);
  CHECK(item(*s, "m1").x_m < item(*s, "b1").x_m);
  CHECK(item(*s, "b1").x_m < item(*s, "m2").x_m);
}

TEST_CASE("a twin's layout fields place, turn and size it") {
  auto s = test::session(R"({
    "name": "placed", "duration": "1h",
    "twins": {
      "src":  {"kind": "source", "saturated": true},
      "m1":   {"kind": "machine", "process": 30, "layout": {"x": 3, "y": -4, "rotation_deg": 90}},
      "conv": {"kind": "conveyor", "transit": "60s", "layout": {"length": 20}},
      "m2":   {"kind": "machine", "process": 30},
      "sink": {"kind": "sink", "layout": {"x": 40, "y": 7}}
    },
    "flow": [["src", "m1"], ["m1", "conv"], ["conv", "m2"], ["m2", "sink"]]
  })");
  const Item& m1 = item(*s, "m1");
  CHECK(m1.placed);
  CHECK(m1.x_m == 3);
  CHECK(m1.y_m == -4);
  CHECK(m1.rotation_deg == 90);
  double x, y;
  to_floor(m1, 1, 0, &x, &y);  // its flow now points along +y
  CHECK(x == Approx(3));
  CHECK(y == Approx(-3));
  CHECK(item(*s, "conv").length_m == 20);
  CHECK_FALSE(item(*s, "conv").placed);
  CHECK(item(*s, "sink").x_m == 40);
}

TEST_CASE("bad layout fields are errors that name the pointer") {
  auto bad = [](const std::string& layout) {
    const std::string json = R"({"name": "x", "duration": "1h", "twins": {
        "src": {"kind": "source", "saturated": true},
        "m1": {"kind": "machine", "process": 30, "layout": )" +
                             layout + R"(},
        "sink": {"kind": "sink"}},
      "flow": [["src", "m1"], ["m1", "sink"]]})";
    try {
      test::session(json);
    } catch (const ScenarioError& e) {
      return e.describe();
    }
    return std::string("no error");
  };
  CHECK_THAT(bad(R"({"x": 1})"),
             Catch::Contains("/twins/m1/layout") && Catch::Contains("both \"x\" and \"y\""));
  CHECK_THAT(bad(R"({"x": 1, "y": 2, "rotaton_deg": 3})"), Catch::Contains("rotation_deg"));
  CHECK_THAT(bad(R"({"x": "left", "y": 2})"), Catch::Contains("/twins/m1/layout/x"));
  CHECK_THAT(bad(R"({"length": -2})"), Catch::Contains("/twins/m1/layout/length"));
  CHECK_THAT(bad("[1, 2]"), Catch::Contains("/twins/m1/layout"));
  CHECK_THAT(bad(R"({"x": 1, "y": 2})"), Catch::Equals("no error"));
}

TEST_CASE("a buffer's rack has a slot for each part it can hold") {
  for (std::uint64_t cap : {1, 2, 4, 5, 6, 10, 16, 24, 36}) {
    const Grid g = buffer_grid(cap);
    CHECK(static_cast<std::uint64_t>(g.cols * g.rows) >= cap);
    CHECK(g.cols >= g.rows);
    CHECK(static_cast<std::uint64_t>(g.cols * (g.rows - 1)) < cap);
  }
}
