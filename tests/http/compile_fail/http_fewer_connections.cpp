// A TCP layer of 16 connections under a server keeping state for 8 (the
// default): the error says which setting to raise.
// expect: http_fewer_connections_than_tcp<strata::http::server<80,
// expect: keeps state for fewer connections than the TCP layer opens; set http::limits\{.connections = N\} to the N of strata::net::tcp<N>
#include <strata/http/server.hpp>
#include <strata/strata.hpp>

#include "compile_fail/fake_nic.hpp"

struct hello {
  void get(auto&, strata::http::request const&, strata::http::response& res) { res.write("hello\n"); }
};
using routes = strata::http::routes<strata::http::route<"/", hello>>;

constexpr auto description = strata::system(
    strata::monotonic_clock{}, fake_nic{}, strata::net::ipv4{.address = "10.0.0.2/24"}, strata::net::tcp<16>{},
#ifdef STRATA_FIXED
    strata::http::server<80, routes, strata::http::limits{.connections = 16}>{});
#else
    strata::http::server<80, routes>{});
#endif

static_assert(description.size == 5);
