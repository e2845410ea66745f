// Capabilities: what a component provides to others and what it needs.
// A capability is a tag type (strata::cap::Clock) tied to a concept of the
// same name (strata::Clock) that the provider's runtime must model.
#pragma once

#include <concepts>
#include <cstdint>
#include <string_view>

#include <strata/core/errors.hpp>

namespace strata {

// A list of capabilities, as in 'using provides = strata::caps<cap::Clock>;'.
template <class... Caps>
struct caps {};

template <class C>
concept Capability = requires {
  { C::name } -> std::convertible_to<std::string_view>;
  { C::exclusive } -> std::convertible_to<bool>;
  { C::template modeled_by<int> } -> std::convertible_to<bool>;
};

// Time is plain nanoseconds on a monotonic clock that starts near boot.
using time_ns = std::uint64_t;
inline constexpr time_ns never = ~time_ns{0};

template <class T>
concept Console = requires(T& c, std::string_view s) { c.write(s); };

template <class T>
concept Clock = requires(T const& c) {
  { c.now() } -> std::same_as<time_ns>;
};

struct timer_id {
  std::uint32_t slot = ~std::uint32_t{0};
  constexpr bool valid() const { return slot != ~std::uint32_t{0}; }
  friend constexpr bool operator==(timer_id, timer_id) = default;
};

template <class T>
concept Timer = requires(T& t, time_ns d, timer_id id) {
  { t.after(d) } -> std::same_as<timer_id>;
  { t.every(d) } -> std::same_as<timer_id>;
  t.cancel(id);
};

}  // namespace strata

// Defines strata::cap::NAME for the concept strata::NAME, and the two
// diagnostics that name it: who needs it and how to get one, and what its
// provider must implement. Message text is built by literal concatenation,
// the only way a C++20 static_assert message can vary.
#define STRATA_CAPABILITY(NAME, EXCLUSIVE, PROVIDER, MEMBERS)                                          \
  namespace strata::cap {                                                                              \
  struct NAME {                                                                                        \
    static constexpr std::string_view name = #NAME;                                                    \
    static constexpr bool exclusive = EXCLUSIVE;                                                       \
    template <class Runtime>                                                                           \
    static constexpr bool modeled_by = ::strata::NAME<Runtime>;                                        \
  };                                                                                                   \
  }                                                                                                    \
  template <class ComponentType>                                                                           \
  struct strata::error::missing_requirement<ComponentType, strata::cap::NAME> {                            \
    static_assert(detail::always_false<ComponentType, strata::cap::NAME>,                                  \
                  "strata: this component requires a " #NAME                               \
                  " and no component of the system provides one; add " PROVIDER                        \
                  " to strata::system(...)");                                                          \
  };                                                                                                   \
  template <class ComponentType>                                                                           \
  struct strata::error::does_not_model<ComponentType, strata::cap::NAME> {                                 \
    static_assert(detail::always_false<ComponentType, strata::cap::NAME>,                                  \
                  "strata: this component says it provides a " #NAME                        \
                  " but its runtime does not model strata::" #NAME "; it needs " MEMBERS);             \
  };

STRATA_CAPABILITY(Console, true, "strata::serial_console{}", "write(std::string_view)")
STRATA_CAPABILITY(Clock, true, "strata::monotonic_clock{}", "now() const -> strata::time_ns")
STRATA_CAPABILITY(Timer, true, "strata::timers<N>{}",
                  "after(time_ns) -> timer_id, every(time_ns) -> timer_id and cancel(timer_id)")
