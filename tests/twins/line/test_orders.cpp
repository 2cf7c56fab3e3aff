// Order lists: a source releasing the rows of an MES export (release, product, quantity, due).
// Deterministic lines whose throughput, lead times and tardiness follow exactly from the list,
// then the errors a bad list raises (file:line:col, at the source's "orders" pointer).
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "engine/scenario/scenario.hpp"
#include "tests/support/run_helpers.hpp"
#include "tests/support/temp_dir.hpp"

using dtwin::CompiledVariant;
using dtwin::Scenario;
using dtwin::ScenarioError;
using namespace dtwin::test;  // compile_text, run_reps, registry, TempDir

namespace {

void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// One machine of 10 s per part behind a buffer; the source releases orders.csv.
std::string one_machine(const std::string& source_extra, const std::string& buffer_extra = "") {
  return R"({"duration": "200s", "products": {"A": {}, "B": {"due": "1h"}},
    "twins": {
      "src": {"kind": "source", "orders": "orders.csv")" +
         source_extra + R"(},
      "q":   {"kind": "buffer")" +
         buffer_extra + R"(},
      "m":   {"kind": "machine", "process": 10},
      "out": {"kind": "sink"}},
    "flow": [["src", "q"], ["q", "m"], ["m", "out"]]})";
}

// Writes the scenario and its order list into dir and compiles it from its file.
CompiledVariant compile_with(const TempDir& dir, const std::string& scenario,
                             const std::string& csv) {
  write(dir.file("orders.csv"), csv);
  write(dir.file("s.json"), scenario);
  const Scenario sc = Scenario::load(dir.file("s.json"));
  return sc.compile(0, registry());
}

ScenarioError error_with(const std::string& scenario, const std::string& csv) {
  TempDir dir("dtwin-orders");
  try {
    compile_with(dir, scenario, csv);
  } catch (const ScenarioError& e) {
    return e;
  }
  FAIL("no error raised");
  throw;
}

}  // namespace

TEST_CASE("an order list releases each row's parts at its time, and lead times follow exactly",
          "[line][orders]") {
  // 3 A at 0 (due 40 s): done at 10, 20, 30. 2 B at 100 s (due 105 s): done at 110, 120, 5 s
  // and 15 s late. Other columns (the order's number) are ignored, their order too.
  TempDir dir("dtwin-orders");
  const auto v = compile_with(dir, one_machine(""),
                              "order,product,quantity,release,due\n"
                              "SO-1,A,3,0,40\n"
                              "\n"
                              "SO-2,B,2,100s,105\n");
  const auto r = run_reps(v, 1);
  CHECK(r.mean("output_parts") == 5);
  CHECK(r.mean("throughput_per_h") == Approx(5 * 3600.0 / 200));
  CHECK(r.mean("products.A.throughput_per_h") == Approx(3 * 3600.0 / 200));
  CHECK(r.mean("products.A.lead_time_s") == Approx(20));
  CHECK(r.mean("products.A.on_time_frac") == 1);  // due from the list, none for the product
  CHECK(r.mean("products.B.lead_time_s") == Approx(15));
  CHECK(r.mean("products.B.on_time_frac") == 0);
  CHECK(r.mean("products.B.tardiness_s") == Approx(10));
  CHECK(r.mean("lead_time_s") == Approx((10 + 20 + 30 + 10 + 20) / 5.0));
}

TEST_CASE("an order list's due times order the queue (earliest due date first)", "[line][orders]") {
  // at 06:00 two A (due 06:30) and one B (due 06:00:15). The first A starts at once; then by
  // due date B (done at 20 s, 5 s late), then the other A (30 s); first in first out: A at
  // 20 s and B at 30 s, 15 s late. Times as date-times from the source's "start".
  const std::string csv =
      "release,product,quantity,due\n"
      "2026-12-07T06:00,A,2,2026-12-07T06:30\n"
      "2026-12-07 06:00:00,B,1,2026-12-07T06:00:15\n";
  const std::string start = R"(, "start": "2026-12-07T06:00")";
  TempDir dir("dtwin-orders");
  const auto edd =
      run_reps(compile_with(dir, one_machine(start, R"(, "discipline": "edd")"), csv), 1);
  CHECK(edd.mean("products.B.lead_time_s") == Approx(20));
  CHECK(edd.mean("products.B.tardiness_s") == Approx(5));
  CHECK(edd.mean("products.A.lead_time_s") == Approx((10 + 30) / 2.0));
  const auto fifo = run_reps(compile_with(dir, one_machine(start), csv), 1);
  CHECK(fifo.mean("products.B.lead_time_s") == Approx(30));
  CHECK(fifo.mean("products.B.tardiness_s") == Approx(15));
  CHECK(fifo.mean("products.A.lead_time_s") == Approx((10 + 20) / 2.0));
}

