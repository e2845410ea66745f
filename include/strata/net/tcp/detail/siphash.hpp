// SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit hash, fast on
// short inputs and designed against hash flooding. TCP uses it as the keyed
// function of RFC 6528 (initial sequence numbers), of SYN cookies (RFC 4987)
// and of ephemeral port selection (RFC 6056): an attacker who sees outputs
// cannot predict the next ones without the key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace strata::net::detail {

struct siphash_key {
  std::uint64_t k0 = 0;
  std::uint64_t k1 = 0;
};

constexpr std::uint64_t siphash_rotl(std::uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

// The reference algorithm: message words little-endian, the last word
// carrying the length in its top byte.
constexpr std::uint64_t siphash24(siphash_key key, std::span<std::byte const> message) {
  std::uint64_t v0 = 0x736f6d6570736575U ^ key.k0;
  std::uint64_t v1 = 0x646f72616e646f6dU ^ key.k1;
  std::uint64_t v2 = 0x6c7967656e657261U ^ key.k0;
  std::uint64_t v3 = 0x7465646279746573U ^ key.k1;
  auto const round = [&] {
    v0 += v1;
    v1 = siphash_rotl(v1, 13);
    v1 ^= v0;
    v0 = siphash_rotl(v0, 32);
    v2 += v3;
    v3 = siphash_rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = siphash_rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = siphash_rotl(v1, 17);
    v1 ^= v2;
    v2 = siphash_rotl(v2, 32);
  };
  auto const compress = [&](std::uint64_t m) {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  };
  std::size_t const n = message.size();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t m = 0;
    for (std::size_t b = 0; b < 8; ++b) m |= std::uint64_t{std::to_integer<std::uint8_t>(message[i + b])} << (8 * b);
    compress(m);
  }
  std::uint64_t last = std::uint64_t{n & 0xff} << 56;
  for (std::size_t b = 0; i + b < n; ++b) last |= std::uint64_t{std::to_integer<std::uint8_t>(message[i + b])} << (8 * b);
  compress(last);
  v2 ^= 0xff;
  round();
  round();
  round();
  round();
  return v0 ^ v1 ^ v2 ^ v3;
}

}  // namespace strata::net::detail
