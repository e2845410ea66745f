// One interface, two sources for its address: a static one and DHCP.
// expect: strata_ipv4_has_a_static_address_and_dhcp_sets_it_too_remove_one_of_them
#include <strata/clock.hpp>
#include <strata/net/dhcp/service.hpp>
#include <strata/strata.hpp>

#include "compile_fail/fake_nic.hpp"

#ifdef STRATA_FIXED
constexpr auto description = strata::system(strata::monotonic_clock{}, fake_nic{}, strata::net::ipv4{},
                                            strata::net::dhcp{});
#else
constexpr auto description = strata::system(strata::monotonic_clock{}, fake_nic{},
                                            strata::net::ipv4{.address = "10.0.0.2/24"}, strata::net::dhcp{});
#endif
static_assert(description.size == 4);
