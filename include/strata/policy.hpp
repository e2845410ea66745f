// Policies: rules about a system, checked by the compiler.
//
//   static_assert(strata::complies<description,
//                                  strata::policy::forbid<strata::cap::Timer>,
//                                  strata::policy::max_static_memory<64 * 1024>>);
//
// A violation is a compile error from error::policy_violation<Policy,
// Component> whose message names the policy and how to comply; the template
// arguments name the offending component. complies<> itself is true when
// every policy holds, so the static_assert passes silently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include <boost/hana/for_each.hpp>

#include <strata/audit.hpp>
#include <strata/core/component.hpp>
#include <strata/core/errors.hpp>
#include <strata/core/surface.hpp>
#include <strata/core/system.hpp>

namespace strata {

namespace policy {

// No component may provide or need the capability (e.g. no UDP, no Timer).
template <class Capability>
struct forbid {};

// Every component must be one of these types.
template <class... Components>
struct only_components {};

// No component's run-time state may exceed Bytes.
template <std::size_t Bytes>
struct max_component_memory {};

// The components' run-time state together may not exceed Bytes.
template <std::size_t Bytes>
struct max_static_memory {};

// A port a system may listen on, for only_ports.
struct port {
  protocol proto;
  std::uint16_t number;
};

// No component may listen on a port outside this list.
template <port... Allowed>
struct only_ports {};

// No component may use this transport protocol: none may hold one of its
// ports (a service, or a client such as DHCP on UDP 68). "No TCP", "no UDP".
template <protocol Protocol>
struct no_protocol {};

}  // namespace policy

namespace error {

template <class Policy, class Component>
struct policy_violation;

template <class Capability, class Component>
struct policy_violation<policy::forbid<Capability>, Component> {
  static_assert(detail::always_false<Component, Capability>,
                "strata: policy forbid<Capability> is violated: this component provides or needs the forbidden "
                "capability; remove the component from strata::system(...) or drop the policy");
};

template <class... Allowed, class Component>
struct policy_violation<policy::only_components<Allowed...>, Component> {
  static_assert(detail::always_false<Component, Allowed...>,
                "strata: policy only_components<...> is violated: this component is not on the allow-list; "
                "remove it from strata::system(...) or add it to the list");
};

template <std::size_t Bytes, class Component>
struct policy_violation<policy::max_component_memory<Bytes>, Component> {
  static_assert(detail::always_false<Component>,
                "strata: policy max_component_memory<Bytes> is violated: this component's run-time state is "
                "larger than the limit; lower its capacities in the description or raise the limit");
};

template <std::size_t Bytes, class Component>
struct policy_violation<policy::max_static_memory<Bytes>, Component> {
  static_assert(detail::always_false<Component>,
                "strata: policy max_static_memory<Bytes> is violated: the components' run-time state together "
                "exceeds the limit (the largest component is named in this error); lower capacities or raise "
                "the limit");
};

template <policy::port... Allowed, class Component>
struct policy_violation<policy::only_ports<Allowed...>, Component> {
  static_assert(detail::always_false<Component>,
                "strata: policy only_ports<...> is violated: this component listens on a port that is not on "
                "the list; change its port in the description or add the port to the policy");
};

template <protocol Protocol, class Component>
struct policy_violation<policy::no_protocol<Protocol>, Component> {
  static_assert(detail::always_false<Component>,
                "strata: policy no_protocol<Protocol> is violated: this component holds a port of the forbidden "
                "protocol; remove the component from strata::system(...) or drop the policy");
};

}  // namespace error

namespace detail {

// Whether a component holds a port of protocol P: a capability it provides
// says so (static constexpr protocol transport, as cap::UdpPort<N> does).
template <protocol P, class Cap>
constexpr bool is_port_of() {
  if constexpr (requires { Cap::transport; })
    return Cap::transport == P;
  else
    return false;
}
template <protocol P, class... Caps>
constexpr bool holds_port_of(caps<Caps...>) {
  return (is_port_of<P, Caps>() || ... || false);
}

template <class P, auto const& D, class Policy>
struct policy_check;

template <class... Cs>
struct components_of;
template <class... Cs>
struct components_of<system_description<Cs...>> {
  // Index of the first component for which Pred<C>::value holds, or size.
  template <template <class> class Pred>
  static constexpr std::size_t first = [] {
    constexpr bool hit[] = {Pred<Cs>::value..., false};
    std::size_t i = 0;
    while (i < sizeof...(Cs) && !hit[i]) ++i;
    return i;
  }();
  template <std::size_t I>
  using at = nth<I, Cs...>;
  static constexpr std::size_t size = sizeof...(Cs);
};

template <class P, auto const& D, class Capability>
struct policy_check<P, D, policy::forbid<Capability>> {
  using components = components_of<std::remove_cvref_t<decltype(D)>>;
  template <class C>
  struct offends : std::bool_constant<provides_v<C, Capability> || needs_v<C, Capability>> {};
  static constexpr std::size_t i = components::template first<offends>;
  static constexpr bool ok = [] {
    if constexpr (i < components::size) {
      (void)error::policy_violation<policy::forbid<Capability>, typename components::template at<i>>{};
      return false;
    }
    return true;
  }();
};

template <class P, auto const& D, class... Allowed>
struct policy_check<P, D, policy::only_components<Allowed...>> {
  using components = components_of<std::remove_cvref_t<decltype(D)>>;
  template <class C>
  struct offends : std::bool_constant<!(std::is_same_v<C, Allowed> || ...)> {};
  static constexpr std::size_t i = components::template first<offends>;
  static constexpr bool ok = [] {
    if constexpr (i < components::size) {
      (void)error::policy_violation<policy::only_components<Allowed...>, typename components::template at<i>>{};
      return false;
    }
    return true;
  }();
};

template <class P, auto const& D, std::size_t Bytes>
struct policy_check<P, D, policy::max_component_memory<Bytes>> {
  using components = components_of<std::remove_cvref_t<decltype(D)>>;
  template <class C>
  struct offends : std::bool_constant<(audit::static_memory<C, P> > Bytes)> {};
  static constexpr std::size_t i = components::template first<offends>;
  static constexpr bool ok = [] {
    if constexpr (i < components::size) {
      (void)error::policy_violation<policy::max_component_memory<Bytes>, typename components::template at<i>>{};
      return false;
    }
    return true;
  }();
};

template <class P, auto const& D, std::size_t Bytes>
struct policy_check<P, D, policy::max_static_memory<Bytes>> {
  using components = components_of<std::remove_cvref_t<decltype(D)>>;
  static constexpr std::size_t largest = [] {
    return []<std::size_t... I>(std::index_sequence<I...>) {
      constexpr std::size_t sizes[] = {audit::static_memory<typename components::template at<I>, P>..., 0};
      std::size_t best = 0;
      for (std::size_t k = 1; k < sizeof...(I); ++k)
        if (sizes[k] > sizes[best]) best = k;
      return best;
    }(std::make_index_sequence<components::size>{});
  }();
  static constexpr bool ok = [] {
    if constexpr (audit::total_static_memory<P>(D) > Bytes) {
      (void)error::policy_violation<policy::max_static_memory<Bytes>, typename components::template at<largest>>{};
      return false;
    }
    return true;
  }();
};

template <class P, auto const& D, policy::port... Allowed>
struct policy_check<P, D, policy::only_ports<Allowed...>> {
  using components = components_of<std::remove_cvref_t<decltype(D)>>;
  // The first component with a port outside the list (values, so read from D).
  static constexpr std::size_t i = [] {
    std::size_t found = components::size;
    std::size_t k = 0;
    boost::hana::for_each(D.components, [&](auto const& c) {
      bool bad = false;
      visit_surface(c, [&](protocol p, std::uint16_t n) {
        bad = bad || !((Allowed.proto == p && Allowed.number == n) || ... || false);
      });
      if (bad && found == components::size) found = k;
      ++k;
    });
    return found;
  }();
  static constexpr bool ok = [] {
    if constexpr (i < components::size) {
      (void)error::policy_violation<policy::only_ports<Allowed...>, typename components::template at<i>>{};
      return false;
    }
    return true;
  }();
};

// Names every offender (a UDP service and a DHCP client, say), not only the first.
template <class P, auto const& D, protocol Protocol>
struct policy_check<P, D, policy::no_protocol<Protocol>> {
  using components = components_of<std::remove_cvref_t<decltype(D)>>;
  template <class C>
  static constexpr bool offends = holds_port_of<Protocol>(typename C::provides{});
  template <class C>
  static constexpr bool check() {
    if constexpr (offends<C>) {
      (void)error::policy_violation<policy::no_protocol<Protocol>, C>{};
      return false;
    }
    return true;
  }
  template <std::size_t... I>
  static constexpr bool check_all(std::index_sequence<I...>) {
    return (check<typename components::template at<I>>() & ... & true);
  }
  static constexpr bool ok = check_all(std::make_index_sequence<components::size>{});
};

}  // namespace detail

// True when the description D complies with every policy on platform P;
// otherwise each violated policy is a compile error naming the component.
template <class P, auto const& D, class... Policies>
inline constexpr bool complies_on = (detail::policy_check<P, D, Policies>::ok && ... && true);

}  // namespace strata
