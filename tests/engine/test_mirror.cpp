// The mirror's semantics, property by property (see engine/mirror/mirror.hpp).
#include <catch2/catch.hpp>

#include "engine/mirror/mirror.hpp"

using namespace dtwin;

namespace {

Mirror make_mirror() {
  PropertySpec speed;
  speed.name = "speed";
  speed.unit = "1";
  speed.min = 0;
  speed.max = 2;
  speed.tolerance = 0.01;
  speed.writable = true;
  PropertySpec state;
  state.name = "state";
  state.kind = PropertySpec::Kind::Enum;
  state.choices = {"starved", "working", "blocked", "down"};
  PropertySpec parts;
  parts.name = "parts";
  parts.unit = "parts";
  parts.min = 0;
  TwinSpec m2{"m2", {speed, state, parts}};
  TwinSpec m3{"m3", {speed}};
  return Mirror({m2, m3});
}

Value num(double x) {
  return Value{x, ""};
}

}  // namespace

TEST_CASE("a report is applied with its metadata and bumps the revision", "[mirror]") {
  Mirror m = make_mirror();
  const auto t = m.find_twin("m2");
  const auto p = m.find_property(t, "parts");
  REQUIRE(m.report(t, p, num(5), 100.0, 1, 1, 100.2) == Outcome::Applied);
  const auto& r = m.state(t).props[p].reported;
  CHECK(r.value.num == 5);
  CHECK(r.source_time == 100.0);
  CHECK(r.receive_time == 100.2);
  CHECK(r.quality == Quality::Good);
  CHECK(m.state(t).revision == 1);
  CHECK(m.state(t).online);
  // an unchanged value with newer metadata does not bump the revision
  REQUIRE(m.report(t, p, num(5), 101.0, 1, 2, 101.1) == Outcome::Applied);
  CHECK(m.state(t).revision == 1);
  REQUIRE(m.report(t, p, num(6), 102.0, 1, 3, 102.1) == Outcome::Applied);
  CHECK(m.state(t).revision == 2);
}

TEST_CASE("stale input never wins: older by session, then sequence, then source time", "[mirror]") {
  Mirror m = make_mirror();
  const auto t = m.find_twin("m2");
  const auto p = m.find_property(t, "parts");
  REQUIRE(m.report(t, p, num(10), 50.0, 2, 7, 50.0) == Outcome::Applied);
  CHECK(m.report(t, p, num(9), 60.0, 1, 99, 60.0) == Outcome::Stale);  // older session
  CHECK(m.report(t, p, num(9), 60.0, 2, 6, 60.0) == Outcome::Stale);   // older sequence
  CHECK(m.report(t, p, num(9), 49.0, 2, 7, 60.0) == Outcome::Stale);   // older source time
  CHECK(m.state(t).props[p].reported.value.num == 10);
  CHECK(m.state(t).stale_dropped == 3);
  // a newer session wins even with a lower sequence
  CHECK(m.report(t, p, num(1), 10.0, 3, 1, 61.0) == Outcome::Applied);
  CHECK(m.state(t).props[p].reported.value.num == 1);
}

TEST_CASE("duplicates are idempotent, reordered messages converge to the newest", "[mirror]") {
  Mirror m = make_mirror();
  const auto t = m.find_twin("m2");
  const auto p = m.find_property(t, "parts");
  REQUIRE(m.report(t, p, num(3), 3.0, 1, 3, 3.0) == Outcome::Applied);
  const auto rev = m.state(t).revision;
  CHECK(m.report(t, p, num(3), 3.0, 1, 3, 3.5) == Outcome::Duplicate);
  CHECK(m.state(t).revision == rev);
  CHECK(m.state(t).duplicates == 1);
  // sequence 5, 4, 6 arriving out of order: 4 is dropped, the newest stands
  Mirror a = make_mirror(), b = make_mirror();
  for (auto [seq, v] : {std::pair<int, double>{4, 40}, {5, 50}, {6, 60}})
    a.report(t, p, num(v), seq, 1, static_cast<std::uint64_t>(seq), seq);
  for (auto [seq, v] : {std::pair<int, double>{5, 50}, {4, 40}, {6, 60}, {6, 60}})
    b.report(t, p, num(v), seq, 1, static_cast<std::uint64_t>(seq), seq);
  CHECK(a.state(t).props[p].reported.value.num == 60);
  CHECK(b.state(t).props[p].reported.value.num == 60);
  CHECK(b.state(t).stale_dropped == 1);
}

