// A DHCP client (RFC 2131) as a state machine that does no I/O and reads
// no clock: the host hands it the time, the messages that arrive on UDP
// port 68, and sends what poll() returns. Deterministic: the transaction
// IDs and the retransmission jitter come from a seeded generator, so a
// test (or the simulated network) replays it exactly.
//
//   dhcp_client dhcp{mac, seed};
//   dhcp.start(now);
//   loop: if (auto m = dhcp.poll(now)) send m->message from m->source:68 to m->destination:67
//         on a datagram to port 68: dhcp.receive(payload, now), then poll again (a reply may be due)
//         if (dhcp.take_change()) configure dhcp.lease() (nullopt: the address is gone)
//         sleep until dhcp.next_deadline()
//
// States and what moves them (RFC 2131 4.4, figure 5):
//   init        start(), a NAK, a lease that ran out, REQUESTs unanswered: DISCOVER is due
//   selecting   DISCOVER sent; the first valid OFFER wins -> requesting
//   requesting  REQUEST broadcast for the offered address; ACK -> bound, NAK -> init
//   bound       until T1 -> renewing
//   renewing    REQUEST unicast to the server; ACK -> bound, NAK -> init, T2 -> rebinding
//   rebinding   REQUEST broadcast; ACK -> bound, NAK or lease end -> init
//
// Policies (docs/net-wire.md, "DHCP"):
// - Retransmission (4.1): 4, 8, 16, 32, then 64 s between tries, each +-1 s
//   at random; DISCOVER forever, REQUEST 4 times, then init again. Renewing
//   and rebinding retry after half the time left to T2 or to the lease end,
//   at least 60 s (4.4.5). A NAK restarts after the same backoff, growing
//   with consecutive NAKs, so a server that always refuses is not hammered.
// - The first DISCOVER goes out at start(), without 4.4.1's 1..10 s random
//   wait: a unikernel boots alone, not with a building full of hosts.
// - One xid per exchange, kept over its retransmissions (a late answer to
//   an earlier try still counts); a new one for every DISCOVER cycle and
//   every renewal. Rebinding continues the renewal's exchange.
// - Messages from init to requesting set the broadcast flag: the host
//   cannot take unicast for an address it does not have yet.
// - The lease starts when the exchange's first REQUEST was sent (4.4.1):
//   the server's starts later, so ours ends first. T1/T2 default to 0.5 and
//   0.875 of the lease (4.4.5); a T2 of 0 or beyond the lease, a T1 of 0 or
//   beyond T2 is replaced by its default. Leases under 20 s count as 20 s
//   (dhcpcd's floor): a server handing out 0 s leases would otherwise spin
//   the client. 0xffffffff is forever: no renewal.
// - No subnet mask, or a non-contiguous one: the classful prefix (/8, /16,
//   /24), as systemd-networkd does.
// - ACKs and NAKs must name the server requested from (option 54) while
//   requesting or renewing; while rebinding any server may answer.
// - No ARP probe of the offered address (4.4.1's SHOULD), no DECLINE, no
//   INIT-REBOOT, no RELEASE: the host may add them.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <strata/core/capability.hpp>
#include <strata/core/text.hpp>
#include <strata/net/dhcp/wire.hpp>
#include <strata/net/error.hpp>
#include <strata/net/ethernet/address.hpp>
#include <strata/net/ipv4/address.hpp>

