// strata::net::dhcp: the interface's address, netmask and gateway from a
// DHCP server (RFC 2131), instead of a static address.
//
//   strata::net::ipv4{},   // no .address: DHCP sets it
//   strata::net::dhcp{},
//
// A UDP service on port 68 above the IPv4 host, as MirageOS layers its DHCP
// client: dhcp_client (client.hpp) decides what to send and when; this
// component sends it, feeds it the server's answers, and configures the
// host when a lease is bound, renewed with other values, or lost. With a
// console in the system it prints "dhcp: bound <lease>" (benchmarks read the
// moment from it) and "dhcp: lease lost".
//
// Holding both a static address and dhcp for the one interface is a compile
// error (ipv4's validate, host.hpp), as is an ipv4 with neither.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <strata/core/capability.hpp>
#include <strata/core/text.hpp>
#include <strata/net/dhcp/client.hpp>
#include <strata/net/dhcp/wire.hpp>
#include <strata/net/ipv4/host.hpp>
#include <strata/net/udp/service.hpp>

namespace strata::net {

class dhcp_service_state {
 public:
  using is_udp_service = void;
  static constexpr std::uint16_t port = dhcp_client_port;

  explicit constexpr dhcp_service_state(std::uint32_t seed) : seed_{seed} {}

  template <class Sys>
  void start(Sys& sys) {
    auto& ip = sys.template get<cap::IpLayer>();
    // The clock's reading at start differs from boot to boot on real
    // hardware and QEMU alike, so transaction IDs do too.
    client_ = dhcp_client{ip.mac(), seed_ ^ static_cast<std::uint32_t>(sys.now())};
    client_.start(sys.now());
    send_due(sys, sys.now());
  }

  template <class Sys>
  void poll(Sys& sys, time_ns now) {
    send_due(sys, now);
  }
  constexpr time_ns next_deadline() const { return client_.next_deadline(); }

  template <class Sys>
  void deliver(Sys& sys, datagram const& d) {
    if (d.from.port != dhcp_server_port) return;
    time_ns const now = sys.now();
    client_.receive(d.payload, now);
    send_due(sys, now);  // an OFFER makes a REQUEST due at once
  }

  constexpr dhcp_client const& client() const { return client_; }
  constexpr void describe_to(text_writer& w) const { client_.describe_to(w); }

 private:
  template <class Sys>
  void send_due(Sys& sys, time_ns now) {
    auto& ip = sys.template get<cap::IpLayer>();
    while (auto const out = client_.poll(now)) {
      std::array<std::byte, dhcp_client::max_accepted_size> buffer{};
      auto const n = out->message.emit(buffer);
      if (!n) break;
      ip.send_udp(sys, port, endpoint{.address = out->destination, .port = dhcp_server_port}, std::span{buffer}.first(*n));
    }
    if (!client_.take_change()) return;
    if (auto const lease = client_.lease()) {
      ip.configure(sys, lease->address, lease->gateway);
      report(sys, "dhcp: bound ", *lease);
    } else {
      ip.configure(sys, ipv4_interface{}, ipv4_address{});
      report(sys, "dhcp: lease lost", std::string_view{});
    }
  }

  template <class Sys, class T>
  static void report(Sys& sys, std::string_view what, T const& detail) {
    if constexpr (requires { sys.console.write(std::string_view{}); }) {
      std::array<char, 256> line{};
      text_writer w{line.data(), line.size()};
      w << what;
      if constexpr (requires { detail.describe_to(w); }) detail.describe_to(w);
      w << '\n';
      sys.console.write(std::string_view{line.data(), w.size()});
    }
  }

  std::uint32_t seed_;
  dhcp_client client_{mac_address{}, 0};
};

// The component. seed: mixed into the transaction IDs with the MAC and the
// clock, for systems that must differ even so (a simulated network's hosts).
struct dhcp {
  std::uint32_t seed = 0;

  static constexpr std::string_view name = "dhcp";
  using sets_ipv4_address = void;  // ipv4 then has no static address (basic_ipv4::validate)
  using provides = caps<cap::UdpPort<dhcp_client_port>>;
  using needs = caps<cap::IpLayer, cap::Clock>;

  constexpr void visit_config(auto&& field) const { field("seed", seed); }
  constexpr void visit_behaviour(auto&& note) const {
    note("addressing", "DHCP client (RFC 2131) on udp 68: address, netmask and gateway from the server");
  }
  template <class P>
  static constexpr dhcp_service_state runtime(dhcp const& d) {
    return dhcp_service_state{d.seed};
  }
};

}  // namespace strata::net
