// Counts the heap allocations made while asked to, for "does not allocate" tests (the event
// kernel and a world's steady-state stepping allocate nothing once their storage has grown).
// The engine's test binary replaces the global operator new and delete (alloc_counter.cpp) with
// ones that call malloc and free and count the calls made while counting is on. A replacement
// in the program takes precedence over the sanitizer's own operator new, so it counts under
// AddressSanitizer too (ASan still sees every block through malloc and free).
#pragma once

#include <cstdint>

namespace dtwin::test {

// Counts from construction until stop(); one at a time.
class CountAllocations {
 public:
  CountAllocations();
  ~CountAllocations();
  CountAllocations(const CountAllocations&) = delete;
  CountAllocations& operator=(const CountAllocations&) = delete;
  // Stops counting and returns how many allocations were made since construction.
  std::uint64_t stop();
};

}  // namespace dtwin::test
