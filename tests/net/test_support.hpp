// Helpers shared by the wire tests.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>

#include <strata/core/text.hpp>

namespace strata::net::test {

// What describe_to writes, as a std::string.
template <class T>
std::string describe(T const& value) {
  text_writer counter;
  value.describe_to(counter);
  std::string s(counter.size(), '\0');
  text_writer w{s.data(), s.size()};
  value.describe_to(w);
  return s;
}

// The first n bytes of a constant array, for static_asserts on truncation.
template <std::size_t N>
constexpr std::span<std::byte const> prefix(std::array<std::byte, N> const& a, std::size_t n) {
  return std::span<std::byte const>{a}.first(n);
}

// N bytes of `bytes` from `at`, as an array to compare with.
template <std::size_t N>
constexpr std::array<std::byte, N> slice(std::span<std::byte const> bytes, std::size_t at) {
  std::array<std::byte, N> a{};
  for (std::size_t i = 0; i < N; ++i) a[i] = bytes[at + i];
  return a;
}

// Random data that is the same on every run, so a failure reproduces.
inline std::mt19937_64 reproducible_rng(std::uint64_t seed) { return std::mt19937_64{seed}; }

template <std::size_t N>
constexpr bool same_bytes(std::span<std::byte const> a, std::array<std::byte, N> const& b) {
  if (a.size() != N) return false;
  for (std::size_t i = 0; i < N; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

}  // namespace strata::net::test