namespace strata::net {

enum class dhcp_state : std::uint8_t { init, selecting, requesting, bound, renewing, rebinding };

constexpr std::string_view name(dhcp_state s) {
  switch (s) {
    case dhcp_state::init: return "init";
    case dhcp_state::selecting: return "selecting";
    case dhcp_state::requesting: return "requesting";
    case dhcp_state::bound: return "bound";
    case dhcp_state::renewing: return "renewing";
    case dhcp_state::rebinding: return "rebinding";
  }
  return "unknown";
}

// Why a message that parsed was not acted on.
enum class dhcp_ignore_reason : std::uint8_t {
  not_reply,     // op BOOTREQUEST: another client's broadcast
  wrong_xid,     // not an answer to the exchange in progress
  wrong_chaddr,  // our xid, another client's hardware address
  unexpected,    // a type this state does not wait for: an OFFER while requesting, an ACK while bound
  incomplete,    // lacks what its type must carry: yiaddr or server identifier (OFFER, ACK), lease time (ACK),
                 // server identifier (NAK while requesting or renewing)
  wrong_server,  // an ACK or NAK from another server than the one requested from
};
inline constexpr std::size_t dhcp_ignore_reason_count = 6;

constexpr std::string_view name(dhcp_ignore_reason r) {
  switch (r) {
    case dhcp_ignore_reason::not_reply: return "not_reply";
    case dhcp_ignore_reason::wrong_xid: return "wrong_xid";
    case dhcp_ignore_reason::wrong_chaddr: return "wrong_chaddr";
    case dhcp_ignore_reason::unexpected: return "unexpected";
    case dhcp_ignore_reason::incomplete: return "incomplete";
    case dhcp_ignore_reason::wrong_server: return "wrong_server";
  }
  return "unknown";
}

// name() and dhcp_ignore_reason_count agree: the last reason is named and counted.
static_assert(name(static_cast<dhcp_ignore_reason>(dhcp_ignore_reason_count - 1)) == "wrong_server");
static_assert(name(static_cast<dhcp_ignore_reason>(dhcp_ignore_reason_count)) == "unknown");

struct dhcp_counters {
  std::uint64_t received = 0;       // messages given to receive(), malformed ones included
  std::uint64_t sent = 0;           // messages poll() returned
  std::uint64_t retransmitted = 0;  // of those, repeats of an unanswered DISCOVER or REQUEST
  std::uint64_t offers = 0, acks = 0, naks = 0;  // accepted
  std::uint64_t expired = 0;                     // leases that ran out
  std::uint64_t timeouts = 0;                    // REQUESTs unanswered until the client went back to init
  std::array<std::uint64_t, parse_error_count> malformed{};          // by parse_error
  std::array<std::uint64_t, dhcp_ignore_reason_count> ignored{};     // by dhcp_ignore_reason

  constexpr std::uint64_t count(parse_error e) const { return malformed[static_cast<std::size_t>(e)]; }
  constexpr std::uint64_t count(dhcp_ignore_reason r) const { return ignored[static_cast<std::size_t>(r)]; }

  // "received 2, sent 2, retransmitted 0, offers 1, acks 1, naks 0, expired 0, timeouts 0, dropped: wrong_xid 1"
  constexpr void describe_to(text_writer& w) const {
    w << "received " << received << ", sent " << sent << ", retransmitted " << retransmitted << ", offers " << offers
      << ", acks " << acks << ", naks " << naks << ", expired " << expired << ", timeouts " << timeouts;
    bool first = true;
    auto one = [&](std::string_view what, std::uint64_t n) {
      if (n == 0) return;
      w << (first ? ", dropped: " : ", ") << what << ' ' << n;
      first = false;
    };
    for (auto e : all_parse_errors) one(name(e), count(e));
    for (std::size_t i = 0; i < dhcp_ignore_reason_count; ++i)
      one(name(static_cast<dhcp_ignore_reason>(i)), ignored[i]);
  }
};

// What the client holds while bound, renewing or rebinding.
struct dhcp_lease {
  ipv4_interface address{};  // yiaddr and the prefix of the subnet mask
  ipv4_address gateway{};    // the first router; unspecified: none given
  ipv4_address server{};     // the server identifier
  std::array<ipv4_address, dhcp_max_dns_servers> dns_servers{};
  std::uint8_t dns_server_count = 0;
  std::uint32_t lease_time = 0;      // seconds; dhcp_infinite_lease: forever
  std::uint32_t renewal_time = 0;    // T1, seconds from start
  std::uint32_t rebinding_time = 0;  // T2, seconds from start
  time_ns start = 0;                 // when the exchange's first REQUEST was sent

