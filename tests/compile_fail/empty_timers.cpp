// A timer table that can hold no timer.
// expect: timers<0> holds no timer; give it a capacity of at least 1
#include <strata/strata.hpp>

#ifdef STRATA_FIXED
constexpr auto description = strata::system(strata::monotonic_clock{}, strata::timers<1>{});
#else
constexpr auto description = strata::system(strata::monotonic_clock{}, strata::timers<0>{});
#endif
static_assert(description.size == 2);
