// Two TCP services on one port: the error names both.
// expect: two_providers<strata::cap::TcpPort<80>, strata::net::tcp_service<site, 80>, strata::net::tcp_service<api, 80> ?>
// expect: two TCP services listen on the same port \(both named in this error\); give each service its own port
#include <strata/net/tcp/layer.hpp>
#include <strata/strata.hpp>

#include "compile_fail/fake_nic.hpp"

struct site {
  void on_readable(auto& stream) { stream.close(); }
};
struct api {
  void on_readable(auto& stream) { stream.close(); }
};

constexpr auto description = strata::system(
    strata::monotonic_clock{}, fake_nic{}, strata::net::ipv4{.address = "10.0.0.2/24"}, strata::net::tcp<>{},
    strata::net::tcp_service<site, 80>{},
#ifdef STRATA_FIXED
    strata::net::tcp_service<api, 8080>{});
#else
    strata::net::tcp_service<api, 80>{});
#endif

static_assert(description.size == 6);
