// The mirror's SQLite store (engine/store/mirror_store.hpp): round trips, history, CSV, schema
// checks and durability under SIGKILL.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/base/error.hpp"
#include "engine/mirror/mirror.hpp"
#include "engine/store/mirror_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace dtwin;

namespace {

constexpr double kT0 = 1700000000;  // 2023-11-14T22:13:20Z

struct TempDir : test::TempDir {
  TempDir() : test::TempDir("dtwin-store") {}
};

PropertySpec prop(const std::string& name, PropertySpec::Kind kind, bool writable,
                  std::vector<std::string> choices = {}, const std::string& unit = "1") {
  PropertySpec p;
  p.name = name;
  p.kind = kind;
  p.unit = unit;
  p.writable = writable;
  p.choices = std::move(choices);
  return p;
}

std::vector<TwinSpec> specs() {
  using K = PropertySpec::Kind;
  PropertySpec speed = prop("speed", K::Number, true, {}, "m/s");
  speed.min = 0;
  speed.max = 2;
  speed.tolerance = 0.01;
  PropertySpec parts = prop("parts", K::Number, false, {}, "parts");
  parts.min = 0;
  const auto state = prop("state", K::Enum, false, {"starved", "working", "blocked", "down"});
  const auto label = prop("label", K::Text, true);
  const auto on = prop("on", K::Bool, true);
  const auto mode = prop("mode", K::Enum, true, {"auto", "manual"});
  return {TwinSpec{"m2", {speed, state, parts, label, on, mode}}, TwinSpec{"m3", {speed}},
          TwinSpec{"m4", {speed, parts}}, TwinSpec{"m5", {state}}};
}

// A mirror of specs() that takes any session number: the store must round-trip every 64-bit
// session (stores written before sessions were bounded by the clock hold some above 2^63).
Mirror mirror() {
  Mirror m{specs()};
  m.max_session_ahead_s = 1e300;
  return m;
}

Value num(double x) {
  return Value{x, ""};
}
Value text(const std::string& s) {
  return Value{0, s};
}

// Every field, so that a lost or mangled one shows. counters: also stale_dropped, duplicates and
// rejected, which a crash may lose (they are not logged).
void check_same(const Mirror& a, const Mirror& b, bool counters = true) {
  REQUIRE(a.twin_count() == b.twin_count());
  for (std::size_t t = 0; t < a.twin_count(); ++t) {
    INFO("twin " << a.spec(t).id);
    const TwinMirrorState &x = a.state(t), &y = b.state(t);
    CHECK(x.revision == y.revision);
    CHECK(x.online == y.online);
    CHECK(x.session == y.session);
    CHECK(x.last_seen == y.last_seen);
    CHECK(x.applied == y.applied);
    if (counters) {
      CHECK(x.stale_dropped == y.stale_dropped);
      CHECK(x.duplicates == y.duplicates);
      CHECK(x.rejected == y.rejected);
    }
    REQUIRE(x.props.size() == y.props.size());
    for (std::size_t p = 0; p < x.props.size(); ++p) {
      INFO("property " << a.spec(t).properties[p].name);
      const Reported &r = x.props[p].reported, &s = y.props[p].reported;
      CHECK(r.present == s.present);
      CHECK(r.value == s.value);
      CHECK(r.source_time == s.source_time);
      CHECK(r.receive_time == s.receive_time);
      CHECK(r.session == s.session);
      CHECK(r.seq == s.seq);
      CHECK(r.quality == s.quality);
      CHECK(r.quality_since == s.quality_since);
      const Desired &d = x.props[p].desired, &e = y.props[p].desired;
      CHECK(d.value == e.value);
      CHECK(d.id == e.id);
      CHECK(d.version == e.version);
      CHECK(d.state == e.state);
      CHECK(d.set_time == e.set_time);
      CHECK(d.expires == e.expires);
      CHECK(d.reason == e.reason);
    }
    if (counters) CHECK(a.twin_json(t, kT0 + 100) == b.twin_json(t, kT0 + 100));
  }
}

// A mirror and its store, recording after every mirror call the way the engine does.
struct Live {
  Mirror m = mirror();
  MirrorStore store;
  explicit Live(const std::string& path, StoreOptions opt = {}) : store(path, opt) {
    store.attach(m);
  }
  std::size_t t(const char* id) const { return m.find_twin(id); }
  std::size_t p(const char* id, const char* name) const {
    return m.find_property(m.find_twin(id), name);
  }
  Outcome report(const char* id, const char* name, const Value& v, double src, std::uint64_t ses,
                 std::uint64_t seq, double now) {
    const auto tw = t(id), pr = p(id, name);
    const Outcome o = m.report(tw, pr, v, src, ses, seq, now);
    if (o == Outcome::Applied) store.record_reported(tw, pr, m.state(tw).props[pr].reported);
    return o;
  }
  WriteResult set(const char* id, const char* name, const Value& v, double now,
                  const std::string& req, double ttl = 0) {
    const auto tw = t(id), pr = p(id, name);
    const WriteResult w = m.set_desired(tw, pr, v, now, req, 0, ttl);
    if (w.outcome == Outcome::Applied)
      store.commit_desired(tw, pr, m.state(tw).props[pr].desired, now);
    return w;
  }
  void reject(const char* id, const char* name, std::uint64_t version, const std::string& why,
              double now) {
    const auto tw = t(id), pr = p(id, name);
    if (m.reject_desired(tw, pr, version, why).outcome == Outcome::Applied)
      store.record_desired(tw, pr, m.state(tw).props[pr].desired, now);
  }
  void expire(double now) {
    std::vector<DesiredState> before;
    for (std::size_t tw = 0; tw < m.twin_count(); ++tw)
      for (const auto& ps : m.state(tw).props) before.push_back(ps.desired.state);
    m.expire(now);
    std::size_t i = 0;
    for (std::size_t tw = 0; tw < m.twin_count(); ++tw)
      for (std::size_t pr = 0; pr < m.state(tw).props.size(); ++pr, ++i)
        if (m.state(tw).props[pr].desired.state != before[i])
          store.record_desired(tw, pr, m.state(tw).props[pr].desired, now);
  }
  void birth(const char* id, std::uint64_t session, double now) {
    if (m.birth(t(id), session, now) == Outcome::Applied)
      store.record_presence(t(id), true, session, now);
  }
  void death(const char* id, double now) {
    m.death(t(id), now);
    store.record_presence(t(id), false, m.state(t(id)).session, now);
  }
};

// The same story every round trip tells: every desired state, presence, tricky values.
void play(Live& l) {
  l.birth("m2", 3, kT0);
  l.report("m2", "speed", num(1.0 / 3.0), kT0 - 0.5, 3, 1, kT0 + 0.1);
  l.report("m2", "state", num(2), kT0, 3, 2, kT0 + 0.2);
  l.report("m2", "parts", num(123456789.123456789), kT0 + 0.3, 3, 3, kT0 + 0.3);
  l.report("m2", "label",
           text("batch 7, \"A\" at 21.5 \xC2\xB0"
                "C\nline 2"),
           kT0, 3, 4, kT0 + 1);
  l.report("m2", "on", num(1), kT0, 3, 5, kT0 + 1);
  CHECK(l.report("m2", "on", num(1), kT0, 3, 5, kT0 + 1.5) == Outcome::Duplicate);
  CHECK(l.report("m2", "on", num(0), kT0, 3, 4, kT0 + 1.5) == Outcome::Stale);
  // applied: the asset reports the desired speed
  l.set("m2", "speed", num(0.1), kT0 + 2, "req-speed");
  l.report("m2", "speed", num(0.1), kT0 + 2.5, 3, 6, kT0 + 3);
  // pending, text: superseding an earlier pending value
  l.set("m2", "label", text("first"), kT0 + 4, "req-label-1");
  l.set("m2", "label", text("second, \"quoted\""), kT0 + 5, "req-label-2");
  // rejected
  const auto w = l.set("m2", "on", num(0), kT0 + 6, "req-on");
  l.reject("m2", "on", w.version, "interlock closed", kT0 + 7);
  // expired
  l.set("m2", "mode", num(1), kT0 + 8, "req-mode", 10);
  l.expire(kT0 + 19);
  // m3: pending, then the asset dies
  l.birth("m3", 1, kT0);
  l.report("m3", "speed", num(5e-324), kT0, 1, 1, kT0 + 1);  // the smallest double
  l.set("m3", "speed", num(1.75), kT0 + 2, "req-m3");
  l.death("m3", kT0 + 30);
  // m5: a session id above 2^63 (stored as int64's bit pattern); see mirror()
  l.birth("m5", 0xFFFFFFFFFFFFFFF0ull, kT0 + 1);
  l.report("m5", "state", num(3), kT0, 0xFFFFFFFFFFFFFFF0ull, 0xFFFFFFFFFFFFFFFFull, kT0 + 2);
  // m4 stays untouched
}

// play, then a long run of reports across many flushes, with desired values applied by
// reports and a reconnect with a new session.
void story(Live& l) {
  play(l);
  for (int k = 0; k < 200; ++k) {
    const double now = kT0 + 40 + k;
    const auto seq = static_cast<std::uint64_t>(100 + k);
    l.report("m2", "parts", num(k), now, 3, seq, now);
    l.report("m4", "speed", num((k % 20) * 0.1), now, k > 120 ? 2 : 1, seq, now);
    if (k % 50 == 10)
      l.set("m4", "speed", num(((k + 5) % 20) * 0.1), now, "req-" + std::to_string(k));
    if (k == 120) l.birth("m4", 2, now);
    if (k % 3 == 0) l.store.flush();
  }
}

// Runs fn in a child process, which then ends without closing anything, as a SIGKILL would
// leave it. fn must not use Catch's macros.
template <class Fn>
void in_crashing_child(Fn fn) {
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int code = 0;
    try {
      fn();
    } catch (...) {
      code = 1;
    }
    _exit(code);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("store round trip: save_all then load_into restores every field", "[mirror_store]") {
  TempDir dir;
  const std::string path = dir.file("plant.db");
  Mirror saved = mirror();
  {
    Live l(path);
    play(l);
    // superseded is a state of history rows; set it on a current value too, to cover it
    auto st = l.m.states();
    st[l.t("m4")].props[0].desired =
        Desired{num(0.5), "req-m4", 4, DesiredState::Superseded, kT0 + 1, kT0 + 61, ""};
    l.m.restore(st);
    l.store.save_all(l.m);
    saved.restore(l.m.states());
    l.store.close();
  }
  for (auto s : {DesiredState::Pending, DesiredState::Applied, DesiredState::Rejected,
                 DesiredState::Expired, DesiredState::Superseded, DesiredState::None}) {
    bool seen = false;
    for (const auto& tw : saved.states())
      for (const auto& ps : tw.props) seen = seen || ps.desired.state == s;
    CHECK(seen);
  }
  Mirror loaded = mirror();  // before the store: the attached mirror must outlive it
  MirrorStore store(path);
  const auto warnings = store.load_into(loaded);
  CHECK(warnings.empty());
  check_same(saved, loaded);
  CHECK(loaded.state(loaded.find_twin("m2")).props[0].reported.value.num == 0.1);
  CHECK(loaded.state(loaded.find_twin("m3")).props[0].reported.value.num == 5e-324);
  CHECK(store.integrity_check() == "ok");
}

TEST_CASE("store round trip: the current state follows the records without save_all",
          "[mirror_store]") {
  TempDir dir;
  const std::string path = dir.file("plant.db");
  Mirror expected = mirror();
  {
    Live l(path);
    play(l);
    l.store.flush();
    expected.restore(l.m.states());
    // what is not flushed is not in the file: lost on a crash, by design
    l.report("m4", "parts", num(9), kT0 + 40, 1, 1, kT0 + 40);
    CHECK(l.store.pending() == 1);
  }
  // the store's destructor flushed m4.parts; reload and compare everything else
  Mirror loaded = mirror();  // before the store: the attached mirror must outlive it
  MirrorStore store(path);
  CHECK(store.load_into(loaded).empty());
  const auto m4 = loaded.find_twin("m4");
  CHECK(loaded.state(m4).props[1].reported.value.num == 9);
  auto st = loaded.states();
  st[m4] = expected.state(m4);
  loaded.restore(st);
  check_same(expected, loaded);
}

TEST_CASE("store restart after a crash: the state as written, then the log replayed",
          "[mirror_store]") {
  for (std::int64_t every : {1, 7, 100, 100000}) {
    INFO("housekeeping every " << every << " rows");
    TempDir dir;
    StoreOptions opt;
    opt.housekeeping_rows = every;
    opt.max_batch = 10;
    in_crashing_child([&] {
      Live l(dir.file("crash.db"), opt);
      story(l);
      l.store.flush();
      _exit(0);  // no close(), no destructors
    });
    Live expected(dir.file("expected.db"), opt);
    story(expected);
    Mirror m = mirror();
    MirrorStore store(dir.file("crash.db"));
    CHECK(store.integrity_check() == "ok");
    CHECK(store.load_into(m).empty());
    check_same(expected.m, m, false);
    const auto m4 = m.find_twin("m4");
    CHECK(m.state(m4).props[0].desired.state == DesiredState::Applied);
    CHECK(m.state(m4).props[0].reported.session == 2);
    // and again, after a clean close of the restored store
    store.close();
    Mirror again = mirror();
    MirrorStore reopened(dir.file("crash.db"));
    CHECK(reopened.load_into(again).empty());
    check_same(expected.m, again, false);
    reopened.close();
  }
}

TEST_CASE("store: what the scenario no longer has is reported, not dropped", "[mirror_store]") {
  TempDir dir;
  const std::string path = dir.file("plant.db");
  {
    Live l(path);
    play(l);
    l.store.save_all(l.m);
  }
  // the scenario now: m3 gone, m2.label gone, m2.state lost the choice "blocked", m4.parts is text
  auto sp = specs();
  sp.erase(sp.begin() + 1);
  auto m2 = sp[0].properties.vec();
  m2.erase(std::find_if(m2.begin(), m2.end(), [](auto& p) { return p.name == "label"; }));
  m2[1].choices = {"starved", "working", "down"};
  sp[0].properties = m2;
  auto m4 = sp[1].properties.vec();
  m4[1].kind = PropertySpec::Kind::Text;
  sp[1].properties = m4;
  Mirror m{sp};
  MirrorStore store(path);
  const auto warnings = store.load_into(m);
  std::string all;
  for (const auto& w : warnings) all += w + "\n";
  INFO(all);
  REQUIRE(warnings.size() == 4);
  CHECK_THAT(all, Catch::Contains(path + ": twin \"m3\" is in the store but not in the scenario"));
  CHECK_THAT(all, Catch::Contains("property m2.label is in the store but not in the scenario"));
  CHECK_THAT(all, Catch::Contains("m2.state: the stored reported value \"blocked\""));
  CHECK_THAT(all, Catch::Contains("m4.parts was stored as a number property and is now a text"));
  // the rest is restored
  const auto t = m.find_twin("m2");
  CHECK(m.state(t).props[m.find_property(t, "speed")].reported.value.num == 0.1);
  CHECK(m.state(t).revision > 0);
  // and the file still has what was not restored
  store.save_all(m);
  CHECK(store.history("m3", "").size() == 4);  // birth, reported, desired, death
}

TEST_CASE("store: history by time window and limit, desired lifecycle rows", "[mirror_store]") {
  TempDir dir;
  StoreOptions opt;
  opt.max_batch = 16;          // flushes by itself every 16 records
  opt.housekeeping_rows = 30;  // some rows indexed, the newest in the log's tail
  Live l(dir.file("h.db"), opt);
  l.birth("m2", 1, kT0);
  for (int i = 0; i < 100; ++i) {
    l.report("m2", "parts", num(i), kT0 + i - 0.5, 1, static_cast<std::uint64_t>(i + 1), kT0 + i);
    CHECK(l.store.pending() < 16);
  }
  const auto w1 = l.set("m2", "speed", num(1.2), kT0 + 100, "a");
  const auto w2 = l.set("m2", "speed", num(1.4), kT0 + 101, "b");
  CHECK(w2.superseded == w1.version);
  l.report("m2", "speed", num(1.395), kT0 + 102, 1, 200, kT0 + 102);  // applies v2
  l.death("m2", kT0 + 103);
  l.store.flush();
  CHECK(l.store.pending() == 0);

  const auto all = l.store.history("m2", "parts");
  REQUIRE(all.size() == 100);
  CHECK(all.front().value == "0");
  CHECK(all.back().value == "99");
  CHECK(all.back().unit == "parts");
  CHECK(all.back().state == "good");
  CHECK(all.back().seq == 100);
  CHECK(all.back().source_time == kT0 + 98.5);

  const auto window = l.store.history("m2", "parts", kT0 + 10, kT0 + 20);  // [since, until)
  REQUIRE(window.size() == 10);
  CHECK(window.front().receive_time == kT0 + 10);
  CHECK(window.back().receive_time == kT0 + 19);
  CHECK(std::is_sorted(window.begin(), window.end(),
                       [](auto& a, auto& b) { return a.receive_time < b.receive_time; }));

  const auto newest = l.store.history("m2", "parts", kT0 + 10, kT0 + 20, 3);  // the newest 3
  REQUIRE(newest.size() == 3);
  CHECK(newest[0].value == "17");
  CHECK(newest[2].value == "19");

  const auto speed = l.store.history("m2", "speed");
  REQUIRE(speed.size() == 5);
  auto desc = [](const HistoryRow& r) {
    return std::string(history_kind_name(r.kind)) + " " + r.value + " " + r.state + " v" +
           std::to_string(r.version);
  };
  CHECK(desc(speed[0]) == "desired 1.2 pending v1");
  CHECK(desc(speed[1]) == "desired 1.2 superseded v1");
  CHECK(desc(speed[2]) == "desired 1.4 pending v2");
  CHECK(desc(speed[3]) == "reported 1.395 good v0");
  CHECK(desc(speed[4]) == "desired 1.4 applied v2");
  CHECK(speed[2].source_time == kT0 + 101);

  // the whole twin: presence rows too
  const auto twin = l.store.history("m2", "", kT0 + 99, kT0 + 1000);
  REQUIRE(twin.size() == 7);
  CHECK(twin.front().prop == "parts");
  CHECK(twin.back().kind == HistoryKind::Presence);
  CHECK(twin.back().state == "offline");
  CHECK(twin.back().prop.empty());
  CHECK(l.store.history("m2", "nothing").empty());
  CHECK(l.store.history("m9", "parts").empty());
  CHECK(l.store.stats().housekeeping >= 3);

  // the same answers once everything is indexed
  l.store.close();
  Mirror m = mirror();
  MirrorStore indexed(dir.file("h.db"));
  CHECK(indexed.load_into(m).empty());
  CHECK(indexed.history("m2", "parts").size() == 100);
  CHECK(indexed.history("m2", "parts", kT0 + 10, kT0 + 20, 3)[0].value == "17");
  CHECK(indexed.history("m2", "", kT0 + 99, kT0 + 1000).size() == 7);
}

TEST_CASE("store: CSV export names units and gives UTC times", "[mirror_store]") {
  TempDir dir;
  Live l(dir.file("csv.db"));
  l.birth("m2", 3, kT0);
  l.report("m2", "speed", num(0.25), kT0 + 0.125, 3, 2, kT0 + 0.25);
  l.report("m2", "state", num(1), kT0 + 0.5, 3, 3, kT0 + 0.5);
  l.report("m2", "label", text("a, \"b\""), kT0 + 0.5, 3, 4, kT0 + 0.75);
  l.set("m2", "on", num(1), kT0 + 86400, "req");
  l.store.flush();
  std::ostringstream csv;
  MirrorStore::export_csv(csv, l.store.history("m2", ""));
  const std::string expected =
      "receive_time_s,receive_time_utc,source_time_s,source_time_utc,twin,property,kind,value,"
      "unit,state,session,seq,version\n"
      "1700000000,2023-11-14T22:13:20.000Z,,,m2,,presence,,,online,3,,\n"
      "1700000000.25,2023-11-14T22:13:20.250Z,1700000000.125,2023-11-14T22:13:20.125Z,m2,speed,"
      "reported,0.25,m/s,good,3,2,\n"
      "1700000000.5,2023-11-14T22:13:20.500Z,1700000000.5,2023-11-14T22:13:20.500Z,m2,state,"
      "reported,working,1,good,3,3,\n"
      "1700000000.75,2023-11-14T22:13:20.750Z,1700000000.5,2023-11-14T22:13:20.500Z,m2,label,"
      "reported,\"a, \"\"b\"\"\",1,good,3,4,\n"
      "1700086400,2023-11-15T22:13:20.000Z,1700086400,2023-11-15T22:13:20.000Z,m2,on,desired,"
      "true,1,pending,,,1\n";
  CHECK(csv.str() == expected);
}

TEST_CASE("store: a file that is not a dtwin store fails clearly and is left alone",
          "[mirror_store]") {
  TempDir dir;
  SECTION("an SQLite database of something else") {
    const std::string path = dir.file("other.db");
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db,
                         "CREATE TABLE customers(name TEXT); INSERT INTO customers "
                         "VALUES('ada')",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
    const std::string before = read_file(path);
    try {
      MirrorStore store(path);
      FAIL("opened a foreign database");
    } catch (const UsageError& e) {
      CHECK_THAT(e.what(), Catch::StartsWith(path + ": not a dtwin mirror store"));
    }
    CHECK(read_file(path) == before);  // no WAL switch, no tables
    CHECK_FALSE(std::filesystem::exists(path + "-wal"));
  }
  SECTION("not SQLite at all") {
    const std::string path = dir.file("notes.txt");
    std::ofstream(path) << "twin,prop\nm2,speed\n" << std::string(4096, 'x');
    CHECK_THROWS_MATCHES(
        MirrorStore(path), UsageError,
        Catch::Message(path + ": not a dtwin mirror store (not an SQLite database)"));
  }
  SECTION("a store from a newer dtwin") {
    const std::string path = dir.file("new.db");
    MirrorStore(path).close();
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "UPDATE schema_version SET version = 7", nullptr, nullptr, nullptr) ==
            SQLITE_OK);
    sqlite3_close(db);
    CHECK_THROWS_MATCHES(
        MirrorStore(path), UsageError,
        Catch::Message(path + ": the mirror store has schema version 7, newer than "
                              "this dtwin reads (2); use a newer dtwin"));
  }
  SECTION("read-only needs an existing store") {
    StoreOptions ro;
    ro.read_only = true;
    const std::string path = dir.file("absent.db");
    CHECK_THROWS_AS(MirrorStore(path, ro), UsageError);
    CHECK_FALSE(std::filesystem::exists(path));
  }
  SECTION("a new store reopens, read-write and read-only") {
    const std::string path = dir.file("fresh.db");
    MirrorStore(path).close();
    MirrorStore(path).close();
    StoreOptions ro;
    ro.read_only = true;
    Mirror m = mirror();
    MirrorStore store(path, ro);
    CHECK(store.history("m2", "speed").empty());
    CHECK(store.load_into(m).empty());
    CHECK_THROWS_AS(store.record_reported(0, 0, m.state(0).props[0].reported), StoreError);
  }
}

