// An app prints, but the description has no console.
// expect: missing_capability<strata::cap::Console>
#include <strata/strata.hpp>

using namespace strata::literals;

struct hello {
  void start(auto& sys) {
    sys.console.print("hello\n"_fmt);
    sys.exit(0);
  }
};

constexpr auto description = strata::system(
#ifdef STRATA_FIXED
    strata::serial_console{},
#endif
    strata::app<hello>{});

STRATA_MAIN(description)
