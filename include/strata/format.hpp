// Console output through fmt with format strings known at compile time:
//   using namespace strata::literals;
//   sys.console.print("tick {} after {} us\n"_fmt, n, dt / 1000);
// The _fmt literal carries the format string in its type, so fmt checks it
// against the arguments at compile time and compiles it to straight-line
// code (about 3 KB of fmt in an image, against ~50 KB for run-time parsing).
#pragma once

#include <cstddef>
#include <string_view>

#include <strata/core/capability.hpp>
#include <strata/core/text.hpp>
#include <strata/detail/fmt.hpp>

namespace strata {

template <fixed_string S>
struct format_string : fmt::detail::compiled_string {
  using char_type = char;
  explicit constexpr operator fmt::string_view() const { return {S.data, sizeof(S.data) - 1}; }
};

namespace literals {
template <fixed_string S>
constexpr format_string<S> operator""_fmt() {
  return {};
}
}  // namespace literals

namespace detail {
// fmt's output buffer over a small array, flushed to a console when full.
template <class Out>
class console_buffer final : public fmt::detail::buffer<char> {
 public:
  explicit console_buffer(Out& out) : buffer<char>(storage_, 0, sizeof storage_), out_{out} {}
  void flush() {
    out_.write(std::string_view{storage_, size()});
    clear();
  }

 private:
  void grow(std::size_t) override { flush(); }
  char storage_[128]{};
  Out& out_;
};
}  // namespace detail

// Formats to any Console.
template <Console C, fixed_string S, class... Args>
void print(C& console, format_string<S> format, Args const&... args) {
  // Checks the string against the argument types at compile time; a mistake
  // is a compile error such as "argument not found".
  [[maybe_unused]] constexpr fmt::format_string<Args const&...> checked{fmt::string_view(format_string<S>{})};
  detail::console_buffer<C> out{console};
  fmt::format_to(fmt::appender(out), format, args...);
  out.flush();
}

}  // namespace strata
