// strata::system(...): the description of a whole unikernel as one constexpr
// value. Making it checks the configuration (every rejection is a named
// static_assert from core/errors.hpp) and resolves, at compile time, which
// component provides each capability and the order in which to initialise
// them (providers before the components that need them).
#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <boost/hana/at.hpp>
#include <boost/hana/basic_tuple.hpp>
#include <boost/hana/tuple.hpp>

#include <strata/core/component.hpp>

namespace strata {

namespace detail {

template <std::size_t I, class... Cs>
using nth = std::tuple_element_t<I, std::tuple<Cs...>>;

// Index of the first component providing Cap, or sizeof...(Cs) if none.
template <class Cap, class... Cs>
inline constexpr std::size_t provider_index = [] {
  constexpr bool p[] = {provides_v<Cs, Cap>..., false};
  std::size_t i = 0;
  while (i < sizeof...(Cs) && !p[i]) ++i;
  return i;
}();

template <class Cap, class... Cs>
inline constexpr std::size_t provider_count = (std::size_t{provides_v<Cs, Cap>} + ... + 0);

// C depends on Provider: Provider gives a capability that C needs.
template <class C, class Provider>
inline constexpr bool depends_on =
    []<class... Caps>(caps<Caps...>) { return (provides_v<Provider, Caps> || ... || false); }(typename C::needs{});

template <class... Cs>
struct dependency_graph {
  static constexpr std::size_t n = sizeof...(Cs);
  template <class C>
  static constexpr std::array<bool, n> row{depends_on<C, Cs>...};
  // depends[i][j]: component i needs a capability that component j provides.
  static constexpr std::array<std::array<bool, n>, n> depends{row<Cs>...};
};

// Kahn's algorithm, stable: among components whose providers are all placed,
// the one written first in the description goes first. A component that can
// never be placed sits on (or behind) a cycle; cycle_member names one that is
// on it.
template <class... Cs>
struct resolution {
  static constexpr std::size_t n = sizeof...(Cs);
  static constexpr auto depends = dependency_graph<Cs...>::depends;

  struct result {
    std::array<std::size_t, n> order{};
    std::size_t placed = 0;
  };
  static constexpr result solve() {
    result r;
    std::array<bool, n> done{};
    for (bool progress = true; progress && r.placed < n;) {
      progress = false;
      for (std::size_t i = 0; i < n; ++i) {
        if (done[i]) continue;
        bool ready = true;
        for (std::size_t j = 0; j < n; ++j)
          if (depends[i][j] && j != i && !done[j]) ready = false;
        if (ready) {
          done[i] = true;
          r.order[r.placed++] = i;
          progress = true;
          break;
        }
      }
    }
    return r;
  }
  static constexpr result solved = solve();
  static constexpr auto order = solved.order;

  // Walks unplaced dependencies from an unplaced component until one repeats:
  // that one lies on a cycle.
  static constexpr std::size_t cycle_member() {
    if (solved.placed == n) return n;
    std::array<bool, n> placed{};
    for (std::size_t k = 0; k < solved.placed; ++k) placed[solved.order[k]] = true;
    std::size_t at = 0;
    while (placed[at]) ++at;
    std::array<bool, n> seen{};
    while (!seen[at]) {
      seen[at] = true;
      std::size_t next = at;
      for (std::size_t j = 0; j < n; ++j)
        if (depends[at][j] && j != at && !placed[j]) {
          next = j;
          break;
        }
      if (next == at) return at;
      at = next;
    }
    return at;
  }
};

// The checks, in an order that reports the root cause first: later checks
// only run when earlier ones passed, so one mistake gives one error.
template <class... Cs>
constexpr bool check_components() {
  return []<std::size_t... I>(std::index_sequence<I...>) {
    bool ok = true;
    (([&] {
       if constexpr (!Component<Cs>) {
         (void)error::not_a_component<Cs, I + 1>{};
         ok = false;
       }
     }()),
     ...);
    return ok;
  }(std::index_sequence_for<Cs...>{});
}

template <class... Cs>
constexpr bool check_duplicates() {
  bool ok = true;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&]<std::size_t A>(std::integral_constant<std::size_t, A>) {
          using C = nth<A, Cs...>;
          constexpr std::size_t earlier = [] {
            constexpr bool same[] = {std::is_same_v<C, Cs>...};
            std::size_t k = 0;
            for (std::size_t j = 0; j < A; ++j) k += same[j];
            return k;
          }();
          if constexpr (earlier == 1) {
            (void)error::duplicate_component<C>{};
            ok = false;
          }
        }(std::integral_constant<std::size_t, I>{}),
        ...);
  }(std::index_sequence_for<Cs...>{});
  return ok;
}

