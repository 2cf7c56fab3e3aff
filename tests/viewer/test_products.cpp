// A line with products, operators and a transport fleet in the viewer
// (scenarios/line/operators_agv.json): every part in its product's colour, in the scene and in
// real pixels; the AGV where its leg puts it, carrying its part; an operator at each station
// that holds one; the legend names the products; the inspector shows a machine's product, a
// buffer's parts by product and the pool's busy members.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "engine/scenario/scenario.hpp"
#include "pixels.hpp"
#include "viewer/app.hpp"
#include "viewer/camera.hpp"
#include "viewer/hud.hpp"
#include "viewer/inspector.hpp"
#include "viewer/movers.hpp"
#include "viewer/parts.hpp"
#include "viewer/picking.hpp"

using namespace dtwin;
using namespace dtwin::viewer;

namespace {

bool same(Rgba a, Rgba b) {
  return a.r == b.r && a.g == b.g && a.b == b.b;
}

std::unique_ptr<Session> agv_line(double at_s) {
  static const Scenario sc =
      Scenario::load(std::string(DTWIN_SOURCE_DIR) + "/scenarios/line/operators_agv.json");
  auto s = std::make_unique<Session>(sc, Session::Options{});
  s->playback().set_playing(false);
  s->playback().jump_to(at_s);
  return s;
}

}  // namespace

TEST_CASE(
    "products: each part is drawn in its product's colour, vehicles and operators where "
    "the line's state puts them") {
  for (double t : {100 * 3600.0, 100 * 3600.0 + 300, 37 * 3600.0}) {
    auto s = agv_line(t);
    const line::LineSpec& spec = s->spec(0);
    const line::LineState& st = s->state(0);
    REQUIRE(spec.products.size() == 2);
    // the parts the state holds, by product: on machines and waiting in places
    std::map<std::uint32_t, std::size_t> want;
    for (const auto& m : st.machines)
      if (m.part_units > 0) ++want[m.product];
    for (std::size_t p = 0; p < spec.places.size(); ++p) {
      const auto k = spec.places[p].kind;
      if (k == line::PlaceKind::Buffer || k == line::PlaceKind::Conveyor ||
          k == line::PlaceKind::Arrivals)
        for (std::size_t i = 0; i < st.places[p].births.size(); ++i)
          ++want[st.places[p].births[i].product];
    }
    std::vector<Box> parts;
    place_parts(s->layout(), 0, spec, st, s->world().now(), parts);
    std::map<std::uint32_t, std::size_t> got;
    std::size_t plain = 0;
    for (const Box& b : parts) {
      if (same(b.color, product_color(0))) ++got[0];
      if (same(b.color, product_color(1))) ++got[1];
      if (same(b.color, kPart)) ++plain;
    }
    INFO("t = " << t);
    CHECK(got[0] == want[0]);
    CHECK(got[1] == want[1]);
    std::size_t piled = 0;  // a sink shows a pile of what it received, in no product's colour
    for (std::size_t p = 0; p < spec.places.size(); ++p)
      if (spec.places[p].kind == line::PlaceKind::Sink)
        piled += std::min<std::uint64_t>(st.places[p].entered, 48);
    CHECK(piled > 0);
    CHECK(plain == piled);

    // the vehicle: a chassis and a deck, and its part on the deck while it carries one; the
    // operators: a body and a head each, at every station holding them
    std::vector<Box> movers;
    place_movers(s->layout(), 0, spec, st, s->world().now(), movers);
    std::size_t expect = 0;
    for (const auto& v : st.vehicles)
      expect += v.phase == line::kVehicleLoading || v.phase == line::kVehicleCarrying ||
                        v.phase == line::kVehicleUnloading
                    ? 3
                    : 2;
    std::size_t operators = 0;
    for (std::size_t m = 0; m < spec.machines.size(); ++m)
      if (spec.machines[m].staffed && st.machines[m].holds)
        operators += spec.machines[m].needs.count;
    CHECK(operators == st.pools[0].busy);
    expect += 2 * operators;
    CHECK(movers.size() == expect);
    std::size_t heads = 0;
    for (const Box& b : movers) heads += same(b.color, kOperatorHead);
    CHECK(heads == operators);
  }
}

TEST_CASE("products: a vehicle drives its leg from the spot it left to the one it goes to") {
  const Spot a{0, 0}, b{10, -4};
  const Spot start = vehicle_position(a, b, 100, 120, 100);
  const Spot mid = vehicle_position(a, b, 100, 120, 110);
  const Spot end = vehicle_position(a, b, 100, 120, 130);
  CHECK(start.x == 0);
  CHECK(mid.x == Approx(5));
  CHECK(mid.y == Approx(-2));
  CHECK(end.x == 10);
  CHECK(end.y == -4);
  const Spot still = vehicle_position(b, b, 100, 100, 150);  // loading where it stands
  CHECK(still.x == 10);
}

TEST_CASE(
    "products: the pixels show both products' colours in the queue, the legend and the "
    "inspector name them") {
  auto s = agv_line(100 * 3600.0);
  App app(*s, 960, 540, App::Mode::Offscreen);
  app.frame(0);
  const osg::Image& img = *app.image();
  const Item& q = s->layout().items[static_cast<std::size_t>(s->find("q"))];
  const osg::Vec2d c =
      project(app.view(), app.projection(), app.width(), app.height(), {q.x_m, q.y_m, q.height_m});
  const auto near = [](Rgba want) {
    return [want](test::Rgb p) {
      const auto d = [](int x, float w) { return std::abs(static_cast<float>(x) - w * 255); };
      return d(p.r, want.r) + d(p.g, want.g) + d(p.b, want.b) < 90;
    };
  };
  const int blue = test::count(img, c, 40, near(product_color(0)));
  const int coral = test::count(img, c, 40, near(product_color(1)));
  INFO("queue at " << c.x() << ", " << c.y() << ": " << blue << " A pixels, " << coral << " B");
  CHECK(blue > 20);
  CHECK(coral > 20);

  bool a = false, b = false;
  for (const auto& e : legend(*s, false)) {
    a = a || (e.second == "product A" && same(e.first, product_color(0)));
    b = b || (e.second == "product B" && same(e.first, product_color(1)));
  }
  CHECK(a);
  CHECK(b);

  const std::string qt = inspect(*s, s->find("q"));
  INFO(qt);
  CHECK(qt.find("by product") != std::string::npos);
  CHECK(qt.find("A ") != std::string::npos);
  const std::string mt = inspect(*s, s->find("cnc1"));
  INFO(mt);
  CHECK(mt.find("product") != std::string::npos);
  CHECK(mt.find("operators") != std::string::npos);
  CHECK(mt.find("pool operators") != std::string::npos);
  CHECK(mt.find(" busy") != std::string::npos);
}
