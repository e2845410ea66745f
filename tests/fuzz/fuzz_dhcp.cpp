// libFuzzer target: a DHCP message (the UDP payload).
// Two properties, each a trap when violated (libFuzzer saves the input):
// - the wire format: parse rejects the input or gives a repr whose emitted
//   bytes parse back to an equal repr, and emitting that again gives the
//   same bytes (emit's output is canonical);
// - the client: the input, with the client's xid and MAC written in so it
//   gets past the first checks, is given to a client waiting for an OFFER,
//   then (after an OFFER from the server the input names, if it was none)
//   for an ACK, then renewing; the client's timers stay ordered and it
//   never asks to be polled again at the instant it sent (no busy loop).
// The unit tests (tests/net/test_dhcp.cpp) include this file for the same
// properties over the captures and their mutations; STRATA_FUZZ_NO_MAIN
// leaves the entry point out there.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include <strata/net/dhcp/client.hpp>
#include <strata/net/dhcp/wire.hpp>

#include "roundtrip.hpp"

namespace strata::net::roundtrip {
namespace {

bool dhcp(bytes in) {
  auto const v = dhcp_view::parse(in);
  if (!v) return true;
  auto const r = dhcp_repr::parse(*v);
  if (!r) return r.error() == parse_error::unsupported;  // no message type, or one after INFORM
  // Larger than any repr: the fixed part, the options and two 255-byte lists.
  static std::array<std::byte, 2048> out;
  auto const n = r->emit(out);
  if (!n || *n != r->size()) return false;
  bytes const emitted{out.data(), *n};
  auto const again = dhcp_view::parse(emitted);
  if (!again) return false;
  auto const r2 = dhcp_repr::parse(*again);
  if (!r2 || !(*r2 == *r)) return false;
  static std::array<std::byte, 2048> out2;
  auto const n2 = r2->emit(out2);
  return n2 && same(emitted, bytes{out2.data(), *n2});
}

namespace detail_dhcp {

// The client's invariants after a poll at `now`.
bool client_sane(dhcp_client const& c, time_ns now) {
  if (c.next_deadline() <= now) return false;
  auto const l = c.lease();
  if (l.has_value() != c.bound()) return false;
  if (!l) return true;
  return l->renew_at() <= l->rebind_at() && l->rebind_at() <= l->expires_at() &&
         l->lease_time >= dhcp_client::min_lease_time && l->dns().size() <= dhcp_max_dns_servers;
}

}  // namespace detail_dhcp

bool dhcp_client_run(bytes in) {
  static std::array<std::byte, 2048> message;
  if (in.size() > message.size()) return true;
  std::span<std::byte> const m{message.data(), in.size()};
  detail::copy_bytes(m, in);
  constexpr mac_address mac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
  dhcp_client c{mac, 7};
  auto const answer = [&](time_ns now) {
    if (m.size() >= dhcp_layout::min_len) {
      store_be32(m, dhcp_layout::xid, c.xid());
      mac.store(m, dhcp_layout::chaddr);
    }
    c.receive(bytes{m}, now);
    (void)c.poll(now);
    return detail_dhcp::client_sane(c, now);
  };
  time_ns now = 1'000'000;
  c.start(now);
  (void)c.poll(now);
  now += 1'000'000;
  if (!answer(now)) return false;  // as an OFFER
  if (c.state() == dhcp_state::selecting) {
    // An OFFER from the server the input names, so that the input can be its ACK.
    auto const v = dhcp_view::parse(in);
    auto const r = v ? dhcp_repr::parse(*v) : result<dhcp_repr>{v.error()};
    auto const named = r ? r->server_identifier : std::nullopt;
    ipv4_address const server = named.value_or(ipv4_address{{10, 0, 2, 2}});
    c.receive(dhcp_repr{.op = dhcp_op::reply,
                        .message_type = dhcp_message_type::offer,
                        .xid = c.xid(),
                        .yiaddr = ipv4_address{{10, 0, 2, 15}},
                        .chaddr = mac,
                        .server_identifier = server},
              now);
    (void)c.poll(now);
  }
  now += 1'000'000;
  if (!answer(now)) return false;  // as an ACK
  auto const lease = c.lease();
  if (!lease) return true;
  now = c.next_deadline();  // T1 (never when the lease is forever: nothing happens)
  if (now == never) return lease->lease_time == dhcp_infinite_lease;
  (void)c.poll(now);
  if (!detail_dhcp::client_sane(c, now)) return false;
  return answer(now + 1'000'000);  // as the renewal's ACK
}

}  // namespace
}  // namespace strata::net::roundtrip

#ifndef STRATA_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  using namespace strata::net;
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): libFuzzer's bytes as std::byte; both may alias
  std::span<std::byte const> const in{reinterpret_cast<std::byte const*>(data), size};
  bool const ok = roundtrip::dhcp(in) && roundtrip::dhcp_client_run(in);
  if (!ok) __builtin_trap();
  return 0;
}
#endif
