// strata::net::udp_service<Handler, Port>: a UDP service bound to a port at
// compile time.
//
//   struct echo {
//     void on_datagram(auto& udp, strata::net::datagram const& d) { udp.send_to(d.from, d.payload); }
//   };
//   strata::net::udp_service<echo, 7>{}
//
// The port is part of the type and each port is an exclusive capability
// (cap::UdpPort<7>), so two services on one port fail to compile with an
// error naming both. The IPv4 host delivers datagrams for the port; the
// handler answers through `udp` (send_to) and may also have the usual hooks
// (start, poll, next_deadline, on_timer) with `sys`.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include <strata/core/capability.hpp>
#include <strata/core/errors.hpp>
#include <strata/core/surface.hpp>
#include <strata/core/text.hpp>
#include <strata/net/detail/text.hpp>
#include <strata/net/ipv4/host.hpp>

namespace strata::net::detail {
inline constexpr std::string_view udp_port_name = "UdpPort";
inline constexpr std::string_view udp_service_name = "udp_service<";
}  // namespace strata::net::detail

namespace strata::cap {
// The right to receive on one UDP port: exclusive, so a port has one service.
template <std::uint16_t Port>
struct UdpPort {
  static constexpr std::string_view name = numbered_name_v<net::detail::udp_port_name, Port>;
  static constexpr bool exclusive = true;
  static constexpr protocol transport = protocol::udp;  // for policy::no_protocol
  template <class Runtime>
  static constexpr bool modeled_by = true;
};
}  // namespace strata::cap

namespace strata::error {
template <std::uint16_t Port, class First, class Second>
struct two_providers<cap::UdpPort<Port>, First, Second> {
  static_assert(detail::always_false<First, Second>,
                "strata: two UDP services are bound to the same port (both named in this error); "
                "give each service its own port");
};

template <class Service>
struct handler_wrong_shape {
  static_assert(detail::always_false<Service>,
                "strata: the handler of this udp_service cannot take a datagram; it needs "
                "'void on_datagram(auto& udp, strata::net::datagram const& d)'");
};
}  // namespace strata::error

namespace strata::net {

// What a handler answers through: the service's port on the IPv4 host.
template <class Sys, class Ip, std::uint16_t Port>
class udp_socket {
 public:
  constexpr udp_socket(Sys& sys, Ip& ip) : sys_{sys}, ip_{ip} {}
  // Sends a datagram from this service's port; false when it was dropped
  // (counted in the UDP counters: too big, no route, no room).
  bool send_to(endpoint to, std::span<std::byte const> payload) { return ip_.send_udp(sys_, Port, to, payload); }
  static constexpr std::uint16_t port() { return Port; }
  Sys& system() { return sys_; }

 private:
  Sys& sys_;
  Ip& ip_;
};

// A socket on Port for code that is not answering a datagram: a service's
// own start(sys), poll(sys, now) or on_timer(sys, id) sends with it.
template <std::uint16_t Port, class Sys>
auto socket(Sys& sys) {
  auto& ip = sys.template get<cap::IpLayer>();
  return udp_socket<Sys, std::remove_cvref_t<decltype(ip)>, Port>{sys, ip};
}

template <class Handler, std::uint16_t Port>
struct udp_service;

template <class Handler, std::uint16_t Port>
struct udp_service_state {
  using is_udp_service = void;
  static constexpr std::uint16_t port = Port;
  Handler handler;

  template <class Sys>
  void deliver(Sys& sys, datagram const& d) {
    auto& ip = sys.template get<cap::IpLayer>();
    udp_socket<Sys, std::remove_cvref_t<decltype(ip)>, Port> socket{sys, ip};
    if constexpr (requires { handler.on_datagram(socket, d); })
      handler.on_datagram(socket, d);
    else
      (void)error::handler_wrong_shape<udp_service<Handler, Port>>{};
  }

  // The handler's own hooks, if it has them.
  template <class Sys>
  void start(Sys& sys)
    requires requires(Handler& h) { h.start(sys); }
  {
    handler.start(sys);
  }
  template <class Sys>
  void poll(Sys& sys, time_ns now)
    requires requires(Handler& h) { h.poll(sys, now); }
  {
    handler.poll(sys, now);
  }
  time_ns next_deadline() const
    requires requires(Handler const& h) { h.next_deadline(); }
  {
    return handler.next_deadline();
  }
  template <class Sys>
  void on_timer(Sys& sys, timer_id id)
    requires requires(Handler& h) { h.on_timer(sys, id); }
  {
    handler.on_timer(sys, id);
  }
};

template <class Handler, std::uint16_t Port>
struct udp_service {
  static_assert(Port != 0, "strata: udp_service<Handler, 0>: port 0 cannot be listened on; pick a port");
  Handler handler{};

  static constexpr std::string_view name =
      join_v<detail::udp_service_name, type_name<Handler>, detail::comma, decimal_v<Port>, detail::close>;
  using provides = caps<cap::UdpPort<Port>>;
  using needs = caps<cap::IpLayer>;

  constexpr void visit_config(auto&& field) const {
    field("port", Port);
    if constexpr (requires { handler.visit_config(field); }) handler.visit_config(field);
  }
  constexpr void visit_surface(auto&& open) const { open(protocol::udp, Port); }
  template <class P>
  static constexpr udp_service_state<Handler, Port> runtime(udp_service const& s) {
    return {s.handler};
  }
};

}  // namespace strata::net
