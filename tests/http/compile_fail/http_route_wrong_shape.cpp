// A route whose handler answers no method (a serve() instead of get()): the
// error names the handler and the members it needs.
// expect: route_handler_wrong_shape<status>
// expect: this http::route's handler answers no method; it needs at least one member 'void get\(auto& sys, strata::http::request const&, strata::http::response&\)'
#include <strata/http/server.hpp>
#include <strata/strata.hpp>

#include "compile_fail/fake_nic.hpp"

struct status {
#ifdef STRATA_FIXED
  void get(auto&, strata::http::request const&, strata::http::response& res) { res.write("ok\n"); }
#else
  void serve(auto&, strata::http::request const&, strata::http::response& res) { res.write("ok\n"); }
#endif
};

constexpr auto description = strata::system(
    strata::monotonic_clock{}, fake_nic{}, strata::net::ipv4{.address = "10.0.0.2/24"}, strata::net::tcp<>{},
    strata::http::server<80, strata::http::routes<strata::http::route<"/status", status>>>{});

static_assert(description.size == 5);
