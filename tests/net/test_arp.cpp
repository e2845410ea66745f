// ARP for IPv4 over Ethernet.
#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <span>

#include <strata/net/arp/wire.hpp>

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

constexpr std::span<std::byte const> arp_of(std::span<std::byte const> frame) { return frame.subspan(14); }

constexpr auto request = arp_view::parse(arp_of(cap::arp_request));
static_assert(request && request->operation() == arp_operation::request);
static_assert(request->sender_hardware() == linux_mac && request->sender_protocol() == "10.0.0.1"_ipv4);
static_assert(request->target_hardware() == mac_address{} && request->target_protocol() == "10.0.0.2"_ipv4);

constexpr auto reply = arp_view::parse(arp_of(cap::arp_reply));
static_assert(reply && reply->operation() == arp_operation::reply);
static_assert(reply->sender_hardware() == peer_mac && reply->sender_protocol() == "10.0.0.2"_ipv4);
static_assert(reply->target_hardware() == linux_mac && reply->target_protocol() == "10.0.0.1"_ipv4);

// Ethernet padding after the 28 bytes is not part of the packet.
static_assert(arp_view::parse(arp_of(cap::arp_request_padded))->bytes().size() == 28);

// The repr: parse and emit reproduce the captured bytes.
template <std::size_t N>
constexpr bool round_trips(std::array<std::byte, N> const& frame) {
  auto const r = arp_repr::parse(*arp_view::parse(arp_of(frame)));
  std::array<std::byte, 28> out{};
  auto const n = r->emit(out);
  return n && *n == 28 && same_bytes(arp_of(frame).first(28), out);
}
static_assert(round_trips(cap::arp_request) && round_trips(cap::arp_reply) && round_trips(cap::arp_request_padded));

// Building the reply from the request, as the ARP layer will.
static_assert([] {
  auto const q = *arp_repr::parse(*request);
  arp_repr const answer{.operation = arp_operation::reply,
                        .sender_hardware = peer_mac,
                        .sender_protocol = q.target_protocol,
                        .target_hardware = q.sender_hardware,
                        .target_protocol = q.sender_protocol};
  std::array<std::byte, 28> out{};
  return answer.emit(out) && same_bytes(out, slice<28>(cap::arp_reply, 14));
}());

// Rejections: what is not Ethernet/IPv4 request or reply is unsupported; a
// short packet of the right kind is truncated.
constexpr auto good = hex<"0001 0800 06 04 0001 92e81287327b 0a000001 000000000000 0a000002">();
static_assert(arp_view::parse(good));
static_assert(arp_view::parse(prefix(good, 7)).failed_with(parse_error::truncated));
static_assert(arp_view::parse(prefix(good, 8)).failed_with(parse_error::truncated));
static_assert(arp_view::parse(prefix(good, 27)).failed_with(parse_error::truncated));
static_assert(arp_view::parse(hex<"0006 0800 06 04 0001">()).failed_with(parse_error::unsupported));  // IEEE 802 hw
static_assert(arp_view::parse(hex<"0001 86dd 06 10 0001">()).failed_with(parse_error::unsupported));  // not IPv4
static_assert(arp_view::parse(hex<"0001 0800 08 04 0001">()).failed_with(parse_error::unsupported));  // hlen 8
static_assert(arp_view::parse(hex<"0001 0800 06 10 0001">()).failed_with(parse_error::unsupported));  // plen 16
// RARP request (op 3), InARP (op 8), op 0.
static_assert(arp_view::parse(hex<"0001 0800 06 04 0003 92e81287327b 0a000001 000000000000 0a000002">())
                  .failed_with(parse_error::unsupported));
static_assert(arp_view::parse(hex<"0001 0800 06 04 0008 92e81287327b 0a000001 000000000000 0a000002">())
                  .failed_with(parse_error::unsupported));
static_assert(arp_view::parse(hex<"0001 0800 06 04 0000 92e81287327b 0a000001 000000000000 0a000002">())
                  .failed_with(parse_error::unsupported));

static_assert([] {
  std::array<std::byte, 27> small{};
  return arp_repr{}.emit(small).failed_with(emit_error::buffer_too_small);
}());
static_assert([] {
  std::array<std::byte, 28> out{};
  arp_repr r{};
  r.operation = arp_operation{3};
  return r.emit(out).failed_with(emit_error::field_out_of_range);
}());

TEST_CASE("a request is answered in place through the mutable view") {
  auto frame = cap::arp_request;
  auto const v = mutable_arp_view::parse(std::span{frame}.subspan(14));
  REQUIRE(v);
  auto const asker_mac = v->sender_hardware();
  auto const asker_ip = v->sender_protocol();
  auto const wanted = v->target_protocol();
  v->set_operation(arp_operation::reply);
  v->set_target(asker_mac, asker_ip);
  v->set_sender(peer_mac, wanted);
  CHECK(same_bytes(std::span<std::byte const>{frame}.subspan(14), slice<28>(cap::arp_reply, 14)));
}

TEST_CASE("arp_repr describes itself") {
  CHECK(describe(*arp_repr::parse(*request)) == "arp request who-has 10.0.0.2 tell 10.0.0.1 (92:e8:12:87:32:7b)");
  CHECK(describe(*arp_repr::parse(*reply)) ==
        "arp reply 10.0.0.2 is-at 3a:96:78:21:ce:25 to 10.0.0.1 (92:e8:12:87:32:7b)");
}

}  // namespace
