#include <catch2/catch.hpp>

#include "engine/transport/inproc_link.hpp"

using namespace dtwin;

TEST_CASE("MQTT topic filters", "[link]") {
  CHECK(topic_matches("a/b/c", "a/b/c"));
  CHECK_FALSE(topic_matches("a/b/c", "a/b"));
  CHECK_FALSE(topic_matches("a/b", "a/b/c"));
  CHECK(topic_matches("a/+/c", "a/x/c"));
  CHECK_FALSE(topic_matches("a/+/c", "a/x/y/c"));
  CHECK(topic_matches("a/#", "a/x/y/c"));
  CHECK(topic_matches("a/#", "a"));
  CHECK(topic_matches("#", "a/b"));
  CHECK(topic_matches("+/+", "a/b"));
  CHECK_FALSE(topic_matches("+", "a/b"));
  CHECK(topic_matches("a/+", "a/"));
  CHECK_FALSE(topic_matches("#", "$SYS/x"));
  CHECK(topic_matches("$share/engines/dtwin/+/reported", "dtwin/m2/reported"));
}

TEST_CASE("in-process bus: retained messages, wills and shared subscriptions", "[link]") {
  Bus bus;
  auto engine = bus.link("engine"), asset = bus.link("asset"), late = bus.link("late");
  std::vector<std::string> got;
  engine->on_message([&](const Message& m) { got.push_back(m.topic + "=" + m.payload); });
  engine->connect();
  engine->subscribe("plant/+/reported");
  asset->set_will({"plant/m1/death", "{}", 1, false, "", ""});
  asset->connect();
  asset->publish({"plant/m1/reported", "1", 1, false, "", ""});
  asset->publish({"plant/m1/desired", "x", 1, true, "", ""});
  engine->poll(0);
  REQUIRE(got == std::vector<std::string>{"plant/m1/reported=1"});
  // a late subscriber gets the retained message
  std::vector<std::string> late_got;
  late->on_message([&](const Message& m) { late_got.push_back(m.payload); });
  late->connect();
  late->subscribe("plant/+/desired");
  late->poll(0);
  REQUIRE(late_got == std::vector<std::string>{"x"});
  // a crash publishes the will; a clean disconnect does not
  engine->subscribe("plant/+/death");
  asset->crash();
  engine->poll(0);
  REQUIRE(got.back() == "plant/m1/death={}");
  // shared subscriptions spread messages over the group
  auto e1 = bus.link("e1"), e2 = bus.link("e2"), pub = bus.link("pub");
  int n1 = 0, n2 = 0;
  e1->on_message([&](const Message&) { ++n1; });
  e2->on_message([&](const Message&) { ++n2; });
  for (auto* l : {e1.get(), e2.get(), pub.get()}) l->connect();
  e1->subscribe("$share/g/f/#");
  e2->subscribe("$share/g/f/#");
  for (int i = 0; i < 10; ++i) pub->publish({"f/" + std::to_string(i), "", 1, false, "", ""});
  e1->poll(0);
  e2->poll(0);
  CHECK(n1 == 5);
  CHECK(n2 == 5);
}
