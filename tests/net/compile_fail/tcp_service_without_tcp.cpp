// A TCP service in a system without the TCP layer.
// expect: missing_requirement<strata::net::tcp_service<site, 80>, strata::cap::TcpLayer ?>
#include <strata/net/tcp/layer.hpp>
#include <strata/strata.hpp>

#include "compile_fail/fake_nic.hpp"

struct site {
  void on_readable(auto& stream) { stream.close(); }
};

constexpr auto description = strata::system(strata::monotonic_clock{}, fake_nic{},
                                            strata::net::ipv4{.address = "10.0.0.2/24"},
#ifdef STRATA_FIXED
                                            strata::net::tcp<>{},
#endif
                                            strata::net::tcp_service<site, 80>{});
static_assert(description.size >= 4);
