// What the boot path promises before the app runs: static constructors have
// run, .bss is zero, and AVX2 instructions execute (the image is built for
// x86-64-v3, so the boot code must have enabled AVX through XCR0).
#include <immintrin.h>

#include <strata/strata.hpp>

using namespace strata::literals;

struct constructed {
  int value;
  constructed() : value{42} {}  // only a run constructor sets this
};
constructed global_object;

unsigned char zeroed[4096];  // .bss

[[gnu::noinline]] int avx2_sum(int const* v) {
  __m256i const a = _mm256_loadu_si256(reinterpret_cast<__m256i const*>(v));
  __m256i const s = _mm256_add_epi32(a, _mm256_permute2x128_si256(a, a, 1));
  alignas(32) int lanes[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), s);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

struct checks {
  void start(auto& sys) {
    unsigned nonzero = 0;
    for (auto b : zeroed) nonzero += b != 0;
    int const v[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    sys.console.print("constructor: {}\nbss nonzero bytes: {}\navx2 sum: {}\n"_fmt, global_object.value, nonzero,
                      avx2_sum(v));
    sys.exit(global_object.value == 42 && nonzero == 0 && avx2_sum(v) == 36 ? 0 : 1);
  }
};

constexpr auto description = strata::system(strata::serial_console{}, strata::app<checks>{});

STRATA_MAIN(description)
