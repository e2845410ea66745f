// strata::net::ipv4: an IPv4 host on an Ethernet NIC, as one component.
//
//   strata::net::ipv4{.address = "10.0.0.2/24", .gateway = "10.0.0.1"}
//
// Its runtime is the receive path NIC -> Ethernet -> ARP | IPv4 -> ICMP |
// UDP, and the matching send path. Ethernet demultiplexes ARP and IPv4 only
// (the layers this component holds); UDP exists only when the system holds
// a strata::net::udp_service: without one, no UDP code is compiled in and
// UDP packets are dropped as an unknown protocol. Every drop is counted by
// reason (net/counters.hpp); nothing malformed reaches an app.
//
// Fragments are reassembled (net/ipv4/reassembly.hpp) when the component
// has reassembly slots, and delivered like any datagram; messages longer
// than one frame are sent as fragments. docs/net.md has the policies.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

#include <strata/core/capability.hpp>
#include <strata/core/system.hpp>
#include <strata/core/text.hpp>
#include <strata/net/arp/cache.hpp>
#include <strata/net/arp/wire.hpp>
#include <strata/net/counters.hpp>
#include <strata/net/device.hpp>
#include <strata/net/ethernet/wire.hpp>
#include <strata/net/icmp/wire.hpp>
#include <strata/net/ipv4/address.hpp>
#include <strata/net/ipv4/reassembly.hpp>
#include <strata/net/ipv4/wire.hpp>
#include <strata/net/udp/wire.hpp>

namespace strata::net {

// An IPv4 address and UDP port.
struct endpoint {
  ipv4_address address{};
  std::uint16_t port = 0;
  friend constexpr bool operator==(endpoint const&, endpoint const&) = default;
  constexpr void describe_to(text_writer& w) const {
    address.describe_to(w);
    w << ':' << port;
  }
};

// A UDP datagram as a service receives it. The payload lives in the
// receive buffer until the handler returns.
struct datagram {
  endpoint from;
  endpoint to;
  std::span<std::byte const> payload;
};

namespace detail {
// Not constexpr on purpose: a bad address literal in a description reaches
// one of these during constant evaluation, and the error names it.
inline void strata_ipv4_address_must_look_like_10_0_0_2_slash_24() {}
inline void strata_ipv4_host_address_is_the_network_or_broadcast_address_of_its_prefix() {}
inline void strata_ipv4_gateway_must_look_like_10_0_0_1() {}

// What a host without reassembly slots holds instead of a reassembler: nothing.
struct no_reassembly {};
}  // namespace detail

// "10.0.0.2/24" in a description, checked at compile time.
struct interface_address {
  ipv4_interface value{};
  constexpr interface_address() = default;
  constexpr interface_address(ipv4_interface v) : value{v} {}
  consteval interface_address(char const* text) {
    auto const parsed = parse_ipv4_interface(text);
    if (!parsed) detail::strata_ipv4_address_must_look_like_10_0_0_2_slash_24();
    value = parsed.value_or(ipv4_interface{});  // (none: the call above stopped the compile)
    if (value.prefix_len < 31 && (value.address == value.network() || value.address == value.broadcast()))
      detail::strata_ipv4_host_address_is_the_network_or_broadcast_address_of_its_prefix();
  }
};

// "10.0.0.1" in a description, checked at compile time.
struct host_address {
  ipv4_address value{};
  constexpr host_address() = default;
  constexpr host_address(ipv4_address v) : value{v} {}
  consteval host_address(char const* text) {
    auto const parsed = parse_ipv4_address(text);
    if (!parsed) detail::strata_ipv4_gateway_must_look_like_10_0_0_1();
    value = parsed.value_or(ipv4_address{});  // (none: the call above stopped the compile)
  }
};

template <class T>
concept UdpServiceRuntime = requires { typename T::is_udp_service; };

// The TCP layer's runtime (strata::net::tcp, tcp/layer.hpp): receive(sys, ip).
template <class T>
concept TcpLayerRuntime = requires { typename T::is_tcp_layer; };

template <std::size_t ArpEntries, std::size_t Waiting, std::size_t ReassemblySlots, std::size_t MaxDatagram>
class ipv4_host {
 public:
  static constexpr std::size_t max_frame = ethernet_layout::header_len + 1500;
  static constexpr time_ns arp_retry_interval = 1'000'000'000;  // RFC 1122 2.3.2.1: at most one per second
  static constexpr std::uint8_t arp_tries = 3;
  static constexpr std::uint32_t unreachable_per_second = 10;  // ICMP errors are rate-limited (RFC 1812 4.3.2.8)
  // The most UDP payload one datagram carries: 65535 - 20 (IPv4) - 8 (UDP).
  static constexpr std::size_t max_udp_payload =
      ipv4_layout::max_total_len - ipv4_layout::min_header_len - udp_layout::header_len;
  static constexpr bool reassembles = ReassemblySlots > 0;

