// TCP in a system: the layer above the IPv4 host, and services bound to ports.
//
//   struct echo {   // a StreamHandler
//     void on_readable(auto& stream) {
//       std::array<std::byte, 512> buf;
//       std::size_t const n = stream.read(buf);
//       stream.write(std::span{buf}.first(n));
//       if (stream.peer_closed()) stream.close();
//     }
//   };
//   strata::net::tcp<>{},                    // connections and buffers: template parameters
//   strata::net::tcp_service<echo, 7>{},     // a port is part of the type
//
// The layer owns the protocol engine (tcp_table, table.hpp): segments come
// from the host (receive), what the engine sends goes out through the host
// (send_tcp) at the end of the layer's poll. Services never see segments:
// a new connection on their port is offered to on_accept(stream), and
// on_readable(stream) runs each turn its connection has data or its peer
// has closed. Which ports listen is known from the description's types.
// Two services on one port is a compile error naming both (cap::TcpPort).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

#include <strata/core/capability.hpp>
#include <strata/core/errors.hpp>
#include <strata/core/surface.hpp>
#include <strata/core/text.hpp>
#include <strata/net/detail/text.hpp>
#include <strata/net/ipv4/host.hpp>
#include <strata/net/tcp/table.hpp>
#include <strata/net/tcp/wire.hpp>

namespace strata::net::detail {
inline constexpr std::string_view tcp_port_name = "TcpPort";
inline constexpr std::string_view tcp_service_name = "tcp_service<";
}  // namespace strata::net::detail

namespace strata::cap {
// The right to accept connections on one TCP port: one service a port.
template <std::uint16_t Port>
struct TcpPort {
  static constexpr std::string_view name = numbered_name_v<net::detail::tcp_port_name, Port>;
  static constexpr bool exclusive = true;
  static constexpr protocol transport = protocol::tcp;  // for policy::no_protocol
  template <class Runtime>
  static constexpr bool modeled_by = true;
};
}  // namespace strata::cap

namespace strata::error {
template <std::uint16_t Port, class First, class Second>
struct two_providers<cap::TcpPort<Port>, First, Second> {
  static_assert(detail::always_false<First, Second>,
                "strata: two TCP services listen on the same port (both named in this error); "
                "give each service its own port");
};

template <class Service>
struct stream_handler_wrong_shape {
  static_assert(detail::always_false<Service>,
                "strata: the handler of this tcp_service cannot take a stream; it needs "
                "'void on_readable(auto& stream)' (and may have 'void on_accept(auto& stream)')");
};
}  // namespace strata::error

namespace strata {
template <class T>
concept TcpLayer = requires { typename T::is_tcp_layer; };
}  // namespace strata

STRATA_CAPABILITY(TcpLayer, true, "strata::net::tcp<>{}", "the TCP layer's runtime (strata::net::tcp_layer_state)")

namespace strata::net {

template <class T>
concept TcpServiceRuntime = requires { typename T::is_tcp_service; };

// A service's stream hooks: its handler's (tcp_service), or its own (a
// service runtime that is the handler, such as http::server's).
template <TcpServiceRuntime S>
constexpr auto& handler_of(S& service) {
  if constexpr (requires { service.handler; })
    return service.handler;
  else
    return service;
}

// What a service's handler works with: one connection, while it is open.
template <class Sys, class Connection>
class tcp_stream {
 public:
  // NOLINTNEXTLINE(bugprone-easily-swappable-parameters): named as the members they bind
  constexpr tcp_stream(Sys& sys, Connection& c, bool& open, bool& want_write, std::size_t slot)
      : sys_{sys}, c_{c}, open_{open}, want_write_{want_write}, slot_{slot} {}

  // Reads what has arrived, in order; 0 when nothing waits.
  std::size_t read(std::span<std::byte> out) { return c_.read(out); }
  // Copies what has arrived without taking it; consume(n) takes n bytes.
  std::size_t peek(std::span<std::byte> out) const { return c_.peek(out); }
  std::size_t consume(std::size_t n) { return c_.consume(n); }
  // Queues bytes to send; returns how many fit (the rest is the caller's to retry).
  std::size_t write(std::span<std::byte const> data) { return c_.write(data); }
  std::size_t readable() const { return c_.readable(); }
  std::size_t writable() const { return c_.writable(); }
  // The peer sent FIN: once read() returns 0, nothing more will come.
  bool peer_closed() const { return c_.peer_closed(); }
  // Asks for on_writable(stream) once the send buffer has room again (after
  // a write that did not fit), so a handler can go on with a long answer.
  void wait_writable() { want_write_ = true; }
  // The connection's index in the layer, stable while the stream is open:
  // where a service keeps its per-connection state.
  std::size_t slot() const { return slot_; }
  // Sends FIN after what is queued and keeps reading (a half-close).
  void shutdown_write() { c_.shutdown_write(); }
  // Sends FIN after what is queued; the stream is the handler's no more.
  void close() {
    c_.close();
    open_ = false;
  }
  // Sends RST and forgets the connection.
  void abort() {
    c_.abort();
    open_ = false;
  }
  tcp_endpoint remote() const { return c_.remote(); }
  tcp_endpoint local() const { return c_.local(); }
  Sys& system() { return sys_; }

