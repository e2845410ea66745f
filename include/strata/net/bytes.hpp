// Big-endian field access for wire formats. Fields are read and written one
// byte at a time: no alignment, aliasing or host byte-order assumption, no
// reinterpret_cast, and the same code runs in constant evaluation, so packet
// tests can be static_asserts. Callers (the packet views) check the bounds
// once, when the view is made; these helpers index the span directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

namespace strata::net {

constexpr std::uint8_t load_u8(std::span<std::byte const> bytes, std::size_t at) {
  return std::to_integer<std::uint8_t>(bytes[at]);
}

constexpr std::uint16_t load_be16(std::span<std::byte const> bytes, std::size_t at) {
  return static_cast<std::uint16_t>((load_u8(bytes, at) << 8) | load_u8(bytes, at + 1));
}

constexpr std::uint32_t load_be32(std::span<std::byte const> bytes, std::size_t at) {
  return (std::uint32_t{load_be16(bytes, at)} << 16) | load_be16(bytes, at + 2);
}

constexpr void store_u8(std::span<std::byte> bytes, std::size_t at, std::uint8_t value) {
  bytes[at] = std::byte{value};
}

constexpr void store_be16(std::span<std::byte> bytes, std::size_t at, std::uint16_t value) {
  bytes[at] = std::byte(value >> 8);
  bytes[at + 1] = std::byte(value & 0xff);
}

constexpr void store_be32(std::span<std::byte> bytes, std::size_t at, std::uint32_t value) {
  store_be16(bytes, at, static_cast<std::uint16_t>(value >> 16));
  store_be16(bytes, at + 2, static_cast<std::uint16_t>(value & 0xffff));
}

namespace detail {

// Copies src to the start of dst (dst.size() >= src.size(), checked by the
// caller). A payload already in place, as when an application wrote it into
// the transmit buffer behind the header, is not copied onto itself; other
// overlaps are the caller's mistake (emit documents it).
// At run time this is memcpy: a byte loop cost 5 instructions a byte, most of
// a UDP echo's (bench/udp_echo).
constexpr void copy_bytes(std::span<std::byte> dst, std::span<std::byte const> src) {
  if (src.empty() || src.data() == dst.data()) return;
  if (std::is_constant_evaluated()) {
    for (std::size_t i = 0; i < src.size(); ++i) dst[i] = src[i];
  } else {
    __builtin_memcpy(dst.data(), src.data(), src.size());
  }
}

constexpr bool equal_bytes(std::span<std::byte const> a, std::span<std::byte const> b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return false;
  return true;
}

}  // namespace detail
}  // namespace strata::net
