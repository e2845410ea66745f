// STRATA_MAIN given something that is not a system description.
// expect: STRATA_MAIN\(x\) needs x to be a constexpr value made by strata::system\(...\)
#include <strata/strata.hpp>

struct idle {
  void start(auto& sys) { sys.exit(0); }
};

#ifdef STRATA_FIXED
constexpr auto description = strata::system(strata::app<idle>{});
#else
constexpr auto description = strata::app<idle>{};
#endif

STRATA_MAIN(description)
