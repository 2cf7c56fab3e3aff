// Alerts: the rules as a scenario writes them (located errors), their judgement over a mirror
// (hysteresis, a duration held in plant time, enumeration states, presence, stale values), the
// lifecycle (raised, acknowledged, cleared), a restart from the store, and the store's table.
#include <sqlite3.h>

#include <catch2/catch.hpp>

#include "engine/base/error.hpp"
#include "engine/live/alert_rules.hpp"
#include "engine/mirror/alerts.hpp"
#include "engine/store/mirror_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace dtwin;

namespace {

std::vector<TwinSpec> specs() {
  PropertySpec temp;
  temp.name = "temperature";
  temp.unit = "degC";
  PropertySpec state;
  state.name = "state";
  state.kind = PropertySpec::Kind::Enum;
  state.choices = {"starved", "working", "blocked", "down"};
  PropertySpec mode;
  mode.name = "mode";
  mode.kind = PropertySpec::Kind::Text;
  return {TwinSpec{"m1", {temp, state}}, TwinSpec{"m2", {temp, state}}, TwinSpec{"gw", {mode}}};
}

std::vector<AlertRule> rules(const std::string& alerts_json) {
  const Scenario sc =
      Scenario::parse(R"({"name": "a", "twins": {}, "alerts": )" + alerts_json + "}", "a.json");
  return parse_alert_rules(sc, specs());
}

std::string rule_error(const std::string& alerts_json) {
  try {
    rules(alerts_json);
  } catch (const ScenarioError& e) {
    return e.describe();
  }
  return "(no error)";
}

struct Plant {
  Mirror m{specs()};
  std::uint64_t seq = 0;
  void temp(const char* twin, double v, double now) {
    const auto t = m.find_twin(twin);
    REQUIRE(m.report(t, m.find_property(t, "temperature"), Value{v, ""}, now, 1, ++seq, now) ==
            Outcome::Applied);
  }
  void state(const char* twin, double index, double now) {
    const auto t = m.find_twin(twin);
    REQUIRE(m.report(t, m.find_property(t, "state"), Value{index, ""}, now, 1, ++seq, now) ==
            Outcome::Applied);
  }
};

}  // namespace

TEST_CASE("alert rules: what a scenario writes, and its errors at their JSON pointers",
          "[alerts]") {
  auto r = rules(R"([
    {"id": "hot", "twin": "*", "prop": "temperature", "above": 80, "clear": 75, "for": "2min",
     "severity": "critical", "message": "{twin} at {value} {unit}"},
    {"id": "down", "twin": ["m2"], "prop": "state", "is": ["down", "blocked"]},
    {"id": "silent", "twin": "gw", "offline": true, "for": "30s"}])");
  REQUIRE(r.size() == 3);
  CHECK(r[0].twins == std::vector<std::size_t>{0, 1});  // "*": every twin with the property
  CHECK(r[0].test == AlertRule::Test::Above);
  CHECK(r[0].threshold == 80);
  CHECK(r[0].clear == 75);
  CHECK(r[0].for_s == 120);
  CHECK(r[0].severity == Severity::Critical);
  CHECK(r[1].twins == std::vector<std::size_t>{1});
  CHECK(r[1].values.size() == 2);
  CHECK(r[1].values[0].num == 3);  // "down" is choice 3
  CHECK(r[1].severity == Severity::Warning);
  CHECK(r[2].test == AlertRule::Test::Offline);
  CHECK(r[2].prop.empty());
  CHECK(r[2].message == "{twin} is offline");

  CHECK_THAT(rule_error(R"({"id": "x"})"),
             Catch::Contains("/alerts: expected an array of alert rules, got object"));
  CHECK_THAT(rule_error(R"([{"id": "x", "twin": "m9", "prop": "temperature", "above": 1}])"),
             Catch::Contains("/alerts/0/twin: no twin \"m9\" in the scenario (twins: m1, m2, gw)"));
  CHECK_THAT(rule_error(R"([{"id": "x", "twin": "m1", "prop": "temp", "above": 1}])"),
             Catch::Contains("/alerts/0/prop: twin \"m1\" has no property \"temp\""));
  CHECK_THAT(rule_error(R"([{"id": "x", "twin": "m1", "prop": "temperature"}])"),
             Catch::Contains("no test: an alert rule has exactly one of"));
  CHECK_THAT(rule_error(R"([{"id": "x", "twin": "m1", "prop": "temperature", "above": 1,
                             "below": 0}])"),
             Catch::Contains("more than one test"));
  CHECK_THAT(rule_error(R"([{"id": "x", "twin": "m1", "prop": "temperature", "above": 80,
                             "clear": 85}])"),
             Catch::Contains("/alerts/0/clear: \"clear\" of an \"above\" rule is at most"));
  CHECK_THAT(rule_error(R"([{"id": "x", "twin": "m1", "prop": "state", "above": 1}])"),
             Catch::Contains("/alerts/0/prop: \"above\" needs a number property"));
  CHECK_THAT(rule_error(R"([{"id": "x", "twin": "m1", "prop": "state", "is": "broken"}])"),
             Catch::Contains("/alerts/0/is: "));
  CHECK_THAT(rule_error(R"([{"id": "x", "twin": "m1", "prop": "state", "is": ["down", "nope"]}])"),
             Catch::Contains("/alerts/0/is/1: "));
  CHECK_THAT(rule_error(R"([{"id": "a/b", "twin": "m1", "offline": true}])"),
             Catch::Contains("/alerts/0/id: an alert id is a non-empty name without '/'"));
  CHECK_THAT(rule_error(R"([{"id": "a", "twin": "m1", "offline": true},
                            {"id": "a", "twin": "m2", "offline": true}])"),
             Catch::Contains("/alerts/1/id: alert id \"a\" is used twice"));
  CHECK_THAT(rule_error(R"([{"id": "a", "twin": "m1", "offline": true, "severity": "high"}])"),
             Catch::Contains("/alerts/0/severity: severity is \"info\", \"warning\" or"));
  CHECK_THAT(rule_error(R"([{"id": "a", "twin": "m1", "offline": true, "for": "soon"}])"),
             Catch::Contains("/alerts/0/for: "));
  CHECK_THAT(rule_error(R"([{"id": "a", "twin": "m1", "offline": true, "colour": 1}])"),
             Catch::Contains("/alerts/0/colour: unknown member"));
}