TEST_CASE("desired: pending until the asset reports the value within tolerance", "[mirror]") {
  Mirror m = make_mirror();
  const auto t = m.find_twin("m2");
  const auto p = m.find_property(t, "speed");
  m.report(t, p, num(1.0), 1, 1, 1, 1);
  const auto w = m.set_desired(t, p, num(1.2), 2, "req-1");
  REQUIRE(w.outcome == Outcome::Applied);
  CHECK(w.version == 1);
  CHECK(m.state(t).props[p].desired.state == DesiredState::Pending);
  CHECK(m.delta(t) == std::vector<std::size_t>{p});
  m.report(t, p, num(1.1), 3, 1, 2, 3);  // not there yet
  CHECK(m.state(t).props[p].desired.state == DesiredState::Pending);
  m.report(t, p, num(1.195), 4, 1, 3, 4);  // within 0.01
  CHECK(m.state(t).props[p].desired.state == DesiredState::Applied);
  CHECK(m.delta(t).empty());
  const auto js = m.twin_json(t, 5);
  CHECK(js["desired"]["speed"]["state"] == "applied");
  CHECK(js["reported"]["speed"]["quality"] == "good");
  CHECK(js["reported"]["speed"]["age_s"] == Approx(1.0));
}

TEST_CASE("desired: superseded, rejected, expired", "[mirror]") {
  Mirror m = make_mirror();
  const auto t = m.find_twin("m2");
  const auto p = m.find_property(t, "speed");
  m.set_desired(t, p, num(1.2), 0, "a");
  const auto w2 = m.set_desired(t, p, num(1.4), 1, "b", 0, 60);
  CHECK(w2.superseded == 1);
  CHECK(w2.version == 2);
  CHECK(m.reject_desired(t, p, 1, "old").outcome == Outcome::Stale);
  m.expire(30);
  CHECK(m.state(t).props[p].desired.state == DesiredState::Pending);
  m.expire(61);
  CHECK(m.state(t).props[p].desired.state == DesiredState::Expired);
  const auto w3 = m.set_desired(t, p, num(1.9), 62, "c");
  CHECK(m.reject_desired(t, p, w3.version, "beyond the drive's limit").outcome == Outcome::Applied);
  CHECK(m.state(t).props[p].desired.state == DesiredState::Rejected);
  CHECK(m.twin_json(t, 63)["desired"]["speed"]["reason"] == "beyond the drive's limit");
}

TEST_CASE("writes may be conditional on the twin's revision", "[mirror]") {
  Mirror m = make_mirror();
  const auto t = m.find_twin("m3");
  const auto p = m.find_property(t, "speed");
  const auto w = m.set_desired(t, p, num(1.0), 0, "x");
  const auto rev = w.revision;
  CHECK(m.set_desired(t, p, num(1.1), 1, "y", rev).outcome == Outcome::Applied);
  const auto refused = m.set_desired(t, p, num(1.3), 2, "z", rev);
  CHECK(refused.outcome == Outcome::RevisionMismatch);
  CHECK_THAT(refused.reason, Catch::Contains("revision " + std::to_string(rev + 1)));
  CHECK(m.state(t).props[p].desired.value.num == 1.1);
}

TEST_CASE("a number outside its range is kept as uncertain, then good again in range", "[mirror]") {
  Mirror m = make_mirror();
  const auto t = m.find_twin("m2");
  const auto speed = m.find_property(t, "speed");  // [0, 2]
  REQUIRE(m.report(t, speed, num(5), 10, 1, 1, 10) == Outcome::Applied);
  const Reported& r = m.state(t).props[speed].reported;
  CHECK(r.value.num == 5);
  CHECK(r.quality == Quality::Uncertain);
  CHECK(r.quality_since == 10);
  CHECK(m.state(t).revision == 1);
  CHECK(m.twin_json(t, 11)["reported"]["speed"]["quality"] == "uncertain");
  REQUIRE(m.report(t, speed, num(1.5), 12, 1, 2, 12) == Outcome::Applied);
  CHECK(r.quality == Quality::Good);
  CHECK(r.quality_since == 12);
  CHECK(m.state(t).revision == 2);
}