  struct counter_set {
    layer_counters ethernet, arp, ipv4, icmp, udp;
    std::uint64_t reassembled = 0;  // datagrams completed from fragments (ipv4.received counts the fragments)
    std::uint64_t fragmented = 0;   // datagrams sent as fragments (ipv4.sent counts the fragments)
  };

  constexpr ipv4_host(ipv4_interface iface, ipv4_address gateway, std::uint8_t ttl)
      : iface_{iface}, gateway_{gateway}, ttl_{ttl} {}

  // The run-time state: the address and every layer's counters, one line
  // each (runtime_system::describe_state_to gathers these).
  constexpr void describe_to(text_writer& w) const {
    if (configured()) {
      iface_.describe_to(w);
      if (!gateway_.is_unspecified()) {
        w << " gateway ";
        gateway_.describe_to(w);
      }
    } else {
      w << "unconfigured";
    }
    auto layer = [&](std::string_view name, layer_counters const& c) {
      w << "\n    " << name << ": ";
      c.describe_to(w);
    };
    layer("ethernet", counters_.ethernet);
    layer("arp", counters_.arp);
    layer("ipv4", counters_.ipv4);
    w << " (reassembled " << counters_.reassembled << ", fragmented " << counters_.fragmented << ')';
    layer("icmp", counters_.icmp);
    layer("udp", counters_.udp);
  }

  constexpr void visit_counters(auto&& visit) const {
    visit("ethernet", counters_.ethernet);
    visit("arp", counters_.arp);
    visit("ipv4", counters_.ipv4);
    visit("reassembled", counters_.reassembled);
    visit("fragmented", counters_.fragmented);
    visit("icmp", counters_.icmp);
    visit("udp", counters_.udp);
  }

  constexpr ipv4_address address() const { return iface_.address; }
  constexpr ipv4_interface interface() const { return iface_; }
  constexpr ipv4_address gateway() const { return gateway_; }
  // False until an address is set: a host whose address comes from DHCP
  // starts unconfigured (strata::net::dhcp, dhcp/service.hpp).
  constexpr bool configured() const { return !iface_.address.is_unspecified(); }
  constexpr mac_address mac() const { return mac_; }
  constexpr counter_set const& counters() const { return counters_; }
  constexpr std::size_t arp_entries(time_ns now) const { return arp_.size(now); }
  // Datagrams whose fragments are being gathered.
  constexpr std::size_t reassembling() const {
    if constexpr (reassembles)
      return reassembly_.in_progress();
    else
      return 0;
  }

  template <class Sys>
  void init(Sys& sys) {
    mac_ = nic(sys).mac();
    now_ = sys.now();
    tokens_ = unreachable_per_second;
    refilled_ = now_;
    if (configured()) announce(sys);
  }

  // Sets the interface's address and gateway (DHCP's lease), or clears them
  // (an unspecified address: the lease was lost).
  template <class Sys>
  void configure(Sys& sys, ipv4_interface iface, ipv4_address gateway) {
    bool const changed = iface != iface_;
    iface_ = iface;
    gateway_ = gateway;
    if (changed && configured()) announce(sys);
  }

  template <class Sys>
  void poll(Sys& sys, time_ns now) {
    now_ = now;
    if constexpr (reassembles)
      reassembly_.expire(now_, [&](std::span<std::byte const> first_fragment) {
        counters_.ipv4.drop(drop_reason::reassembly_timeout);
        send_reassembly_time_exceeded(sys, first_fragment);
      });
    // A bounded batch per turn, so one busy device cannot starve the rest.
    for (int batch = 0; batch < 64; ++batch) {
      std::size_t const n = nic(sys).receive(rx_);
      if (n == 0) break;
      receive_frame(sys, std::span<std::byte const>{rx_.data(), std::min(n, rx_.size())});
    }
    retry_arp(sys);
  }

