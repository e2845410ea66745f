// A periodic timer: prints each tick with the interval measured on the
// clock, then exits. Remove monotonic_clock{} from the description to see
// the configuration error it causes.
#include <strata/strata.hpp>

using namespace strata::literals;

struct ticker {
  int ticks = 5;
  strata::time_ns period = 100_ms;

  using needs = strata::caps<strata::cap::Console, strata::cap::Clock, strata::cap::Timer>;
  constexpr void visit_config(auto&& field) const {
    field("ticks", ticks);
    field("period_ms", period / 1_ms);
  }

  void start(auto& sys) {
    sys.console.print("ticker: {} ticks, one every {} ms\n"_fmt, ticks, period / 1_ms);
    last_ = sys.clock.now();
    timer_ = sys.timers.every(period);
  }

  void on_timer(auto& sys, strata::timer_id id) {
    if (id != timer_) return;
    auto const now = sys.clock.now();
    auto const elapsed = now - last_;
    last_ = now;
    sys.console.print("tick {} after {}.{:03} ms\n"_fmt, ++count_, elapsed / 1_ms, (elapsed % 1_ms) / 1_us);
    if (count_ == ticks) sys.exit(0);
  }

  // Run-time state (public, so the description can set the fields above by name).
  strata::timer_id timer_{};
  strata::time_ns last_ = 0;
  int count_ = 0;
};

constexpr auto description = strata::system(
    strata::serial_console{},
    strata::monotonic_clock{},
    strata::timers<4>{},
    strata::app<ticker>{{.ticks = 5, .period = 100_ms}});

STRATA_MAIN(description)
