// sim::nic on a platform other than sim::platform: the network would time
// its deliveries on another clock than the host's. Rejected, naming the fix.
// expect: sim::nic runs only on strata::net::sim::platform
#include <type_traits>

#include <strata/core/runtime.hpp>
#include <strata/core/system.hpp>
#include <strata/net/sim/nic.hpp>

#include "unit/test_platform.hpp"

strata::net::sim::network<2> wire;
constexpr auto description = strata::system(strata::net::sim::nic{.port = wire.port(0)});
#ifdef STRATA_FIXED
using platform = strata::net::sim::platform;
#else
using platform = strata::test::virtual_platform;
#endif

int main() {
  strata::runtime_system<platform, std::remove_cvref_t<decltype(description)>> sys{description};
  (void)sys;
}
