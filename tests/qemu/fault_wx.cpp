// Checks the page permissions at run time: writing into the code, writing
// into read-only data and jumping into writable data must each fault.
// Which one is tried is chosen at build time (STRATA_WX_CASE), one image each.
#include <strata/strata.hpp>

using namespace strata::literals;

[[gnu::noinline]] int victim(int x) { return x * 3 + 1; }

constexpr int read_only_table[4] = {1, 2, 3, 4};
// A 'ret' instruction placed in writable data.
unsigned char writable_code[16] = {0xc3};

struct wx {
  void start(auto& sys) {
#if STRATA_WX_CASE == 1
    sys.console.print("writing into .text\n"_fmt);
    auto* code = reinterpret_cast<unsigned char volatile*>(&victim);  // deliberately illegal
    code[0] = 0xc3;
#elif STRATA_WX_CASE == 2
    sys.console.print("writing into .rodata\n"_fmt);
    const_cast<int volatile*>(read_only_table)[1] = 9;  // deliberately illegal
#else
    sys.console.print("executing .data\n"_fmt);
    reinterpret_cast<void (*)()>(static_cast<void*>(writable_code))();  // deliberately illegal
#endif
    sys.console.print("no fault: {}\n"_fmt, victim(read_only_table[1]));
    sys.exit(0);
  }
};

constexpr auto description = strata::system(strata::serial_console{}, strata::app<wx>{});

STRATA_MAIN(description)
