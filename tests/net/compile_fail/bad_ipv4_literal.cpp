// expect: ipv4_address_literal_is_malformed_expected_like_10_0_0_2
// An IPv4 address literal with an octet over 255: "..."_ipv4 is consteval, so
// the mistake is a compile error naming what was expected.
#include <strata/net/ipv4/address.hpp>

using namespace strata::net::literals;

#ifdef STRATA_FIXED
constexpr auto gateway = "10.0.0.255"_ipv4;
#else
constexpr auto gateway = "10.0.0.256"_ipv4;
#endif
static_assert(gateway.octets[0] == 10);
