// An app whose entry point has the wrong shape: start() takes no system.
// expect: app_without_hooks<strata::app<greeter> ?>
// expect: an app must have start\(sys\), poll\(sys, now\) or on_timer\(sys, id\)
#include <strata/strata.hpp>

struct greeter {
#ifdef STRATA_FIXED
  void start(auto& sys) { sys.exit(0); }
#else
  void start() {}
#endif
};

constexpr auto description = strata::system(strata::serial_console{}, strata::app<greeter>{});

STRATA_MAIN(description)
