// serial_console: the system's Console, written through the platform's
// console_write (COM1 in the image, standard output when hosted).
#pragma once

#include <string_view>

#include <strata/core/capability.hpp>
#include <strata/core/manifest.hpp>
#include <strata/format.hpp>
#include <strata/platform.hpp>

namespace strata {

template <Platform P>
struct platform_console {
  void write(std::string_view s) { P::console_write(s.data(), s.size()); }
  template <fixed_string S, class... Args>
  void print(format_string<S> format, Args const&... args) {
    strata::print(*this, format, args...);
  }
};

struct serial_console {
  static constexpr std::string_view name = "serial_console";
  using provides = caps<cap::Console>;
  using needs = caps<>;
  static constexpr device devices[] = {device::serial_port};
  template <Platform P>
  static constexpr platform_console<P> runtime(serial_console const&) {
    return {};
  }
};

}  // namespace strata
