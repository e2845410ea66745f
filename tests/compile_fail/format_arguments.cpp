// A format string asking for more arguments than given, caught by fmt at compile time.
// expect: argument not found
#include <strata/strata.hpp>

using namespace strata::literals;

struct hello {
  void start(auto& sys) {
#ifdef STRATA_FIXED
    sys.console.print("{} from {}\n"_fmt, "hello", "strata");
#else
    sys.console.print("{} from {}\n"_fmt, "hello");
#endif
    sys.exit(0);
  }
};

constexpr auto description = strata::system(strata::serial_console{}, strata::app<hello>{});

STRATA_MAIN(description)
