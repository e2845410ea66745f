// A description naming a port the network does not have fails to compile,
// naming the mistake.
// expect: sim_port_index_is_out_of_range_for_this_network
#include <strata/core/system.hpp>
#include <strata/net/sim/nic.hpp>

strata::net::sim::network<2> wire;
#ifdef STRATA_FIXED
[[maybe_unused]] constexpr auto description = strata::system(strata::net::sim::nic{.port = wire.port(1)});
#else
[[maybe_unused]] constexpr auto description = strata::system(strata::net::sim::nic{.port = wire.port(2)});
#endif

int main() {}
