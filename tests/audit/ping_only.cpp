// The network without UDP: an IPv4 host that answers ARP and ping, and
// nothing else. No UDP service, no DHCP: no UDP code may be in the image
// (tests/audit/CMakeLists.txt reads its symbols).
#include <strata/net/ipv4/host.hpp>
#include <strata/net/nic.hpp>
#include <strata/strata.hpp>

constexpr auto description = strata::system(
    strata::serial_console{},
    strata::monotonic_clock{},
    strata::net::nic<>{},
    strata::net::ipv4{.address = "10.0.2.15/24", .gateway = "10.0.2.2"});

STRATA_MAIN(description)
