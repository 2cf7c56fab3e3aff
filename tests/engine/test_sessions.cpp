// Sessions and ordering against hostile or confused assets (issue: harden the live engine, 3):
// a session from the future cannot lock an asset out, a birth starts a session whatever its
// number, a dead session stays dead until a birth, a message is taken whole or not at all, and an
// engine restarted from its store does not show twins alive that it has not heard.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "engine/live/mirror_service.hpp"
#include "engine/mirror/mirror.hpp"
#include "engine/transport/inproc_link.hpp"

using namespace dtwin;

namespace {

constexpr double kNow = 1.76e9;                       // the engine's clock, s since the epoch
constexpr std::uint64_t kSession = 1760000000000ULL;  // an asset's session: ms since the epoch

Mirror machine() {
  PropertySpec speed;
  speed.name = "speed";
  speed.min = 0;
  speed.max = 2;
  speed.tolerance = 1e-9;
  speed.writable = true;
  PropertySpec parts;
  parts.name = "parts";
  parts.min = 0;
  return Mirror({TwinSpec{"m1", {speed, parts}}});
}

Value num(double x) {
  return Value{x, ""};
}

}  // namespace

TEST_CASE("sessions: a session far ahead of the clock is refused and locks nothing out",
          "[mirror][sessions]") {
  Mirror m = machine();
  const std::size_t t = 0, speed = 0;
  const std::uint64_t hostile = std::numeric_limits<std::uint64_t>::max();
  CHECK(m.report(t, speed, num(1.9), kNow, hostile, 1, kNow) == Outcome::FutureSession);
  CHECK(m.birth(t, hostile, kNow) == Outcome::FutureSession);
  CHECK(m.admit(t, hostile, 1, kNow, kNow) == Outcome::FutureSession);
  CHECK_FALSE(m.state(t).props[speed].reported.present);  // the hostile value is not shown
  // the real asset, whose session is its clock in ms: taken
  CHECK(m.birth(t, kSession, kNow + 1) == Outcome::Applied);
  CHECK(m.report(t, speed, num(1.0), kNow + 1, kSession, 1, kNow + 1) == Outcome::Applied);
  CHECK(m.state(t).online);
  CHECK(m.state(t).session == kSession);
  // a session an hour and a minute ahead is too far; half an hour ahead (a gateway whose clock
  // is off) is taken
  CHECK(m.birth(t, kSession + 3660000, kNow) == Outcome::FutureSession);
  CHECK(m.birth(t, kSession + 1800000, kNow) == Outcome::Applied);
  // counters of a gateway (1, 2, 3 ...) are always behind the clock
  CHECK(m.birth(t, 3, kNow) == Outcome::Applied);
}

TEST_CASE(
    "sessions: a birth starts the session whatever its number, so a gateway whose clock "
    "was ahead is not locked out",
    "[mirror][sessions]") {
  Mirror m = machine();
  const std::size_t t = 0, speed = 0;
  const std::uint64_t ahead = kSession + 1800000;  // the gateway's clock was 30 min ahead
  REQUIRE(m.birth(t, ahead, kNow) == Outcome::Applied);
  REQUIRE(m.report(t, speed, num(1.0), kNow, ahead, 1, kNow) == Outcome::Applied);
  // the clock is fixed and the gateway restarts: a lower session
  CHECK(m.birth(t, kSession, kNow + 10) == Outcome::Applied);
  CHECK(m.state(t).props[speed].reported.quality == Quality::Uncertain);
  CHECK(m.admit(t, kSession, 1, kNow + 10, kNow + 10) == Outcome::Applied);
  CHECK(m.report(t, speed, num(1.0), kNow + 10, kSession, 1, kNow + 10) == Outcome::Applied);
  CHECK(m.state(t).props[speed].reported.quality == Quality::Good);
  // a setpoint reaches it and is applied when it reports the value
  const WriteResult w = m.set_desired(t, speed, num(1.5), kNow + 11, "op-1");
  REQUIRE(w.outcome == Outcome::Applied);
  CHECK(m.state(t).props[speed].desired.state == DesiredState::Pending);
  CHECK(m.admit(t, kSession, 2, kNow + 12, kNow + 12) == Outcome::Applied);
  CHECK(m.report(t, speed, num(1.5), kNow + 12, kSession, 2, kNow + 12) == Outcome::Applied);
  CHECK(m.state(t).props[speed].desired.state == DesiredState::Applied);
}

