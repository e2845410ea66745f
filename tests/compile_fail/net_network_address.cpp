// A host address that is its prefix's network address.
// expect: strata_ipv4_host_address_is_the_network_or_broadcast_address_of_its_prefix
#include <strata/net/ipv4/host.hpp>

#ifdef STRATA_FIXED
constexpr strata::net::ipv4 config{.address = "10.0.0.1/24"};
#else
constexpr strata::net::ipv4 config{.address = "10.0.0.0/24"};
#endif
static_assert(config.ttl == 64);
