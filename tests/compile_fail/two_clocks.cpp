// Two components provide the exclusive Clock capability.
// expect: two_providers<strata::cap::Clock, strata::monotonic_clock, fake_clock>
// expect: two components provide the same exclusive capability \(both named in this error\); keep only one of them
#include <strata/strata.hpp>

struct fake_clock {
  static constexpr std::string_view name = "fake_clock";
  using provides = strata::caps<strata::cap::Clock>;
  using needs = strata::caps<>;
  struct state {
    strata::time_ns now() const { return 0; }
  };
  template <class P>
  static constexpr state runtime(fake_clock const&) { return {}; }
};

constexpr auto description = strata::system(
#ifndef STRATA_FIXED
    strata::monotonic_clock{},
#endif
    fake_clock{});

static_assert(description.size > 0);
