// What a system exposes to the network: the ports it listens on, by protocol,
// and how it behaves (visit_behaviour, below).
// Components that open ports declare them with
//   constexpr void visit_surface(auto&& port) const { port(strata::protocol::udp, 7); }
// and the audit and the policies read them from the description.
#pragma once

#include <cstdint>
#include <string_view>

namespace strata {

enum class protocol : std::uint8_t { udp, tcp };

constexpr std::string_view protocol_name(protocol p) { return p == protocol::udp ? "udp" : "tcp"; }

template <class C, class F>
constexpr void visit_surface(C const& c, F&& port) {
  if constexpr (requires { c.visit_surface(port); }) c.visit_surface(port);
}

// How a component behaves towards the network beyond its ports: what it
// answers (ICMP), how the interface gets its address. Components declare
//   constexpr void visit_behaviour(auto&& note) const { note("icmp", "answers echo requests"); }
// and the audit lists the notes under the exposed surface.
template <class C, class F>
constexpr void visit_behaviour(C const& c, F&& note) {
  if constexpr (requires { c.visit_behaviour(note); }) c.visit_behaviour(note);
}

}  // namespace strata
