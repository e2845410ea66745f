// monotonic_clock: the system's Clock, nanoseconds since boot from the
// platform (a calibrated TSC in the image, CLOCK_MONOTONIC when hosted).
#pragma once

#include <string_view>

#include <strata/core/capability.hpp>
#include <strata/platform.hpp>

namespace strata {

namespace literals {
constexpr time_ns operator""_ns(unsigned long long v) { return v; }
constexpr time_ns operator""_us(unsigned long long v) { return v * 1'000; }
constexpr time_ns operator""_ms(unsigned long long v) { return v * 1'000'000; }
constexpr time_ns operator""_s(unsigned long long v) { return v * 1'000'000'000; }
}  // namespace literals

template <Platform P>
struct platform_clock {
  time_ns now() const { return P::now_ns(); }
};

struct monotonic_clock {
  static constexpr std::string_view name = "monotonic_clock";
  using provides = caps<cap::Clock>;
  using needs = caps<>;
  template <Platform P>
  static constexpr platform_clock<P> runtime(monotonic_clock const&) {
    return {};
  }
};

}  // namespace strata