 private:
  Sys& sys_;
  Connection& c_;
  bool& open_;
  bool& want_write_;
  std::size_t slot_;
};

template <std::size_t Connections, std::size_t SendBuffer, std::size_t ReceiveBuffer, std::size_t Backlog>
class tcp_layer_state {
 public:
  using is_tcp_layer = void;
  using table_type = tcp_table<Connections, SendBuffer, ReceiveBuffer, Backlog>;

  explicit constexpr tcp_layer_state(std::uint64_t seed) : seed_{seed}, table_{tcp_table_config{}} {}

  template <class Sys>
  void init(Sys& sys) {
    auto const& ip = sys.template get<cap::IpLayer>();
    // The ISN secret (RFC 6528): the description's seed, the MAC and the
    // clock at boot, which differs from boot to boot.
    std::uint64_t mac = 0;
    for (auto o : ip.mac().octets) mac = mac << 8 | o;
    table_.configure(tcp_table_config{
        .secret = {.k0 = seed_ ^ sys.now(), .k1 = mac * 0x9e3779b97f4a7c15U},
        .listening = &listens<Sys>,
        .connection = tcp_config{.mtu = static_cast<std::uint16_t>(
                                     std::remove_cvref_t<decltype(sys.template get<cap::NetDevice>())>::mtu)}});
  }

  // A segment for us, from the host.
  template <class Sys>
  void receive(Sys& sys, ipv4_view const& ip) {
    auto const view = tcp_view::parse(ip);
    if (!view) {
      malformed_.drop(view.error());
      return;
    }
    auto const seg = tcp_repr::parse(*view);
    if (!seg) {
      malformed_.drop(seg.error());
      return;
    }
    table_.on_segment(ip.source(), ip.destination(), *seg, sys.now());
  }

  template <class Sys>
  void poll(Sys& sys, time_ns now) {
    while (auto const i = table_.accept()) {
      open_[*i] = true;
      want_write_[*i] = false;
      serve(sys, *i, [](auto& service, auto& stream) {
        if constexpr (requires { handler_of(service).on_accept(stream); }) handler_of(service).on_accept(stream);
      });
    }
    for (std::size_t i = 0; i < Connections; ++i) {
      if (!open_[i]) continue;
      auto const& c = table_.at(i);
      if (want_write_[i] && c.writable() != 0) {
        want_write_[i] = false;
        serve(sys, i, [](auto& service, auto& stream) {
          if constexpr (requires { handler_of(service).on_writable(stream); }) handler_of(service).on_writable(stream);
        });
        if (!open_[i]) continue;
      }
      if (c.readable() == 0 && !c.peer_closed()) continue;
      serve(sys, i, [](auto& service, auto& stream) {
        if constexpr (requires { handler_of(service).on_readable(stream); })
          handler_of(service).on_readable(stream);
        else
          (void)error::stream_handler_wrong_shape<typename std::remove_cvref_t<decltype(service)>::component>{};
      });
    }
    flush(sys, now);
  }

  constexpr time_ns next_deadline() const { return table_.next_deadline(); }

  // Active open, for apps (clients): a handle for stream(), or nothing when
  // no slot is free. The app reads and writes it from its own hooks.
  template <class Sys>
  std::optional<std::size_t> connect(Sys& sys, endpoint remote) {
    auto const& ip = sys.template get<cap::IpLayer>();
    auto const i = table_.connect({ip.address(), 0}, {remote.address, remote.port}, sys.now());
    if (i) {
      apps_[*i] = true;
      want_write_[*i] = false;
    }
    return i;
  }
  template <class Sys>
  tcp_stream<Sys, typename table_type::connection> stream(Sys& sys, std::size_t handle) {
    return {sys, table_.at(handle), apps_[handle], want_write_[handle], handle};
  }
  // A service's connection by slot (stream.slot()), while the service holds
  // it: for the service's own poll (timeouts). Nothing once it was closed.
  template <class Sys>
  std::optional<tcp_stream<Sys, typename table_type::connection>> service_stream(Sys& sys, std::size_t slot) {
    if (slot >= Connections || !open_[slot]) return std::nullopt;
    return tcp_stream<Sys, typename table_type::connection>{sys, table_.at(slot), open_[slot], want_write_[slot],
                                                            slot};
  }

