// FNV-1a, 64 bits (Fowler, Noll and Vo; the parameters of draft-eastlake-fnv: offset basis
// 14695981039346656037, prime 1099511628211): a stable hash of a name, identical on every
// platform and build. Random stream keys (engine/sim/rng.hpp) and the partition of a twin among
// engines (engine/live/settings.hpp) both use it, so an outside router that hashes twin ids with
// FNV-1a agrees with the engine on which twin goes where.
#pragma once

#include <cstdint>
#include <string_view>

namespace dtwin {

constexpr std::uint64_t hash_name(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // 14695981039346656037
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;  // 1099511628211
  }
  return h;
}

}  // namespace dtwin
