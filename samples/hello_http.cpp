// A small web site: the files of samples/hello_http/site/, embedded in the
// image at build time (CMakeLists.txt: FILES samples/hello_http/site), and
// /stats, the system's counters as JSON. The address comes from DHCP.
//   ./strata run hello_http       # prints "forward: tcp 127.0.0.1:<port> -> 80"
//   curl http://127.0.0.1:<port>/
#include <embedded/site.hpp>
#include <strata/http/server.hpp>
#include <strata/net/dhcp/service.hpp>
#include <strata/net/nic.hpp>
#include <strata/strata.hpp>

using site = strata::http::routes<
    strata::http::files<strata::embedded::site>,
    strata::http::route<"/stats", strata::http::system_stats>>;

// 64 connections, each with 8 KiB to send and 4 KiB to receive, and a
// request parser of its own; the site takes no request bodies over 1 KiB.
inline constexpr strata::http::limits limits{
    .connections = 64,
    .request = {.max_request_line = 2048, .max_header_bytes = 4096, .max_headers = 32, .max_body = 1024}};

constexpr auto description = strata::system(
    strata::serial_console{},
    strata::monotonic_clock{},
    strata::net::nic<>{},
    // 16 frames may wait for ARP (4 by default): the answers to a burst of
    // new connections right after boot, before the gateway's MAC is known.
    strata::net::basic_ipv4<16, 16>{},
    strata::net::dhcp{},
    strata::net::tcp<64, 8192, 4096, 16>{},
    strata::http::server<80, site, limits>{});

STRATA_MAIN(description)
