// Per-layer counters: what each layer received, sent, and dropped, by reason.
// Malformed input is never an error path: it is a drop, counted here, and
// readable by apps (sys.get<strata::cap::IpLayer>().counters()).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <strata/core/text.hpp>
#include <strata/net/error.hpp>

namespace strata::net {

// Reasons a layer drops a packet that parsed: it was not for us, no one
// serves it, no room was left to keep it, or (fragments) it cannot be part of
// a datagram we would deliver. Reassembly drops count datagrams, with the
// fragments held for them, except fragment_duplicate, which counts fragments.
enum class drop_reason : std::uint8_t {
  not_for_us,          // another host's MAC or IP address
  unknown_ethertype,   // neither ARP nor IPv4
  unknown_protocol,    // an IP protocol without a layer in the system
  no_service,          // a UDP port without a service (answered with ICMP port unreachable)
  unsupported,         // valid but not handled: ICMP types other than echo; fragments on a host without reassembly
  no_route,            // off-link destination and no gateway
  unresolved,          // ARP gave no answer after its retries
  queue_full,          // no room to hold a packet (or all of a datagram's fragments) waiting for ARP
  too_big,             // over what can be sent (65507 UDP bytes) or reassembled (the host's MaxDatagram)
  device_busy,         // the NIC had no room to send
  rate_limited,        // an ICMP error over its rate limit (10 per second)
  fragment_duplicate,  // a fragment whose bytes were all held already, equal: harmless, dropped alone
  fragment_overlap,    // a fragment overlapping held data otherwise: its whole datagram is dropped
  fragment_invalid,    // no data, a length not a multiple of 8 before the last, past 65535 or past the end
  reassembly_timeout,  // a datagram incomplete 30 s after its first fragment
  reassembly_evicted,  // an incomplete datagram whose slot went to a newer one (all slots busy)
};
inline constexpr std::size_t drop_reason_count = 16;

constexpr std::string_view name(drop_reason r) {
  switch (r) {
    case drop_reason::not_for_us: return "not_for_us";
    case drop_reason::unknown_ethertype: return "unknown_ethertype";
    case drop_reason::unknown_protocol: return "unknown_protocol";
    case drop_reason::no_service: return "no_service";
    case drop_reason::unsupported: return "unsupported";
    case drop_reason::no_route: return "no_route";
    case drop_reason::unresolved: return "unresolved";
    case drop_reason::queue_full: return "queue_full";
    case drop_reason::too_big: return "too_big";
    case drop_reason::device_busy: return "device_busy";
    case drop_reason::rate_limited: return "rate_limited";
    case drop_reason::fragment_duplicate: return "fragment_duplicate";
    case drop_reason::fragment_overlap: return "fragment_overlap";
    case drop_reason::fragment_invalid: return "fragment_invalid";
    case drop_reason::reassembly_timeout: return "reassembly_timeout";
    case drop_reason::reassembly_evicted: return "reassembly_evicted";
  }
  return "?";
}

// name() and drop_reason_count agree: the last reason is named and counted.
static_assert(name(static_cast<drop_reason>(drop_reason_count - 1)) == "reassembly_evicted");
static_assert(name(static_cast<drop_reason>(drop_reason_count)) == "?");

struct layer_counters {
  std::uint64_t received = 0;
  std::uint64_t sent = 0;
  std::array<std::uint64_t, parse_error_count> malformed{};  // by parse_error
  std::array<std::uint64_t, drop_reason_count> dropped{};    // by drop_reason

  constexpr void drop(parse_error e) { ++malformed[static_cast<std::size_t>(e)]; }
  constexpr void drop(drop_reason r) { ++dropped[static_cast<std::size_t>(r)]; }
  constexpr std::uint64_t count(parse_error e) const { return malformed[static_cast<std::size_t>(e)]; }
  constexpr std::uint64_t count(drop_reason r) const { return dropped[static_cast<std::size_t>(r)]; }
  constexpr std::uint64_t drops() const {
    std::uint64_t n = 0;
    for (auto v : malformed) n += v;
    for (auto v : dropped) n += v;
    return n;
  }

  // received, sent, then each drop reason that happened (counter names).
  constexpr void visit_counters(auto&& visit) const {
    visit("received", received);
    visit("sent", sent);
    for (auto e : all_parse_errors)
      if (count(e) != 0) visit(name(e), count(e));
    for (std::size_t i = 0; i < drop_reason_count; ++i)
      if (dropped[i] != 0) visit(name(static_cast<drop_reason>(i)), dropped[i]);
  }

  // "received 12, sent 10, dropped: bad_checksum 1, no_service 1"
  constexpr void describe_to(text_writer& w) const {
    w << "received " << received << ", sent " << sent;
    bool first = true;
    auto one = [&](std::string_view what, std::uint64_t n) {
      if (n == 0) return;
      w << (first ? ", dropped: " : ", ") << what << ' ' << n;
      first = false;
    };
    for (auto e : all_parse_errors) one(name(e), count(e));
    for (std::size_t i = 0; i < drop_reason_count; ++i) one(name(static_cast<drop_reason>(i)), dropped[i]);
  }
};

}  // namespace strata::net
