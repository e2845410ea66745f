// strata::net::sim::platform: the platform every host of a simulated network
// runs on. Hosted only (the simulation is for tests on the build machine).
//
// Time is virtual and shared: one static clock for every host and for the
// network, moved forward only by the scheduler (sim/scheduler.hpp). Nothing
// ever sleeps: yield_until returns at once, because the scheduler, not the
// host, decides when the next instant is. This is what makes a run
// deterministic and lets an hour of simulated traffic take milliseconds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <strata/core/capability.hpp>
#include <strata/platform.hpp>

namespace strata::net::sim {

struct platform {
  static constexpr char const* name = "sim";

  // The simulation's current time. Tests set it directly only before a run
  // (or when they drive a network by hand); during a run only the scheduler
  // writes it.
  static inline time_ns time = 0;
  // Everything any host wrote to its console, in the order written: the hosts
  // share one platform, so they share one log.
  static inline std::string log;
  // The code of the last exit() of any host (-1: none yet); each host's own
  // code is its runtime_system's exit_code().
  static inline int exit_code = -1;
  static inline std::size_t exits = 0;

  // Back to the start of time, for the next test in the same process.
  static void reset() {
    time = 0;
    log.clear();
    exit_code = -1;
    exits = 0;
  }

  static void console_write(char const* s, std::size_t n) noexcept { log.append(s, n); }
  static std::uint64_t now_ns() noexcept { return time; }
  // The scheduler advances time once every host is idle; sleeping here would
  // only stall the other hosts.
  static void yield_until(std::uint64_t) noexcept {}
  // Returns: several hosts live in this process, and one ending must not end
  // the others. The runtime_system marks itself stopped and the scheduler
  // stops polling it.
  static void exit(int code) noexcept {
    exit_code = code;
    ++exits;
  }
  // A panic is a bug in a test or in the code under test: stop at once, with
  // the message and the virtual time it happened at.
  [[noreturn]] static void panic(char const* s, std::size_t n) noexcept {
    (void)std::fprintf(stderr, "PANIC (sim, t=%llu ns): %.*s\n", static_cast<unsigned long long>(time),
                       static_cast<int>(n), s);
    std::abort();
  }
};

static_assert(strata::Platform<platform>);

}  // namespace strata::net::sim
