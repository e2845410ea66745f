#include <strata/strata.hpp>

using namespace strata::literals;

struct greeter {
  void start(auto& sys) {
    sys.console.print("greetings from {}\n"_fmt, "outside");
    sys.exit(0);
  }
};

constexpr auto description = strata::system(strata::serial_console{}, strata::app<greeter>{});

STRATA_MAIN(description)
