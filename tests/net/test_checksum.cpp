// The Internet checksum: known values, Highway against the scalar reference,
// and the RFC 1624 incremental update against recomputation.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include <strata/net/checksum.hpp>
#include <strata/net/ipv4/wire.hpp>

#include "captures.hpp"
#include "hex.hpp"
#include "test_support.hpp"

namespace {

using namespace strata::net;
using test::hex;
namespace cap = test::captures;

// RFC 1071 section 3, the numerical example: sum 0xddf2.
constexpr auto rfc1071 = hex<"00 01 f2 03 f4 f5 f6 f7">();
static_assert(ones_complement_sum(rfc1071) == 0xddf2);
static_assert(internet_checksum(rfc1071) == 0x220d);
// An odd last byte is the high byte of a word padded with zero.
static_assert(ones_complement_sum(hex<"01">()) == 0x0100);
static_assert(ones_complement_sum(hex<"00 01 f2">()) == 0xf201);
// Zero only for all-zero data; otherwise the sum lies in 1..0xffff.
static_assert(ones_complement_sum(std::span<std::byte const>{}) == 0);
static_assert(ones_complement_sum(hex<"00 00 00">()) == 0);
static_assert(ones_complement_sum(hex<"ff ff ff ff">()) == 0xffff);
static_assert(ones_complement_sum(hex<"ff ff 00 01">()) == 0x0001);
static_assert(ones_complement_sum(hex<"00 01">(), 0xffff) == 0x0001);  // end-around carry
// A captured IPv4 header verifies: its sum, checksum included, is 0xffff.
static_assert(ones_complement_sum(std::span{cap::ping_request}.subspan(14, 20)) == 0xffff);
// RFC 1624 section 4: eqn 3 gives 0x0000 where eqn 2 would give 0xffff.
static_assert(checksum_update(0xdd2f, 0x5555, 0x3285) == 0x0000);
static_assert(ones_complement_add(0xffff, 0x0001) == 0x0001 && ones_complement_add(0, 0) == 0);

// Every length 0..max_exhaustive, then random lengths up to 70000, each at
// all 64 alignments of the start, against the reference; random initial sums.
TEST_CASE("Highway sum equals the scalar reference for all lengths and alignments") {
  auto rng = test::reproducible_rng(20250101);
  std::vector<std::byte> buffer(70000 + 64);
  for (auto& b : buffer) b = std::byte(rng());
  auto check = [&](std::size_t length) {
    for (std::size_t align = 0; align < 64; ++align) {
      std::span<std::byte const> const data{buffer.data() + align, length};
      // Half the time from zero, half from a random earlier sum.
      auto const initial = align % 2 ? static_cast<std::uint16_t>(rng()) : std::uint16_t{0};
      REQUIRE(ones_complement_sum(data, initial) == ones_complement_sum_reference(data, initial));
    }
  };
  constexpr std::size_t max_exhaustive = 600;
  for (std::size_t length = 0; length <= max_exhaustive; ++length) check(length);
  for (std::size_t length : {1499U, 1500U, 1501U, 4096U, 9000U, 65535U, 65536U, 65537U, 70000U}) check(length);
  // Sized for an unoptimized ASan build (seconds); the fuzzer covers more.
  std::uniform_int_distribution<std::size_t> any_length{0, 70000};
  for (int i = 0; i < 40; ++i) check(any_length(rng));
}

TEST_CASE("Highway sum of all-0xff and all-zero data, odd and even lengths") {
  std::vector<std::byte> const ones(70000 + 64, std::byte{0xff});
  std::vector<std::byte> const zeros(70000 + 64, std::byte{0});
  for (std::size_t length : {0U, 1U, 2U, 3U, 31U, 32U, 33U, 63U, 64U, 65U, 127U, 128U, 129U, 1500U, 65535U, 70000U}) {
    for (std::size_t align = 0; align < 64; ++align) {
      std::span<std::byte const> const o{ones.data() + align, length};
      std::span<std::byte const> const z{zeros.data() + align, length};
      CAPTURE(length);
      CAPTURE(align);
      CHECK(ones_complement_sum(o) == ones_complement_sum_reference(o));
      CHECK(ones_complement_sum(o) == (length == 0 ? 0 : length == 1 ? 0xff00 : length % 2 ? 0xff00 : 0xffff));
      CHECK(ones_complement_sum(z) == 0);
      CHECK(ones_complement_sum(z, 0xffff) == 0xffff);
    }
  }
}

std::uint16_t recompute(std::span<std::byte const> data) { return internet_checksum(data); }

TEST_CASE("RFC 1624 update equals recomputation after 16- and 32-bit changes") {
  auto rng = test::reproducible_rng(1624);
  // Where the new data is all zero, RFC 1624 gives 0x0000 and recomputation
  // 0xffff, the two encodings of zero; everywhere else they must agree.
  for (int round = 0; round < 20000; ++round) {
    std::array<std::byte, 40> data{};
    std::size_t const words = 2 + rng() % 19;  // 4..40 bytes
    for (std::size_t i = 0; i < words * 2; ++i) data[i] = std::byte(rng());
    // Sparse data as well, so sums near 0 and 0xffff come up.
    if (round % 3 == 0)
      for (std::size_t i = 0; i < words * 2; ++i)
        if (rng() % 4 != 0) data[i] = std::byte{0};
    std::span<std::byte> const d{data.data(), words * 2};
    std::uint16_t const before = recompute(d);

    std::size_t const at = 2 * (rng() % (words - 1));
    std::uint32_t const old32 = load_be32(d, at);
    std::uint32_t const new32 = round % 5 == 0 ? 0 : static_cast<std::uint32_t>(rng());
    std::uint16_t const old16 = load_be16(d, at);
    auto const new16 = static_cast<std::uint16_t>(new32 >> 16);

    store_be16(d, at, new16);
    bool const all_zero16 = std::ranges::all_of(d, [](std::byte b) { return b == std::byte{0}; });
    std::uint16_t const after16 = checksum_update(before, old16, new16);
    if (all_zero16)
      CHECK(after16 == 0x0000);  // recomputation says 0xffff: the other zero
    else
      REQUIRE(after16 == recompute(d));

    store_be32(d, at, old32);
    store_be32(d, at, new32);
    bool const all_zero32 = std::ranges::all_of(d, [](std::byte b) { return b == std::byte{0}; });
    std::uint16_t const after32 = checksum_update32(before, old32, new32);
    if (!all_zero32) REQUIRE(after32 == recompute(d));
  }
}

TEST_CASE("an IPv4 header rewritten in place with RFC 1624 updates still verifies") {
  auto frame = cap::ping_request;
  auto ip = mutable_ipv4_view::parse(std::span{frame}.subspan(14));
  REQUIRE(ip);
  std::uint16_t sum = ip->checksum();
  // Decrement the TTL (the word it shares with the protocol) and NAT the source.
  std::uint16_t const old_word = load_be16(ip->header(), ipv4_layout::ttl);
  ip->set_ttl(static_cast<std::uint8_t>(ip->ttl() - 1));
  sum = checksum_update(sum, old_word, load_be16(ip->header(), ipv4_layout::ttl));
  auto const old_source = ip->source();
  ip->set_source(ipv4_address{{192, 168, 77, 9}});
  sum = checksum_update32(sum, old_source.to_u32(), ip->source().to_u32());
  ip->set_checksum(sum);
  auto const again = ipv4_view::parse(std::span<std::byte const>{frame}.subspan(14));
  REQUIRE(again);
  CHECK(again->ttl() == 63);
  ip->fill_checksum();
  CHECK(ip->checksum() == sum);
}

TEST_CASE("internet_checksum continues from an initial sum over even pieces") {
  auto rng = test::reproducible_rng(7);
  std::vector<std::byte> data(3001);
  for (auto& b : data) b = std::byte(rng());
  std::span<std::byte const> const all{data};
  for (std::size_t split = 0; split <= data.size(); split += 2) {
    std::uint16_t const first = ones_complement_sum(all.first(split));
    REQUIRE(ones_complement_sum(all.subspan(split), first) == ones_complement_sum(all));
  }
}

}  // namespace
