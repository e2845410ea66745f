// A UDP service in a system without an IP layer.
// expect: missing_requirement<strata::net::udp_service<echo, 7>, strata::cap::IpLayer ?>
// expect: this component requires a IpLayer and no component of the system provides one; add strata::net::ipv4\{.address = "10.0.0.2/24"\}
#include <strata/net/udp/service.hpp>
#include <strata/strata.hpp>

#include "compile_fail/fake_nic.hpp"

struct echo {
  void on_datagram(auto& udp, strata::net::datagram const& d) { udp.send_to(d.from, d.payload); }
};

constexpr auto description = strata::system(
#ifdef STRATA_FIXED
    strata::monotonic_clock{}, fake_nic{}, strata::net::ipv4{.address = "10.0.0.2/24"},
#endif
    strata::net::udp_service<echo, 7>{});

static_assert(description.size > 0);