  constexpr time_ns next_deadline() const {
    time_ns d = never;
    for (auto const& w : waiting_)
      if (w.used) d = std::min(d, w.next_try);
    if constexpr (reassembles) d = std::min(d, reassembly_.next_deadline());
    return d;
  }

  // Sends a TCP segment from our address to dst; false when it was dropped
  // (counted: the TCP layer sizes segments to the MSS, so one frame holds it).
  template <class Sys, class Segment>
  bool send_tcp(Sys& sys, ipv4_address dst, Segment const& segment) {
    auto const n = segment.emit(std::span{tx_}.subspan(l4_offset, packet_room<Sys>()), iface_.address, dst);
    if (!n) {
      counters_.ipv4.drop(drop_reason::too_big);
      return false;
    }
    return send_ip(sys, dst, ip_protocol::tcp, *n);
  }

  // Sends payload from our port to `to`, as fragments if it does not fit
  // one frame; false when it was dropped (counted).
  template <class Sys>
  bool send_udp(Sys& sys, std::uint16_t from_port, endpoint to, std::span<std::byte const> payload) {
    if (payload.size() > max_udp_payload) {
      counters_.udp.drop(drop_reason::too_big);
      return false;
    }
    udp_repr const udp{.source_port = from_port, .destination_port = to.port, .payload = payload};
    ++counters_.udp.sent;
    if (udp.size() <= packet_room<Sys>()) {
      auto const n = udp.emit(std::span{tx_}.subspan(l4_offset), iface_.address, to.address);
      return n && send_ip(sys, to.address, ip_protocol::udp, *n);
    }
    // The checksum covers the whole datagram, so the header is written first,
    // on its own; the payload then goes from the caller's span into each fragment.
    std::array<std::byte, udp_layout::header_len> head{};
    return udp.emit_header(head, iface_.address, to.address) &&
           send_fragments(sys, to.address, ip_protocol::udp, head, payload);
  }

 private:
  static constexpr std::size_t l4_offset = ethernet_layout::header_len + ipv4_layout::min_header_len;

  template <class Sys>
  static auto& nic(Sys& sys) {
    return sys.template get<cap::NetDevice>();
  }

  template <class Sys>
  static constexpr bool has_udp_services() {
    return Sys::any_runtime([](auto type) { return UdpServiceRuntime<typename decltype(type)::type>; });
  }
  template <class Sys>
  static constexpr bool has_tcp() {
    return Sys::any_runtime([](auto type) { return TcpLayerRuntime<typename decltype(type)::type>; });
  }

  // The IPv4 payload one frame carries on this NIC (at most 1480: tx_ holds
  // a 1500-byte packet).
  template <class Sys>
  static constexpr std::size_t packet_room() {
    constexpr std::size_t mtu = std::remove_cvref_t<decltype(nic(std::declval<Sys&>()))>::mtu;
    return std::min(mtu, max_frame - ethernet_layout::header_len) - ipv4_layout::min_header_len;
  }
  // The same rounded down to the 8-byte unit of fragment offsets: what each
  // fragment but the last carries (1480 on Ethernet).
  template <class Sys>
  static constexpr std::size_t fragment_room() {
    return packet_room<Sys>() / 8 * 8;
  }

  // --- receive ---------------------------------------------------------------
  template <class Sys>
  void receive_frame(Sys& sys, std::span<std::byte const> frame) {
    auto& c = counters_.ethernet;
    ++c.received;
    auto const eth = ethernet_view::parse(frame);
    if (!eth) return c.drop(eth.error());
    if (eth->destination() != mac_ && !eth->destination().is_broadcast()) return c.drop(drop_reason::not_for_us);
    switch (eth->ethertype()) {
      case ethertype::arp: return receive_arp(sys, eth->payload());
      case ethertype::ipv4: return receive_ipv4(sys, eth->payload());
      default: return c.drop(drop_reason::unknown_ethertype);
    }
  }

  template <class Sys>
  void receive_arp(Sys& sys, std::span<std::byte const> bytes) {
    auto& c = counters_.arp;
    ++c.received;
    auto const view = arp_view::parse(bytes);
    if (!view) return c.drop(view.error());
    auto const arp = *arp_repr::parse(*view);
    if (arp.sender_protocol.is_unspecified() || arp.sender_hardware.is_multicast())
      return c.drop(drop_reason::unsupported);
    // RFC 826: merge into an existing entry; add one only if the packet is for us.
    bool const merged = arp_.refresh(arp.sender_protocol, arp.sender_hardware, now_);
    bool const for_us = configured() && arp.target_protocol == iface_.address;
    if (!for_us && !merged) return c.drop(drop_reason::not_for_us);
    if (!merged) arp_.insert(arp.sender_protocol, arp.sender_hardware, now_);
    flush_waiting(sys, arp.sender_protocol, arp.sender_hardware);
    if (for_us && arp.operation == arp_operation::request)
      send_arp(sys, arp_operation::reply, arp.sender_hardware, arp.sender_hardware, arp.sender_protocol);
  }

