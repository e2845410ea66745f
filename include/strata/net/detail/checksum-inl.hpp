// The Highway kernel of the Internet checksum, compiled once per SIMD target.
// checksum.hpp includes it for the static target (what the compiler flags
// allow: AVX2 in the image); a test includes it through hwy/foreach_target.h
// to check every target the machine runs. Hence Highway's per-target include
// guard instead of #pragma once: the guard flips with HWY_TARGET_TOGGLE.
#if defined(STRATA_NET_DETAIL_CHECKSUM_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef STRATA_NET_DETAIL_CHECKSUM_INL_HPP_
#undef STRATA_NET_DETAIL_CHECKSUM_INL_HPP_
#else
#define STRATA_NET_DETAIL_CHECKSUM_INL_HPP_
#endif

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace strata::net::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// The kernel adds the data as native-endian 32-bit words into 64-bit lanes.
// That is enough for a one's-complement sum of big-endian 16-bit words:
// 2^16 = 1 (mod 0xffff), so a 32-bit word counts as the sum of its halves,
// and the sum is independent of byte order up to one final byte swap
// (RFC 1071, section 2(B)). Each step adds < 2^33 to a lane, so chunks of at
// most 1 GiB cannot overflow; the caller folds the chunks.
inline constexpr std::size_t checksum_chunk_bytes = std::size_t{1} << 30;

// Native-endian words of a short piece, a word at a time; fixed-size memcpy
// compiles to plain loads. A trailing odd byte is padded with a zero: it is
// the low byte of its native word on a little-endian machine, the high byte
// on a big-endian one.
inline std::uint64_t native_word_sum_short(std::uint8_t const* data, std::size_t size) {
  std::uint64_t sum = 0;
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t v = 0;
    std::memcpy(&v, data + i, 8);
    sum += (v & 0xffffffffU) + (v >> 32);
  }
  for (; i + 2 <= size; i += 2) {
    std::uint16_t v = 0;
    std::memcpy(&v, data + i, 2);
    sum += v;
  }
  if (i < size) sum += std::endian::native == std::endian::little ? data[i] : std::uint64_t{data[i]} << 8;
  return sum;
}

#if HWY_TARGET == HWY_SCALAR
// Highway's scalar target has one lane per vector whatever the lane type, so
// bytes cannot be reinterpreted as a wider lane; plain 8-byte loads instead.
inline std::uint64_t native_word_sum_chunk(std::uint8_t const* data, std::size_t size) {
  return native_word_sum_short(data, size);
}
#else
template <class D64, class V64>
HWY_INLINE V64 add_words(D64 d64, V64 sum, V64 words) {
  // Low and high 32-bit halves of each 64-bit lane, added as two numbers.
  return hn::Add(sum, hn::Add(hn::And(words, hn::Set(d64, 0xffffffffULL)), hn::ShiftRight<32>(words)));
}

inline std::uint64_t native_word_sum_chunk(std::uint8_t const* data, std::size_t size) {
  hn::ScalableTag<std::uint8_t> const d8;
  hn::Repartition<std::uint64_t, decltype(d8)> const d64;
  std::size_t const n = hn::Lanes(d8);
  // Shorter than a vector (an IPv4 header): scalar beats setting up vectors.
  if (size < n) return native_word_sum_short(data, size);
  // Four independent sums, so consecutive adds do not wait on each other.
  auto s0 = hn::Zero(d64);
  auto s1 = hn::Zero(d64);
  auto s2 = hn::Zero(d64);
  auto s3 = hn::Zero(d64);
  std::size_t i = 0;
  for (; i + 4 * n <= size; i += 4 * n) {
    s0 = add_words(d64, s0, hn::BitCast(d64, hn::LoadU(d8, data + i)));
    s1 = add_words(d64, s1, hn::BitCast(d64, hn::LoadU(d8, data + i + n)));
    s2 = add_words(d64, s2, hn::BitCast(d64, hn::LoadU(d8, data + i + 2 * n)));
    s3 = add_words(d64, s3, hn::BitCast(d64, hn::LoadU(d8, data + i + 3 * n)));
  }
  for (; i + n <= size; i += n) s0 = add_words(d64, s0, hn::BitCast(d64, hn::LoadU(d8, data + i)));
  std::uint64_t odd_byte = 0;
  if (i < size) {
    // The rest, fewer than n bytes: one vector that ends where the even part
    // of the data ends (so it starts at an even offset, keeping each byte's
    // place in its 16-bit word), with the bytes already summed zeroed. The
    // data is at least n + 1 bytes long here, so the load stays inside it.
    std::size_t const even_end = size & ~std::size_t{1};
    std::size_t const start = even_end - n;
    auto const last = hn::LoadU(d8, data + start);
    s1 = add_words(d64, s1, hn::BitCast(d64, hn::IfThenZeroElse(hn::FirstN(d8, i - start), last)));
    if (size != even_end) odd_byte = native_word_sum_short(data + even_end, 1);
  }
  auto const total = hn::Add(hn::Add(s0, s1), hn::Add(s2, s3));
  return hn::GetLane(hn::SumOfLanes(d64, total)) + odd_byte;
}
#endif

// Folds 64 bits to 16 with end-around carry. A nonzero value stays nonzero,
// which keeps the 0 / 0xffff distinction of the one's-complement sum exact.
inline std::uint64_t fold_to_16(std::uint64_t sum) {
  while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
  return sum;
}

// The one's-complement sum of the native-endian 16-bit words of the data
// (odd length: zero-padded), folded to 16 bits: 0 only for all-zero data.
inline std::uint16_t native_word_sum(std::uint8_t const* data, std::size_t size) {
  std::uint64_t sum = 0;
  while (size > checksum_chunk_bytes) {
    sum = fold_to_16(sum + fold_to_16(native_word_sum_chunk(data, checksum_chunk_bytes)));
    data += checksum_chunk_bytes;
    size -= checksum_chunk_bytes;
  }
  return static_cast<std::uint16_t>(fold_to_16(sum + fold_to_16(native_word_sum_chunk(data, size))));
}

}  // namespace strata::net::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
