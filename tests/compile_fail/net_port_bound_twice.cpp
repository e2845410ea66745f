// Two UDP services on one port: the error names both.
// expect: two_providers<strata::cap::UdpPort<7>, strata::net::udp_service<echo, 7>, strata::net::udp_service<discard, 7> ?>
// expect: two UDP services are bound to the same port \(both named in this error\); give each service its own port
#include <strata/net/udp/service.hpp>
#include <strata/strata.hpp>

#include "compile_fail/fake_nic.hpp"

struct echo {
  void on_datagram(auto& udp, strata::net::datagram const& d) { udp.send_to(d.from, d.payload); }
};
struct discard {
  void on_datagram(auto&, strata::net::datagram const&) {}
};

constexpr auto description = strata::system(
    strata::monotonic_clock{}, fake_nic{}, strata::net::ipv4{.address = "10.0.0.2/24"},
    strata::net::udp_service<echo, 7>{},
#ifdef STRATA_FIXED
    strata::net::udp_service<discard, 9>{});
#else
    strata::net::udp_service<discard, 7>{});
#endif

static_assert(description.size == 5);
