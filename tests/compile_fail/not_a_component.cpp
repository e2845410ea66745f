// A value that is not a component, in position 2.
// expect: not_a_component<int, 2>
// expect: an argument of strata::system\(...\) is not a component
#include <strata/strata.hpp>

constexpr auto description = strata::system(
    strata::serial_console{}
#ifndef STRATA_FIXED
    , 42
#endif
);

static_assert(description.size > 0);
