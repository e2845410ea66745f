// An app asks the running system for a capability no component provides.
// expect: get<Cap>\(\) asks for a capability no component of the system provides; add a component that provides it
#include <strata/strata.hpp>

struct curious {
  void start(auto& sys) {
#ifdef STRATA_FIXED
    sys.template get<strata::cap::Console>().write("hi\n");
#else
    sys.template get<strata::cap::Timer>().cancel(strata::timer_id{});
#endif
    sys.exit(0);
  }
};

constexpr auto description = strata::system(strata::serial_console{}, strata::app<curious>{});

STRATA_MAIN(description)
