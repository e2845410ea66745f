// A policy forbids timers; the ticker's app needs one and timers<4> provides one.
// expect: policy_violation<strata::policy::forbid<strata::cap::Timer>, (strata::)?app<ticker> ?>
// expect: policy forbid<Capability> is violated: this component provides or needs the forbidden capability
#include <strata/strata.hpp>

struct ticker {
  using needs = strata::caps<strata::cap::Timer>;
  void on_timer(auto&, strata::timer_id) {}
};

constexpr auto description =
    strata::system(strata::monotonic_clock{}, strata::app<ticker>{}, strata::timers<4>{});

#ifdef STRATA_FIXED
static_assert(strata::complies<description, strata::policy::forbid<strata::cap::Console>>);
#else
static_assert(strata::complies<description, strata::policy::forbid<strata::cap::Timer>>);
#endif