TEST_CASE("alerts: a threshold with hysteresis, held for a while in plant time", "[alerts]") {
  Plant p;
  // the plant runs 60x the engine's clock: "2min" of plant time is 2 s of the engine's
  AlertMonitor mon(p.m, rules(R"([{"id": "hot", "twin": "m1", "prop": "temperature",
      "above": 80, "clear": 75, "for": "2min", "message": "{twin} at {value} {unit}"}])"),
                   60);
  std::vector<AlertEvent> ev;
  const auto m1 = p.m.find_twin("m1");
  p.temp("m1", 70, 100);
  mon.evaluate(m1, 100, ev);
  p.temp("m1", 85, 101);
  mon.evaluate(m1, 101, ev);  // over, but not for long enough
  mon.tick(102.5, ev);
  CHECK(ev.empty());
  p.temp("m1", 79, 102.6);  // back under the threshold: the wait starts over
  mon.evaluate(m1, 102.6, ev);
  p.temp("m1", 81, 103);
  mon.evaluate(m1, 103, ev);
  mon.tick(104.9, ev);
  CHECK(ev.empty());
  mon.tick(105.0, ev);  // held for 2 s x 60 = 2 min
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].kind == AlertEvent::Kind::Raised);
  const Alert a = ev[0].alert;
  CHECK(a.id == 1);
  CHECK(a.twin == "m1");
  CHECK(a.prop == "temperature");
  CHECK(a.raised_at == 105.0);
  CHECK(a.raised_value == 81);
  CHECK(a.message == "m1 at 81 degC");
  CHECK(std::string(a.state()) == "raised");
  ev.clear();
  // inside the hysteresis band: still active, nothing new
  p.temp("m1", 77, 106);
  mon.evaluate(m1, 106, ev);
  p.temp("m1", 90, 107);
  mon.evaluate(m1, 107, ev);
  mon.tick(200, ev);
  CHECK(ev.empty());
  CHECK(mon.active_count() == 1);
  // a stale value neither raises nor clears
  p.m.lost(m1, 208);
  mon.evaluate(m1, 208, ev);
  CHECK(ev.empty());
  // at the clear level: cleared, with the value
  p.temp("m1", 75, 210);
  mon.evaluate(m1, 210, ev);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].kind == AlertEvent::Kind::Cleared);
  CHECK(ev[0].alert.id == 1);
  CHECK(ev[0].alert.cleared_at == 210);
  CHECK(ev[0].alert.cleared_value == 75);
  CHECK(mon.active_count() == 0);
  // the next excursion is a new alert with the next id
  ev.clear();
  p.temp("m1", 95, 220);
  mon.evaluate(m1, 220, ev);
  mon.tick(222, ev);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].alert.id == 2);
  CHECK(mon.raised_total() == 2);
}

