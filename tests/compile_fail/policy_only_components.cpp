// An allow-list that does not include the timer table.
// expect: policy_violation<strata::policy::only_components<.*>, strata::timers<4> ?>
// expect: policy only_components<...> is violated: this component is not on the allow-list
#include <strata/strata.hpp>

struct ticker {
  using needs = strata::caps<strata::cap::Timer>;
  void on_timer(auto&, strata::timer_id) {}
};

constexpr auto description =
    strata::system(strata::monotonic_clock{}, strata::timers<4>{}, strata::app<ticker>{});

static_assert(strata::complies<description, strata::policy::only_components<strata::monotonic_clock,
#ifdef STRATA_FIXED
                                                                             strata::timers<4>,
#endif
                                                                             strata::app<ticker>>>);