  constexpr std::span<ipv4_address const> dns() const {
    return {dns_servers.data(), dns_server_count < dns_servers.size() ? dns_server_count : dns_servers.size()};
  }
  constexpr time_ns renew_at() const { return at(renewal_time); }
  constexpr time_ns rebind_at() const { return at(rebinding_time); }
  constexpr time_ns expires_at() const { return at(lease_time); }

  // "10.0.2.15/24 router 10.0.2.2 server 10.0.2.2 dns 10.0.2.3 lease 86400 t1 43200 t2 75600"
  constexpr void describe_to(text_writer& w) const {
    address.describe_to(w);
    if (!gateway.is_unspecified()) {
      w << " router ";
      gateway.describe_to(w);
    }
    w << " server ";
    server.describe_to(w);
    for (auto const& a : dns()) {
      w << " dns ";
      a.describe_to(w);
    }
    if (lease_time == dhcp_infinite_lease) {
      w << " lease infinite";
    } else {
      w << " lease " << lease_time << " t1 " << renewal_time << " t2 " << rebinding_time;
    }
  }

  // Same configuration: what the host would apply (timing aside).
  constexpr bool same_configuration(dhcp_lease const& o) const {
    if (address != o.address || gateway != o.gateway || server != o.server || dns().size() != o.dns().size())
      return false;
    for (std::size_t i = 0; i < dns().size(); ++i)
      if (dns()[i] != o.dns()[i]) return false;
    return true;
  }

 private:
  constexpr time_ns at(std::uint32_t seconds) const {
    if (seconds == dhcp_infinite_lease) return never;
    time_ns const d = time_ns{seconds} * 1'000'000'000;  // < 2^63: no overflow
    return start > never - d ? never : start + d;
  }
};

// A message poll() wants sent: from source port 68 to destination port 67.
struct dhcp_outgoing {
  dhcp_repr message;
  ipv4_address source{};       // 0.0.0.0 until an address is bound, then the address
  ipv4_address destination{};  // 255.255.255.255 (Ethernet broadcast), or the server's address while renewing
};

namespace detail {

// splitmix64 (Vigna): a tiny, well-mixed generator; enough for xids and jitter.
class dhcp_random {
 public:
  constexpr explicit dhcp_random(std::uint64_t seed) : state_{seed} {}
  constexpr std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15U);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9U;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebU;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n]; the modulo bias (< n / 2^64) does not matter here.
  constexpr std::uint64_t up_to(std::uint64_t n) { return n == ~std::uint64_t{0} ? next() : next() % (n + 1); }

 private:
  std::uint64_t state_;
};

// The prefix length of a contiguous mask, or nullopt.
constexpr std::optional<std::uint8_t> dhcp_prefix_of(ipv4_address mask) {
  std::uint32_t const host = ~mask.to_u32();
  if ((host & (host + 1)) != 0) return std::nullopt;  // the host part is not a run of low ones
  std::uint8_t len = 0;
  for (std::uint32_t m = mask.to_u32(); m != 0; m <<= 1) ++len;
  return len;
}

// The prefix of the address's class (RFC 791), for a lease without a mask.
constexpr std::uint8_t dhcp_classful_prefix(ipv4_address a) {
  if (a.octets[0] < 128) return 8;
  if (a.octets[0] < 192) return 16;
  if (a.octets[0] < 224) return 24;
  return 32;
}

}  // namespace detail