TEST_CASE("an order list's parts wait at a full source from their release time, or are dropped",
          "[line][orders]") {
  // a buffer of 1: of 3 parts released at 0 the machine takes one, the buffer holds one, the
  // source the third (its lead time counts from 0: 30 s), or drops it
  const std::string csv = "release,product,quantity\n0,A,3\n";
  TempDir dir("dtwin-orders");
  const auto block = run_reps(compile_with(dir, one_machine(""), csv), 1);
  CHECK(block.mean("output_parts") == 3);  // (the unbounded buffer: all three at once)
  const auto held = run_reps(compile_with(dir, one_machine("", R"(, "capacity": 1)"), csv), 1);
  CHECK(held.mean("output_parts") == 3);
  CHECK(held.mean("products.A.lead_time_s") == Approx(20));
  const auto dropped = run_reps(
      compile_with(dir, one_machine(R"(, "when_full": "drop")", R"(, "capacity": 1)"), csv), 1);
  CHECK(dropped.mean("output_parts") == 2);
  CHECK(dropped.mean("products.A.lead_time_s") == Approx(15));
}

TEST_CASE("order lists: bad input names the file, line and column", "[line][orders][errors]") {
  struct Bad {
    std::string csv, says;
  };
  const std::string s = one_machine("");
  for (const Bad& b : {
           Bad{"release,product,quantity\n0,A,1\n10,D,2\n",
               "orders.csv:3:4: unknown product \"D\""},
           Bad{"release,product,quantity\n0,A,x\n", "orders.csv:2:5: expected a quantity"},
           Bad{"release,product,quantity\n0,A,0\n", "orders.csv:2:5: expected a quantity"},
           Bad{"release,product,quantity\nsoon,A,1\n", "orders.csv:2:1: expected a release time"},
           Bad{"release,product,quantity,due\n0,A,1,later\n",
               "orders.csv:2:7: expected a due time"},
           Bad{"release,product,quantity\n60,A,1\n30,A,1\n",
               "orders.csv:3:1: released before the row above it (line 2)"},
           Bad{"release,product\n0,A\n", "orders.csv:1:1: no column \"quantity\""},
           Bad{"release,product,quantity\n", "orders.csv:2:1: no orders"},
           Bad{"release,product,quantity\n-5,A,1\n", "is before the run's start"},
           Bad{"release,product,quantity\n2026-12-07T06:00,A,1\n",
               "is a date-time: give the source's \"start\""},
       }) {
    INFO(b.csv);
    const ScenarioError e = error_with(s, b.csv);
    CHECK(e.pointer() == "/twins/src/orders");
    CHECK_THAT(e.message(), Catch::Contains(b.says));
  }
  const std::string ok = "release,product,quantity\n0,A,1\n";
  // an order list says what and when: no interarrival, mix or sequence beside it
  const ScenarioError both =
      error_with(one_machine(R"(, "interarrival": 10, "mix": {"A": 1})"), ok);
  CHECK(both.pointer() == "/twins/src/interarrival");
  // a line without products
  const ScenarioError plain = error_with(R"({"duration": "1h", "twins": {
      "src": {"kind": "source", "orders": "orders.csv"}, "m": {"kind": "machine", "process": 1},
      "out": {"kind": "sink"}}, "flow": [["src", "m"], ["m", "out"]]})",
                                         ok);
  CHECK(plain.pointer() == "/twins/src/orders");
  CHECK_THAT(plain.message(), Catch::Contains("needs products"));
  // a file that is not there
  const auto missing = compile_failure(one_machine(""));  // inline: the working directory
  REQUIRE(missing);
  CHECK(missing->pointer() == "/twins/src/orders");
  CHECK_THAT(missing->message(), Catch::Contains("cannot read orders.csv: no such file"));
  // "start" is for an order list's date-times only
  const auto start = compile_failure(R"({"duration": "1h", "products": {"A": {}}, "twins": {
      "src": {"kind": "source", "interarrival": 5, "start": "2026-12-07T06:00"},
      "m": {"kind": "machine", "process": 1}, "out": {"kind": "sink"}},
      "flow": [["src", "m"], ["m", "out"]]})");
  REQUIRE(start);
  CHECK(start->pointer() == "/twins/src/start");
}
