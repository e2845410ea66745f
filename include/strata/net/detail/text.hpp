// Small text helpers shared by the address types: parsing decimal and hex
// fields of literals (constexpr, no locale) and writing hex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <strata/core/text.hpp>

namespace strata::net::detail {

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

constexpr int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads a decimal number of 1..MaxDigits digits at text[pos], at most Max,
// advancing pos. A leading zero is refused ("010"): inet_aton reads it as
// octal, so accepting it would make the same text mean two addresses.
template <std::size_t MaxDigits, std::uint32_t Max>
constexpr std::optional<std::uint32_t> parse_decimal(std::string_view text, std::size_t& pos) {
  std::size_t const start = pos;
  std::uint32_t value = 0;
  while (pos < text.size() && is_digit(text[pos])) {
    if (pos - start == MaxDigits) return std::nullopt;
    value = value * 10 + std::uint32_t(text[pos] - '0');
    ++pos;
  }
  if (pos == start || (pos - start > 1 && text[start] == '0') || value > Max) return std::nullopt;
  return value;
}

inline constexpr std::string_view hex_digits = "0123456789abcdef";
// Pieces of generated component names ("udp_service<echo, 7>").
inline constexpr std::string_view comma = ", ";
inline constexpr std::string_view close = ">";

constexpr void write_hex_byte(text_writer& w, std::uint8_t b) { w << hex_digits[b >> 4] << hex_digits[b & 0xf]; }

}  // namespace strata::net::detail
