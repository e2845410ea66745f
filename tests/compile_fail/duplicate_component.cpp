// The same component twice.
// expect: duplicate_component<strata::serial_console>
// expect: the same component appears twice in strata::system\(...\); remove one of them
#include <strata/strata.hpp>

constexpr auto description = strata::system(
    strata::serial_console{},
    strata::monotonic_clock{}
#ifndef STRATA_FIXED
    , strata::serial_console{}
#endif
);

static_assert(description.size > 0);