namespace {

constexpr int kBatch = 1000;

// The child: commits a desired command, says "ack", then records reported values in flushed
// batches of kBatch, saying "flushed k" after each, until it is killed.
[[noreturn]] void writer_child(const std::string& path, int fd) {
  int code = 0;
  try {
    alarm(120);  // never outlive a parent that has gone
    Mirror m = mirror();
    MirrorStore store(path);
    store.save_all(m);
    const auto t = m.find_twin("m2"), speed = m.find_property(t, "speed"),
               parts = m.find_property(t, "parts");
    m.birth(t, 1, kT0);
    store.record_presence(t, true, 1, kT0);
    const auto w = m.set_desired(t, speed, num(1.5), kT0, "cmd-1");
    if (w.outcome != Outcome::Applied) _exit(3);
    store.commit_desired(t, speed, m.state(t).props[speed].desired, kT0);
    if (write(fd, "ack\n", 4) != 4) _exit(4);
    std::uint64_t seq = 0;
    for (long k = 1;; ++k) {
      for (int i = 0; i < kBatch; ++i) {
        ++seq;
        const double now = kT0 + static_cast<double>(seq) * 1e-3;
        m.report(t, parts, num(static_cast<double>(seq)), now, 1, seq, now);
        store.record_reported(t, parts, m.state(t).props[parts].reported);
      }
      store.flush();
      char line[32];
      const int len = std::snprintf(line, sizeof line, "flushed %ld\n", k);
      if (write(fd, line, static_cast<std::size_t>(len)) != len) _exit(5);
    }
  } catch (...) {
    code = 1;
  }
  _exit(code);
}

}  // namespace