TEST_CASE("sessions: after its death, a session's reports do not bring the twin back",
          "[mirror][sessions]") {
  Mirror m = machine();
  const std::size_t t = 0, parts = 1;
  REQUIRE(m.birth(t, kSession, kNow) == Outcome::Applied);
  REQUIRE(m.report(t, parts, num(4), kNow, kSession, 1, kNow) == Outcome::Applied);
  m.death(t, kNow + 5);
  CHECK(m.admit(t, kSession, 2, kNow + 6, kNow + 6) == Outcome::DeadSession);
  CHECK(m.report(t, parts, num(5), kNow + 6, kSession, 2, kNow + 6) == Outcome::DeadSession);
  CHECK_FALSE(m.state(t).online);
  CHECK(m.state(t).props[parts].reported.quality == Quality::Stale);
  // a silence (or a lost broker) is not a death: the session speaks again and is back
  REQUIRE(m.birth(t, kSession + 1, kNow + 7) == Outcome::Applied);
  m.lost(t, kNow + 8);
  CHECK(m.report(t, parts, num(6), kNow + 9, kSession + 1, 1, kNow + 9) == Outcome::Applied);
  CHECK(m.state(t).online);
}

TEST_CASE("sessions: an engine restarted from its store shows no twin alive it has not heard",
          "[mirror][sessions]") {
  Mirror m = machine();
  const std::size_t t = 0, parts = 1;
  REQUIRE(m.birth(t, kSession, kNow) == Outcome::Applied);
  REQUIRE(m.report(t, parts, num(4), kNow, kSession, 3, kNow) == Outcome::Applied);
  Mirror after = machine();
  after.restore(m.states());
  CHECK(after.restarted(kNow + 100) == 0);
  CHECK_FALSE(after.state(t).online);
  CHECK(after.state(t).props[parts].reported.quality == Quality::Stale);
  CHECK(after.state(t).props[parts].reported.quality_since == kNow + 100);
  // the newest message taken is known after the restore: an older one stays old
  CHECK(after.admit(t, kSession, 2, kNow, kNow + 101) == Outcome::Stale);
  CHECK(after.admit(t, kSession, 4, kNow + 101, kNow + 101) == Outcome::Applied);
  CHECK(after.report(t, parts, num(5), kNow + 101, kSession, 4, kNow + 101) == Outcome::Applied);
  CHECK(after.state(t).online);
  // a store that holds a session from the future (written before sessions were bounded)
  Mirror old = machine();
  old.max_session_ahead_s = 1e300;
  REQUIRE(old.birth(t, std::numeric_limits<std::uint64_t>::max(), kNow) == Outcome::Applied);
  Mirror fixed = machine();
  fixed.restore(old.states());
  CHECK(fixed.restarted(kNow) == 1);
  CHECK(fixed.report(t, parts, num(1), kNow, kSession, 1, kNow) == Outcome::Applied);
}

