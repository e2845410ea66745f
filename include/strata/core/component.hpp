// What makes a type a component, and the traits the system reads from one.
//
// A component is a literal type holding its configuration. It declares
//   static constexpr std::string_view name;      // as describe() and errors show it
//   using provides = strata::caps<...>;          // capabilities it gives others
//   using needs = strata::caps<...>;             // capabilities it requires
//   template <class Platform>
//   static constexpr auto runtime(C const&);     // its run-time state, made from the config
// and optionally 'constexpr void visit_config(auto&& field) const' to show
// its configuration values. The runtime object may have the hooks
// init(sys), start(sys), poll(sys, now), next_deadline() and on_timer(sys, id).
#pragma once

#include <concepts>
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include <strata/core/capability.hpp>

namespace strata {

namespace detail {
template <class T>
inline constexpr bool is_caps = false;
template <class... Cs>
inline constexpr bool is_caps<caps<Cs...>> = (Capability<Cs> && ...);

template <class Cap, class List>
inline constexpr bool in_caps = false;
template <class Cap, class... Cs>
inline constexpr bool in_caps<Cap, caps<Cs...>> = (std::is_same_v<Cap, Cs> || ...);
}  // namespace detail

template <class C>
concept Component = std::is_class_v<C> && requires {
  { C::name } -> std::convertible_to<std::string_view>;
  typename C::provides;
  typename C::needs;
} && detail::is_caps<typename C::provides> && detail::is_caps<typename C::needs>;

template <class C, class Cap>
inline constexpr bool provides_v = detail::in_caps<Cap, typename C::provides>;

template <class C, class Cap>
inline constexpr bool needs_v = detail::in_caps<Cap, typename C::needs>;

// The run-time object a component becomes on platform P.
template <class C, class P>
using runtime_t = std::remove_cvref_t<decltype(C::template runtime<P>(std::declval<C const&>()))>;

// Calls field(name, value) for each configuration value of a component.
template <class C, class F>
constexpr void visit_config(C const& c, F&& field) {
  if constexpr (requires { c.visit_config(field); }) c.visit_config(field);
}

}  // namespace strata