  constexpr table_type const& table() const { return table_; }
  constexpr void visit_counters(auto&& visit) const {
    table_.counters().visit_counters(visit);
    std::size_t open = 0;
    for (std::size_t i = 0; i < Connections; ++i) open += table_.at(i).state() != tcp_state::closed;
    visit("connections_in_use", open);
    visit("malformed", malformed_);
  }
  constexpr void describe_to(text_writer& w) const {
    table_.counters().describe_to(w);
    w << "\n    malformed: ";
    malformed_.describe_to(w);
  }

 private:
  // Whether a service of the system listens on port (the services' ports
  // are types: this is a chain of comparisons with constants).
  template <class Sys>
  static bool listens(std::uint16_t port) {
    bool found = false;
    Sys::any_runtime([&](auto type) {
      using R = typename decltype(type)::type;
      if constexpr (TcpServiceRuntime<R>) found = found || R::port == port;
      return false;
    });
    return found;
  }

  template <class Sys, class F>
  void serve(Sys& sys, std::size_t i, F&& f) {
    auto& c = table_.at(i);
    std::uint16_t const port = c.local().port;
    bool served = false;
    sys.for_each_part([&](auto& part) {
      if constexpr (TcpServiceRuntime<std::remove_cvref_t<decltype(part)>>) {
        if (!served && part.port == port) {
          served = true;
          tcp_stream<Sys, typename table_type::connection> stream{sys, c, open_[i], want_write_[i], i};
          f(part, stream);
        }
      }
    });
    if (!served) {  // no service took it (cannot happen: the table listens on services' ports)
      c.abort();
      open_[i] = false;
    }
  }

  template <class Sys>
  void flush(Sys& sys, time_ns now) {
    auto& ip = sys.template get<cap::IpLayer>();
    while (auto const out = table_.poll(now)) ip.send_tcp(sys, out->destination, out->segment);
  }

  std::uint64_t seed_;
  table_type table_;
  std::array<bool, Connections> open_{};  // handed to a service and not yet closed by it
  std::array<bool, Connections> apps_{};  // opened by an app (connect) and not yet closed by it
  std::array<bool, Connections> want_write_{};  // wait_writable() called: on_writable once there is room
  layer_counters malformed_{};            // segments that did not parse (checksum, options, ...)
};

namespace detail {
inline constexpr std::string_view tcp_name = "tcp";
}

// The layer. Connections: open at once (half-open ones included);
// SendBuffer/ReceiveBuffer: bytes per connection each way; Backlog:
// half-open connections before SYN cookies take over (docs/tcp.md).
template <std::size_t Connections = 8, std::size_t SendBuffer = 16384, std::size_t ReceiveBuffer = 16384,
          std::size_t Backlog = 4>
struct tcp {
  std::uint64_t seed = 0;

  static constexpr std::string_view name = detail::tcp_name;
  static constexpr std::size_t connections = Connections;
  static constexpr std::size_t send_buffer = SendBuffer;
  using provides = caps<cap::TcpLayer>;
  using needs = caps<cap::IpLayer, cap::Clock>;

  constexpr void visit_config(auto&& field) const {
    field("connections", Connections);
    field("send_buffer", SendBuffer);
    field("receive_buffer", ReceiveBuffer);
    field("backlog", Backlog);
  }
  template <class P>
  static constexpr tcp_layer_state<Connections, SendBuffer, ReceiveBuffer, Backlog> runtime(tcp const& t) {
    return tcp_layer_state<Connections, SendBuffer, ReceiveBuffer, Backlog>{t.seed};
  }
};

template <class Handler, std::uint16_t Port>
struct tcp_service;

template <class Handler, std::uint16_t Port>
struct tcp_service_state {
  using is_tcp_service = void;
  using component = tcp_service<Handler, Port>;
  static constexpr std::uint16_t port = Port;
  Handler handler;
};

template <class Handler, std::uint16_t Port>
struct tcp_service {
  static_assert(Port != 0, "strata: tcp_service<Handler, 0>: port 0 cannot be listened on; pick a port");
  Handler handler{};

  static constexpr std::string_view name =
      join_v<detail::tcp_service_name, type_name<Handler>, detail::comma, decimal_v<Port>, detail::close>;
  using provides = caps<cap::TcpPort<Port>>;
  using needs = caps<cap::TcpLayer>;

  constexpr void visit_config(auto&& field) const { field("port", Port); }
  constexpr void visit_surface(auto&& open) const { open(protocol::tcp, Port); }
  template <class P>
  static constexpr tcp_service_state<Handler, Port> runtime(tcp_service const& s) {
    return {s.handler};
  }
};

}  // namespace strata::net