  template <class Sys>
  void receive_ipv4(Sys& sys, std::span<std::byte const> bytes) {
    auto& c = counters_.ipv4;
    ++c.received;
    auto const ip = ipv4_view::parse(bytes);
    if (!ip) return c.drop(ip.error());
    ipv4_address const dst = ip->destination();
    // Unconfigured, a DHCP server's answer may be addressed to the address
    // it offers: everything is taken, and only the DHCP client's port has a
    // listener that accepts it (by its transaction ID).
    if (configured() && dst != iface_.address && !dst.is_broadcast() && dst != iface_.broadcast())
      return c.drop(drop_reason::not_for_us);
    // Before reassembly, so fragments no layer would take hold no slot.
    bool const known = ip->protocol() == ip_protocol::icmp ||
                       (has_udp_services<Sys>() && ip->protocol() == ip_protocol::udp) ||
                       (has_tcp<Sys>() && ip->protocol() == ip_protocol::tcp);
    if (!known) return c.drop(drop_reason::unknown_protocol);
    if (!ip->is_fragment()) return deliver_ipv4(sys, *ip);
    if constexpr (reassembles)
      receive_fragment(sys, *ip);
    else
      c.drop(drop_reason::unsupported);
  }

  template <class Sys>
  void receive_fragment(Sys& sys, ipv4_view const& fragment) {
    auto& c = counters_.ipv4;
    auto const got = reassembly_.receive(fragment, now_);
    if (got.evicted) c.drop(drop_reason::reassembly_evicted);
    switch (got.status) {
      case reassembly_status::held: return;
      case reassembly_status::duplicate: return c.drop(drop_reason::fragment_duplicate);
      case reassembly_status::overlap: return c.drop(drop_reason::fragment_overlap);
      case reassembly_status::invalid: return c.drop(drop_reason::fragment_invalid);
      case reassembly_status::too_big: return c.drop(drop_reason::too_big);
      case reassembly_status::complete: break;
    }
    // The reassembler wrote a valid header (its checksum too): parse cannot fail.
    auto const whole = ipv4_view::parse(reassembly_.completed().bytes, checksum_policy::skip);
    if (!whole) return c.drop(whole.error());
    ++counters_.reassembled;
    deliver_ipv4(sys, *whole);
  }

  // A whole datagram, received in one piece or reassembled.
  template <class Sys>
  void deliver_ipv4(Sys& sys, ipv4_view const& ip) {
    if (ip.protocol() == ip_protocol::icmp) return receive_icmp(sys, ip);
    if constexpr (has_tcp<Sys>()) {
      if (ip.protocol() == ip_protocol::tcp) {
        // Only to our own address: TCP has no broadcast.
        if (ip.destination() != iface_.address || !configured()) return counters_.ipv4.drop(drop_reason::not_for_us);
        return sys.for_each_part([&](auto& part) {
          if constexpr (TcpLayerRuntime<std::remove_cvref_t<decltype(part)>>) part.receive(sys, ip);
        });
      }
    }
    if constexpr (has_udp_services<Sys>()) receive_udp(sys, ip);
  }

  template <class Sys>
  void receive_icmp(Sys& sys, ipv4_view const& ip) {
    auto& c = counters_.icmp;
    ++c.received;
    auto const view = icmp_view::parse(ip.payload());
    if (!view) return c.drop(view.error());
    auto const msg = icmp_repr::parse(*view);
    if (!msg) return c.drop(msg.error());
    if (msg->type != icmp_type::echo_request) return c.drop(drop_reason::unsupported);
    if (ip.destination() != iface_.address) return c.drop(drop_reason::not_for_us);  // no replies to broadcast pings
    auto const reply = icmp_repr::echo_reply(msg->identifier, msg->sequence, msg->data);
    ++c.sent;
    if (icmp_layout::header_len + msg->data.size() <= packet_room<Sys>()) {
      auto const n = reply.emit(std::span{tx_}.subspan(l4_offset));
      if (n) send_ip(sys, ip.source(), ip_protocol::icmp, *n);
      return;
    }
    // A reassembled ping: the answer is as long, so it goes out in fragments,
    // its checksum computed over the header and all the data first.
    std::array<std::byte, icmp_layout::header_len> head{};
    (void)icmp_repr::echo_reply(msg->identifier, msg->sequence, {}).emit(head);
    store_be16(head, icmp_layout::checksum, 0);
    store_be16(head, icmp_layout::checksum, internet_checksum(msg->data, ones_complement_sum(head)));
    send_fragments(sys, ip.source(), ip_protocol::icmp, head, msg->data);
  }

