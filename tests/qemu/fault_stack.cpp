// Recurses without bound: the stack must run into its unmapped guard page
// and the panic must say so, instead of overwriting memory below the stack.
#include <strata/strata.hpp>

using namespace strata::literals;

[[gnu::noinline]] int recurse(int volatile* depth) {
  char volatile frame[256];
  frame[0] = static_cast<char>(*depth);
  *depth = *depth + 1;
  if (*depth > 0) return recurse(depth) + frame[0];  // always true; the compiler cannot know
  return 0;
}

struct overflow {
  void start(auto& sys) {
    sys.console.print("recursing\n"_fmt);
    int volatile depth = 0;
    recurse(&depth);
    sys.exit(0);  // not reached
  }
};

constexpr auto description = strata::system(strata::serial_console{}, strata::app<overflow>{});

STRATA_MAIN(description)
