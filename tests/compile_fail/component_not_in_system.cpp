// An app reaches for the run-time state of a component the system does not have.
// expect: component<C>\(\) asks for a component that is not in the description
#include <strata/strata.hpp>

struct nosy {
  void start(auto& sys) {
#ifdef STRATA_FIXED
    (void)sys.template component<strata::serial_console>();
#else
    (void)sys.template component<strata::timers<4>>().in_use();
#endif
    sys.exit(0);
  }
};

constexpr auto description = strata::system(strata::serial_console{}, strata::app<nosy>{});

STRATA_MAIN(description)
