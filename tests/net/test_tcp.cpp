// TCP segments: the captured handshake, data, teardown, reset and SACK,
// every rejection, the option walk, Linux's option layout, round trips.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <strata/net/ethernet/wire.hpp>
#include <strata/net/ipv4/wire.hpp>
#include <strata/net/tcp/wire.hpp>

#include "fuzz/roundtrip_tcp.hpp"
#include "hex.hpp"
#include "test_support.hpp"

namespace {

using namespace strata::net;
using namespace strata::net::literals;
using namespace strata::net::test;

// Real Linux TCP, made by tests/net/captures/capture-tcp.sh on Debian 12
// (kernel 6.18): the two network namespaces and veth pair of capture.sh
// (10.0.0.1, 92:e8:12:87:32:7b -> 10.0.0.2, 3a:96:78:21:ce:25, checksum
// offload off), tcpdump -w on the 10.0.0.1 side; bytes copied from
// tests/net/captures/linux-tcp.pcap (frame numbers as tcpdump -r counts them).
// Whole Ethernet frames; the TCP segment starts at byte 34.
namespace tcp_captures {

// #1: `echo "hello strata" | nc -N -p 40000 10.0.0.2 7777`: SYN, seq 3131102661, win 64240,
// options mss 1460, sackOK, TS val 4038762942 ecr 0, nop, wscale 10.
inline constexpr auto syn = hex<
    "3a967821ce2592e81287327b08004500003cbb9f400040066b1a0a0000010a00"
    "00029c401e61baa0d5c500000000a002faf05b880000020405b40402080af0ba"
    "a1be000000000103030a">();

// #2: the SYN-ACK of `nc -l -p 7777`: seq 2134181924, ack 3131102662, win 65160, the same options.
inline constexpr auto syn_ack = hex<
    "92e81287327b3a967821ce2508004500003c00004000400626ba0a0000020a00"
    "00011e619c407f350824baa0d5c6a012fe884f900000020405b40402080ae596"
    "9b5ef0baa1be0103030a">();

// #3: the handshake's ACK: win 63 (scaled by 2^10), nop, nop, TS.
inline constexpr auto ack = hex<
    "3a967821ce2592e81287327b080045000034bba0400040066b210a0000010a00"
    "00029c401e61baa0d5c67f3508258010003f7ca900000101080af0baa1bee596"
    "9b5e">();

// #4: PSH-ACK carrying "hello strata\n" (13 bytes).
inline constexpr auto data = hex<
    "3a967821ce2592e81287327b080045000041bba1400040066b130a0000010a00"
    "00029c401e61baa0d5c67f3508258018003fd46a00000101080af0baa1bee596"
    "9b5e68656c6c6f207374726174610a">();

// #5: the server's ACK of the data: ack 3131102675.
inline constexpr auto data_ack = hex<
    "92e81287327b3a967821ce25080045000034f0994000400636280a0000020a00"
    "00011e619c407f350825baa0d5d3801000407c9b00000101080ae5969b5ef0ba"
    "a1be">();

// #6: FIN-ACK from the client (nc -N shuts the socket down at end of input).
inline constexpr auto fin = hex<
    "3a967821ce2592e81287327b080045000034bba2400040066b1f0a0000010a00"
    "00029c401e61baa0d5d37f3508258011003f7c9b00000101080af0baa1bee596"
    "9b5e">();

// #7: the server's FIN-ACK: ack 3131102676.
inline constexpr auto fin_ack = hex<
    "92e81287327b3a967821ce25080045000034f09a4000400636270a0000020a00"
    "00011e619c407f350825baa0d5d4801100407c9900000101080ae5969b5ef0ba"
    "a1be">();

// #8: the client's last ACK.
inline constexpr auto last_ack = hex<
    "3a967821ce2592e81287327b080045000034bba3400040066b1e0a0000010a00"
    "00029c401e61baa0d5d47f3508268010003f7c9a00000101080af0baa1bee596"
    "9b5e">();

// #9: `nc -z -p 40001 10.0.0.2 7778`, a SYN to a closed port.
inline constexpr auto syn_closed = hex<
    "3a967821ce2592e81287327b08004500003cd4004000400652b90a0000010a00"
    "00029c411e624166256f00000000a002faf050d40000020405b40402080a3c3a"
    "8a82000000000103030a">();

// #10: the RST-ACK it draws: seq 0, ack 1097213296, win 0, no options.
inline constexpr auto rst_ack = hex<
    "92e81287327b3a967821ce2508004500002800004000400626ce0a0000020a00"
    "00011e629c410000000041662570501400007a540000">();

// #20: 40002 > 7779 over a 300-byte MTU with data segments dropped by
// nftables: the server's duplicate ACK, nop, nop, TS, nop, nop, SACK {2260713883-2260714131}.
inline constexpr auto sack_one = hex<
    "92e81287327b3a967821ce25080045000040678140004006bf340a0000020a00"
    "00011e639c42239dbfc586bfc0a3b01000406d5700000101080a344f844f13ac"
    "7ba70101050a86bfc19b86bfc293">();

// #21: the next duplicate ACK, two SACK blocks (data offset 13: 52 bytes).
inline constexpr auto sack_two = hex<
    "92e81287327b3a967821ce25080045000048678240004006bf2b0a0000020a00"
    "00011e639c42239dbfc586bfc0a3d0100040b7b800000101080a344f844f13ac"
    "7ba70101051286bfc38b86bfc48386bfc19b86bfc293">();

}  // namespace tcp_captures
namespace cap = tcp_captures;

constexpr auto client = "10.0.0.1"_ipv4, server = "10.0.0.2"_ipv4;

constexpr ipv4_view ip_of(std::span<std::byte const> frame) { return *ipv4_view::parse(frame.subspan(14)); }
constexpr tcp_view tcp_of(std::span<std::byte const> frame) { return *tcp_view::parse(ip_of(frame)); }
constexpr tcp_repr repr_of(std::span<std::byte const> frame) { return *tcp_repr::parse(tcp_of(frame)); }

// The IPv4 layer names the protocol.
static_assert(ip_of(cap::syn).protocol() == ip_protocol::tcp && std::uint8_t(ip_protocol::tcp) == 6);

// Flags: one bit each, byte 13 in and out.
static_assert(tcp_flags::from_byte(0x01) == tcp_flags{.fin = true});
static_assert(tcp_flags::from_byte(0x20) == tcp_flags{.urg = true});
static_assert(tcp_flags::from_byte(0x40) == tcp_flags{.ece = true});
static_assert(tcp_flags::from_byte(0x80) == tcp_flags{.cwr = true});
static_assert(tcp_flags::from_byte(0x12) == tcp_flags{.syn = true, .ack = true});
static_assert([] {
  for (unsigned b = 0; b < 256; ++b)
    if (tcp_flags::from_byte(static_cast<std::uint8_t>(b)).to_byte() != b) return false;
  return true;
}());

// The SYN: every field and option.
constexpr auto syn = tcp_view::parse(ip_of(cap::syn));
static_assert(syn && syn->source_port() == 40000 && syn->destination_port() == 7777);
static_assert(syn->seq_number() == 3131102661 && syn->ack_number() == 0 && syn->header_len() == 40);
static_assert(syn->flags() == tcp_flags{.syn = true} && syn->reserved() == 0);
static_assert(syn->window() == 64240 && syn->checksum() == 0x5b88 && syn->urgent_pointer() == 0);
static_assert(syn->options().size() == 20 && syn->payload().empty() && syn->bytes().size() == 40);
static_assert([] {
  auto const o = repr_of(cap::syn).options;
  return o.mss == 1460 && o.sack_permitted && o.window_scale == 10 &&
         o.timestamps == tcp_timestamps{.value = 4038762942, .echo_reply = 0} && o.sack_count == 0;
}());

// The SYN-ACK answers it.
static_assert([] {
  auto const r = repr_of(cap::syn_ack);
  return r.source_port == 7777 && r.destination_port == 40000 && r.seq_number == 2134181924 &&
         r.ack_number == 3131102662 && r.flags == tcp_flags{.syn = true, .ack = true} && r.window == 65160 &&
         r.options.mss == 1460 && r.options.sack_permitted && r.options.window_scale == 10 &&
         r.options.timestamps == tcp_timestamps{.value = 3851852638, .echo_reply = 4038762942} &&
         tcp_of(cap::syn_ack).checksum() == 0x4f90 && r.sequence_len() == 1;
}());

// After the handshake: NOP, NOP, timestamps only.
static_assert([] {
  auto const r = repr_of(cap::ack);
  return r.flags == tcp_flags{.ack = true} && r.seq_number == 3131102662 && r.ack_number == 2134181925 &&
         r.window == 63 && !r.options.mss && !r.options.window_scale && !r.options.sack_permitted &&
         r.options.timestamps == tcp_timestamps{.value = 4038762942, .echo_reply = 3851852638} &&
         tcp_of(cap::ack).header_len() == 32 && r.payload.empty() && r.sequence_len() == 0;
}());

// The data segment.
static_assert([] {
  auto const r = repr_of(cap::data);
  std::string_view const text = "hello strata\n";
  return r.flags == tcp_flags{.psh = true, .ack = true} && r.payload.size() == 13 && r.sequence_len() == 13 &&
         std::ranges::equal(r.payload, text, [](std::byte b, char c) { return std::to_integer<char>(b) == c; }) &&
         tcp_of(cap::data).checksum() == 0xd46a;
}());
static_assert(repr_of(cap::data_ack).ack_number == 3131102675 && tcp_of(cap::data_ack).checksum() == 0x7c9b);

// Teardown: each FIN takes one sequence number.
static_assert(repr_of(cap::fin).flags == tcp_flags{.fin = true, .ack = true} && repr_of(cap::fin).sequence_len() == 1);
static_assert(repr_of(cap::fin).seq_number == 3131102675);
static_assert(repr_of(cap::fin_ack).flags == tcp_flags{.fin = true, .ack = true});
static_assert(repr_of(cap::fin_ack).ack_number == 3131102676 && repr_of(cap::fin_ack).seq_number == 2134181925);
static_assert(repr_of(cap::last_ack).ack_number == 2134181926 && repr_of(cap::last_ack).seq_number == 3131102676);

// The reset: no options, window 0, seq 0.
static_assert([] {
  auto const v = tcp_of(cap::rst_ack);
  auto const r = repr_of(cap::rst_ack);
  return v.header_len() == 20 && v.options().empty() && v.checksum() == 0x7a54 && r.source_port == 7778 &&
         r.destination_port == 40001 && r.flags == tcp_flags{.rst = true, .ack = true} && r.seq_number == 0 &&
         r.ack_number == 1097213296 && r.window == 0 && r.options == tcp_options{};
}());

// SACK blocks, one and then two (the newest first, RFC 2018 4).
static_assert([] {
  auto const o = repr_of(cap::sack_one).options;
  return o.sack_count == 1 && o.sacks()[0] == tcp_sack_block{.left = 2260713883, .right = 2260714131} &&
         o.timestamps == tcp_timestamps{.value = 877626447, .echo_reply = 330070951} &&
         repr_of(cap::sack_one).ack_number == 2260713635;
}());
static_assert([] {
  auto const o = repr_of(cap::sack_two).options;
  return tcp_of(cap::sack_two).header_len() == 52 && o.sack_count == 2 &&
         o.sacks()[0] == tcp_sack_block{.left = 2260714379, .right = 2260714627} &&
         o.sacks()[1] == tcp_sack_block{.left = 2260713883, .right = 2260714131};
}());

// Every capture re-emits byte for byte: Linux's option layout, the checksum.
template <std::size_t N>
constexpr bool round_trips(std::array<std::byte, N> const& frame) {
  auto const ip = ip_of(frame);
  auto const v = tcp_view::parse(ip);
  auto const r = tcp_repr::parse(*v);
  std::array<std::byte, 100> out{};
  auto const n = r->emit(out, ip.source(), ip.destination());
  return n && *n == v->bytes().size() && *n == r->size() &&
         std::ranges::equal(std::span{out}.first(*n), v->bytes());
}
static_assert(round_trips(cap::syn) && round_trips(cap::syn_ack) && round_trips(cap::ack) && round_trips(cap::data));
static_assert(round_trips(cap::data_ack) && round_trips(cap::fin) && round_trips(cap::fin_ack));
static_assert(round_trips(cap::last_ack) && round_trips(cap::syn_closed) && round_trips(cap::rst_ack));
static_assert(round_trips(cap::sack_one) && round_trips(cap::sack_two));

// Building a reset for a SYN to a closed port gives Linux's bytes (RFC 9293
// 3.10.7.1: seq 0, ack = seq + segment length, RST-ACK).
static_assert([] {
  auto const s = repr_of(cap::syn_closed);
  tcp_repr const reset{.source_port = s.destination_port,
                       .destination_port = s.source_port,
                       .seq_number = 0,
                       .ack_number = static_cast<std::uint32_t>(s.seq_number + s.sequence_len()),
                       .flags = {.rst = true, .ack = true}};
  std::array<std::byte, 20> out{};
  auto const n = reset.emit(out, server, client);
  return n && *n == 20 && std::ranges::equal(out, tcp_of(cap::rst_ack).bytes());
}());

// Segments client > server from hex, with their checksum filled in.
template <strata::fixed_string S>
constexpr auto segment() {
  auto s = hex<S>();
  store_be16(s, tcp_layout::checksum, 0);
  store_be16(s, tcp_layout::checksum,
             internet_checksum(s, ipv4_pseudo_header_sum(client, server, ip_protocol::tcp,
                                                         static_cast<std::uint16_t>(s.size()))));
  return s;
}
template <strata::fixed_string S>
inline constexpr auto segment_v = segment<S>();
template <strata::fixed_string S>
constexpr result<tcp_view> parse_segment(checksum_policy policy = checksum_policy::verify) {
  return tcp_view::parse(std::span<std::byte const>{segment_v<S>}, client, server, policy);
}
template <strata::fixed_string S>
constexpr result<tcp_options> options_of() {
  auto const v = parse_segment<S>();
  if (!v) return v.error();
  return tcp_options::parse(v->options());
}

// Lengths and the data offset.
static_assert(parse_segment<"9c401e61 00000001 00000000 5002faf0 0000 00">().failed_with(parse_error::truncated));
static_assert(parse_segment<"9c401e61 00000001 00000000 5002faf0 0000 0000">());
static_assert(parse_segment<"9c401e61 00000001 00000000 4002faf0 0000 0000">().failed_with(
    parse_error::bad_header_length));
static_assert(parse_segment<"9c401e61 00000001 00000000 0002faf0 0000 0000">().failed_with(
    parse_error::bad_header_length));
static_assert(parse_segment<"9c401e61 00000001 00000000 6002faf0 0000 0000">().failed_with(parse_error::truncated));
static_assert(parse_segment<"9c401e61 00000001 00000000 6002faf0 0000 0000 020405">().failed_with(
    parse_error::truncated));
static_assert(parse_segment<"9c401e61 00000001 00000000 f002faf0 0000 0000">().failed_with(parse_error::truncated));
// Reserved bits are readable; the repr does not keep them.
static_assert(parse_segment<"9c401e61 00000001 00000000 5f02faf0 0000 0000">()->reserved() == 0xf);
static_assert(parse_segment<"9c401e61 00000001 00000000 5f02faf0 0000 0000">()->flags() == tcp_flags{.syn = true});

// The checksum covers the pseudo-header; it is checked before the options.
static_assert(tcp_view::parse(ip_of(cap::data).payload(), client, "10.0.0.3"_ipv4).failed_with(
    parse_error::bad_checksum));
static_assert(tcp_view::parse(ip_of(cap::data).payload(), server, client));  // the sum is symmetric
static_assert(tcp_view::parse(ip_of(cap::data).payload(), client, "10.0.0.3"_ipv4, checksum_policy::skip));
static_assert(tcp_view::parse(std::span{cap::data}.subspan(34, 40), client, server).failed_with(
    parse_error::bad_checksum));  // a cut segment: TCP has no length field
static_assert([] {
  auto s = segment<"9c401e61 00000001 00000000 6002faf0 0000 0000 0203 05b4">();
  s[tcp_layout::window] ^= std::byte{1};  // damaged on the way
  return tcp_view::parse(std::span<std::byte const>{s}, client, server).failed_with(parse_error::bad_checksum) &&
         tcp_view::parse(std::span<std::byte const>{s}, client, server, checksum_policy::skip)
             .failed_with(parse_error::bad_option);
}());

// The option walk.
static_assert(options_of<"9c401e61 00000001 00000000 6002faf0 0000 0000 0204 05b4">()->mss == 1460);
static_assert(options_of<"9c401e61 00000001 00000000 6002faf0 0000 0000 0203 05b4">().failed_with(
    parse_error::bad_option));  // MSS length 3
static_assert(options_of<"9c401e61 00000001 00000000 6002faf0 0000 0000 0205 05b4">().failed_with(
    parse_error::bad_option));  // MSS length 5, past the header
static_assert(options_of<"9c401e61 00000001 00000000 6002faf0 0000 0000 0200 05b4">().failed_with(
    parse_error::bad_option));  // length 0
static_assert(options_of<"9c401e61 00000001 00000000 6002faf0 0000 0000 1e01 0000">().failed_with(
    parse_error::bad_option));  // length 1, unknown kind
static_assert(options_of<"9c401e61 00000001 00000000 6002faf0 0000 0000 1e08 0000">().failed_with(
    parse_error::bad_option));  // unknown kind past the header
static_assert(options_of<"9c401e61 00000001 00000000 6002faf0 0000 0000 0101 0102">().failed_with(
    parse_error::bad_option));  // no length byte
static_assert(options_of<"9c401e61 00000001 00000000 6002faf0 0000 0000 0304 0a00">().failed_with(
    parse_error::bad_option));  // window scale length 4
static_assert(options_of<"9c401e61 00000001 00000000 6002faf0 0000 0000 0403 0000">().failed_with(
    parse_error::bad_option));  // SACK-permitted length 3
static_assert(options_of<"9c401e61 00000001 00000000 6002faf0 0000 0000 0502 0000">().failed_with(
    parse_error::bad_option));  // SACK without a block
static_assert(options_of<"9c401e61 00000001 00000000 8002faf0 0000 0000 0509 00000001 00000002 00 00">()
                  .failed_with(parse_error::bad_option));  // SACK length 9
static_assert(options_of<"9c401e61 00000001 00000000 8002faf0 0000 0000 0809 00000001 00000002 00 00">()
                  .failed_with(parse_error::bad_option));  // timestamps length 9
// Unknown kinds are skipped by their length; bytes after the end of list are padding.
static_assert(*options_of<"9c401e61 00000001 00000000 7002faf0 0000 0000 1e04 abcd 0303 0e00">() ==
              tcp_options{.window_scale = 14});
static_assert(*options_of<"9c401e61 00000001 00000000 6002faf0 0000 0000 00ff 02ff">() == tcp_options{});
static_assert(*options_of<"9c401e61 00000001 00000000 6002faf0 0000 0000 0101 0101">() == tcp_options{});
// Four SACK blocks (34 bytes) and NOPs fill the options.
static_assert([] {
  auto const o = options_of<"9c401e61 00000001 00000000 f010faf0 0000 0000 0101 0522 00000001 00000002"
                            " 00000003 00000004 00000005 00000006 00000007 00000008 0101 0101">();
  return o && o->sack_count == 4 && o->sacks()[3] == tcp_sack_block{.left = 7, .right = 8} && !o->mss;
}());
// A repeated kind: the last counts.
static_assert(options_of<"9c401e61 00000001 00000000 7002faf0 0000 0000 0204 05b4 0204 0218">()->mss == 536);

constexpr std::array<tcp_sack_block, 4> three_blocks{
    {{.left = 3, .right = 4}, {.left = 5, .right = 6}, {.left = 7, .right = 8}}};

// Emit: the packed layout when Linux's does not fit 40 bytes (MSS,
// timestamps and 3 SACK blocks: 44 with NOPs, 40 without).
static_assert([] {
  tcp_repr const r{.source_port = 1,
                   .destination_port = 2,
                   .flags = {.ack = true},
                   .options = {.mss = 1460,
                               .timestamps = tcp_timestamps{.value = 1, .echo_reply = 2},
                               .sack_blocks = three_blocks,
                               .sack_count = 3}};
  std::array<std::byte, 60> out{};
  auto const n = r.emit(out, client, server);
  auto const expected = hex<
      "0204 05b4 080a 00000001 00000002 051a 00000003 00000004 00000005 00000006 00000007 00000008">();
  auto const v = tcp_view::parse(std::span<std::byte const>{out}, client, server);
  return n && *n == 60 && r.header_len() == 60 && std::ranges::equal(std::span{out}.subspan(20), expected) &&
         v && *tcp_repr::parse(*v) == r;
}());
// Packed options are padded with an end of list and zeros.
static_assert([] {
  tcp_repr const r{.options = {.window_scale = 7,
                               .timestamps = tcp_timestamps{.value = 1, .echo_reply = 2},
                               .sack_blocks = three_blocks,
                               .sack_count = 3}};
  std::array<std::byte, 60> out{};
  auto const n = r.emit(out, client, server);
  auto const expected =
      hex<"080a 00000001 00000002 030307 051a 00000003 00000004 00000005 00000006 00000007 00000008 00">();
  return n && *n == 60 && std::ranges::equal(std::span{out}.subspan(20), expected);
}());
// SACK-permitted alone, window scale alone: behind NOPs, as Linux writes them.
static_assert([] {
  tcp_repr const r{.flags = {.syn = true}, .options = {.mss = 536, .window_scale = 0, .sack_permitted = true}};
  std::array<std::byte, 32> out{};
  auto const n = r.emit(out, client, server);
  return n && *n == 32 && std::ranges::equal(std::span{out}.subspan(20), hex<"0204 0218 0101 0402 0103 0300">());
}());
// What cannot be emitted.
static_assert([] {
  std::array<std::byte, 100> out{};
  tcp_repr r{.options = {.timestamps = tcp_timestamps{}, .sack_count = 4}};  // 44 bytes even packed
  bool const too_many_options = r.emit(out, client, server).failed_with(emit_error::field_out_of_range);
  r.options = {.sack_count = 5};
  bool const five_blocks = r.emit(out, client, server).failed_with(emit_error::field_out_of_range);
  r.options = {.mss = 1460};
  bool const small = r.emit(std::span{out}.first(23), client, server).failed_with(emit_error::buffer_too_small);
  return too_many_options && five_blocks && small && r.emit(std::span{out}.first(24), client, server).has_value();
}());

TEST_CASE("tcp: a payload over 65535 bytes with the header cannot be sent, one in place is not copied") {
  static std::array<std::byte, 70000> buffer{};
  tcp_repr const big{.source_port = 1, .destination_port = 2, .payload = std::span{buffer}.subspan(20, 65535 - 20 + 1)};
  CHECK(big.emit(buffer, client, server).failed_with(emit_error::field_out_of_range));
  buffer[20] = std::byte{0x42};
  tcp_repr const in_place{
      .source_port = 1, .destination_port = 2, .payload = std::span{buffer}.subspan(20, 65535 - 20)};
  auto const n = in_place.emit(buffer, client, server);
  REQUIRE(n);
  CHECK(*n == 65535);
  auto const v = tcp_view::parse(std::span<std::byte const>{buffer}.first(65535), client, server);
  REQUIRE(v);
  CHECK(v->payload()[0] == std::byte{0x42});
  // More than the pseudo-header's length can say.
  CHECK(tcp_view::parse(std::span<std::byte const>{buffer}.first(65536), client, server)
            .failed_with(parse_error::bad_total_length));
}

TEST_CASE("tcp: a mutable view rewrites a segment in place, and RFC 1624 keeps its checksum") {
  auto frame = cap::ack;
  auto const ip = mutable_ipv4_view::parse(std::span{frame}.subspan(14));
  REQUIRE(ip);
  auto const tcp = mutable_tcp_view::parse(*ip);
  REQUIRE(tcp);
  // An incremental update of the acknowledgment number.
  std::uint32_t const old_ack = tcp->ack_number();
  tcp->set_ack_number(old_ack + 1000);
  tcp->set_checksum(checksum_update32(tcp->checksum(), old_ack, old_ack + 1000));
  CHECK(tcp_view::parse(ip->payload(), client, server));
  std::uint16_t const updated = tcp->checksum();
  tcp->fill_checksum(client, server);
  CHECK(tcp->checksum() == updated);
  // Turned into the server's reset, then refilled.
  tcp->set_source_port(7777);
  tcp->set_destination_port(40000);
  tcp->set_seq_number(1);
  tcp->set_flags({.rst = true});
  tcp->set_window(0);
  tcp->set_urgent_pointer(0);
  CHECK(tcp_view::parse(ip->payload(), server, client).failed_with(parse_error::bad_checksum));
  tcp->fill_checksum(server, client);
  tcp_view const read_only = *tcp;
  auto const again = tcp_view::parse(ip->payload(), server, client);
  REQUIRE(again);
  CHECK(read_only.bytes().data() == again->bytes().data());
  CHECK(describe(*tcp_repr::parse(*again)) ==
        "tcp 7777 > 40000 [R] seq 1 win 0 options ts 4038762942 3851852638 len 0");
}

TEST_CASE("tcp_repr describes itself") {
  CHECK(describe(repr_of(cap::syn)) ==
        "tcp 40000 > 7777 [S] seq 3131102661 win 64240 options mss 1460 sack_ok ts 4038762942 0 wscale 10 len 0");
  CHECK(describe(repr_of(cap::syn_ack)) ==
        "tcp 7777 > 40000 [S.] seq 2134181924 ack 3131102662 win 65160 options mss 1460 sack_ok ts 3851852638 "
        "4038762942 wscale 10 len 0");
  CHECK(describe(repr_of(cap::data)) ==
        "tcp 40000 > 7777 [P.] seq 3131102662 ack 2134181925 win 63 options ts 4038762942 3851852638 len 13");
  CHECK(describe(repr_of(cap::rst_ack)) == "tcp 7778 > 40001 [R.] seq 0 ack 1097213296 win 0 len 0");
  CHECK(describe(repr_of(cap::sack_two)) ==
        "tcp 7779 > 40002 [.] seq 597540805 ack 2260713635 win 64 options ts 877626447 330070951 sack "
        "2260714379-2260714627 2260713883-2260714131 len 0");
  CHECK(describe(tcp_repr{.flags = {.fin = true, .urg = true, .ece = true, .cwr = true}, .urgent_pointer = 3}) ==
        "tcp 0 > 0 [FUEW] seq 0 win 0 urg 3 len 0");
  CHECK(describe(tcp_repr{}) == "tcp 0 > 0 [none] seq 0 win 0 len 0");
}

struct capture {
  char const* name;
  std::span<std::byte const> frame;
};
constexpr capture all_captures[] = {
    {.name = "syn", .frame = cap::syn},           {.name = "syn_ack", .frame = cap::syn_ack},
    {.name = "ack", .frame = cap::ack},           {.name = "data", .frame = cap::data},
    {.name = "data_ack", .frame = cap::data_ack}, {.name = "fin", .frame = cap::fin},
    {.name = "fin_ack", .frame = cap::fin_ack},   {.name = "last_ack", .frame = cap::last_ack},
    {.name = "syn_closed", .frame = cap::syn_closed}, {.name = "rst_ack", .frame = cap::rst_ack},
    {.name = "sack_one", .frame = cap::sack_one}, {.name = "sack_two", .frame = cap::sack_two},
};

// Ethernet, IPv4, TCP and its repr: the first rejection, or the segment's length.
result<std::size_t> decode(std::span<std::byte const> frame, checksum_policy policy = checksum_policy::verify) {
  auto const eth = ethernet_view::parse(frame);
  if (!eth) return eth.error();
  auto const ip = ipv4_view::parse(eth->payload(), policy);
  if (!ip) return ip.error();
  auto const tcp = tcp_view::parse(*ip, policy);
  if (!tcp) return tcp.error();
  auto const r = tcp_repr::parse(*tcp);
  if (!r) return r.error();
  return tcp->bytes().size();
}

// The pseudo-header addresses and the segment, as the round-trip property takes them.
std::vector<std::byte> roundtrip_input(std::span<std::byte const> frame) {
  std::vector<std::byte> in(8 + frame.size() - 34);
  ipv4_address::load(frame, 14 + 12).store(in, 0);
  ipv4_address::load(frame, 14 + 16).store(in, 4);
  std::copy(frame.begin() + 34, frame.end(), in.begin() + 8);
  return in;
}

TEST_CASE("tcp: every capture decodes, every prefix is truncated, never read past") {
  for (auto const& c : all_captures) {
    CAPTURE(c.name);
    auto const whole = decode(c.frame);
    REQUIRE(whole);
    CHECK(*whole == c.frame.size() - 34);
    for (std::size_t n = 0; n < c.frame.size(); ++n) {
      std::vector<std::byte> const cut(c.frame.begin(), c.frame.begin() + std::ptrdiff_t(n));  // ASan-guarded
      CAPTURE(n);
      CHECK(decode(cut).failed_with(parse_error::truncated));
    }
  }
}

TEST_CASE("tcp: round trips reproduce every capture and hold for every single-byte mutation") {
  std::size_t accepted = 0;
  std::size_t rejected = 0;
  for (auto const& c : all_captures) {
    CAPTURE(c.name);
    auto in = roundtrip_input(c.frame);
    REQUIRE(roundtrip::tcp(in, checksum_policy::verify));
    REQUIRE(roundtrip::tcp(in, checksum_policy::skip));
    for (std::size_t at = 8; at < in.size(); ++at) {
      std::byte const original = in[at];
      for (int variant = 0; variant < 10; ++variant) {
        in[at] = variant < 8 ? original ^ std::byte(1U << variant) : variant == 8 ? std::byte{0} : std::byte{0xff};
        CAPTURE(at);
        CAPTURE(variant);
        (tcp_view::parse(std::span<std::byte const>{in}.subspan(8), client, server, checksum_policy::skip)
             ? accepted
             : rejected) += 1;
        REQUIRE(roundtrip::tcp(in, checksum_policy::verify));
        REQUIRE(roundtrip::tcp(in, checksum_policy::skip));
      }
      in[at] = original;
    }
  }
  MESSAGE("tcp mutations accepted (checksum skipped): " << accepted << ", rejected: " << rejected);
  CHECK(accepted > 0);
  CHECK(rejected > 0);
}

}  // namespace
