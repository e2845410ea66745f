// IPv4 addresses and interface addresses (address + prefix length) as value
// types, with constexpr parsing of dotted-quad text and literals that are
// checked by the compiler:
//   using namespace strata::net::literals;
//   constexpr auto gateway = "10.0.0.1"_ipv4;
//   constexpr auto self = "10.0.0.2/24"_ipv4_interface;
//   "10.0.0.256"_ipv4   // does not compile
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <strata/core/text.hpp>
#include <strata/net/bytes.hpp>
#include <strata/net/detail/text.hpp>

namespace strata::net {

struct ipv4_address {
  std::array<std::uint8_t, 4> octets{};

  static constexpr std::size_t size = 4;

  static constexpr ipv4_address from_u32(std::uint32_t v) {
    return {{std::uint8_t(v >> 24), std::uint8_t(v >> 16), std::uint8_t(v >> 8), std::uint8_t(v)}};
  }
  constexpr std::uint32_t to_u32() const {
    return (std::uint32_t{octets[0]} << 24) | (std::uint32_t{octets[1]} << 16) | (std::uint32_t{octets[2]} << 8) |
           octets[3];
  }

  static constexpr ipv4_address any() { return {}; }
  static constexpr ipv4_address broadcast() { return {{255, 255, 255, 255}}; }

  constexpr bool is_unspecified() const { return to_u32() == 0; }
  constexpr bool is_broadcast() const { return to_u32() == 0xffffffffU; }  // limited broadcast only
  constexpr bool is_multicast() const { return (octets[0] & 0xf0) == 224; }
  constexpr bool is_loopback() const { return octets[0] == 127; }
  constexpr bool is_link_local() const { return octets[0] == 169 && octets[1] == 254; }

  static constexpr ipv4_address load(std::span<std::byte const> bytes, std::size_t at) {
    return from_u32(load_be32(bytes, at));
  }
  constexpr void store(std::span<std::byte> bytes, std::size_t at) const { store_be32(bytes, at, to_u32()); }

  // "10.0.0.2"
  constexpr void describe_to(text_writer& w) const {
    w << octets[0] << '.' << octets[1] << '.' << octets[2] << '.' << octets[3];
  }

  friend constexpr bool operator==(ipv4_address const&, ipv4_address const&) = default;
  friend constexpr auto operator<=>(ipv4_address const&, ipv4_address const&) = default;
};

// An address on an interface and the length of its network prefix:
// 10.0.0.2/24. Plain data; prefix lengths above 32 act as 32.
struct ipv4_interface {
  ipv4_address address{};
  std::uint8_t prefix_len = 32;

  constexpr ipv4_address netmask() const {
    std::uint32_t const len = prefix_len > 32 ? 32 : prefix_len;
    // Two shifts, as a single shift by 32 would be undefined.
    return ipv4_address::from_u32(len == 0 ? 0 : ~std::uint32_t{0} << (32 - len));
  }
  constexpr ipv4_address network() const { return ipv4_address::from_u32(address.to_u32() & netmask().to_u32()); }
  // The directed broadcast address of the network (10.0.0.255 for /24).
  constexpr ipv4_address broadcast() const {
    return ipv4_address::from_u32(address.to_u32() | ~netmask().to_u32());
  }
  // Whether `a` is on this interface's network (reachable without a router).
  constexpr bool contains(ipv4_address a) const {
    return (a.to_u32() & netmask().to_u32()) == network().to_u32();
  }

  // "10.0.0.2/24"
  constexpr void describe_to(text_writer& w) const {
    address.describe_to(w);
    w << '/' << prefix_len;
  }

  friend constexpr bool operator==(ipv4_interface const&, ipv4_interface const&) = default;
};

namespace detail {

constexpr std::optional<ipv4_address> parse_dotted_quad(std::string_view text, std::size_t& pos) {
  ipv4_address a;
  for (std::size_t i = 0; i < 4; ++i) {
    if (i != 0) {
      if (pos >= text.size() || text[pos] != '.') return std::nullopt;
      ++pos;
    }
    auto const octet = parse_decimal<3, 255>(text, pos);
    if (!octet) return std::nullopt;
    a.octets[i] = static_cast<std::uint8_t>(*octet);
  }
  return a;
}

}  // namespace detail

// Exactly four decimal octets 0..255 separated by dots, no leading zeros, no
// spaces: "10.0.0.2". The short and octal forms inet_aton also takes
// ("10.2", "010.0.0.2") are refused.
constexpr std::optional<ipv4_address> parse_ipv4_address(std::string_view text) {
  std::size_t pos = 0;
  auto const a = detail::parse_dotted_quad(text, pos);
  if (!a || pos != text.size()) return std::nullopt;
  return a;
}

// An address, '/', and a prefix length 0..32: "10.0.0.2/24".
constexpr std::optional<ipv4_interface> parse_ipv4_interface(std::string_view text) {
  std::size_t pos = 0;
  auto const a = detail::parse_dotted_quad(text, pos);
  if (!a || pos >= text.size() || text[pos] != '/') return std::nullopt;
  ++pos;
  auto const prefix = detail::parse_decimal<2, 32>(text, pos);
  if (!prefix || pos != text.size()) return std::nullopt;
  return ipv4_interface{.address = *a, .prefix_len = static_cast<std::uint8_t>(*prefix)};
}

namespace detail {
// Deliberately not constexpr: a malformed literal reaches this call during
// constant evaluation, and the compiler's error names the function.
inline void ipv4_address_literal_is_malformed_expected_like_10_0_0_2() {}
inline void ipv4_interface_literal_is_malformed_expected_like_10_0_0_2_slash_24() {}
}  // namespace detail

namespace literals {

// "10.0.0.2"_ipv4: checked at compile time (consteval), a bad one is an error.
consteval ipv4_address operator""_ipv4(char const* text, std::size_t length) {
  auto const a = parse_ipv4_address({text, length});
  if (!a) detail::ipv4_address_literal_is_malformed_expected_like_10_0_0_2();
  return *a;  // NOLINT(bugprone-unchecked-optional-access): empty stops compilation on the line above
}

// "10.0.0.2/24"_ipv4_interface
consteval ipv4_interface operator""_ipv4_interface(char const* text, std::size_t length) {
  auto const i = parse_ipv4_interface({text, length});
  if (!i) detail::ipv4_interface_literal_is_malformed_expected_like_10_0_0_2_slash_24();
  return *i;  // NOLINT(bugprone-unchecked-optional-access): empty stops compilation on the line above
}

}  // namespace literals
}  // namespace strata::net