class dhcp_client {
 public:
  static constexpr time_ns second = 1'000'000'000;
  static constexpr time_ns first_backoff = 4 * second;           // RFC 2131 4.1
  static constexpr time_ns max_backoff = 64 * second;            // RFC 2131 4.1
  static constexpr time_ns jitter = second;                      // +-, RFC 2131 4.1
  static constexpr time_ns min_extension_retry = 60 * second;    // RFC 2131 4.4.5
  static constexpr std::uint32_t min_lease_time = 20;            // seconds; see the top
  static constexpr std::uint32_t request_tries = 4;              // REQUESTs before going back to init
  // What we accept (option 57): replies fit one unfragmented datagram on
  // any link, since the host does not reassemble fragments.
  static constexpr std::uint16_t max_accepted_size = 576;
  // Option 55: mask, router, DNS, lease time, T1, T2.
  static constexpr std::array<std::byte, 6> requested_parameters{std::byte{1},  std::byte{3},  std::byte{6},
                                                                 std::byte{51}, std::byte{58}, std::byte{59}};

  // The MAC is mixed into the seed, so hosts started with the same seed
  // (a constant, a clock that starts at 0) still draw different xids.
  constexpr dhcp_client(mac_address mac, std::uint32_t seed) : mac_{mac}, random_{mix(mac, seed)} {
    // Option 61: hardware type 1 and the MAC, as dhclient and udhcpc send it.
    client_id_[0] = std::byte{dhcp_layout::ethernet_htype};
    for (std::size_t i = 0; i < mac_address::size; ++i) client_id_[1 + i] = std::byte{mac.octets[i]};
  }

  // Begins (or restarts) acquiring an address: a DISCOVER is due now. A
  // lease held is dropped.
  constexpr void start(time_ns now) {
    lose_lease();
    naks_in_a_row_ = 0;
    enter_init(now);
  }

  // When poll() next has something to do (never: not started, or bound forever).
  constexpr time_ns next_deadline() const { return deadline_; }

  // The message due at `now`, if one is; moves the timers (T1, T2, lease
  // end, retransmissions) on. The message's spans point into this client
  // (the client identifier) or into static data: send it before the client
  // goes away.
  constexpr std::optional<dhcp_outgoing> poll(time_ns now) {
    if (now < deadline_) return std::nullopt;
    if (holds_lease() && now >= lease_.expires_at()) {
      ++counters_.expired;
      lose_lease();
      enter_init(now);
    }
    if (state_ == dhcp_state::requesting && tries_ >= request_tries) {
      ++counters_.timeouts;  // the offer is gone: start over
      enter_init(now);
    }
    switch (state_) {
      case dhcp_state::init: {
        state_ = dhcp_state::selecting;
        acquisition_start_ = now;
        return discover(now);
      }
      case dhcp_state::selecting: return discover(now);
      case dhcp_state::requesting: return request(now);
      case dhcp_state::bound: {
        // T1: a new exchange with the server that gave the lease.
        state_ = dhcp_state::renewing;
        xid_ = next_xid();
        exchange_start_ = now;
        tries_ = 0;
        [[fallthrough]];
      }
      case dhcp_state::renewing: {
        if (now < lease_.rebind_at()) return extend(now);
        state_ = dhcp_state::rebinding;  // T2: any server may extend it now
        [[fallthrough]];
      }
      case dhcp_state::rebinding: return extend(now);
    }
    return std::nullopt;
  }

  // A message that arrived on UDP port 68, parsed. Acts on the answers to
  // the exchange in progress; counts and ignores the rest. After it, a
  // message may be due: call poll().
  constexpr void receive(dhcp_repr const& m, time_ns now) {
    ++counters_.received;
    handle(m, now);
  }

  // The same from the UDP payload; what does not parse is counted by reason.
  constexpr void receive(std::span<std::byte const> payload, time_ns now) {
    auto const v = dhcp_view::parse(payload);
    auto const r = v ? dhcp_repr::parse(*v) : result<dhcp_repr>{v.error()};
    if (!r) {
      ++counters_.received;
      ++counters_.malformed[static_cast<std::size_t>(r.error())];
      return;
    }
    receive(*r, now);
  }

  constexpr dhcp_state state() const { return state_; }
  // Whether the address is ours to use: bound, renewing or rebinding.
  constexpr bool bound() const { return holds_lease(); }
  constexpr std::optional<dhcp_lease> lease() const {
    if (!holds_lease()) return std::nullopt;
    return lease_;
  }

