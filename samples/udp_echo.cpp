// UDP echo on port 7 (RFC 862); also answers ping and ARP.
// Hosted: run it on a TAP interface, e.g. as root:
//   ip tuntap add dev stap0 mode tap && ip addr add 10.0.0.1/24 dev stap0 && ip link set stap0 up
//   build/gcc/hosted/udp_echo --tap stap0 &
//   ping 10.0.0.2; echo hi | nc -u -w1 10.0.0.2 7
#include <strata/net/nic.hpp>
#include <strata/net/udp/service.hpp>
#include <strata/strata.hpp>

struct echo {
  void on_datagram(auto& udp, strata::net::datagram const& d) { udp.send_to(d.from, d.payload); }
};

constexpr auto description = strata::system(
    strata::serial_console{},
    strata::monotonic_clock{},
    strata::net::nic<>{},
    strata::net::ipv4{.address = "10.0.0.2/24", .gateway = "10.0.0.1"},
    strata::net::udp_service<echo, 7>{});

STRATA_MAIN(description)