TEST_CASE("bad input is refused and counted, the twin untouched", "[mirror]") {
  Mirror m = make_mirror();
  const auto t = m.find_twin("m2");
  const auto speed = m.find_property(t, "speed");
  const auto state = m.find_property(t, "state");
  CHECK(m.report(t, speed, num(std::nan("")), 1, 1, 2, 1) == Outcome::WrongType);
  CHECK(m.report(t, state, num(7), 1, 1, 2, 1) == Outcome::OutOfRange);  // no such choice
  CHECK(m.report(t, 99, num(1), 1, 1, 3, 1) == Outcome::UnknownProperty);
  CHECK(m.report(99, 0, num(1), 1, 1, 3, 1) == Outcome::UnknownTwin);
  CHECK(m.state(t).rejected == 3);
  CHECK(m.state(t).revision == 0);
  CHECK_FALSE(m.state(t).props[speed].reported.present);
  CHECK_FALSE(m.state(t).props[state].reported.present);
  Value v;
  std::string why;
  CHECK(m.parse_value(t, state, "down", v, &why) == Outcome::Applied);
  CHECK(v.num == 3);
  CHECK(m.parse_value(t, state, "exploded", v, &why) == Outcome::OutOfRange);
  CHECK_THAT(why, Catch::Contains("starved, working, blocked, down"));
  CHECK(m.parse_value(t, speed, "fast", v, &why) == Outcome::WrongType);
  CHECK(m.parse_value(t, speed, 7.5, v, &why) == Outcome::OutOfRange);
  CHECK(m.set_desired(t, state, num(1), 0, "w").outcome == Outcome::NotWritable);
  CHECK(m.set_desired(t, speed, num(-1), 0, "w").outcome == Outcome::OutOfRange);
}

TEST_CASE(
    "presence: death marks values stale, a new birth makes them uncertain until "
    "republished",
    "[mirror]") {
  Mirror m = make_mirror();
  const auto t = m.find_twin("m2");
  const auto p = m.find_property(t, "parts");
  REQUIRE(m.birth(t, 1, 0) == Outcome::Applied);
  m.report(t, p, num(4), 1, 1, 1, 1);
  m.death(t, 10);
  CHECK_FALSE(m.state(t).online);
  CHECK(m.state(t).props[p].reported.quality == Quality::Stale);
  CHECK(m.state(t).props[p].reported.quality_since == 10);
  CHECK(m.birth(t, 1, 11) == Outcome::Applied);  // reconnect, same session
  CHECK(m.birth(t, 1, 11) == Outcome::Duplicate);
  CHECK(m.birth(t, 0, 11) == Outcome::Applied);  // a birth starts a session, whatever its number
  CHECK(m.state(t).session == 0);
  CHECK(m.birth(t, 2, 12) == Outcome::Applied);
  CHECK(m.state(t).props[p].reported.quality == Quality::Uncertain);
  m.report(t, p, num(4), 13, 2, 1, 13);
  CHECK(m.state(t).props[p].reported.quality == Quality::Good);
  m.lost_all(20);
  CHECK(m.state(m.find_twin("m3")).online == false);
  CHECK(m.state(t).props[p].reported.quality == Quality::Stale);
}

TEST_CASE("the mirror's state is data: restore reproduces it", "[mirror]") {
  Mirror a = make_mirror();
  const auto t = a.find_twin("m2");
  a.birth(t, 1, 0);
  a.report(t, 0, num(1.5), 1, 1, 1, 1);
  a.set_desired(t, 0, num(1.7), 2, "q");
  Mirror b = make_mirror();
  b.restore(a.states());
  CHECK(b.twin_json(t, 3) == a.twin_json(t, 3));
}
