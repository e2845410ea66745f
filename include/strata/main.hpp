// STRATA_MAIN(description): the program's entry for whichever target the
// build chose. It defines strata_main(argc, argv), which the target calls
// (the image's boot code with no arguments, the hosted main with the
// process's), and the target's own entry point where it has one.
#pragma once

#include <string_view>
#include <type_traits>

#include <strata/core/describe.hpp>
#include <strata/core/runtime.hpp>
#include <strata/core/text.hpp>
#include <strata/platform.hpp>

namespace strata::detail {

template <Platform P>
void write_line(std::string_view a, std::string_view b = {}, std::string_view c = {}) {
  P::console_write(a.data(), a.size());
  P::console_write(b.data(), b.size());
  P::console_write(c.data(), c.size());
}

template <Platform P, auto const& Description>
int main(int argc, char const* const* argv) {
  using description = std::remove_cvref_t<decltype(Description)>;
  static_assert(is_system_description<description>,
                "strata: STRATA_MAIN(x) needs x to be a constexpr value made by strata::system(...)");
  for (int i = 1; i < argc; ++i) {
    std::string_view const arg = argv[i];
    if (arg == "--describe") {
      static constexpr auto text = render_text<[](text_writer& w) { describe_to(w, Description); }>();
      write_line<P>(text.view());
      return 0;
    }
    if (arg == "--help" || arg == "-h") {
      write_line<P>("usage: ", argc > 0 ? argv[0] : "unikernel",
                    " [--describe]\n  --describe  print the system description (components, "
                    "capabilities, configuration) and exit\n");
      return 0;
    }
    write_line<P>("strata: unknown option '", arg, "'; the options are --describe and --help\n");
    return 2;
  }
  // Static: component state can be large (buffers) and must not sit on the stack.
  static runtime_system<P, description> sys{Description};
  return sys.run();
}

}  // namespace strata::detail

#define STRATA_MAIN(description)                                                  \
  extern "C" int strata_main(int argc, char const* const* argv) {                 \
    return ::strata::detail::main<::strata::target::platform, description>(argc, argv); \
  }                                                                               \
  STRATA_TARGET_ENTRY
