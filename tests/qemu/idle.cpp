// Sleeps two seconds on a one-shot timer, then exits. The idle image must
// halt while it waits (tests/qemu/idle_check.sh compares CPU time with
// wall-clock time), not spin.
#include <strata/strata.hpp>

using namespace strata::literals;

struct sleeper {
  using needs = strata::caps<strata::cap::Console, strata::cap::Timer>;
  strata::timer_id wake{};
  void start(auto& sys) {
    sys.console.print("sleeping\n"_fmt);
    wake = sys.timers.after(2_s);
  }
  void on_timer(auto& sys, strata::timer_id id) {
    if (id != wake) return;
    sys.console.print("woke\n"_fmt);
    sys.exit(0);
  }
};

constexpr auto description = strata::system(
    strata::serial_console{}, strata::monotonic_clock{}, strata::timers<1>{}, strata::app<sleeper>{});

STRATA_MAIN(description)
