// FNV-1a 64 (engine/base/hash.hpp) pinned to the published test vectors, so the random streams'
// keys and the partition of a plant's twins among engines can be reproduced outside dtwin.
#include <catch2/catch.hpp>

#include <cstdint>

#include "engine/base/hash.hpp"
#include "engine/live/settings.hpp"

TEST_CASE("hash_name is FNV-1a 64 bits: the published test vectors") {
  // from the FNV reference test suite (draft-eastlake-fnv, test_fnv.c): offset basis
  // 14695981039346656037, prime 1099511628211
  CHECK(dtwin::hash_name("") == 0xcbf29ce484222325ULL);
  CHECK(dtwin::hash_name("a") == 0xaf63dc4c8601ec8cULL);
  CHECK(dtwin::hash_name("b") == 0xaf63df4c8601f1a5ULL);
  CHECK(dtwin::hash_name("c") == 0xaf63de4c8601eff2ULL);
  CHECK(dtwin::hash_name("foobar") == 0x85944171f73967e8ULL);
  static_assert(dtwin::hash_name("a") == 0xaf63dc4c8601ec8cULL, "usable at compile time");
}

TEST_CASE("a twin's partition is FNV-1a of its id modulo the number of engines") {
  // what an outside router computes: FNV-1a 64 of the id's bytes, modulo N, 0-based
  CHECK(dtwin::partition_of("foobar", 7) == 0x85944171f73967e8ULL % 7);
  CHECK(dtwin::partition_of("a", 4) == 0xaf63dc4c8601ec8cULL % 4);
  for (const char* id : {"m1", "m2", "b1", "lathe", "sink"})
    for (std::uint32_t n : {2u, 3u, 10u}) {
      INFO(id << " of " << n);
      CHECK(dtwin::partition_of(id, n) == dtwin::hash_name(id) % n);
    }
  CHECK(dtwin::partition_of("m1", 1) == 0);
}