TEST_CASE("store durability: a SIGKILLed engine loses no acknowledged desired command",
          "[mirror_store]") {
  TempDir dir;
  const std::string path = dir.file("kill.db");
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    writer_child(path, fds[1]);
  }
  close(fds[1]);
  FILE* in = fdopen(fds[0], "r");
  REQUIRE(in != nullptr);
  char line[64];
  bool acked = false;
  long flushed = 0;
  while (std::fgets(line, sizeof line, in)) {
    long k = 0;
    if (std::strcmp(line, "ack\n") == 0) acked = true;
    if (std::sscanf(line, "flushed %ld", &k) == 1) flushed = k;
    if (flushed >= 30) break;  // mid-stream: the child is writing its next batch
  }
  REQUIRE(kill(pid, SIGKILL) == 0);
  while (std::fgets(line, sizeof line, in)) {  // what it said before it died
    long k = 0;
    if (std::sscanf(line, "flushed %ld", &k) == 1) flushed = k;
  }
  std::fclose(in);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  REQUIRE(acked);
  REQUIRE(flushed >= 30);

  Mirror m = mirror();
  MirrorStore store(path);
  CHECK(store.integrity_check() == "ok");
  CHECK(store.load_into(m).empty());
  const auto t = m.find_twin("m2"), speed = m.find_property(t, "speed"),
             parts = m.find_property(t, "parts");
  // the acknowledged command, with its version
  const Desired& d = m.state(t).props[speed].desired;
  CHECK(d.id == "cmd-1");
  CHECK(d.version == 1);
  CHECK(d.state == DesiredState::Pending);
  CHECK(d.value.num == 1.5);
  CHECK(m.delta(t) == std::vector<std::size_t>{speed});
  // every flushed batch, whole batches only, in order
  const auto rows = store.history("m2", "parts");
  INFO("flushed batches said: " << flushed << ", reported rows: " << rows.size());
  CHECK(rows.size() >= static_cast<std::size_t>(flushed) * kBatch);
  CHECK(rows.size() % kBatch == 0);
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (rows[i].seq != i + 1 || rows[i].value != std::to_string(i + 1)) {
      FAIL_CHECK("row " << i << " has seq " << rows[i].seq << " value " << rows[i].value);
      break;
    }
  // the current state agrees with the history
  const Reported& r = m.state(t).props[parts].reported;
  CHECK(r.seq == rows.size());
  CHECK(r.value.num == static_cast<double>(rows.size()));
  CHECK(m.state(t).online);
  const auto desired = store.history("m2", "speed");
  REQUIRE(desired.size() == 1);
  CHECK(desired[0].version == 1);
  CHECK(desired[0].state == "pending");
}
