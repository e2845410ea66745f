// Packet bytes written as hex text, turned into a std::array<std::byte, N> by
// the compiler: hex<"45000054...">(). Spaces are allowed between digits; any
// other character, or an odd number of digits, fails to compile.
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include <strata/core/text.hpp>

namespace strata::net::test {

namespace hex_detail {
constexpr int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
void hex_text_has_a_character_that_is_not_a_hex_digit_or_space();
void hex_text_has_an_odd_number_of_digits();
}  // namespace hex_detail

template <fixed_string S>
consteval auto hex() {
  constexpr std::size_t digits = [] {
    std::size_t n = 0;
    for (char c : S.view()) {
      if (c == ' ') continue;
      if (hex_detail::hex_digit(c) < 0) hex_detail::hex_text_has_a_character_that_is_not_a_hex_digit_or_space();
      ++n;
    }
    if (n % 2 != 0) hex_detail::hex_text_has_an_odd_number_of_digits();
    return n;
  }();
  std::array<std::byte, digits / 2> out{};
  std::size_t i = 0;
  int high = -1;
  for (char c : S.view()) {
    if (c == ' ') continue;
    if (high < 0) {
      high = hex_detail::hex_digit(c);
    } else {
      out[i++] = std::byte(high * 16 + hex_detail::hex_digit(c));
      high = -1;
    }
  }
  return out;
}

// Arrays as spans, for the wire views.
template <std::size_t N>
constexpr std::span<std::byte const> bytes_of(std::array<std::byte, N> const& a) {
  return {a.data(), N};
}

}  // namespace strata::net::test
