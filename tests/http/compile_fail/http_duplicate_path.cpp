// Two routes of one server at the same path: the error names the server.
// expect: http_duplicate_path<strata::http::server<80, strata::http::routes<
// expect: two routes of this http::server serve the same path
#include <strata/http/server.hpp>
#include <strata/strata.hpp>

#include "compile_fail/fake_nic.hpp"

struct hello {
  void get(auto&, strata::http::request const&, strata::http::response& res) { res.write("hello\n"); }
};

constexpr auto description = strata::system(
    strata::monotonic_clock{}, fake_nic{}, strata::net::ipv4{.address = "10.0.0.2/24"}, strata::net::tcp<>{},
    strata::http::server<80, strata::http::routes<strata::http::route<"/hello", hello>,
#ifdef STRATA_FIXED
                                                  strata::http::route<"/stats", strata::http::system_stats>>>{});
#else
                                                  strata::http::route<"/hello", strata::http::system_stats>>>{});
#endif

static_assert(description.size == 5);
