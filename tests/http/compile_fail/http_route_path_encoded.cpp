// A route's path written percent-encoded: requests are decoded before they
// are compared with it, so it would never match. The error names the route.
// expect: http_route_path_never_matches<strata::http::route<
// expect: this http::route's path can never match a request
#include <strata/http/server.hpp>
#include <strata/strata.hpp>

#include "compile_fail/fake_nic.hpp"

struct menu {
  void get(auto&, strata::http::request const&, strata::http::response& res) { res.write("soup\n"); }
};

constexpr auto description = strata::system(
    strata::monotonic_clock{}, fake_nic{}, strata::net::ipv4{.address = "10.0.0.2/24"}, strata::net::tcp<>{},
#ifdef STRATA_FIXED
    strata::http::server<80, strata::http::routes<strata::http::route<"/caf\xc3\xa9 menu", menu>>>{});
#else
    strata::http::server<80, strata::http::routes<strata::http::route<"/caf%C3%A9%20menu", menu>>>{});
#endif

static_assert(description.size == 5);
