// An HTTP server without the TCP layer: the error names what is missing and
// the component that provides it.
// expect: missing_requirement<strata::http::server<80, strata::http::routes<.*"/stats".*strata::cap::TcpLayer ?>
// expect: requires a TcpLayer and no component of the system provides one; add strata::net::tcp<>\{\} to strata::system
#include <strata/http/server.hpp>
#include <strata/strata.hpp>

#include "compile_fail/fake_nic.hpp"

using routes = strata::http::routes<strata::http::route<"/stats", strata::http::system_stats>>;

constexpr auto description = strata::system(
    strata::monotonic_clock{}, fake_nic{}, strata::net::ipv4{.address = "10.0.0.2/24"},
#ifdef STRATA_FIXED
    strata::net::tcp<>{},
#endif
    strata::http::server<80, routes>{});

static_assert(description.size > 0);
