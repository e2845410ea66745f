// Byte access helpers, error names, the result type.
#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string_view>

#include <strata/net/bytes.hpp>
#include <strata/net/error.hpp>

#include "hex.hpp"

namespace {

using namespace strata::net;
using test::hex;

constexpr auto sample = hex<"01 02 03 04 ff fe">();
static_assert(load_u8(sample, 4) == 0xff);
static_assert(load_be16(sample, 0) == 0x0102);
static_assert(load_be16(sample, 4) == 0xfffe);
static_assert(load_be32(sample, 0) == 0x01020304);
static_assert(load_be32(sample, 2) == 0x0304fffe);
static_assert([] {
  std::array<std::byte, 6> b{};
  store_be16(b, 0, 0xabcd);
  store_be32(b, 2, 0x01020304);
  return load_be16(b, 0) == 0xabcd && load_be32(b, 2) == 0x01020304 && b[0] == std::byte{0xab} &&
         b[5] == std::byte{0x04};
}());

// Every reason has a distinct name, spelled as the enumerator.
static_assert(name(parse_error::truncated) == "truncated");
static_assert(name(parse_error::bad_version) == "bad_version");
static_assert(name(parse_error::bad_header_length) == "bad_header_length");
static_assert(name(parse_error::bad_total_length) == "bad_total_length");
static_assert(name(parse_error::bad_checksum) == "bad_checksum");
static_assert(name(parse_error::unsupported) == "unsupported");
static_assert(name(emit_error::buffer_too_small) == "buffer_too_small");
static_assert(name(emit_error::field_out_of_range) == "field_out_of_range");

// result: a value or an error, usable in constant expressions.
constexpr result<int> ok{42};
constexpr result<int> failed{parse_error::bad_checksum};
static_assert(ok && *ok == 42 && ok.has_value());
static_assert(!failed && failed.error() == parse_error::bad_checksum && failed.failed_with(parse_error::bad_checksum));
static_assert(!ok.failed_with(parse_error::bad_checksum));
constexpr result<std::size_t, emit_error> written{std::size_t{14}};
static_assert(*written == 14);

TEST_CASE("parse_error names are distinct, non-empty, and cover every reason") {
  std::set<std::string_view> names;
  for (auto e : all_parse_errors) {
    CHECK_FALSE(name(e).empty());
    names.insert(name(e));
  }
  CHECK(names.size() == parse_error_count);
  // NOLINTNEXTLINE(clang-analyzer-optin.core.EnumCastOutOfRange): a value off the list, on purpose
  CHECK(name(parse_error{200}) == "unknown");
}

TEST_CASE("copy_bytes leaves a payload that is already in place alone and copies otherwise") {
  std::array<std::byte, 8> buf{};
  std::array<std::byte, 3> const src{std::byte{1}, std::byte{2}, std::byte{3}};
  detail::copy_bytes(std::span{buf}.subspan(2), src);
  CHECK(load_be32(buf, 1) == 0x00010203);
  detail::copy_bytes(std::span{buf}.subspan(2), std::span<std::byte const>{buf}.subspan(2, 3));
  CHECK(load_be32(buf, 1) == 0x00010203);
  CHECK(detail::equal_bytes(std::span<std::byte const>{buf}.subspan(2, 3), src));
  CHECK_FALSE(detail::equal_bytes(std::span<std::byte const>{buf}.subspan(2, 2), src));
}

}  // namespace
