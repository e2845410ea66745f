// udp_echo's description under a "no UDP" policy: the echo service and the
// DHCP client each hold a UDP port, and each is named.
// expect: policy_violation<strata::policy::no_protocol<strata::protocol::udp>, (strata::net::)?udp_service<echo, 7> ?>
// expect: policy_violation<strata::policy::no_protocol<strata::protocol::udp>, (strata::net::)?dhcp ?>
// expect: policy no_protocol<Protocol> is violated: this component holds a port of the forbidden protocol
#include <strata/net/dhcp/service.hpp>
#include <strata/net/udp/service.hpp>
#include <strata/strata.hpp>

#include "compile_fail/fake_nic.hpp"

struct echo {
  void on_datagram(auto& udp, strata::net::datagram const& d) { udp.send_to(d.from, d.payload); }
};

constexpr auto description =
    strata::system(strata::monotonic_clock{}, fake_nic{}, strata::net::ipv4{}, strata::net::dhcp{},
                   strata::net::udp_service<echo, 7>{});

#ifdef STRATA_FIXED
static_assert(strata::complies<description, strata::policy::no_protocol<strata::protocol::tcp>>);
#else
static_assert(strata::complies<description, strata::policy::no_protocol<strata::protocol::udp>>);
#endif