TEST_CASE("alerts: enumeration states, every twin of a rule on its own, presence", "[alerts]") {
  Plant p;
  AlertMonitor mon(p.m, rules(R"([
      {"id": "down", "twin": "*", "prop": "state", "is": "down", "severity": "critical"},
      {"id": "silent", "twin": "m2", "offline": true, "for": "30s"}])"));
  std::vector<AlertEvent> ev;
  const auto m1 = p.m.find_twin("m1"), m2 = p.m.find_twin("m2");
  mon.tick(10, ev);  // m2 was never heard of: offline, the wait starts
  CHECK(ev.empty());
  mon.tick(40, ev);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].alert.rule == "silent");
  CHECK(ev[0].alert.twin == "m2");
  CHECK(ev[0].alert.message == "m2 is offline");
  CHECK(ev[0].alert.raised_value.is_null());
  ev.clear();
  p.state("m2", 1, 41);  // m2 reports: online, the silence clears
  mon.evaluate(m2, 41, ev);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].kind == AlertEvent::Kind::Cleared);
  ev.clear();
  p.state("m1", 3, 50);
  mon.evaluate(m1, 50, ev);
  p.state("m2", 3, 51);
  mon.evaluate(m2, 51, ev);
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].alert.twin == "m1");
  CHECK(ev[1].alert.twin == "m2");
  CHECK(ev[0].alert.severity == Severity::Critical);
  CHECK(ev[0].alert.raised_value == "down");
  ev.clear();
  p.state("m1", 1, 60);
  mon.evaluate(m1, 60, ev);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].alert.twin == "m1");
  CHECK(ev[0].alert.cleared_value == "working");
  CHECK(mon.active_count() == 1);
}

TEST_CASE("alerts: acknowledged once, by someone, before or after it clears", "[alerts]") {
  Plant p;
  AlertMonitor mon(p.m, rules(R"([{"id": "down", "twin": "m1", "prop": "state", "is": "down"}])"));
  std::vector<AlertEvent> ev;
  const auto m1 = p.m.find_twin("m1");
  p.state("m1", 3, 10);
  mon.evaluate(m1, 10, ev);
  REQUIRE(ev.size() == 1);
  const std::uint64_t id = ev[0].alert.id;
  ev.clear();
  std::string why;
  CHECK_FALSE(mon.acknowledge(id + 7, "anna", "", 11, ev, &why));
  CHECK(why == "no alert " + std::to_string(id + 7));
  REQUIRE(mon.acknowledge(id, "anna", "coolant low", 12, ev, &why));
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].kind == AlertEvent::Kind::Acknowledged);
  CHECK(ev[0].alert.acked_by == "anna");
  CHECK(ev[0].alert.ack_note == "coolant low");
  CHECK(std::string(ev[0].alert.state()) == "acknowledged");
  CHECK_FALSE(mon.acknowledge(id, "ben", "", 13, ev, &why));
  CHECK(why == "alert 1 was acknowledged already by anna");
  // an acknowledged alert still clears when its condition does; one that cleared can be
  // acknowledged afterwards
  ev.clear();
  p.state("m1", 1, 20);
  mon.evaluate(m1, 20, ev);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].alert.acked_by == "anna");
  CHECK(std::string(ev[0].alert.state()) == "cleared");
  p.state("m1", 3, 30);
  mon.evaluate(m1, 30, ev);
  p.state("m1", 1, 31);
  mon.evaluate(m1, 31, ev);
  REQUIRE(ev.size() == 3);
  CHECK(mon.acknowledge(ev[2].alert.id, "ben", "", 32, ev, &why));
  // the JSON round trip the store and the wire use
  Alert back;
  REQUIRE(Alert::from_json(ev.back().alert.to_json(), back));
  CHECK(back.to_json() == ev.back().alert.to_json());
  CHECK_FALSE(Alert::from_json(nlohmann::json{{"id", -1}}, back));
}

