// A UDP handler whose on_datagram cannot take a datagram.
// expect: handler_wrong_shape<strata::net::udp_service<echo, 7> ?>
// expect: the handler of this udp_service cannot take a datagram; it needs 'void on_datagram\(auto& udp, strata::net::datagram const& d\)'
#include <strata/net/udp/service.hpp>
#include <strata/strata.hpp>

#include "compile_fail/fake_nic.hpp"

struct echo {
#ifdef STRATA_FIXED
  void on_datagram(auto& udp, strata::net::datagram const& d) { udp.send_to(d.from, d.payload); }
#else
  void on_datagram(int payload) { (void)payload; }
#endif
};


constexpr auto description = strata::system(strata::monotonic_clock{}, fake_nic{},
                                            strata::net::ipv4{.address = "10.0.0.2/24"},
                                            strata::net::udp_service<echo, 7>{});

STRATA_MAIN(description)
