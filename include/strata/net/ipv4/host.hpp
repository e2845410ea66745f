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
// Not yet (documented in docs/net.md): reassembly of fragments (counted as
// 'unsupported'), fragmentation on send ('too_big').
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>

#include <strata/core/capability.hpp>
#include <strata/core/text.hpp>
#include <strata/net/arp/cache.hpp>
#include <strata/net/arp/wire.hpp>
#include <strata/net/counters.hpp>
#include <strata/net/device.hpp>
#include <strata/net/ethernet/wire.hpp>
#include <strata/net/icmp/wire.hpp>
#include <strata/net/ipv4/address.hpp>
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
}  // namespace detail

// "10.0.0.2/24" in a description, checked at compile time.
struct interface_address {
  ipv4_interface value{};
  constexpr interface_address() = default;
  constexpr interface_address(ipv4_interface v) : value{v} {}
  consteval interface_address(char const* text) {
    auto const parsed = parse_ipv4_interface(text);
    if (!parsed) detail::strata_ipv4_address_must_look_like_10_0_0_2_slash_24();
    value = *parsed;
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
    value = *parsed;
  }
};

template <class T>
concept UdpServiceRuntime = requires { typename T::is_udp_service; };

template <std::size_t ArpEntries, std::size_t Waiting>
class ipv4_host {
 public:
  static constexpr std::size_t max_frame = ethernet_layout::header_len + 1500;
  static constexpr time_ns arp_retry_interval = 1'000'000'000;  // RFC 1122 2.3.2.1: at most one per second
  static constexpr std::uint8_t arp_tries = 3;
  static constexpr std::uint32_t unreachable_per_second = 10;  // ICMP errors are rate-limited (RFC 1812 4.3.2.8)

  struct counter_set {
    layer_counters ethernet, arp, ipv4, icmp, udp;
  };

  constexpr ipv4_host(ipv4_interface iface, ipv4_address gateway, std::uint8_t ttl)
      : iface_{iface}, gateway_{gateway}, ttl_{ttl} {}

  constexpr ipv4_address address() const { return iface_.address; }
  constexpr ipv4_interface interface() const { return iface_; }
  constexpr mac_address mac() const { return mac_; }
  constexpr counter_set const& counters() const { return counters_; }
  constexpr std::size_t arp_entries(time_ns now) const { return arp_.size(now); }

  template <class Sys>
  void init(Sys& sys) {
    mac_ = nic(sys).mac();
    now_ = sys.now();
    tokens_ = unreachable_per_second;
    refilled_ = now_;
    // Gratuitous ARP: announces our binding and updates caches that hold an old one.
    send_arp(sys, arp_operation::request, mac_address::broadcast(), mac_address{}, iface_.address);
  }

  template <class Sys>
  void poll(Sys& sys, time_ns now) {
    now_ = now;
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
    return d;
  }

  // Sends payload from our port to `to`; false when it was dropped (counted).
  template <class Sys>
  bool send_udp(Sys& sys, std::uint16_t from_port, endpoint to, std::span<std::byte const> payload) {
    constexpr std::size_t mtu = std::remove_cvref_t<decltype(nic(sys))>::mtu;
    if (payload.size() > mtu - ipv4_layout::min_header_len - udp_layout::header_len) {
      counters_.udp.drop(drop_reason::too_big);
      return false;
    }
    auto const l4 = std::span{tx_}.subspan(l4_offset);
    auto const n = udp_repr{from_port, to.port, payload}.emit(l4, iface_.address, to.address);
    if (!n) return false;
    ++counters_.udp.sent;
    return send_ip(sys, to.address, ip_protocol::udp, *n);
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
    bool const for_us = arp.target_protocol == iface_.address;
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
    if (dst != iface_.address && !dst.is_broadcast() && dst != iface_.broadcast()) return c.drop(drop_reason::not_for_us);
    if (ip->is_fragment()) return c.drop(drop_reason::unsupported);
    switch (ip->protocol()) {
      case ip_protocol::icmp: return receive_icmp(sys, *ip);
      case ip_protocol::udp:
        if constexpr (has_udp_services<Sys>()) return receive_udp(sys, *ip);
        [[fallthrough]];
      default: return c.drop(drop_reason::unknown_protocol);
    }
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
    auto const n = icmp_repr::echo_reply(msg->identifier, msg->sequence, msg->data)
                       .emit(std::span{tx_}.subspan(l4_offset));
    if (!n) return c.drop(drop_reason::too_big);
    ++c.sent;
    send_ip(sys, ip.source(), ip_protocol::icmp, *n);
  }

