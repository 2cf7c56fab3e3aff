// Random streams. Every stream is a xoshiro256++ generator (Blackman & Vigna, "Scrambled
// linear pseudorandom number generators", ACM TOMS 2021) whose 256-bit state is seeded by
// SplitMix64 from a key that hashes (scenario seed, replication, twin id, purpose).
// Consequences users rely on:
//  - adding a twin does not change another twin's draws (the key names the twin);
//  - variants of one scenario draw the same numbers (common random numbers): the key does
//    not include the variant;
//  - a stream is plain data (four words), so it is snapshotted with the state that owns it.
#pragma once

#include <cmath>
#include <cstdint>
#include <string_view>

#include "engine/base/hash.hpp"

namespace dtwin {

constexpr std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  Rng() { seed(0); }
  explicit Rng(std::uint64_t key) { seed(key); }

  // A generator in a given state (for checking against published test vectors).
  static Rng from_words(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d) {
    Rng r;
    r.s_[0] = a, r.s_[1] = b, r.s_[2] = c, r.s_[3] = d;
    return r;
  }

  void seed(std::uint64_t key) {
    std::uint64_t x = key;
    for (auto& w : s_) w = splitmix64(x);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[0] + s_[3], 23) + s_[0];
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // uniform in [0, 1): 53 random bits
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // uniform in (0, 1]: safe for log()
  double uniform_pos() { return static_cast<double>((next() >> 11) + 1) * 0x1.0p-53; }

  bool operator==(const Rng& o) const {
    return s_[0] == o.s_[0] && s_[1] == o.s_[1] && s_[2] == o.s_[2] && s_[3] == o.s_[3];
  }
  bool operator!=(const Rng& o) const { return !(*this == o); }

  const std::uint64_t* words() const { return s_; }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

// The key of one stream: (seed, replication, twin, purpose) mixed so that nearby inputs give
// unrelated streams.
constexpr std::uint64_t stream_key(std::uint64_t seed, std::uint64_t replication,
                                   std::string_view twin, std::string_view purpose) {
  std::uint64_t x = seed;
  std::uint64_t k = splitmix64(x);
  x = k ^ (replication * 0xd1b54a32d192ed03ULL);
  k = splitmix64(x);
  x = k ^ hash_name(twin);
  k = splitmix64(x);
  x = k ^ hash_name(purpose);
  return splitmix64(x);
}

// A standard normal variate by Box-Muller from two uniforms (two draws; the second variate is
// dropped): the one normal sampler of the codebase. std::normal_distribution gives different
// numbers with different standard libraries, so it is not used anywhere.
inline double standard_normal(Rng& rng) {
  const double u1 = rng.uniform_pos();
  const double u2 = rng.uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);  // 2 pi
}

inline Rng make_stream(std::uint64_t seed, std::uint64_t replication, std::string_view twin,
                       std::string_view purpose) {
  return Rng(stream_key(seed, replication, twin, purpose));
}

}  // namespace dtwin
