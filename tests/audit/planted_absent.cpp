// A planted violation of "absent components leave no code": the app keeps
// a timer table of its own, although the description has no timers<N>.
#include <strata/strata.hpp>

struct sneaky {
  strata::timer_table<2> private_timers{};
  void start(auto& sys) {
    auto const id = private_timers.after(5);
    sys.exit(id.valid() ? 0 : 1);
  }
};

constexpr auto description = strata::system(strata::serial_console{}, strata::app<sneaky>{});

STRATA_MAIN(description)
