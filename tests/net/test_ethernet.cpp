// Ethernet II frames and 802.1Q tags.
#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <span>

#include <strata/net/ethernet/wire.hpp>

#include "captures.hpp"
#include "hex.hpp"
#include "test_support.hpp"

namespace {

using namespace strata::net;
using namespace strata::net::literals;
using namespace strata::net::test;
namespace cap = captures;
using captures::linux_mac;
using captures::peer_mac;

// The ARP request: a broadcast, 42 bytes (veth does not pad).
constexpr auto arp_frame = ethernet_view::parse(cap::arp_request);
static_assert(arp_frame);
static_assert(arp_frame->destination() == mac_address::broadcast() && arp_frame->source() == linux_mac);
static_assert(arp_frame->ethertype() == ethertype::arp && !arp_frame->vlan());
static_assert(arp_frame->header_len() == 14 && arp_frame->payload().size() == 28);
// Padding of a minimum-size frame stays in the Ethernet payload.
static_assert(ethernet_view::parse(cap::arp_request_padded)->payload().size() == 46);

// One 802.1Q tag is skipped: EtherType and payload are those behind it.
constexpr auto tagged = ethernet_view::parse(cap::ping_request_vlan10);
static_assert(tagged && tagged->header_len() == 18 && tagged->ethertype() == ethertype::ipv4);
static_assert(tagged->vlan() == vlan_tag{.priority = 5, .id = 10});
static_assert(tagged->vlan()->tci() == 0xa00a);
static_assert(same_bytes(tagged->payload(), slice<cap::ping_request.size() - 14>(cap::ping_request, 14)));

// Rejections.
static_assert(ethernet_view::parse(prefix(cap::arp_request, 13)).failed_with(parse_error::truncated));
static_assert(ethernet_view::parse(prefix(cap::arp_request, 14)));  // an empty payload is still a frame
static_assert(ethernet_view::parse(prefix(cap::ping_request_vlan10, 17)).failed_with(parse_error::truncated));
static_assert(ethernet_view::parse(prefix(cap::ping_request_vlan10, 18)));
// 802.3 frame with an LLC header: the type field is a length (here 0x0026).
constexpr auto llc_frame = hex<"0180c2000000 525400123456 0026 4242030000000000">();
static_assert(ethernet_view::parse(llc_frame).failed_with(parse_error::unsupported));
static_assert(ethernet_view::parse(hex<"0180c2000000 525400123456 05ff 00">()).failed_with(parse_error::unsupported));
static_assert(ethernet_view::parse(hex<"0180c2000000 525400123456 0600 00">()));  // the first EtherType value
// Stacked tags: 802.1ad S-tag, or a second C-tag, or a tag before a length.
static_assert(ethernet_view::parse(hex<"ffffffffffff 525400123456 88a8 0064 8100 000a 0800 45">())
                  .failed_with(parse_error::unsupported));
static_assert(ethernet_view::parse(hex<"ffffffffffff 525400123456 8100 0064 8100 000a 0800 45">())
                  .failed_with(parse_error::unsupported));
static_assert(ethernet_view::parse(hex<"ffffffffffff 525400123456 8100 0064 88a8 000a 0800 45">())
                  .failed_with(parse_error::unsupported));
static_assert(ethernet_view::parse(hex<"ffffffffffff 525400123456 8100 0064 0026 4242">())
                  .failed_with(parse_error::unsupported));

// repr: parse, emit, the same bytes, in constant evaluation.
template <std::size_t N>
constexpr bool header_round_trips(std::array<std::byte, N> const& frame) {
  auto const v = ethernet_view::parse(frame);
  if (!v) return false;
  auto const r = ethernet_repr::parse(*v);
  std::array<std::byte, 18> out{};
  auto const n = r->emit(out);
  if (!n || *n != v->header_len()) return false;
  for (std::size_t i = 0; i < *n; ++i)
    if (out[i] != frame[i]) return false;
  return true;
}
static_assert(header_round_trips(cap::arp_request));
static_assert(header_round_trips(cap::ping_reply));
static_assert(header_round_trips(cap::ping_request_vlan10));

constexpr ethernet_repr to_peer{.destination = peer_mac, .source = linux_mac, .type = ethertype::ipv4};
static_assert(to_peer.header_len() == 14);
static_assert([] {
  std::array<std::byte, 13> small{};
  return to_peer.emit(small).failed_with(emit_error::buffer_too_small);
}());
static_assert([] {
  std::array<std::byte, 17> small{};
  auto r = to_peer;
  r.vlan = vlan_tag{.id = 10};
  return r.emit(small).failed_with(emit_error::buffer_too_small);
}());
static_assert([] {
  std::array<std::byte, 18> out{};
  auto r = to_peer;
  r.type = ethertype{0x05dc};
  bool const length_refused = r.emit(out).failed_with(emit_error::field_out_of_range);
  r.type = ethertype::vlan;
  bool const tag_refused = r.emit(out).failed_with(emit_error::field_out_of_range);
  r.type = ethertype::ipv4;
  r.vlan = vlan_tag{.id = 4096};
  bool const vid_refused = r.emit(out).failed_with(emit_error::field_out_of_range);
  r.vlan = vlan_tag{.priority = 8, .id = 1};
  bool const pcp_refused = r.emit(out).failed_with(emit_error::field_out_of_range);
  return length_refused && tag_refused && vid_refused && pcp_refused;
}());
constexpr vlan_tag all_ones{.priority = 7, .drop_eligible = true, .id = 0xfff};
static_assert(vlan_tag::from_tci(0xffff) == all_ones && all_ones.tci() == 0xffff);

TEST_CASE("a mutable view rewrites the addresses in place, as when answering a frame") {
  auto frame = cap::arp_request;
  auto const v = mutable_ethernet_view::parse(frame);
  REQUIRE(v);
  v->set_destination(v->source());
  v->set_source(peer_mac);
  ethernet_view const readonly = *v;
  CHECK(readonly.destination() == linux_mac);
  CHECK(readonly.source() == peer_mac);
  CHECK(readonly.ethertype() == ethertype::arp);
  v->payload()[0] = std::byte{0x77};
  CHECK(frame[14] == std::byte{0x77});
}

TEST_CASE("ethernet_repr describes itself") {
  CHECK(describe(*ethernet_repr::parse(*arp_frame)) == "ethernet 92:e8:12:87:32:7b > ff:ff:ff:ff:ff:ff type 0x0806");
  CHECK(describe(*ethernet_repr::parse(*tagged)) ==
        "ethernet 92:e8:12:87:32:7b > 3a:96:78:21:ce:25 type 0x0800 vlan 10 prio 5");
}

}  // namespace
