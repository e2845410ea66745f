// Two components that each need what the other provides.
// expect: dependency_cycle<(resolver|cache)>
// expect: the requirements of the components form a cycle that passes through this component
#include <strata/strata.hpp>

struct resolver {
  static constexpr std::string_view name = "resolver";
  using provides = strata::caps<strata::cap::Timer>;
  using needs = strata::caps<strata::cap::Clock>;
  template <class P>
  static constexpr int runtime(resolver const&) { return 0; }
};

struct cache {
  static constexpr std::string_view name = "cache";
  using provides = strata::caps<strata::cap::Clock>;
#ifdef STRATA_FIXED
  using needs = strata::caps<>;
#else
  using needs = strata::caps<strata::cap::Timer>;
#endif
  template <class P>
  static constexpr int runtime(cache const&) { return 0; }
};

constexpr auto description = strata::system(resolver{}, cache{});
static_assert(description.size == 2);