  template <class Sys>
  void receive_udp(Sys& sys, ipv4_view const& ip) {
    auto& c = counters_.udp;
    ++c.received;
    auto const view = udp_view::parse(ip);
    if (!view) return c.drop(view.error());
    datagram const d{{ip.source(), view->source_port()}, {ip.destination(), view->destination_port()},
                     view->payload()};
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
    // A token bucket: at most unreachable_per_second, refilled continuously.
    time_ns const per_token = 1'000'000'000 / unreachable_per_second;
    if (now_ - refilled_ >= per_token) {
      auto const add = (now_ - refilled_) / per_token;
      tokens_ = static_cast<std::uint32_t>(std::min<time_ns>(unreachable_per_second, tokens_ + add));
      refilled_ += add * per_token;
    }
    if (tokens_ == 0) return counters_.icmp.drop(drop_reason::rate_limited);
    --tokens_;
    auto const n = icmp_repr::port_unreachable(icmp_error_quote(original)).emit(std::span{tx_}.subspan(l4_offset));
    if (!n) return;
    ++counters_.icmp.sent;
    send_ip(sys, original.source(), ip_protocol::icmp, *n);
  }

  // --- send ------------------------------------------------------------------
  // Sends the L4 message of length l4_len already in tx_ at l4_offset.
  template <class Sys>
  bool send_ip(Sys& sys, ipv4_address dst, ip_protocol protocol, std::size_t l4_len) {
    auto& c = counters_.ipv4;
    bool const broadcast = dst.is_broadcast() || dst == iface_.broadcast();
    ipv4_address next_hop = dst;
    if (!broadcast && !iface_.contains(dst)) {
      if (gateway_.is_unspecified()) {
        c.drop(drop_reason::no_route);
        return false;
      }
      next_hop = gateway_;
    }
    ipv4_repr const ip{iface_.address, dst, protocol, ttl_, 0, 0, next_id_++, false, false, 0, l4_len, {}};
    if (!ip.emit(std::span{tx_}.subspan(ethernet_layout::header_len))) {
      c.drop(drop_reason::too_big);
      return false;
    }
    ++c.sent;
    std::size_t const used = l4_offset + l4_len;
    if (broadcast) return send_frame(sys, mac_address::broadcast(), ethertype::ipv4, used);
    if (auto const mac = arp_.lookup(next_hop, now_)) return send_frame(sys, *mac, ethertype::ipv4, used);
    // The whole frame waits, header included; the destination is filled in
    // when ARP answers.
    return wait_for_arp(sys, next_hop, frame_in_tx(mac_address{}, ethertype::ipv4, used));
  }

  // Writes the Ethernet header in front of the `used` bytes tx_ holds and
  // pads the frame to Ethernet's minimum (60 bytes before the FCS); returns
  // the frame's length.
  constexpr std::size_t frame_in_tx(mac_address to, ethertype type, std::size_t used) {
    (void)ethernet_repr{to, mac_, type, {}}.emit(tx_);
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

  template <class Sys>
  void send_arp(Sys& sys, arp_operation op, mac_address to, mac_address target_mac, ipv4_address target_ip) {
    auto const n = arp_repr{op, mac_, iface_.address, target_mac, target_ip}.emit(
        std::span{tx_}.subspan(ethernet_layout::header_len));
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

  template <class Sys>
  bool wait_for_arp(Sys& sys, ipv4_address next_hop, std::size_t len) {
    bool asking = false;
    for (auto const& w : waiting_) asking = asking || (w.used && w.next_hop == next_hop);
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
}

// The component. ArpEntries: bindings the ARP cache holds; Waiting: packets
// that can wait for an ARP answer at once.
template <std::size_t ArpEntries = 16, std::size_t Waiting = 4>
struct basic_ipv4 {
  interface_address address{};
  host_address gateway{};
  std::uint8_t ttl = 64;

  static constexpr std::string_view name = detail::ipv4_name;
  using provides = caps<cap::IpLayer>;
  using needs = caps<cap::NetDevice, cap::Clock>;

  constexpr void visit_config(auto&& field) const {
    field("address", address.value);
    field("gateway", gateway.value);
    field("ttl", ttl);
    field("arp_entries", ArpEntries);
    field("arp_waiting", Waiting);
  }
  template <class P>
  static constexpr ipv4_host<ArpEntries, Waiting> runtime(basic_ipv4 const& c) {
    return {c.address.value, c.gateway.value, c.ttl};
  }
};

using ipv4 = basic_ipv4<>;

}  // namespace strata::net
