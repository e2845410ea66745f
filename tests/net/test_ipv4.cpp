// IPv4 headers: fields, options, fragments, every rejection, round trips.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>

#include <strata/net/ipv4/wire.hpp>

#include "captures.hpp"
#include "hex.hpp"
#include "test_support.hpp"

namespace {

using namespace strata::net;
using namespace strata::net::literals;
using namespace strata::net::test;
namespace cap = captures;

constexpr std::span<std::byte const> ip_of(std::span<std::byte const> frame) { return frame.subspan(14); }

// ping's echo request: DF set, id 0x9ed4, TTL 64, ICMP, no options.
constexpr auto ping = ipv4_view::parse(ip_of(cap::ping_request));
static_assert(ping);
static_assert(ping->header_len() == 20 && ping->total_len() == 84 && ping->payload().size() == 64);
static_assert(ping->dscp() == 0 && ping->ecn() == 0 && ping->identification() == 0x2176);
static_assert(ping->dont_fragment() && !ping->more_fragments() && ping->fragment_offset() == 0 && !ping->is_fragment());
static_assert(!ping->reserved_flag() && ping->ttl() == 64 && ping->protocol() == ip_protocol::icmp);
static_assert(ping->checksum() == 0x0531);
static_assert(ping->source() == "10.0.0.1"_ipv4 && ping->destination() == "10.0.0.2"_ipv4);
static_assert(ping->options().empty() && ping->header().size() == 20);

// The ICMP error Linux sends has TOS 0xc0: DSCP CS6 (48), ECN 0.
static_assert(ipv4_view::parse(ip_of(cap::port_unreachable))->dscp() == 48);

// ping -R: IHL 15, 40 option bytes, starting NOP, record route (7), length 39.
constexpr auto rr = ipv4_view::parse(ip_of(cap::ping_record_route_request));
static_assert(rr && rr->header_len() == 60 && rr->options().size() == 40 && rr->payload().size() == 64);
static_assert(load_u8(rr->options(), 0) == 1 && load_u8(rr->options(), 1) == 7 && load_u8(rr->options(), 2) == 39);
static_assert(ipv4_address::load(rr->options(), 4) == "10.0.0.1"_ipv4);
// The reply's option (Linux drops the NOP) holds the route at offsets 3, 7, 11:
// 10.0.0.1, 10.0.0.2, 10.0.0.2.
constexpr auto rr_reply = ipv4_view::parse(ip_of(cap::ping_record_route_reply));
static_assert(rr_reply && ipv4_address::load(rr_reply->options(), 11) == "10.0.0.2"_ipv4);

// A datagram cut in two by a 68-byte MTU.
constexpr auto first = ipv4_view::parse(ip_of(cap::fragment_first));
constexpr auto last = ipv4_view::parse(ip_of(cap::fragment_last));
static_assert(first && first->more_fragments() && first->fragment_offset() == 0 && first->is_fragment());
static_assert(first->payload().size() == 48 && first->identification() == 0x21bc);
static_assert(last && !last->more_fragments() && last->fragment_offset() == 48 && last->is_fragment());
static_assert(last->payload().size() == 20 && last->identification() == 0x21bc);

// Ethernet padding behind the packet is not payload: the nc datagram in a
// frame padded to 60 bytes, as a NIC would send it.
constexpr auto padded_nc = [] {
  std::array<std::byte, 60> f{};
  std::ranges::copy(cap::nc_datagram, f.begin());
  return f;
}();
static_assert(ipv4_view::parse(ip_of(padded_nc))->total_len() == 41);
static_assert(ipv4_view::parse(ip_of(padded_nc))->payload().size() == 21);

// Every rejection, in the order the checks run.
template <std::size_t N>
constexpr auto edited(std::array<std::byte, N> frame, std::size_t at, std::uint8_t value) {
  frame[at] = std::byte{value};
  return frame;
}
constexpr std::size_t ip = 14;  // offset of the IPv4 header in a frame
static_assert(ipv4_view::parse(ip_of(cap::ping_request).first(19)).failed_with(parse_error::truncated));
static_assert(ipv4_view::parse(ip_of(edited(cap::ping_request, ip, 0x65))).failed_with(parse_error::bad_version));
static_assert(ipv4_view::parse(ip_of(edited(cap::ping_request, ip, 0x05))).failed_with(parse_error::bad_version));
static_assert(ipv4_view::parse(ip_of(edited(cap::ping_request, ip, 0x44))).failed_with(parse_error::bad_header_length));
static_assert(ipv4_view::parse(ip_of(edited(cap::ping_request, ip, 0x40))).failed_with(parse_error::bad_header_length));
// IHL 15 claims 60 header bytes; only 40 are there.
static_assert(ipv4_view::parse(ip_of(cap::ping_request).first(40)).failed_with(parse_error::truncated));
static_assert(ipv4_view::parse(ip_of(edited(cap::ping_request, ip, 0x4f)).first(59)).failed_with(parse_error::truncated));
// Total length 19, below the header; then 0x54 -> 0x55, one past the buffer.
static_assert(ipv4_view::parse(ip_of(edited(edited(cap::ping_request, ip + 2, 0), ip + 3, 19)))
                  .failed_with(parse_error::bad_total_length));
static_assert(ipv4_view::parse(ip_of(edited(cap::ping_record_route_request, ip + 3, 59)))
                  .failed_with(parse_error::bad_total_length));  // below IHL 15's 60 bytes
static_assert(ipv4_view::parse(ip_of(edited(cap::ping_request, ip + 3, 0x55))).failed_with(parse_error::truncated));
static_assert(ipv4_view::parse(ip_of(cap::ping_request).first(83)).failed_with(parse_error::truncated));
// A flipped bit anywhere in the header, the checksum field included.
static_assert([] {
  for (std::size_t at = 0; at < 20; ++at) {
    if (at < 4) continue;  // version, IHL, total length: rejected earlier for other reasons
    auto const f = edited(cap::ping_request, ip + at, std::uint8_t(std::to_integer<int>(cap::ping_request[ip + at]) ^ 0x10));
    if (!ipv4_view::parse(ip_of(f)).failed_with(parse_error::bad_checksum)) return false;
  }
  return true;
}());
// A flipped bit in the payload is not the IPv4 layer's business.
static_assert(ipv4_view::parse(ip_of(edited(cap::ping_request, 60, 0))));
// Skipping verification (the device checked it) accepts a bad checksum.
static_assert(ipv4_view::parse(ip_of(edited(cap::ping_request, ip + 10, 0)), checksum_policy::skip));

// One's complement has two zeros: a header whose other words sum to 0xffff
// verifies with checksum field 0x0000 and with 0xffff (found by fuzz_ipv4;
// corpus/ipv4/regression-checksum-0xffff.bin). Emit writes 0x0000, what
// computing ~sum gives.
constexpr auto two_zeros = hex<"45000028141b00064001ffff52b20a0100020a000001 28292a2b2c2d2e2f303234363931333537383a3b">();
static_assert(ipv4_view::parse(two_zeros));
static_assert(ipv4_view::parse(edited(edited(two_zeros, 10, 0), 11, 0)));
static_assert([] {
  std::array<std::byte, 40> out{};
  auto const r = *ipv4_repr::parse(*ipv4_view::parse(two_zeros));
  return r.emit(out) && load_be16(out, ipv4_layout::checksum) == 0x0000 && ipv4_view::parse(out);
}());

// Round trips: repr -> emit reproduces every captured header.
template <std::size_t N>
constexpr bool header_round_trips(std::array<std::byte, N> const& frame) {
  auto const v = ipv4_view::parse(ip_of(frame));
  if (!v) return false;
  auto const r = ipv4_repr::parse(*v);
  std::array<std::byte, 200> out{};
  auto const n = r->emit(out);
  if (!n || *n != v->header_len() || r->total_len() != v->total_len()) return false;
  for (std::size_t i = 0; i < *n; ++i)
    if (out[i] != v->bytes()[i]) return false;
  return true;
}
static_assert(header_round_trips(cap::ping_request) && header_round_trips(cap::ping_reply));
static_assert(header_round_trips(cap::dig_query) && header_round_trips(cap::port_unreachable));
static_assert(header_round_trips(cap::nc_datagram) && header_round_trips(cap::ping_record_route_request));
static_assert(header_round_trips(cap::ping_record_route_reply) && header_round_trips(cap::fragment_first));
static_assert(header_round_trips(cap::fragment_last));

// Emitting from values: the header Linux sent for the nc datagram.
constexpr ipv4_repr nc_header{.source = "10.0.0.1"_ipv4,
                              .destination = "10.0.0.2"_ipv4,
                              .protocol = ip_protocol::udp,
                              .ttl = 64,
                              .identification = 0x6e95,
                              .dont_fragment = true,
                              .payload_len = 21};
static_assert([] {
  std::array<std::byte, 41> out{};
  auto const n = nc_header.emit(out);
  return n && *n == 20 && same_bytes(std::span<std::byte const>{out}.first(20), slice<20>(cap::nc_datagram, 14));
}());

// Emit refuses what the wire cannot say, and a buffer short of total_len().
static_assert([] {
  std::array<std::byte, 100> out{};
  auto r = nc_header;
  bool ok = r.emit(std::span{out}.first(40)).failed_with(emit_error::buffer_too_small);
  constexpr std::array<std::byte, 44> options{};
  r.options = std::span{options}.first(3);
  ok = ok && r.emit(out).failed_with(emit_error::field_out_of_range);
  r.options = options;  // 44 > 40
  ok = ok && r.emit(out).failed_with(emit_error::field_out_of_range);
  r.options = std::span{options}.first(40);
  ok = ok && r.emit(out) && *r.emit(out) == 60;
  r.options = {};
  r.fragment_offset = 12;
  ok = ok && r.emit(out).failed_with(emit_error::field_out_of_range);
  r.fragment_offset = 65528;
  ok = ok && r.emit(out).has_value();
  r.fragment_offset = 0;
  r.dscp = 64;
  ok = ok && r.emit(out).failed_with(emit_error::field_out_of_range);
  r.dscp = 0;
  r.ecn = 4;
  ok = ok && r.emit(out).failed_with(emit_error::field_out_of_range);
  r.ecn = 0;
  r.payload_len = 65535 - 19;
  ok = ok && r.emit(out).failed_with(emit_error::field_out_of_range);
  r.payload_len = ~std::size_t{0} - 10;  // would wrap total_len()
  ok = ok && r.emit(out).failed_with(emit_error::field_out_of_range);
  return ok;
}());

// The pseudo-header sum of the DNS query (RFC 768): 10.0.0.1, 10.0.0.2, 17, 60.
static_assert(ipv4_pseudo_header_sum("10.0.0.1"_ipv4, "10.0.0.2"_ipv4, ip_protocol::udp, 60) ==
              0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 17 + 60);
static_assert(ipv4_pseudo_header_sum("255.255.255.255"_ipv4, "255.255.255.255"_ipv4, ip_protocol{255}, 0xffff) ==
              detail::fold(4 * 0xffffULL + 255 + 0xffff));

TEST_CASE("ipv4 repr emits options and payload room, and describes itself") {
  auto const r = *ipv4_repr::parse(*rr);
  std::array<std::byte, 124> out{};
  auto const n = r.emit(out);
  REQUIRE(n);
  CHECK(*n == 60);
  auto const again = ipv4_view::parse(out);
  REQUIRE(again);
  CHECK(*ipv4_repr::parse(*again) == r);
  CHECK(describe(r) == "ipv4 10.0.0.1 > 10.0.0.2 proto 1 ttl 64 id 8633 df options 40 len 64");
  CHECK(describe(*ipv4_repr::parse(*first)) == "ipv4 10.0.0.1 > 10.0.0.2 proto 1 ttl 64 id 8636 mf len 48");
  CHECK(describe(*ipv4_repr::parse(*last)) == "ipv4 10.0.0.1 > 10.0.0.2 proto 1 ttl 64 id 8636 offset 48 len 20");
}

TEST_CASE("a mutable view exposes payload and options for writing, and fixes its checksum") {
  auto frame = cap::ping_record_route_request;
  auto const v = mutable_ipv4_view::parse(std::span{frame}.subspan(14));
  REQUIRE(v);
  v->options()[3] = std::byte{12};  // the record-route pointer
  v->payload()[0] = std::byte{0};
  CHECK(ipv4_view::parse(std::span<std::byte const>{frame}.subspan(14)).failed_with(parse_error::bad_checksum));
  v->fill_checksum();
  CHECK(ipv4_view::parse(std::span<std::byte const>{frame}.subspan(14)));
  v->set_destination("10.9.9.9"_ipv4);
  v->set_identification(7);
  v->fill_checksum();
  auto const again = ipv4_view::parse(std::span<std::byte const>{frame}.subspan(14));
  REQUIRE(again);
  CHECK(again->destination() == "10.9.9.9"_ipv4);
  CHECK(again->identification() == 7);
}

}  // namespace
