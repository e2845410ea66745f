// A 48-bit IEEE 802 MAC address as a value type.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <strata/core/text.hpp>
#include <strata/net/bytes.hpp>
#include <strata/net/detail/text.hpp>

namespace strata::net {

struct mac_address {
  std::array<std::uint8_t, 6> octets{};

  static constexpr std::size_t size = 6;

  static constexpr mac_address broadcast() { return {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; }

  // The I/G bit, the least significant bit of the first octet on the wire.
  constexpr bool is_multicast() const { return (octets[0] & 0x01) != 0; }
  constexpr bool is_broadcast() const { return *this == broadcast(); }
  constexpr bool is_unicast() const { return !is_multicast(); }
  // The U/L bit: set in addresses made up locally (QEMU's 52:54:00:... is not).
  constexpr bool is_locally_administered() const { return (octets[0] & 0x02) != 0; }
  constexpr bool is_zero() const { return *this == mac_address{}; }

  // The six bytes at bytes[at..at+6); the caller has checked the bounds.
  static constexpr mac_address load(std::span<std::byte const> bytes, std::size_t at) {
    mac_address m;
    for (std::size_t i = 0; i < size; ++i) m.octets[i] = load_u8(bytes, at + i);
    return m;
  }
  constexpr void store(std::span<std::byte> bytes, std::size_t at) const {
    for (std::size_t i = 0; i < size; ++i) store_u8(bytes, at + i, octets[i]);
  }

  // "3a:96:78:21:ce:25"
  constexpr void describe_to(text_writer& w) const {
    for (std::size_t i = 0; i < size; ++i) {
      if (i != 0) w << ':';
      detail::write_hex_byte(w, octets[i]);
    }
  }

  friend constexpr bool operator==(mac_address const&, mac_address const&) = default;
  friend constexpr auto operator<=>(mac_address const&, mac_address const&) = default;
};

// Six two-digit hex octets separated by ':' (either case), nothing else.
constexpr std::optional<mac_address> parse_mac_address(std::string_view text) {
  if (text.size() != 17) return std::nullopt;
  mac_address m;
  for (std::size_t i = 0; i < mac_address::size; ++i) {
    std::size_t const at = i * 3;  // "hh:" per octet
    if (i != 0 && text[at - 1] != ':') return std::nullopt;
    int const hi = detail::hex_value(text[at]);
    int const lo = detail::hex_value(text[at + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    m.octets[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return m;
}

namespace detail {
// Deliberately not constexpr: a malformed literal reaches this call during
// constant evaluation, and the compiler's error names the function.
inline void mac_address_literal_is_malformed_expected_like_02_00_00_00_00_01() {}
}  // namespace detail

namespace literals {
// "52:54:00:12:34:56"_mac; a malformed literal does not compile.
consteval mac_address operator""_mac(char const* text, std::size_t length) {
  auto const m = parse_mac_address({text, length});
  if (!m) detail::mac_address_literal_is_malformed_expected_like_02_00_00_00_00_01();
  return *m;  // NOLINT(bugprone-unchecked-optional-access): empty stops compilation on the line above
}
}  // namespace literals

}  // namespace strata::net
