// A component says it provides a Clock but its runtime has no now().
// expect: does_not_model<broken_clock, strata::cap::Clock>
// expect: this component says it provides a Clock but its runtime does not model strata::Clock; it needs now\(\) const -> strata::time_ns
#include <strata/strata.hpp>

struct broken_clock {
  static constexpr std::string_view name = "broken_clock";
  using provides = strata::caps<strata::cap::Clock>;
  using needs = strata::caps<>;
  struct state {
#ifdef STRATA_FIXED
    strata::time_ns now() const { return 0; }
#else
    strata::time_ns time() const { return 0; }
#endif
  };
  template <class P>
  static constexpr state runtime(broken_clock const&) { return {}; }
};

struct idle {
  void start(auto& sys) { sys.exit(0); }
};

constexpr auto description = strata::system(broken_clock{}, strata::app<idle>{});

STRATA_MAIN(description)
