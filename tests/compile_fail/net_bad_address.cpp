// A malformed address literal in a description is a compile error.
// expect: strata_ipv4_address_must_look_like_10_0_0_2_slash_24
#include <strata/net/ipv4/host.hpp>

#ifdef STRATA_FIXED
constexpr strata::net::ipv4 config{.address = "10.0.0.2/24"};
#else
constexpr strata::net::ipv4 config{.address = "10.0.0.256/24"};
#endif
static_assert(config.ttl == 64);