  // Counts changes of what the host configures: a lease gained, lost, or
  // renewed with another address, mask, router, server or DNS servers.
  constexpr std::uint32_t generation() const { return generation_; }
  // Whether the configuration changed since the last call.
  constexpr bool take_change() {
    bool const changed = taken_ != generation_;
    taken_ = generation_;
    return changed;
  }

  constexpr dhcp_counters const& counters() const { return counters_; }
  constexpr mac_address mac() const { return mac_; }
  // The transaction ID of the exchange in progress (or the last one).
  constexpr std::uint32_t xid() const { return xid_; }

  // "dhcp bound 10.0.2.15/24 router 10.0.2.2 server 10.0.2.2 dns 10.0.2.3 lease 86400 t1 43200 t2 75600"
  // "dhcp selecting xid 0x3c5fa6e1"
  constexpr void describe_to(text_writer& w) const {
    w << "dhcp " << name(state_);
    if (holds_lease()) {
      w << ' ';
      lease_.describe_to(w);
    } else {
      w << " xid 0x";
      for (int shift = 24; shift >= 0; shift -= 8) detail::write_hex_byte(w, static_cast<std::uint8_t>(xid_ >> shift));
    }
  }

 private:
  constexpr bool holds_lease() const {
    return state_ == dhcp_state::bound || state_ == dhcp_state::renewing || state_ == dhcp_state::rebinding;
  }

  static constexpr std::uint64_t mix(mac_address mac, std::uint32_t seed) {
    std::uint64_t m = 0;
    for (auto o : mac.octets) m = m << 8 | o;
    return m * 0x9e3779b97f4a7c15U + seed;  // distinct MACs: distinct states for a seed
  }

  constexpr std::uint32_t next_xid() { return static_cast<std::uint32_t>(random_.next() >> 32); }

  static constexpr time_ns after(time_ns now, time_ns d) { return now > never - d ? never : now + d; }

  // 4 s after the first try, doubling to 64 s, +-1 s at random. The
  // doubling ends on the maximum itself: 4, 8, 16, 32, 64.
  static_assert(max_backoff == first_backoff << 4);
  constexpr time_ns backoff(std::uint32_t tries) {
    time_ns base = first_backoff;
    for (std::uint32_t i = 1; i < tries && base < max_backoff; ++i) base *= 2;
    return base - jitter + random_.up_to(2 * jitter);
  }

  // Back to init with a fresh xid; the DISCOVER is due at `at`.
  constexpr void enter_init(time_ns at) {
    state_ = dhcp_state::init;
    xid_ = next_xid();
    tries_ = 0;
    deadline_ = at;
  }

  constexpr void lose_lease() {
    if (holds_lease()) ++generation_;
    lease_ = {};
  }

  static constexpr std::uint16_t secs_since(time_ns start, time_ns now) {
    time_ns const s = now > start ? (now - start) / second : 0;
    return s > 0xffff ? std::uint16_t{0xffff} : static_cast<std::uint16_t>(s);
  }

  // The fields every message of ours has.
  constexpr dhcp_repr base_message(dhcp_message_type type, std::uint16_t secs, bool broadcast) const {
    return dhcp_repr{.op = dhcp_op::request,
                     .message_type = type,
                     .xid = xid_,
                     .secs = secs,
                     .broadcast = broadcast,
                     .chaddr = mac_,
                     .max_message_size = max_accepted_size,
                     .parameter_request_list = requested_parameters,
                     .client_identifier = client_id_};
  }

  constexpr dhcp_outgoing sent(dhcp_repr const& m, ipv4_address source, ipv4_address destination) {
    ++counters_.sent;
    if (tries_ > 0) ++counters_.retransmitted;
    ++tries_;
    return dhcp_outgoing{.message = m, .source = source, .destination = destination};
  }

