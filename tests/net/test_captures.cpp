// Whole captured frames through every layer, the way the stack will take
// them: every capture decodes, every prefix of one is rejected cleanly, and
// the round-trip property holds for the captures and for every single-byte
// mutation of them (a small deterministic fuzz run that also runs under g++).
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <strata/net/arp/wire.hpp>
#include <strata/net/ethernet/wire.hpp>
#include <strata/net/icmp/wire.hpp>
#include <strata/net/ipv4/wire.hpp>
#include <strata/net/udp/wire.hpp>

#include "captures.hpp"
#include "fuzz/roundtrip.hpp"

namespace {

using namespace strata::net;
namespace cap = test::captures;
using bytes = std::span<std::byte const>;

struct capture {
  char const* name;
  bytes frame;
  std::size_t packet_len;  // the frame without padding
};

constexpr capture all_captures[] = {
    {.name = "arp_request", .frame = cap::arp_request, .packet_len = 42},
    {.name = "arp_reply", .frame = cap::arp_reply, .packet_len = 42},
    {.name = "ping_request", .frame = cap::ping_request, .packet_len = 98},
    {.name = "ping_reply", .frame = cap::ping_reply, .packet_len = 98},
    {.name = "dig_query", .frame = cap::dig_query, .packet_len = 94},
    {.name = "port_unreachable", .frame = cap::port_unreachable, .packet_len = 122},
    {.name = "nc_datagram", .frame = cap::nc_datagram, .packet_len = 55},
    {.name = "ping_record_route_request", .frame = cap::ping_record_route_request, .packet_len = 138},
    {.name = "ping_record_route_reply", .frame = cap::ping_record_route_reply, .packet_len = 138},
    {.name = "fragment_first", .frame = cap::fragment_first, .packet_len = 82},
    {.name = "fragment_last", .frame = cap::fragment_last, .packet_len = 54},
    {.name = "ping_request_vlan10", .frame = cap::ping_request_vlan10, .packet_len = 102},
    {.name = "arp_request_padded", .frame = cap::arp_request_padded, .packet_len = 42},
};

// What a frame decoded to, or the first rejection on the way.
enum class decoded : std::uint8_t { arp, fragment, icmp, udp };

// Each layer's view and then its repr: the rejection of either is the result.
template <class Repr, class View>
result<decoded> repr_of(result<View> const& view, decoded kind) {
  if (!view) return view.error();
  auto const r = Repr::parse(*view);
  return r ? result<decoded>{kind} : r.error();
}

// ICMP or UDP; not inside fragments, whose payload is a piece of a datagram.
result<decoded> decode_ipv4(bytes packet, checksum_policy policy) {
  auto const ip = ipv4_view::parse(packet, policy);
  if (auto const r = repr_of<ipv4_repr>(ip, decoded::fragment); !r) return r;
  if (ip->is_fragment()) return decoded::fragment;
  switch (ip->protocol()) {
    case ip_protocol::icmp: return repr_of<icmp_repr>(icmp_view::parse(ip->payload(), policy), decoded::icmp);
    case ip_protocol::udp: return repr_of<udp_repr>(udp_view::parse(*ip, policy), decoded::udp);
    default: return parse_error::unsupported;
  }
}

// Ethernet, then ARP or IPv4, the way the stack will take a frame.
result<decoded> decode(bytes frame, checksum_policy policy = checksum_policy::verify) {
  auto const eth = ethernet_view::parse(frame);
  if (auto const r = repr_of<ethernet_repr>(eth, decoded::arp); !r) return r;
  switch (eth->ethertype()) {
    case ethertype::arp: return repr_of<arp_repr>(arp_view::parse(eth->payload()), decoded::arp);
    case ethertype::ipv4: return decode_ipv4(eth->payload(), policy);
    default: return parse_error::unsupported;
  }
}

TEST_CASE("every capture decodes through all its layers") {
  for (auto const& c : all_captures) {
    CAPTURE(c.name);
    auto const r = decode(c.frame);
    CHECK(r.has_value());
  }
}

TEST_CASE("every prefix of every capture is rejected as truncated, never read past") {
  for (auto const& c : all_captures) {
    CAPTURE(c.name);
    for (std::size_t n = 0; n < c.frame.size(); ++n) {
      // A copy of exactly n bytes on the heap: ASan sees any read past it.
      std::vector<std::byte> const cut(c.frame.begin(), c.frame.begin() + std::ptrdiff_t(n));
      auto const r = decode(cut);
      CAPTURE(n);
      if (n < c.packet_len)
        CHECK(r.failed_with(parse_error::truncated));
      else
        CHECK(r.has_value());  // only padding cut off
    }
  }
}

// The layers of a frame as the round-trip checks take them.
void check_round_trips(bytes frame) {
  using namespace strata::net::roundtrip;
  REQUIRE(roundtrip::ethernet(frame));
  auto const eth = ethernet_view::parse(frame);
  if (!eth) return;
  REQUIRE(roundtrip::arp(eth->payload()));
  for (auto policy : {checksum_policy::verify, checksum_policy::skip}) {
    REQUIRE(roundtrip::ipv4(eth->payload(), policy));
    auto const ip = ipv4_view::parse(eth->payload(), checksum_policy::skip);
    if (!ip) continue;
    REQUIRE(roundtrip::icmp(ip->payload(), policy));
    std::vector<std::byte> udp_input(8 + ip->payload().size());
    ip->source().store(udp_input, 0);
    ip->destination().store(udp_input, 4);
    std::copy(ip->payload().begin(), ip->payload().end(), udp_input.begin() + 8);
    REQUIRE(roundtrip::udp(udp_input, policy));
  }
  REQUIRE(roundtrip::checksum(frame));
}

TEST_CASE("round trips reproduce every capture") {
  for (auto const& c : all_captures) {
    CAPTURE(c.name);
    check_round_trips(c.frame);
  }
}

TEST_CASE("single-byte mutations of every capture: no crash, round trips hold") {
  std::size_t accepted = 0;
  std::size_t rejected = 0;
  for (auto const& c : all_captures) {
    CAPTURE(c.name);
    std::array<std::byte, 256> storage{};  // the longest capture is 138 bytes
    REQUIRE(c.frame.size() <= storage.size());
    std::span<std::byte> const frame{storage.data(), c.frame.size()};
    std::ranges::copy(c.frame, frame.begin());
    for (std::size_t at = 0; at < frame.size(); ++at) {
      std::byte const original = frame[at];
      for (int variant = 0; variant < 10; ++variant) {
        frame[at] = variant < 8 ? original ^ std::byte(1U << variant) : variant == 8 ? std::byte{0} : std::byte{0xff};
        CAPTURE(at);
        CAPTURE(variant);
        (decode(frame) ? accepted : rejected) += 1;
        (void)decode(frame, checksum_policy::skip);
        check_round_trips(frame);
      }
      frame[at] = original;
    }
  }
  MESSAGE("mutations accepted: " << accepted << ", rejected: " << rejected);
  CHECK(rejected > 0);
  CHECK(accepted > 0);
}

}  // namespace
