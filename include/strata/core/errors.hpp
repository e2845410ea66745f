// The configuration errors strata reports, one class template per kind.
//
// C++20 static_assert messages must be string literals, so each message names
// the problem and the fix, and the template's arguments name the component:
// compilers print "In instantiation of 'strata::error::<kind><component, ...>'"
// right above the message. Every kind here has a negative-compile test
// (tests/compile_fail/) that checks both by regex; docs/errors.md lists them.
#pragma once

#include <cstddef>

namespace strata::detail {
template <class...>
inline constexpr bool always_false = false;
}  // namespace strata::detail

namespace strata::error {

// Capabilities defined with STRATA_CAPABILITY specialise missing_requirement
// and does_not_model with a message naming the capability and its provider;
// these primary templates serve capabilities declared by hand.
template <class Component, class Capability>
struct missing_requirement {
  static_assert(detail::always_false<Component, Capability>,
                "strata: this component requires a capability that no component of the system provides; "
                "add a component that provides it to strata::system(...)");
};

template <class Component, class Capability>
struct does_not_model {
  static_assert(detail::always_false<Component, Capability>,
                "strata: this component declares that it provides a capability, but its runtime does not model "
                "the capability's concept; implement the members the concept requires");
};

template <class Capability, class First, class Second>
struct two_providers {
  static_assert(detail::always_false<Capability, First, Second>,
                "strata: two components provide the same exclusive capability (both named in this error); "
                "keep only one of them in strata::system(...)");
};

template <class Component>
struct duplicate_component {
  static_assert(detail::always_false<Component>,
                "strata: the same component appears twice in strata::system(...); remove one of them");
};

template <class Argument, std::size_t Position>
struct not_a_component {
  static_assert(detail::always_false<Argument>,
                "strata: an argument of strata::system(...) is not a component: a component has a name, "
                "'using provides = strata::caps<...>', 'using needs = strata::caps<...>' and a runtime; "
                "see docs/components.md");
};

template <class Component>
struct dependency_cycle {
  static_assert(detail::always_false<Component>,
                "strata: the requirements of the components form a cycle that passes through "
                "this component, so no initialisation order exists; remove one of the requirements in the cycle");
};

template <class Component>
struct app_without_hooks {
  static_assert(detail::always_false<Component>,
                "strata: an app must have start(sys), poll(sys, now) or on_timer(sys, id) as a member callable "
                "with the system, and this app has none; add one, e.g. 'void start(auto& sys)'");
};

template <class Component>
struct deadline_without_clock {
  static_assert(detail::always_false<Component>,
                "strata: a component has deadlines (next_deadline()) but the system has no Clock to wait for "
                "them; add strata::monotonic_clock{} to strata::system(...)");
};

}  // namespace strata::error
