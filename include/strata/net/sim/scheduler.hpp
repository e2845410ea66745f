// The simulation's event loop: several strata systems and one network on
// one virtual clock (sim::platform::time).
//
//   auto const end = strata::net::sim::run_until(net, 10_s, host_a, host_b);
//
// Each round polls every running host at the current instant, in argument
// order; then time jumps to the next thing that can happen: a host's
// deadline or a frame's delivery. Nothing depends on the wall clock, thread
// timing or addresses, so a run is a function of the descriptions, the
// fault plan and the seed.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <type_traits>

#include <strata/core/capability.hpp>
#include <strata/net/sim/nic.hpp>
#include <strata/net/sim/platform.hpp>

namespace strata::net::sim {

// Rounds at one instant before the scheduler assumes a livelock (two hosts
// answering each other at zero delay, a component whose deadline stays in the
// past) and moves time on by stall_step anyway. High enough for any honest
// chain of same-instant replies (ARP, then the ping it unblocks, ...).
inline constexpr std::size_t same_instant_limit = 100;
inline constexpr time_ns stall_step = 1'000;  // 1 us

namespace detail {

template <class Sys>
void attach_nics(Sys& sys) {
  sys.for_each_part([&](auto& part) {
    if constexpr (requires { part.attach(sys); }) part.attach(sys);  // a sim NIC, or one wrapped (pcap)
  });
}

template <class Sys>
void poll_if_running(Sys& sys, time_ns now) {
  if (!sys.stopped()) sys.poll(now);
}
template <class Sys>
time_ns deadline_if_running(Sys const& sys) {
  return sys.stopped() ? never : sys.next_deadline();
}

template <class Network>
concept sim_network = requires(Network& n, time_ns t) {
  n.mark();
  { n.earliest_since_mark() } -> std::same_as<time_ns>;
  { n.next_delivery_after(t) } -> std::same_as<time_ns>;
};

}  // namespace detail

// Continues a simulation already booted (by run_until) from the current
// virtual time until `end` or until every host has stopped; returns the
// final time (`end`, or the instant the last host stopped). A test can run
// to a point, look, change the fault plan, and resume.
template <detail::sim_network Network, class... Systems>
time_ns resume_until(Network& net, time_ns end, Systems&... hosts) {
  static_assert((std::is_same_v<typename Systems::platform, platform> && ...),
                "strata: the scheduler drives systems on strata::net::sim::platform only");
  time_ns now = platform::time;
  std::size_t same_instant = 0;
  auto const all_stopped = [&] { return (hosts.stopped() && ...); };
  while (now <= end && !all_stopped()) {
    platform::time = now;
    net.mark();
    (detail::poll_if_running(hosts, now), ...);
    if (all_stopped()) break;

    // The next instant anything can happen. A frame queued during this
    // round and due now may have reached a host already polled in it, so
    // earliest_since_mark() can bring everyone back to this same instant.
    time_ns const next_host = std::min({never, detail::deadline_if_running(hosts)...});
    time_ns next = std::min({next_host, net.next_delivery_after(now), net.earliest_since_mark()});

    if (next <= now) {
      if (++same_instant < same_instant_limit) continue;
      next = now + stall_step;
    }
    same_instant = 0;
    if (next == never) {
      // Nothing can happen any more: no deadline, no frame on the way.
      if (end != never) now = end;
      break;
    }
    if (next > end) {
      now = end;
      break;
    }
    now = next;
  }
  platform::time = now;  // a run moves time forward, and only to instants <= end
  return now;
}

// Plugs every host's sim::nic into its port, boots every host (init, then
// start), then runs them as resume_until does. Call sim::platform::reset()
// (time zero, empty log) and net.reset() first when reusing either.
template <detail::sim_network Network, class... Systems>
time_ns run_until(Network& net, time_ns end, Systems&... hosts) {
  static_assert((std::is_same_v<typename Systems::platform, platform> && ...),
                "strata: the scheduler drives systems on strata::net::sim::platform only");
  (detail::attach_nics(hosts), ...);
  (hosts.boot(), ...);
  return resume_until(net, end, hosts...);
}

}  // namespace strata::net::sim
