// UDP over IPv4: lengths, the pseudo-header checksum, round trips.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <string_view>

#include <strata/net/ipv4/wire.hpp>
#include <strata/net/udp/wire.hpp>

#include "captures.hpp"
#include "hex.hpp"
#include "test_support.hpp"

namespace {

using namespace strata::net;
using namespace strata::net::literals;
using namespace strata::net::test;
namespace cap = captures;

constexpr auto client = "10.0.0.1"_ipv4, server = "10.0.0.2"_ipv4;

constexpr ipv4_view ip_of(std::span<std::byte const> frame) { return *ipv4_view::parse(frame.subspan(14)); }

// dig's query: 35997 > 53, 52 bytes of DNS, checksum 0x64e0.
constexpr auto dns = udp_view::parse(ip_of(cap::dig_query));
static_assert(dns && dns->source_port() == 35997 && dns->destination_port() == 53);
static_assert(dns->length() == 60 && dns->checksum() == 0x64e0 && dns->payload().size() == 52);
static_assert(load_be16(dns->payload(), 0) == 0xb2d8 && load_be16(dns->payload(), 4) == 1);  // DNS id, QDCOUNT 1

// nc's datagram: "hello strata\n".
constexpr auto nc = udp_view::parse(ip_of(cap::nc_datagram).payload(), client, server);
static_assert(nc && nc->source_port() == 54253 && nc->destination_port() == 9999 && nc->length() == 21);
static_assert([] {
  std::string_view const text = "hello strata\n";
  return std::ranges::equal(nc->payload(), text, [](std::byte b, char c) { return std::to_integer<char>(b) == c; });
}());

// The checksum covers the pseudo-header: other addresses, other sum.
static_assert(udp_view::parse(ip_of(cap::dig_query).payload(), client, "10.0.0.3"_ipv4)
                  .failed_with(parse_error::bad_checksum));
static_assert(udp_view::parse(ip_of(cap::dig_query).payload(), server, client));  // the sum is symmetric

// Round trips reproduce the captured datagrams, checksum included.
template <std::size_t N>
constexpr bool round_trips(std::array<std::byte, N> const& frame) {
  auto const ip = ip_of(frame);
  auto const v = udp_view::parse(ip);
  auto const r = udp_repr::parse(*v);
  std::array<std::byte, 100> out{};
  auto const n = r->emit(out, ip.source(), ip.destination());
  if (!n || *n != v->length()) return false;
  for (std::size_t i = 0; i < *n; ++i)
    if (out[i] != v->bytes()[i]) return false;
  return true;
}
static_assert(round_trips(cap::dig_query) && round_trips(cap::nc_datagram));

// Datagrams with a given checksum field and payload, built at compile time.
template <strata::fixed_string S>
constexpr auto datagram() {
  return hex<S>();
}
// Checksum 0: the sender computed none; accepted as is.
static_assert(udp_view::parse(datagram<"d3ed 270f 000a 0000 6869">(), client, server));
static_assert(udp_view::parse(datagram<"d3ed 270f 000a 1234 6869">(), client, server).failed_with(parse_error::bad_checksum));
static_assert(udp_view::parse(datagram<"d3ed 270f 000a 1234 6869">(), client, server, checksum_policy::skip));
// Lengths.
static_assert(udp_view::parse(datagram<"d3ed 270f 0008 00">(), client, server).failed_with(parse_error::truncated));
static_assert(udp_view::parse(datagram<"d3ed 270f 0007 0000">(), client, server).failed_with(parse_error::bad_total_length));
static_assert(udp_view::parse(datagram<"d3ed 270f 0000 0000">(), client, server).failed_with(parse_error::bad_total_length));
static_assert(udp_view::parse(datagram<"d3ed 270f 000b 0000 6869">(), client, server).failed_with(parse_error::truncated));
static_assert(udp_view::parse(datagram<"d3ed 270f 0008 0000">(), client, server)->payload().empty());
// IPv4 payload beyond the UDP length is not part of the datagram.
static_assert(udp_view::parse(datagram<"d3ed 270f 0009 0000 686900">(), client, server)->payload().size() == 1);
static_assert(udp_view::parse(datagram<"d3ed 270f 0009 0000 686900">(), client, server)->bytes().size() == 9);

// A computed checksum of 0 goes out as 0xffff: a payload word chosen so the
// sum comes to 0xffff.
static_assert([] {
  std::array<std::byte, 10> out{};
  std::array<std::byte, 2> payload{};
  udp_repr r{.source_port = 1234, .destination_port = 5678, .payload = payload};
  (void)r.emit(out, client, server);
  store_be16(out, udp_layout::checksum, 0);
  std::uint16_t const sum = ones_complement_sum(std::span<std::byte const>{out},
                                                ipv4_pseudo_header_sum(client, server, ip_protocol::udp, 10));
  store_be16(payload, 0, static_cast<std::uint16_t>(0xffff - sum));
  auto const n = r.emit(out, client, server);
  auto const v = udp_view::parse(out, client, server);
  return n && v && v->checksum() == 0xffff && internet_checksum(out, ipv4_pseudo_header_sum(client, server, ip_protocol::udp, 10)) == 0;
}());

static_assert([] {
  std::array<std::byte, 20> out{};
  return udp_repr::parse(*nc)->emit(out, client, server).failed_with(emit_error::buffer_too_small);
}());

TEST_CASE("a payload over 65527 bytes cannot be sent, and one already in place is not copied") {
  static std::array<std::byte, 70000> buffer{};
  udp_repr const big{.source_port = 1, .destination_port = 2, .payload = std::span{buffer}.subspan(8, 65535 - 8 + 1)};
  CHECK(big.emit(buffer, client, server).failed_with(emit_error::field_out_of_range));
  buffer[8] = std::byte{0x42};
  udp_repr const in_place{.source_port = 1, .destination_port = 2, .payload = std::span{buffer}.subspan(8, 65535 - 8)};
  auto const n = in_place.emit(buffer, client, server);
  REQUIRE(n);
  CHECK(*n == 65535);
  auto const v = udp_view::parse(std::span<std::byte const>{buffer}, client, server);
  REQUIRE(v);
  CHECK(v->payload()[0] == std::byte{0x42});
}

TEST_CASE("a mutable view rewrites ports in place and refills the checksum") {
  auto frame = cap::nc_datagram;
  auto const ip = mutable_ipv4_view::parse(std::span{frame}.subspan(14));
  REQUIRE(ip);
  auto const udp = mutable_udp_view::parse(*ip);
  REQUIRE(udp);
  udp->set_source_port(9999);
  udp->set_destination_port(54253);
  udp->payload()[0] = std::byte{'H'};
  CHECK(udp_view::parse(ip->payload(), client, server).failed_with(parse_error::bad_checksum));
  udp->fill_checksum(server, client);
  auto const again = udp_view::parse(ip->payload(), server, client);
  REQUIRE(again);
  CHECK(again->source_port() == 9999);
  CHECK(describe(*udp_repr::parse(*again)) == "udp 9999 > 54253 len 13");
}

}  // namespace