  template <class Sys>
  void receive_udp(Sys& sys, ipv4_view const& ip) {
    auto& c = counters_.udp;
    ++c.received;
    auto const view = udp_view::parse(ip);
    if (!view) return c.drop(view.error());
    datagram const d{.from = {.address = ip.source(), .port = view->source_port()},
                     .to = {.address = ip.destination(), .port = view->destination_port()},
                     .payload = view->payload()};
    bool served = false;
    sys.for_each_part([&](auto& part) {
      if constexpr (UdpServiceRuntime<std::remove_cvref_t<decltype(part)>>) {
        if (!served && part.port == d.to.port) {
          served = true;
          part.deliver(sys, d);
        }
      }
    });
    if (served) return;
    c.drop(drop_reason::no_service);
    if (ip.destination() == iface_.address) send_port_unreachable(sys, ip);
  }

  template <class Sys>
  void send_port_unreachable(Sys& sys, ipv4_view const& original) {
    send_icmp_error(sys, original, icmp_repr::port_unreachable(icmp_error_quote(original)));
  }

  // RFC 1122 3.3.2: a datagram that timed out with its fragment 0 here is
  // reported to its source, quoting that fragment (as Linux does). Not for
  // broadcasts, and not about ICMP messages other than echo requests, which
  // could be errors themselves (RFC 1122 3.2.2).
  template <class Sys>
  void send_reassembly_time_exceeded(Sys& sys, std::span<std::byte const> first_fragment) {
    if (first_fragment.empty()) return;
    auto const first = ipv4_view::parse(first_fragment, checksum_policy::skip);
    if (!first || first->destination() != iface_.address) return;
    if (first->protocol() == ip_protocol::icmp &&
        (first->payload().empty() || icmp_type{load_u8(first->payload(), 0)} != icmp_type::echo_request))
      return;
    send_icmp_error(sys, *first, icmp_repr::time_exceeded(icmp_time_exceeded::reassembly, icmp_error_quote(*first)));
  }

  // Sends an ICMP error about `original`, if the token bucket allows: at most
  // unreachable_per_second, refilled continuously.
  template <class Sys>
  void send_icmp_error(Sys& sys, ipv4_view const& original, icmp_repr const& error) {
    time_ns const per_token = 1'000'000'000 / unreachable_per_second;
    if (now_ - refilled_ >= per_token) {
      auto const add = (now_ - refilled_) / per_token;
      tokens_ = static_cast<std::uint32_t>(std::min<time_ns>(unreachable_per_second, tokens_ + add));
      refilled_ += add * per_token;
    }
    if (tokens_ == 0) return counters_.icmp.drop(drop_reason::rate_limited);
    --tokens_;
    auto const n = error.emit(std::span{tx_}.subspan(l4_offset));
    if (!n) return;
    ++counters_.icmp.sent;
    send_ip(sys, original.source(), ip_protocol::icmp, *n);
  }

  // --- send ------------------------------------------------------------------
  constexpr bool is_broadcast(ipv4_address dst) const { return dst.is_broadcast() || dst == iface_.broadcast(); }

  // The destination on our network (or a broadcast), else the gateway; none
  // without a gateway (counted as no_route).
  constexpr std::optional<ipv4_address> next_hop(ipv4_address dst) {
    if (is_broadcast(dst) || iface_.contains(dst)) return dst;
    if (!gateway_.is_unspecified()) return gateway_;
    counters_.ipv4.drop(drop_reason::no_route);
    return std::nullopt;
  }

  // Sends the L4 message of length l4_len already in tx_ at l4_offset.
  template <class Sys>
  bool send_ip(Sys& sys, ipv4_address dst, ip_protocol protocol, std::size_t l4_len) {
    auto const hop = next_hop(dst);
    if (!hop) return false;
    ipv4_repr const ip{.source = iface_.address, .destination = dst, .protocol = protocol, .ttl = ttl_,
                       .identification = next_id_++, .payload_len = l4_len};
    return send_packet(sys, *hop, ip);
  }

