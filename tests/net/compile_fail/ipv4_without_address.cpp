// An interface with no address and nothing to set one.
// expect: strata_ipv4_has_no_address_give_it_address_or_add_strata_net_dhcp
#include <strata/clock.hpp>
#include <strata/net/ipv4/host.hpp>
#include <strata/strata.hpp>

#include "compile_fail/fake_nic.hpp"

#ifdef STRATA_FIXED
constexpr auto description = strata::system(strata::monotonic_clock{}, fake_nic{},
                                            strata::net::ipv4{.address = "10.0.0.2/24"});
#else
constexpr auto description = strata::system(strata::monotonic_clock{}, fake_nic{}, strata::net::ipv4{});
#endif
static_assert(description.size == 3);