template <class Cap, class... Cs>
constexpr bool check_exclusive() {
  if constexpr (Cap::exclusive && provider_count<Cap, Cs...> > 1) {
    constexpr std::size_t first = provider_index<Cap, Cs...>;
    constexpr std::size_t second = [] {
      constexpr bool p[] = {provides_v<Cs, Cap>...};
      std::size_t i = first + 1;
      while (!p[i]) ++i;
      return i;
    }();
    (void)error::two_providers<Cap, nth<first, Cs...>, nth<second, Cs...>>{};
    return false;
  }
  return true;
}

template <class C, class... Cs>
constexpr bool check_needs() {
  return []<class... Caps>(caps<Caps...>) {
    bool ok = true;
    (([&] {
       if constexpr (provider_count<Caps, Cs...> == 0) {
         (void)error::missing_requirement<C, Caps>{};
         ok = false;
       }
     }()),
     ...);
    return ok;
  }(typename C::needs{});
}

template <class C, class... Cs>
constexpr bool check_provided_exclusive() {
  return []<class... Caps>(caps<Caps...>) { return (check_exclusive<Caps, Cs...>() && ... && true); }(
      typename C::provides{});
}

template <class... Cs>
constexpr bool check_cycles() {
  constexpr std::size_t k = resolution<Cs...>::cycle_member();
  if constexpr (k < sizeof...(Cs)) {
    (void)error::dependency_cycle<nth<k, Cs...>>{};
    return false;
  }
  return true;
}

template <class... Cs>
constexpr bool check_system() {
  // The branches are alike on purpose: each condition is a check that is
  // instantiated only when the ones before it passed.
  if constexpr (!check_components<Cs...>())
    return false;  // NOLINT(bugprone-branch-clone): the conditions differ (above)
  else if constexpr (!check_duplicates<Cs...>())
    return false;
  else if constexpr (!(check_provided_exclusive<Cs, Cs...>() && ... && true))
    return false;
  else if constexpr (!(check_needs<Cs, Cs...>() && ... && true))
    return false;
  else
    return check_cycles<Cs...>();
}

}  // namespace detail

// One constexpr value describing a system. Its type lists the components;
// its value holds their configuration, readable in static_assert:
//   static_assert(description.get<strata::timers<8>>().capacity() == 8);
template <class... Cs>
struct system_description {
  boost::hana::tuple<Cs...> components;

  static constexpr std::size_t size = sizeof...(Cs);
  // Component indices, providers before the components that need them.
  static constexpr auto init_order = detail::resolution<Cs...>::order;

  template <class Cap>
  static constexpr bool has = detail::provider_count<Cap, Cs...> > 0;
  template <class Cap>
  static constexpr std::size_t provider_of = detail::provider_index<Cap, Cs...>;

  template <std::size_t I>
  constexpr auto const& at() const {
    return boost::hana::at_c<I>(components);
  }
  template <class C>
  constexpr C const& get() const {
    constexpr bool same[] = {std::is_same_v<C, Cs>..., false};
    constexpr std::size_t i = [&] {
      std::size_t k = 0;
      while (k < sizeof...(Cs) && !same[k]) ++k;
      return k;
    }();
    static_assert(i < sizeof...(Cs), "strata: get<C>() asks for a component that is not in the description; add it to "
                  "strata::system(...) or ask for one that is there");
    return boost::hana::at_c<i>(components);
  }
};

namespace detail {
// A component's checks of its values against the whole description
// (`constexpr void validate(system_description<Cs...> const&) const`). The
// types are checked above; values only while the description is evaluated,
// so a failing check calls a function that is not constexpr and is named
// after the mistake, and the compiler's error names it.
template <class C, class D>
constexpr void validate(C const& c, D const& d) {
  if constexpr (requires { c.validate(d); }) c.validate(d);
}
}  // namespace detail

// Builds the description of a system from its components, in any order.
template <class... Cs>
constexpr auto system(Cs const&... components) {
  constexpr bool valid = detail::check_system<Cs...>();
  if constexpr (valid) {
    system_description<Cs...> const d{boost::hana::make_tuple(components...)};
    (detail::validate(components, d), ...);
    return d;
  } else {
    return system_description<>{};  // only reached after an error was reported
  }
}

// Calls f(std::integral_constant<std::size_t, I>{}) for the index I of each
// component, in initialisation order.
template <class... Cs, class F>
constexpr void for_each_in_init_order(system_description<Cs...> const&, F&& f) {
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    (f(std::integral_constant<std::size_t, system_description<Cs...>::init_order[K]>{}), ...);
  }(std::index_sequence_for<Cs...>{});
}

template <class T>
inline constexpr bool is_system_description = false;
template <class... Cs>
inline constexpr bool is_system_description<system_description<Cs...>> = true;

}  // namespace strata
