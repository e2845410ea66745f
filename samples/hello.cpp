// The smallest strata system: a console, a clock, and an app that greets and exits.
#include <strata/strata.hpp>

using namespace strata::literals;

struct hello {
  void start(auto& sys) {
    sys.console.print("hello from {}\n"_fmt, "strata");
    sys.exit(0);
  }
};

constexpr auto description = strata::system(
    strata::serial_console{},
    strata::monotonic_clock{},
    strata::app<hello>{});

STRATA_MAIN(description)
