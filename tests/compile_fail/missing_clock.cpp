// The ticker's description without its clock: timers<4> and app<ticker> both
// need a Clock, and the error names each and the component to add.
// expect: missing_requirement<(strata::)?app<ticker>, strata::cap::Clock>
// expect: missing_requirement<strata::timers<4>, strata::cap::Clock>
// expect: this component requires a Clock and no component of the system provides one; add strata::monotonic_clock\{\} to strata::system
#include <strata/strata.hpp>

struct ticker {
  using needs = strata::caps<strata::cap::Console, strata::cap::Clock, strata::cap::Timer>;
  void on_timer(auto&, strata::timer_id) {}
};

constexpr auto description = strata::system(
    strata::serial_console{},
#ifdef STRATA_FIXED
    strata::monotonic_clock{},
#endif
    strata::timers<4>{},
    strata::app<ticker>{});

STRATA_MAIN(description)
