// Faults on purpose: a write through a null pointer (plus an offset, so CR2
// is recognisable), two calls deep, to check the panic's backtrace.
#include <strata/strata.hpp>

using namespace strata::literals;

[[gnu::noinline]] void write_through_null(int volatile* p) { p[4] = 1; }

[[gnu::noinline]] void main_step(int volatile* p) {
  write_through_null(p);
  asm volatile("" ::: "memory");  // keeps this frame: no tail call
}

struct faulty {
  int volatile* target = nullptr;
  void start(auto& sys) {
    sys.console.print("about to fault\n"_fmt);
    main_step(target);
    sys.exit(0);  // not reached
  }
};

constexpr auto description = strata::system(strata::serial_console{}, strata::app<faulty>{});

STRATA_MAIN(description)
