// UDP echo on port 7 at QEMU user networking's fixed guest address (no
// DHCP), and a stop service on port 9 that ends the image with exit code 0,
// so a test can finish it cleanly, printing the system's run-time state. The
// virtio-net driver's own test.
#include <strata/net/nic.hpp>
#include <strata/net/udp/service.hpp>
#include <strata/strata.hpp>

struct echo {
  void on_datagram(auto& udp, strata::net::datagram const& d) { udp.send_to(d.from, d.payload); }
};

// Prints the run-time state (NIC, addresses, counters) before it stops.
struct stop {
  void on_datagram(auto& udp, strata::net::datagram const&) {
    auto& sys = udp.system();
    char text[1024]{};
    strata::text_writer w{text, sizeof text};
    sys.describe_state_to(w);
    sys.console.write(std::string_view{text, w.size()});
    sys.exit(0);
  }
};

constexpr auto description = strata::system(
    strata::serial_console{},
    strata::monotonic_clock{},
    strata::net::nic<>{},
    strata::net::ipv4{.address = "10.0.2.15/24", .gateway = "10.0.2.2"},
    strata::net::udp_service<echo, 7>{},
    strata::net::udp_service<stop, 9>{});

STRATA_MAIN(description)
