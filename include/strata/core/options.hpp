// Command-line options that components declare, for targets with a command
// line (hosted). A component lists them:
//   static constexpr strata::command_option options[] = {
//       {.flag = "--tap", .value_name = "IFNAME", .help = "the TAP interface to use"}};
// STRATA_MAIN accepts exactly the options of the system's components (plus
// its own), so a misspelt one is an error that lists the right ones, and a
// component reads its value at init with strata::option_value("--tap").
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace strata {

struct command_option {
  std::string_view flag;        // "--tap"
  std::string_view value_name;  // "IFNAME"
  std::string_view help;
};

namespace detail {
struct option_store {
  static inline std::array<std::string_view, 16> flags{}, values{};
  static inline std::size_t count = 0;
};
}  // namespace detail

// The value given for flag on the command line, or empty.
inline std::string_view option_value(std::string_view flag) {
  for (std::size_t i = 0; i < detail::option_store::count; ++i)
    if (detail::option_store::flags[i] == flag) return detail::option_store::values[i];
  return {};
}

namespace detail {
inline bool set_option(std::string_view flag, std::string_view value) {
  if (option_store::count == option_store::flags.size()) return false;
  option_store::flags[option_store::count] = flag;
  option_store::values[option_store::count] = value;
  ++option_store::count;
  return true;
}

template <class C, class F>
constexpr void for_each_option(F&& f) {
  if constexpr (requires { C::options; })
    for (command_option const& o : C::options) f(o);
}
}  // namespace detail

}  // namespace strata
