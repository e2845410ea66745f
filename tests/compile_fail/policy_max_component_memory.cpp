// An app whose state is larger than the per-component limit.
// expect: policy_violation<strata::policy::max_component_memory<1024>, (strata::)?app<big> ?>
// expect: policy max_component_memory<Bytes> is violated: this component's run-time state is larger than the limit
#include <strata/strata.hpp>

struct big {
  unsigned char buffer[2048]{};
  void start(auto& sys) { sys.exit(buffer[0]); }
};

constexpr auto description = strata::system(strata::app<big>{});

#ifdef STRATA_FIXED
static_assert(strata::complies<description, strata::policy::max_component_memory<4096>>);
#else
static_assert(strata::complies<description, strata::policy::max_component_memory<1024>>);
#endif
