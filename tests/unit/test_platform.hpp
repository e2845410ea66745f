// A platform for unit tests: virtual time that jumps to each deadline, the
// console captured in a string, exit recorded instead of ending the process.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <strata/platform.hpp>

namespace strata::test {

struct virtual_platform {
  static constexpr char const* name = "test";
  static inline std::string console;
  static inline std::uint64_t time = 0;
  static inline int exit_code = -1;
  static inline int yields = 0;

  static void reset() {
    console.clear();
    time = 0;
    exit_code = -1;
    yields = 0;
  }
  static void console_write(char const* s, std::size_t n) noexcept { console.append(s, n); }
  static std::uint64_t now_ns() noexcept { return time; }
  static void yield_until(std::uint64_t deadline) noexcept {
    ++yields;
    if (deadline == ~std::uint64_t{0}) std::abort();  // would sleep forever
    time = std::max(time, deadline);
  }
  static void exit(int code) noexcept { exit_code = code; }
  [[noreturn]] static void panic(char const*, std::size_t) noexcept { std::abort(); }
};

static_assert(Platform<virtual_platform>);

}  // namespace strata::test
