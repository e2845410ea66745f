// UDP echo on port 7 (RFC 862); also answers ping and ARP. The address comes
// from DHCP. In QEMU: ./strata run udp_echo (prints the forwarded host port).
// Hosted, on a TAP interface with a DHCP server behind it, e.g. as root:
//   ip tuntap add dev stap0 mode tap && ip addr add 10.0.0.1/24 dev stap0 && ip link set stap0 up
//   (a DHCP server on stap0, e.g. busybox udhcpd)
//   build/gcc/hosted/udp_echo --tap stap0
// It prints "dhcp: bound <address>" once it has one.
#include <strata/net/dhcp/service.hpp>
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
    strata::net::ipv4{},
    strata::net::dhcp{},
    strata::net::udp_service<echo, 7>{});

STRATA_MAIN(description)