  // Sends an L4 message too long for one frame as fragments (RFC 791 3.2):
  // one identification, offsets in 8-byte units, MF on all but the last, DF
  // never. The message is `head` (the L4 header, its checksum already
  // covering everything) then `body`, copied piece by piece from where they
  // lie into tx_: no staging buffer. Unresolved next hop: all fragments wait
  // for ARP, or none does (dropped as queue_full when the queue has no room
  // for all; the ARP request still goes out, so a retry finds the binding).
  template <class Sys>
  bool send_fragments(Sys& sys, ipv4_address dst, ip_protocol protocol, std::span<std::byte const> head,
                      std::span<std::byte const> body) {
    auto& c = counters_.ipv4;
    std::size_t const total = head.size() + body.size();
    if (total > ipv4_layout::max_total_len - ipv4_layout::min_header_len) {
      c.drop(drop_reason::too_big);
      return false;
    }
    auto const hop = next_hop(dst);
    if (!hop) return false;
    constexpr std::size_t room = fragment_room<Sys>();
    static_assert(room >= 48, "strata: a NIC's mtu must be at least 68 bytes (RFC 791: every link carries them)");
    if (!is_broadcast(dst) && !arp_.lookup(*hop, now_) && free_waiting() < (total + room - 1) / room) {
      c.drop(drop_reason::queue_full);
      if (!asking_for(*hop)) send_arp(sys, arp_operation::request, mac_address::broadcast(), mac_address{}, *hop);
      return false;
    }
    ++counters_.fragmented;
    std::uint16_t const id = next_id_++;
    for (std::size_t at = 0; at < total; at += room) {
      std::size_t const len = std::min(room, total - at);
      auto const out = std::span{tx_}.subspan(l4_offset, len);
      // This fragment's share of head, then of body.
      std::size_t const from_head = at < head.size() ? std::min(len, head.size() - at) : 0;
      if (from_head != 0) detail::copy_bytes(out.first(from_head), head.subspan(at, from_head));
      detail::copy_bytes(out.subspan(from_head), body.subspan(at + from_head - head.size(), len - from_head));
      ipv4_repr const ip{.source = iface_.address, .destination = dst, .protocol = protocol, .ttl = ttl_,
                         .identification = id, .more_fragments = at + len < total,
                         .fragment_offset = static_cast<std::uint16_t>(at), .payload_len = len};
      // A fragment the NIC refused leaves the datagram unusable: stop there.
      if (!send_packet(sys, *hop, ip)) return false;
    }
    return true;
  }

  // Writes the IPv4 header in front of the payload in tx_ and sends the
  // packet to the next hop, or queues it for ARP.
  template <class Sys>
  bool send_packet(Sys& sys, ipv4_address hop, ipv4_repr const& ip) {
    auto& c = counters_.ipv4;
    if (!ip.emit(std::span{tx_}.subspan(ethernet_layout::header_len))) {
      c.drop(drop_reason::too_big);
      return false;
    }
    ++c.sent;
    std::size_t const used = l4_offset + ip.payload_len;
    if (is_broadcast(ip.destination)) return send_frame(sys, mac_address::broadcast(), ethertype::ipv4, used);
    if (auto const mac = arp_.lookup(hop, now_)) return send_frame(sys, *mac, ethertype::ipv4, used);
    // The whole frame waits, header included; the destination is filled in
    // when ARP answers.
    return wait_for_arp(sys, hop, frame_in_tx(mac_address{}, ethertype::ipv4, used));
  }

  // Writes the Ethernet header in front of the `used` bytes tx_ holds and
  // pads the frame to Ethernet's minimum (60 bytes before the FCS); returns
  // the frame's length.
  constexpr std::size_t frame_in_tx(mac_address to, ethertype type, std::size_t used) {
    (void)ethernet_repr{.destination = to, .source = mac_, .type = type, .vlan = std::nullopt}.emit(tx_);
    std::size_t const len = used < 60 ? 60 : used;
    std::fill(tx_.begin() + static_cast<std::ptrdiff_t>(used), tx_.begin() + static_cast<std::ptrdiff_t>(len),
              std::byte{0});
    return len;
  }

