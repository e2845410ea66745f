// Components that together exceed the system's static-memory budget; the
// largest is named.
// expect: policy_violation<strata::policy::max_static_memory<4000>, (strata::)?app<large> ?>
// expect: policy max_static_memory<Bytes> is violated: the components' run-time state together exceeds the limit
#include <strata/strata.hpp>

struct large {
  unsigned char buffer[3000]{};
  void start(auto& sys) { sys.exit(buffer[0]); }
};
struct small {
  unsigned char buffer[1500]{};
  void start(auto& sys) { sys.exit(buffer[0]); }
};

constexpr auto description = strata::system(strata::app<small>{}, strata::app<large>{});

#ifdef STRATA_FIXED
static_assert(strata::complies<description, strata::policy::max_static_memory<4500>>);
#else
static_assert(strata::complies<description, strata::policy::max_static_memory<4000>>);
#endif