TEST_CASE("wire: a message is taken whole or not at all, whatever order it arrives in",
          "[mirror][sessions][wire]") {
  Mirror m = machine();
  Bus bus;
  auto engine = bus.link("engine");
  double now = kNow;
  MirrorService service(m, *engine, "p", [&] { return now; });
  service.start();
  auto msg = [&](const std::string& kind, const std::string& body) {
    return Message{"dtwin/p/m1/" + kind, body, 1, false, "", ""};
  };
  const std::string s = std::to_string(kSession);
  service.handle(msg("birth", R"({"session": )" + s + R"(, "ts": 1760000000, "values": {}})"));
  // seq 6 (speed only) overtakes seq 5 (speed and parts): seq 5 is older, dropped whole, so
  // no part of it lands (its parts count would otherwise stand beside a newer speed)
  service.handle(msg("reported", R"({"session": )" + s +
                                     R"(, "seq": 6, "ts": 1760000006, "values": {"speed": 1.2}})"));
  service.handle(msg(
      "reported", R"({"session": )" + s +
                      R"(, "seq": 5, "ts": 1760000005, "values": {"speed": 1.1, "parts": 40}})"));
  CHECK(m.state(0).props[0].reported.value.num == 1.2);
  CHECK_FALSE(m.state(0).props[1].reported.present);
  CHECK(service.counters().stale == 1);
  // the same message again: a duplicate, nothing changes
  const auto rev = m.state(0).revision;
  service.handle(msg("reported", R"({"session": )" + s +
                                     R"(, "seq": 6, "ts": 1760000006, "values": {"speed": 1.2}})"));
  CHECK(service.counters().duplicate == 1);
  CHECK(m.state(0).revision == rev);
  // a session from the future: refused and counted, the twin untouched
  service.handle(msg(
      "reported",
      R"({"session": 18446744073709551615, "seq": 1, "ts": 1760000007, "values": {"speed": 0.1}})"));
  CHECK(service.counters().future_session == 1);
  CHECK(m.state(0).props[0].reported.value.num == 1.2);
  // a death, then its session speaks: dropped, offline until a birth
  service.handle(msg("death", R"({"session": )" + s + "}"));
  service.handle(msg("reported", R"({"session": )" + s +
                                     R"(, "seq": 7, "ts": 1760000008, "values": {"speed": 1.3}})"));
  CHECK(service.counters().dead_session == 1);
  CHECK_FALSE(m.state(0).online);
  service.handle(msg("birth", R"({"session": 1, "ts": 1760000009, "values": {"speed": 1.3}})"));
  CHECK(m.state(0).online);
  CHECK(m.state(0).props[0].reported.value.num == 1.3);
}

TEST_CASE("wire: a message naming a member twice is refused whole and counted, as a scenario is",
          "[mirror][wire][hostile]") {
  Mirror m = machine();
  Bus bus;
  auto engine = bus.link("engine");
  MirrorService service(m, *engine, "p", [] { return kNow; });
  service.start();
  auto msg = [&](const std::string& kind, const std::string& body) {
    return Message{"dtwin/p/m1/" + kind, body, 1, false, "", ""};
  };
  const std::string s = std::to_string(kSession);
  service.handle(msg("birth", R"({"session": )" + s + R"(, "ts": 1760000000, "values": {}})"));
  REQUIRE(m.state(0).online);
  // two readers of this message could see 0.5 or 1.5 for speed: refused, not "last wins"
  service.handle(msg("reported", R"({"session": )" + s +
                                     R"(, "seq": 1, "ts": 1760000001, "values": {"speed": 0.5,)"
                                     R"( "speed": 1.5}})"));
  // the same at the top level: which session is this?
  service.handle(
      msg("reported",
          R"({"session": )" + s + R"(, "session": 1, "seq": 2, "ts": 1760000002, "values": {}})"));
  // a death naming two sessions does not kill the live one
  service.handle(msg("death", R"({"session": 7, "session": )" + s + "}"));
  CHECK(service.counters().malformed == 3);
  CHECK_FALSE(m.state(0).props[0].reported.present);
  CHECK(m.state(0).online);
  // the same member names in different objects are fine
  service.handle(msg("reported", R"({"session": )" + s +
                                     R"(, "seq": 3, "ts": 1760000003, "values": {"speed": 0.5}})"));
  CHECK(m.state(0).props[0].reported.value.num == 0.5);
  CHECK(service.counters().malformed == 3);
}