  constexpr dhcp_outgoing discover(time_ns now) {
    // RFC 2131 4.4.1: the REQUEST repeats the secs of the DISCOVER.
    discover_secs_ = secs_since(acquisition_start_, now);
    auto const m = base_message(dhcp_message_type::discover, discover_secs_, true);
    auto out = sent(m, ipv4_address::any(), ipv4_address::broadcast());
    deadline_ = after(now, backoff(tries_));
    return out;
  }

  // REQUEST in the requesting state: broadcast, naming the offer and its server.
  constexpr dhcp_outgoing request(time_ns now) {
    if (tries_ == 0) exchange_start_ = now;
    auto m = base_message(dhcp_message_type::request, discover_secs_, true);
    m.requested_address = offered_;
    m.server_identifier = server_;
    auto out = sent(m, ipv4_address::any(), ipv4_address::broadcast());
    deadline_ = after(now, backoff(tries_));
    return out;
  }

  // REQUEST while renewing (unicast to the server) or rebinding
  // (broadcast): ciaddr is the address, no requested address or server
  // identifier (RFC 2131 table 5). The next try is after half the time
  // left to T2 or to the end, at least 60 s, and no later than that point.
  constexpr dhcp_outgoing extend(time_ns now) {
    bool const renewing = state_ == dhcp_state::renewing;
    auto m = base_message(dhcp_message_type::request, secs_since(exchange_start_, now), false);
    m.ciaddr = lease_.address.address;
    auto out = sent(m, lease_.address.address, renewing ? lease_.server : ipv4_address::broadcast());
    time_ns const limit = renewing ? lease_.rebind_at() : lease_.expires_at();
    time_ns wait = limit > now ? (limit - now) / 2 : 0;
    wait = std::max(wait, min_extension_retry);
    time_ns const retry = after(now, wait);
    deadline_ = retry < limit ? retry : limit;
    return out;
  }

  constexpr void ignore(dhcp_ignore_reason r) { ++counters_.ignored[static_cast<std::size_t>(r)]; }

  constexpr void handle(dhcp_repr const& m, time_ns now) {
    if (auto const reason = take(m, now)) ignore(*reason);
  }

  // Acts on a reply; when it is ignored, why.
  constexpr std::optional<dhcp_ignore_reason> take(dhcp_repr const& m, time_ns now) {
    if (m.op != dhcp_op::reply) return dhcp_ignore_reason::not_reply;
    if (m.xid != xid_) return dhcp_ignore_reason::wrong_xid;
    if (m.chaddr != mac_) return dhcp_ignore_reason::wrong_chaddr;
    switch (m.message_type) {
      case dhcp_message_type::offer: return take_offer(m, now);
      case dhcp_message_type::ack: return take_ack(m);
      case dhcp_message_type::nak: return take_nak(m, now);
      case dhcp_message_type::discover:
      case dhcp_message_type::request:
      case dhcp_message_type::decline:
      case dhcp_message_type::release:
      case dhcp_message_type::inform: return dhcp_ignore_reason::unexpected;
    }
    return dhcp_ignore_reason::unexpected;
  }

  // A reply to our REQUEST: while requesting, renewing or rebinding.
  constexpr bool answering_request() const { return state_ == dhcp_state::requesting || holds_lease(); }
  // While requesting or renewing the server is known; rebinding asks anyone.
  constexpr bool server_known() const {
    return state_ == dhcp_state::requesting || state_ == dhcp_state::renewing;
  }

  constexpr std::optional<dhcp_ignore_reason> take_offer(dhcp_repr const& m, time_ns now) {
    if (state_ != dhcp_state::selecting) return dhcp_ignore_reason::unexpected;
    if (m.yiaddr.is_unspecified() || !m.server_identifier) return dhcp_ignore_reason::incomplete;
    ++counters_.offers;
    offered_ = m.yiaddr;
    server_ = *m.server_identifier;
    state_ = dhcp_state::requesting;
    tries_ = 0;
    deadline_ = now;  // the REQUEST goes out at the next poll
    return std::nullopt;
  }

