// The live mirror of a line with products: a machine reports the product it holds (or made
// last), a buffer its parts by product, and a what-if forked from the live plant starts from
// that mix and that setup. A line without products keeps its properties.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine/run/whatif.hpp"
#include "engine/sim/world.hpp"
#include "tests/support/run_helpers.hpp"
#include "twins/line/state.hpp"

using namespace dtwin;
using namespace dtwin::test;  // compile_text, registry

namespace {

// Arrivals every 5 s (A, B, B, ...) at a machine of 8 s for A and 9 s for B: a queue builds.
const char* kQueue = R"({"duration": "1h", "products": {"A": {}, "B": {}},
  "twins": {
    "src": {"kind": "source", "interarrival": 5, "sequence": ["A", "B", "B"]},
    "q":   {"kind": "buffer"},
    "m":   {"kind": "machine", "process": {"by_product": {"A": 8, "B": 9}}},
    "out": {"kind": "sink"}},
  "flow": [["src", "q"], ["q", "m"], ["m", "out"]]})";

const Observation* find(const std::vector<Observation>& seen, const std::string& twin,
                        const std::string& prop) {
  for (const auto& o : seen)
    if (o.twin == twin && o.prop == prop) return &o;
  return nullptr;
}

}  // namespace

TEST_CASE("a line with products reports a machine's product and a buffer's parts by product",
          "[line][products][mirror]") {
  const CompiledVariant v = compile_text(kQueue);
  World w(v.models);
  w.start(RunContext{1, 0});
  w.run_until(302);  // 60 parts arrived (20 A, 40 B), 34 out or on the machine
  const auto& s = w.state<line::LineState>(0);
  const auto seen = observe(w);
  std::size_t a = 0, b = 0;
  const auto& q = s.places[0].births;
  for (std::size_t i = 0; i < q.size(); ++i) (q[i].product == 0 ? a : b) += 1;
  REQUIRE(a > 0);
  REQUIRE(b > 0);
  REQUIRE(find(seen, "q", "level_A"));
  REQUIRE(find(seen, "q", "level_B"));
  CHECK(find(seen, "q", "level")->value.num == static_cast<double>(a + b));
  CHECK(find(seen, "q", "level_A")->value.num == static_cast<double>(a));
  CHECK(find(seen, "q", "level_B")->value.num == static_cast<double>(b));
  REQUIRE(find(seen, "m", "product"));
  CHECK(find(seen, "m", "product")->value.num == static_cast<double>(s.machines[0].product));

  // before its first part a machine has no product to report
  World fresh(v.models);
  fresh.start(RunContext{1, 0});
  CHECK_FALSE(find(observe(fresh), "m", "product"));

  // a line without products: the properties it always had
  const CompiledVariant plain = compile_text(R"({"duration": "1h", "twins": {
      "src": {"kind": "source", "interarrival": 5}, "q": {"kind": "buffer"},
      "m": {"kind": "machine", "process": 8}, "out": {"kind": "sink"}},
      "flow": [["src", "q"], ["q", "m"], ["m", "out"]]})");
  World pw(plain.models);
  pw.start(RunContext{1, 0});
  pw.run_until(100);
  std::vector<std::string> props;
  for (const auto& o : observe(pw)) props.push_back(o.twin + "." + o.prop);
  CHECK(props == std::vector<std::string>{"line.wip", "line.output", "m.state", "m.parts",
                                          "m.speed", "q.level"});
}

TEST_CASE("a what-if from a line with products starts from the parts by product and the setup",
          "[line][products][mirror]") {
  // m: A 10 s, B 20 s, changeover A->B 5 s, B->A 7 s; no arrival within the horizon. The plant:
  // 3 A and 2 B waiting, m set up for B. From the fork: B->A 7 s, A at 17, 27, 37 s, A->B 5 s,
  // B at 62 and 82 s.
  const std::string text = R"({"duration": "1h", "products": {"A": {}, "B": {}},
    "twins": {
      "src": {"kind": "source", "interarrival": 1e6, "sequence": ["A"]},
      "q":   {"kind": "buffer"},
      "m":   {"kind": "machine", "process": {"by_product": {"A": 10, "B": 20}},
              "changeover": {"A->B": 5, "B->A": 7}},
      "out": {"kind": "sink"}},
    "flow": [["src", "q"], ["q", "m"], ["m", "out"]]})";
  const Scenario sc = Scenario::parse(text, "inline.json");
  WhatIf q;
  q.variants.push_back(sc.compile(sc.find_variant("baseline"), registry()));
  settle_for_whatif(q.variants.back(), 100, 1);
  q.observed = {Observation{"q", "level_A", Value{3, ""}},
                Observation{"q", "level_B", Value{2, ""}},
                Observation{"m", "product", Value{1, ""}}, Observation{"q", "level", Value{5, ""}}};
  const WhatIfResult r = run_whatif(sc, q);
  REQUIRE(r.assimilated.size() == 4);
  CHECK(r.assimilated[0]["taken"] == true);
  CHECK(r.assimilated[1]["taken"] == true);
  CHECK(r.assimilated[2]["taken"] == true);
  CHECK(r.assimilated[3]["taken"] == false);  // the total: given by product already
  CHECK_THAT(r.assimilated[3]["reason"].get<std::string>(), Catch::Contains("by product"));
  const auto value = [&](const std::string& key) {
    return r.table.rows.at(0).values.at(r.table.key_index(key));
  };
  CHECK(value("output_parts") == 5);
  CHECK(value("products.A.lead_time_s") == Approx((17 + 27 + 37) / 3.0));
  CHECK(value("products.B.lead_time_s") == Approx((62 + 82) / 2.0));
  CHECK(value("m.setup_frac") == Approx(12 / 100.0));
}
