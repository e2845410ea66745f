// TCP echo on port 7 at a static address: the TCP layer's end-to-end test
// image, run hosted on a TAP against Linux's TCP (tests/tcp/tcp_echo.sh) and
// in QEMU through user networking's forward (tests/tcp/tcp_client.py).
#include <array>
#include <span>

#include <strata/net/nic.hpp>
#include <strata/net/tcp/layer.hpp>
#include <strata/strata.hpp>

#ifndef TCP_ECHO_ADDRESS
#define TCP_ECHO_ADDRESS "10.0.0.2/24"
#define TCP_ECHO_GATEWAY "10.0.0.1"
#endif

// Echoes what arrives, as much as the send buffer takes; what does not fit
// stays unread in the receive buffer (TCP's window then slows the peer).
struct echo {
  void on_readable(auto& stream) {
    std::array<std::byte, 1460> buffer{};
    while (stream.readable() != 0 && stream.writable() != 0) {
      std::size_t const room = stream.writable() < buffer.size() ? stream.writable() : buffer.size();
      std::size_t const n = stream.read(std::span{buffer}.first(room));
      stream.write(std::span{buffer}.first(n));
    }
    if (stream.peer_closed() && stream.readable() == 0) stream.close();
  }
};

constexpr auto description = strata::system(
    strata::serial_console{},
    strata::monotonic_clock{},
    strata::net::nic<>{},
    strata::net::ipv4{.address = TCP_ECHO_ADDRESS, .gateway = TCP_ECHO_GATEWAY},
    strata::net::tcp<>{},
    strata::net::tcp_service<echo, 7>{});

STRATA_MAIN(description)