  constexpr std::optional<dhcp_ignore_reason> take_ack(dhcp_repr const& m) {
    if (!answering_request() || state_ == dhcp_state::bound) return dhcp_ignore_reason::unexpected;
    if (m.yiaddr.is_unspecified() || !m.server_identifier || !m.lease_time) return dhcp_ignore_reason::incomplete;
    if (server_known() && *m.server_identifier != server_) return dhcp_ignore_reason::wrong_server;
    ++counters_.acks;
    bind(m, *m.server_identifier, *m.lease_time);
    return std::nullopt;
  }

  constexpr std::optional<dhcp_ignore_reason> take_nak(dhcp_repr const& m, time_ns now) {
    if (!answering_request() || state_ == dhcp_state::bound) return dhcp_ignore_reason::unexpected;
    if (server_known()) {
      if (!m.server_identifier) return dhcp_ignore_reason::incomplete;
      if (*m.server_identifier != server_) return dhcp_ignore_reason::wrong_server;
    }
    ++counters_.naks;
    lose_lease();
    ++naks_in_a_row_;
    enter_init(now);
    deadline_ = after(now, backoff(naks_in_a_row_));
    return std::nullopt;
  }

  // An ACK accepted (RFC 2131 4.4.1, 4.4.5), with its server identifier and lease time.
  constexpr void bind(dhcp_repr const& m, ipv4_address server, std::uint32_t lease_time) {
    dhcp_lease l;
    l.address.address = m.yiaddr;
    auto const prefix = m.subnet_mask ? detail::dhcp_prefix_of(*m.subnet_mask) : std::nullopt;
    l.address.prefix_len = prefix ? *prefix : detail::dhcp_classful_prefix(m.yiaddr);
    l.gateway = m.router.value_or(ipv4_address::any());
    l.server = server;
    for (auto const& a : m.dns()) l.dns_servers[l.dns_server_count++] = a;
    std::uint32_t const lease = std::max(lease_time, min_lease_time);
    l.lease_time = lease;
    if (lease == dhcp_infinite_lease) {
      l.renewal_time = l.rebinding_time = dhcp_infinite_lease;
    } else {
      auto const fraction = [&](std::uint64_t num, std::uint64_t den) {
        return static_cast<std::uint32_t>(std::uint64_t{lease} * num / den);
      };
      // A given 0 is taken as absent: it would renew in a loop.
      auto const given = [](std::optional<std::uint32_t> t, std::uint32_t limit) {
        return t && *t != 0 && *t <= limit ? t : std::nullopt;
      };
      l.rebinding_time = given(m.rebinding_time, lease).value_or(fraction(7, 8));
      std::uint32_t const half = std::min(fraction(1, 2), l.rebinding_time);
      l.renewal_time = given(m.renewal_time, l.rebinding_time).value_or(half);
    }
    l.start = exchange_start_;
    bool const changed = !holds_lease() || !lease_.same_configuration(l);
    lease_ = l;
    server_ = l.server;
    state_ = dhcp_state::bound;
    naks_in_a_row_ = 0;
    tries_ = 0;
    deadline_ = lease_.renew_at();
    if (changed) ++generation_;
  }

  mac_address mac_;
  detail::dhcp_random random_;
  std::array<std::byte, 1 + mac_address::size> client_id_{};
  dhcp_state state_ = dhcp_state::init;
  time_ns deadline_ = never;
  std::uint32_t xid_ = 0;
  std::uint32_t tries_ = 0;          // messages sent in this state's exchange
  std::uint32_t naks_in_a_row_ = 0;  // since the last ACK: the restart backoff
  time_ns acquisition_start_ = 0;    // the first DISCOVER of this cycle (secs)
  std::uint16_t discover_secs_ = 0;
  time_ns exchange_start_ = 0;       // the first REQUEST of this exchange: the lease's start
  ipv4_address offered_{};
  ipv4_address server_{};
  dhcp_lease lease_{};
  std::uint32_t generation_ = 0;
  std::uint32_t taken_ = 0;
  dhcp_counters counters_{};
};

}  // namespace strata::net