TEST_CASE("alerts in the store: kept across a restart, ids go on, a removed rule clears",
          "[alerts][mirror_store]") {
  dtwin::test::TempDir dir;
  const std::string path = dir.file("m.db");
  Plant p;
  std::uint64_t active_id = 0;
  {
    MirrorStore store(path);
    store.load_into(p.m);
    AlertMonitor mon(p.m, rules(R"([
        {"id": "down", "twin": "*", "prop": "state", "is": "down"},
        {"id": "hot", "twin": "m1", "prop": "temperature", "above": 80}])"));
    std::vector<AlertEvent> ev;
    p.state("m1", 3, 10);
    mon.evaluate(p.m.find_twin("m1"), 10, ev);
    p.state("m1", 1, 11);
    mon.evaluate(p.m.find_twin("m1"), 11, ev);  // alert 1 raised and cleared
    p.state("m2", 3, 12);
    mon.evaluate(p.m.find_twin("m2"), 12, ev);  // alert 2 stays active
    p.temp("m1", 90, 13);
    mon.evaluate(p.m.find_twin("m1"), 13, ev);  // alert 3, of a rule about to go away
    REQUIRE(ev.size() == 4);
    for (const auto& e : ev) store.record_alert(e.alert);
    active_id = ev[2].alert.id;
    Alert acked = ev[2].alert;
    acked.acked_at = 14;
    acked.acked_by = "anna";
    store.commit_alert(acked);  // committed at once
    CHECK(store.alerts(false).size() == 2);
    store.close();
  }
  MirrorStore store(path);
  Mirror m2{specs()};
  store.load_into(m2);
  const auto held = store.alerts(false);
  REQUIRE(held.size() == 2);
  CHECK(held[0].id == active_id);
  CHECK(held[0].acked_by == "anna");
  CHECK(store.alerts(true).size() == 3);
  CHECK(store.alerts(true, 1).size() == 3);  // the active ones and the newest cleared one
  CHECK(store.last_alert_id() == 3);
  AlertMonitor mon(m2, rules(R"([{"id": "down", "twin": "*", "prop": "state", "is": "down"}])"));
  mon.set_ids(store.last_alert_id() + 1, 1);
  const auto gone = mon.restore(held, 100);
  REQUIRE(gone.size() == 1);  // "hot" is no longer in the scenario
  CHECK(gone[0].id == 3);
  CHECK(gone[0].cleared_at == 100);
  CHECK(mon.active_count() == 1);
  // m2 is still down when it reports again: no second alert; back to work: the old one clears
  std::vector<AlertEvent> ev;
  Plant q;
  const auto t = m2.find_twin("m2");
  REQUIRE(m2.report(t, m2.find_property(t, "state"), Value{3, ""}, 101, 2, 1, 101) ==
          Outcome::Applied);
  mon.evaluate(t, 101, ev);
  CHECK(ev.empty());
  REQUIRE(m2.report(t, m2.find_property(t, "state"), Value{1, ""}, 102, 2, 2, 102) ==
          Outcome::Applied);
  mon.evaluate(t, 102, ev);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].alert.id == active_id);
  CHECK(ev[0].kind == AlertEvent::Kind::Cleared);
  REQUIRE(m2.report(t, m2.find_property(t, "state"), Value{3, ""}, 103, 2, 3, 103) ==
          Outcome::Applied);
  mon.evaluate(t, 103, ev);
  REQUIRE(ev.size() == 2);
  CHECK(ev[1].alert.id == 4);  // ids go on from the store's
}

TEST_CASE("alerts in the store: a version 1 file gets the table when opened for writing",
          "[alerts][mirror_store]") {
  dtwin::test::TempDir dir;
  const std::string path = dir.file("old.db");
  Plant p;
  {
    MirrorStore store(path);
    store.load_into(p.m);
    store.close();
  }
  {  // make it a version 1 file, as an older dtwin wrote it
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db,
                         "DROP TABLE alerts; DELETE FROM schema_version; INSERT INTO "
                         "schema_version VALUES(1);",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  {
    MirrorStore ro(path, StoreOptions{true});
    CHECK(ro.alerts(true).empty());  // read only: nothing to read, nothing changed
  }
  MirrorStore store(path);
  store.load_into(p.m);
  Alert a;
  a.id = 1;
  a.rule = "r";
  a.twin = "m1";
  a.raised_at = 5;
  store.commit_alert(a);
  REQUIRE(store.alerts(false).size() == 1);
  CHECK(store.alerts(false)[0].twin == "m1");
}
