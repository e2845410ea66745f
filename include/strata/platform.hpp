// The platform boundary: everything a target must provide, and nothing more.
// Like Solo5's one header, it is a handful of functions; each target implements
// them as static members of strata::target::platform in
// targets/<target>/include/strata/target/platform.hpp and checks itself with
// static_assert(strata::Platform<strata::target::platform>).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>

namespace strata {

// Exit codes the runner understands besides the application's own (0..127).
inline constexpr int exit_panic = 70;  // sysexits' EX_SOFTWARE

template <class P>
concept Platform = requires(char const* s, std::size_t n, std::uint64_t t, int code) {
  { P::name } -> std::convertible_to<char const*>;
  { P::console_write(s, n) } noexcept -> std::same_as<void>;  // bytes to the console, blocking
  { P::now_ns() } noexcept -> std::same_as<std::uint64_t>;    // monotonic nanoseconds since boot
  { P::yield_until(t) } noexcept -> std::same_as<void>;       // sleep until t or an event; may return early
  { P::exit(code) } noexcept;                                 // [[noreturn]]
  { P::panic(s, n) } noexcept;                                // [[noreturn]]: message, backtrace, exit_panic
};

// Optional: 'static constexpr bool has_arguments = true;' on a platform whose
// programs get a command line (the hosted one); STRATA_MAIN then accepts
// --describe, --audit, --audit-json and --help.

}  // namespace strata
