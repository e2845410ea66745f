// The Internet checksum (RFC 1071): the one's complement of the one's-
// complement sum of the data as big-endian 16-bit words, an odd last byte
// padded with a zero. Two implementations with identical results:
//   ones_complement_sum_reference  plain loop, constexpr: the definition
//   ones_complement_sum            the same in constant evaluation; at run time
//                                  Highway SIMD, static dispatch (AVX2 in the
//                                  image, see docs/net-wire.md)
// and the incremental update of RFC 1624 for a header field that changes.
//
// Freestanding: no library calls beyond memcpy (Highway's static dispatch
// needs no runtime library), so the image can use it.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include <hwy/highway.h>

#include <strata/net/bytes.hpp>
#include <strata/net/detail/checksum-inl.hpp>

namespace strata::net {

// Whether a parser verifies a checksum. `skip` is for a device that verified
// it already (virtio-net's VIRTIO_NET_HDR_F_DATA_VALID) and for fuzzers, which
// cannot forge checksums and would otherwise never reach the code behind them.
enum class checksum_policy : bool { verify, skip };

namespace detail {

// End-around carry down to 16 bits; a nonzero sum stays nonzero.
constexpr std::uint16_t fold(std::uint64_t sum) {
  while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}

constexpr std::uint16_t byte_swap16(std::uint16_t v) { return static_cast<std::uint16_t>((v << 8) | (v >> 8)); }

}  // namespace detail

// a +' b, one's-complement addition.
constexpr std::uint16_t ones_complement_add(std::uint16_t a, std::uint16_t b) {
  return detail::fold(std::uint32_t{a} + b);
}

// The one's-complement sum of `data` (big-endian words), continuing from
// `initial` (the sum of what came before, e.g. a pseudo-header). Pieces summed
// one after the other must all have even length except the last, or the bytes
// after an odd piece would pair up differently. The result is 0 only when
// `initial` and all bytes are zero; otherwise it is in 1..0xffff.
constexpr std::uint16_t ones_complement_sum_reference(std::span<std::byte const> data,
                                                      std::uint16_t initial = 0) {
  std::uint64_t sum = initial;  // 2^48 words before it could overflow
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) sum += load_be16(data, i);
  if (i < data.size()) sum += std::uint64_t{load_u8(data, i)} << 8;
  return detail::fold(sum);
}

// The same value as ones_complement_sum_reference, bit for bit (the property
// tests compare them over all lengths, alignments and every SIMD target).
constexpr std::uint16_t ones_complement_sum(std::span<std::byte const> data, std::uint16_t initial = 0) {
  if (std::is_constant_evaluated()) return ones_complement_sum_reference(data, initial);
  // std::byte and uint8_t may alias each other; Highway loads uint8_t lanes.
  auto const* bytes = reinterpret_cast<std::uint8_t const*>(data.data());  // NOLINT(*-reinterpret-cast): see above
  std::uint16_t sum = detail::HWY_NAMESPACE::native_word_sum(bytes, data.size());
  // The kernel summed native-endian words; the sum of big-endian words is the
  // same number byte-swapped (RFC 1071 2(B)), and swapping keeps 0 and 0xffff.
  if constexpr (std::endian::native == std::endian::little) sum = detail::byte_swap16(sum);
  return ones_complement_add(sum, initial);
}

// The checksum field value: ~sum. A packet verifies when the sum over it,
// checksum field included, is 0xffff, i.e. internet_checksum(...) == 0.
constexpr std::uint16_t internet_checksum(std::span<std::byte const> data, std::uint16_t initial = 0) {
  return static_cast<std::uint16_t>(~ones_complement_sum(data, initial));
}

// RFC 1624 equation 3: the new checksum after one 16-bit word of the covered
// data changes from old_word to new_word, HC' = ~(~HC + ~m + m'). It equals
// recomputing the checksum from scratch unless the data becomes all zeros
// (then recomputation gives 0xffff, this 0x0000: the two encodings of zero,
// RFC 1624 section 3); IPv4, ICMP and UDP headers are never all zero.
constexpr std::uint16_t checksum_update(std::uint16_t old_checksum, std::uint16_t old_word, std::uint16_t new_word) {
  std::uint32_t const sum = std::uint32_t{static_cast<std::uint16_t>(~old_checksum)} +
                            static_cast<std::uint16_t>(~old_word) + new_word;
  return static_cast<std::uint16_t>(~detail::fold(sum));
}

// The same for a 32-bit field (an IPv4 address): its two halves in turn.
constexpr std::uint16_t checksum_update32(std::uint16_t old_checksum, std::uint32_t old_value,
                                          std::uint32_t new_value) {
  auto const hi = [](std::uint32_t v) { return static_cast<std::uint16_t>(v >> 16); };
  auto const lo = [](std::uint32_t v) { return static_cast<std::uint16_t>(v & 0xffff); };
  return checksum_update(checksum_update(old_checksum, hi(old_value), hi(new_value)), lo(old_value),
                         lo(new_value));
}

}  // namespace strata::net
