// "Did you mean": one helper for every misspelt name (engine/scenario/suggest.hpp).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine/scenario/suggest.hpp"

TEST_CASE("edit distance counts adjacent transpositions as one edit") {
  CHECK(dtwin::edit_distance("", "") == 0);
  CHECK(dtwin::edit_distance("abc", "") == 3);
  CHECK(dtwin::edit_distance("", "abc") == 3);
  CHECK(dtwin::edit_distance("kitten", "sitting") == 3);
  CHECK(dtwin::edit_distance("capcity", "capacity") == 1);
  CHECK(dtwin::edit_distance("Tiar", "Tair") == 1);  // Levenshtein would say 2
  CHECK(dtwin::edit_distance("ca", "abc") == 3);     // optimal string alignment, not Damerau
}

TEST_CASE("closest name: case, prefixes, typos, and nothing when nothing is close") {
  const std::vector<std::string> names{"capacity", "rate", "mean"};
  CHECK(dtwin::closest_name("capcity", names) == "capacity");
  CHECK(dtwin::closest_name("meen", names) == "mean");
  CHECK(dtwin::closest_name("cap", names) == "capacity");
  CHECK(dtwin::closest_name("Capacity", names) == "capacity");
  CHECK(dtwin::closest_name("raet", names) == "rate");
  CHECK_FALSE(dtwin::closest_name("zzz", names).has_value());
  CHECK_FALSE(dtwin::closest_name("x", {"a"}).has_value());
  CHECK(dtwin::did_you_mean("capcity", names) == "; did you mean \"capacity\"?");
  CHECK(dtwin::did_you_mean("zzz", names).empty());
}