  template <class Sys>
  bool send_frame(Sys& sys, mac_address to, ethertype type, std::size_t used) {
    return transmit(sys, std::span<std::byte const>{tx_.data(), frame_in_tx(to, type, used)});
  }

  template <class Sys>
  bool transmit(Sys& sys, std::span<std::byte const> frame) {
    if (!nic(sys).transmit(frame)) {
      counters_.ethernet.drop(drop_reason::device_busy);
      return false;
    }
    ++counters_.ethernet.sent;
    return true;
  }

  // Gratuitous ARP: announces our binding and updates caches that hold an old one.
  template <class Sys>
  void announce(Sys& sys) {
    send_arp(sys, arp_operation::request, mac_address::broadcast(), mac_address{}, iface_.address);
  }

  template <class Sys>
  // NOLINTNEXTLINE(bugprone-easily-swappable-parameters): the frame's destination, then the ARP fields in wire order
  void send_arp(Sys& sys, arp_operation op, mac_address to, mac_address target_mac, ipv4_address target_ip) {
    arp_repr const arp{.operation = op, .sender_hardware = mac_, .sender_protocol = iface_.address,
                       .target_hardware = target_mac, .target_protocol = target_ip};
    auto const n = arp.emit(std::span{tx_}.subspan(ethernet_layout::header_len));
    if (!n) return;
    ++counters_.arp.sent;
    send_frame(sys, to, ethertype::arp, ethernet_layout::header_len + *n);
  }

  // --- packets waiting for ARP -------------------------------------------------
  struct waiting_frame {
    bool used = false;
    ipv4_address next_hop{};
    time_ns next_try = never;
    std::uint8_t tries = 0;
    std::size_t len = 0;
    std::array<std::byte, max_frame> frame{};
  };

  constexpr bool asking_for(ipv4_address next_hop) const {
    return std::ranges::any_of(waiting_, [&](auto const& w) { return w.used && w.next_hop == next_hop; });
  }

  constexpr std::size_t free_waiting() const {
    std::size_t n = 0;
    for (auto const& w : waiting_) n += !w.used;
    return n;
  }

  template <class Sys>
  bool wait_for_arp(Sys& sys, ipv4_address next_hop, std::size_t len) {
    bool const asking = asking_for(next_hop);
    waiting_frame* slot = nullptr;
    for (auto& w : waiting_)
      if (!w.used) {
        slot = &w;
        break;
      }
    if (slot == nullptr) {
      counters_.ipv4.drop(drop_reason::queue_full);
      return false;
    }
    *slot = {true, next_hop, now_ + arp_retry_interval, 1, len, {}};
    std::copy_n(tx_.begin(), len, slot->frame.begin());
    if (!asking) send_arp(sys, arp_operation::request, mac_address::broadcast(), mac_address{}, next_hop);
    return true;
  }

  template <class Sys>
  void flush_waiting(Sys& sys, ipv4_address ip, mac_address mac) {
    for (auto& w : waiting_) {
      if (!w.used || w.next_hop != ip) continue;
      mac.store(w.frame, ethernet_layout::destination);
      transmit(sys, std::span<std::byte const>{w.frame.data(), w.len});
      w.used = false;
    }
  }

  template <class Sys>
  void retry_arp(Sys& sys) {
    std::array<ipv4_address, Waiting> asked{};  // one request per address per pass
    std::size_t n_asked = 0;
    for (auto& w : waiting_) {
      if (!w.used || w.next_try > now_) continue;
      if (w.tries >= arp_tries) {
        w.used = false;
        counters_.ipv4.drop(drop_reason::unresolved);
        continue;
      }
      ++w.tries;
      w.next_try = now_ + arp_retry_interval;
      if (std::find(asked.begin(), asked.begin() + static_cast<std::ptrdiff_t>(n_asked), w.next_hop) !=
          asked.begin() + static_cast<std::ptrdiff_t>(n_asked))
        continue;
      asked[n_asked++] = w.next_hop;
      send_arp(sys, arp_operation::request, mac_address::broadcast(), mac_address{}, w.next_hop);
    }
  }

