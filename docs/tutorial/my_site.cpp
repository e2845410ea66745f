// The tutorial's web server (docs/tutorial.md): the files of site/, a route
// that counts visitors, the counters at /stats, and policies the compiler
// checks.
#include <embedded/site.hpp>
#include <strata/http/server.hpp>
#include <strata/net/dhcp/service.hpp>
#include <strata/net/nic.hpp>
#include <strata/strata.hpp>

using namespace strata::literals;

struct hello {
  int visitors = 0;
  void get(auto& sys, strata::http::request const&, strata::http::response& res) {
    res.print("hello, visitor {} ({} ms after boot)\n"_fmt, ++visitors, sys.now() / 1'000'000);
  }
  void post(auto&, strata::http::request const& req, strata::http::response& res) {
    res.print("you sent {} bytes\n"_fmt, req.body.size());
  }
};

using routes = strata::http::routes<
    strata::http::files<strata::embedded::site>,
    strata::http::route<"/hello", hello>,
    strata::http::route<"/stats", strata::http::system_stats>>;

constexpr auto description = strata::system(
    strata::serial_console{},
    strata::monotonic_clock{},
    strata::net::nic<>{},
    strata::net::ipv4{},
    strata::net::dhcp{},
    strata::net::tcp<16, 8192, 4096>{},
    strata::http::server<80, routes, strata::http::limits{.connections = 16}>{});

// What the image may expose, and how much memory it may hold.
static_assert(strata::complies<description,
    strata::policy::only_ports<strata::policy::port{strata::protocol::tcp, 80},
                               strata::policy::port{strata::protocol::udp, 68}>,
    strata::policy::max_static_memory<1024 * 1024>>);

STRATA_MAIN(description)
