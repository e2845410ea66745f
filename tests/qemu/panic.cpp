// A deliberate panic: the message, a backtrace naming the caller, exit 70,
// on the image and on the hosted build alike.
#include <strata/strata.hpp>

struct doomed {
  void start(auto& sys) { sys.panic("deliberate panic from start"); }
};

constexpr auto description = strata::system(strata::serial_console{}, strata::app<doomed>{});

STRATA_MAIN(description)