  ipv4_interface iface_;
  ipv4_address gateway_;
  std::uint8_t ttl_;
  mac_address mac_{};
  time_ns now_ = 0;
  std::uint16_t next_id_ = 1;
  std::uint32_t tokens_ = 0;
  time_ns refilled_ = 0;
  arp_cache<ArpEntries> arp_{};
  std::array<waiting_frame, Waiting> waiting_{};
  // No slots: no reassembler, not even its code (every use is `if constexpr`).
  [[no_unique_address]] std::conditional_t<reassembles, reassembler<ReassemblySlots, MaxDatagram>,
                                           detail::no_reassembly> reassembly_{};
  counter_set counters_{};
  std::array<std::byte, max_frame> rx_{};
  std::array<std::byte, max_frame> tx_{};
};

template <class T>
concept ipv4_host_like = requires(T const& t) {
  { t.address() } -> std::same_as<ipv4_address>;
  t.counters();
};

}  // namespace strata::net

namespace strata {
template <class T>
concept IpLayer = net::ipv4_host_like<T>;
}  // namespace strata

STRATA_CAPABILITY(IpLayer, true, "strata::net::ipv4{.address = \"10.0.0.2/24\"}",
                  "address() -> strata::net::ipv4_address and counters()")

namespace strata::net {

namespace detail {
inline constexpr std::string_view ipv4_name = "ipv4";
// Not constexpr on purpose: a description that reaches one of these while it
// is evaluated fails to compile, and the error names the mistake.
inline void strata_ipv4_has_a_static_address_and_dhcp_sets_it_too_remove_one_of_them() {}
inline void strata_ipv4_has_no_address_give_it_address_or_add_strata_net_dhcp() {}
}

// The component. ArpEntries: bindings the ARP cache holds; Waiting: packets
// (or fragments) that can wait for an ARP answer at once; ReassemblySlots:
// datagrams reassembled at once (0: none, fragments are dropped as
// unsupported and no reassembly code or buffer is compiled in);
// MaxDatagram: the most payload a reassembled datagram may have. A slot
// costs MaxDatagram plus a bit per 8 bytes plus ~160 bytes: the default, 2
// slots of 4096, takes a `ping -s 4000` or a 4000-byte UDP datagram in 8.6 KB.
template <std::size_t ArpEntries = 16, std::size_t Waiting = 4, std::size_t ReassemblySlots = 2,
          std::size_t MaxDatagram = 4096>
struct basic_ipv4 {
  // ({}: g++ warns, -Wmissing-field-initializers, when a designated initializer omits them.)
  interface_address address{};
  host_address gateway{};
  std::uint8_t ttl = 64;

  static constexpr std::string_view name = detail::ipv4_name;
  using provides = caps<cap::IpLayer>;
  using needs = caps<cap::NetDevice, cap::Clock>;

  // Exactly one source for the interface's address: the static .address
  // here, or a component that sets it at run time (strata::net::dhcp).
  template <class... Cs>
  constexpr void validate(system_description<Cs...> const&) const {
    // (The parentheses around the requires-expression let cppcheck 2.10 parse the fold.)
    constexpr bool dynamic = ((requires { typename Cs::sets_ipv4_address; }) || ... || false);
    bool const fixed = !address.value.address.is_unspecified();
    if (dynamic && fixed) detail::strata_ipv4_has_a_static_address_and_dhcp_sets_it_too_remove_one_of_them();
    if (!dynamic && !fixed) detail::strata_ipv4_has_no_address_give_it_address_or_add_strata_net_dhcp();
  }

  constexpr void visit_behaviour(auto&& note) const {
    note("icmp", "answers echo requests; port unreachable and reassembly time exceeded, at most 10 per second");
    if (!address.value.address.is_unspecified()) {
      char text[96]{};
      text_writer w{text, sizeof text};
      w << "static ";
      address.value.describe_to(w);
      if (!gateway.value.is_unspecified()) {
        w << ", gateway ";
        gateway.value.describe_to(w);
      }
      note("addressing", std::string_view{text, w.size()});
    }
  }

  constexpr void visit_config(auto&& field) const {
    if (address.value.address.is_unspecified()) {
      field("address", std::string_view{"set at run time"});
    } else {
      field("address", address.value);
      field("gateway", gateway.value);
    }
    field("ttl", ttl);
    field("arp_entries", ArpEntries);
    field("arp_waiting", Waiting);
    field("reassembly_slots", ReassemblySlots);
    if constexpr (ReassemblySlots > 0) field("max_datagram", MaxDatagram);
  }
  template <class P>
  static constexpr ipv4_host<ArpEntries, Waiting, ReassemblySlots, MaxDatagram> runtime(basic_ipv4 const& c) {
    return {c.address.value, c.gateway.value, c.ttl};
  }
};

using ipv4 = basic_ipv4<>;

}  // namespace strata::net
