// A TCP send buffer of 2 KiB cannot take a 4 KiB dynamic answer (the
// server's default max_response): the error says what to change.
// expect: http_response_over_send_buffer<strata::http::server<80,
// expect: max_response \(plus its headers\) is larger than the TCP layer's send buffer
#include <strata/http/server.hpp>
#include <strata/strata.hpp>

#include "compile_fail/fake_nic.hpp"

struct hello {
  void get(auto&, strata::http::request const&, strata::http::response& res) { res.write("hello\n"); }
};
using routes = strata::http::routes<strata::http::route<"/", hello>>;

constexpr auto description = strata::system(
    strata::monotonic_clock{}, fake_nic{}, strata::net::ipv4{.address = "10.0.0.2/24"},
#ifdef STRATA_FIXED
    strata::net::tcp<8, 8192>{},
#else
    strata::net::tcp<8, 2048>{},
#endif
    strata::http::server<80, routes>{});

static_assert(description.size == 5);
