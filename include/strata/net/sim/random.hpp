// The simulation's random numbers: xoshiro256** seeded through splitmix64.
//
// Our own generator rather than <random>: the standard fixes the engines'
// sequences but not the distributions' (uniform_int_distribution differs
// between libstdc++ and libc++), and a fault injected at a fixed seed must
// hit the same frame with either compiler and library. Both algorithms are
// the reference ones by Blackman and Vigna (https://prng.di.unimi.it/).
#pragma once

#include <cstdint>

namespace strata::net::sim {

// splitmix64: one step. Spreads consecutive or small seeds (0, 1, 2, ...)
// over the whole state, which xoshiro needs (an all-zero state is stuck).
constexpr std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15U);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9U;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebU;
  return z ^ (z >> 31);
}

class prng {
 public:
  constexpr explicit prng(std::uint64_t seed = 0) { reseed(seed); }

  constexpr void reseed(std::uint64_t seed) {
    for (auto& word : s_) word = splitmix64(seed);
  }

  // xoshiro256**: 64 uniformly distributed bits.
  constexpr std::uint64_t next() {
    std::uint64_t const result = rotl(s_[1] * 5, 7) * 9;
    std::uint64_t const t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, n); 0 when n is 0. Plain modulo: its bias is below
  // n / 2^64, far under anything a test of a few million draws can see.
  constexpr std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4]{};
};

}  // namespace strata::net::sim
