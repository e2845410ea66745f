// expect: ipv4_interface_literal_is_malformed_expected_like_10_0_0_2_slash_24
// An interface literal with a prefix length over 32.
#include <strata/net/ipv4/address.hpp>

using namespace strata::net::literals;

#ifdef STRATA_FIXED
constexpr auto self = "10.0.0.2/32"_ipv4_interface;
#else
constexpr auto self = "10.0.0.2/33"_ipv4_interface;
#endif
static_assert(self.address.octets[3] == 2);
