// Reading the configuration of a component the description does not hold.
// expect: get<C>\(\) asks for a component that is not in the description
#include <strata/strata.hpp>

constexpr auto description = strata::system(strata::serial_console{}, strata::monotonic_clock{});

#ifdef STRATA_FIXED
static_assert(description.get<strata::monotonic_clock>().name == "monotonic_clock");
#else
static_assert(description.get<strata::timers<4>>().capacity() == 4);
#endif
