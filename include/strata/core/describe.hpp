// describe(): the description rendered as text, at compile time or at run
// time. It lists the components in initialisation order, what each provides,
// what it needs and from whom, and its configuration. The audit and the
// hosted --describe option read the same walk.
#pragma once

#include <cstddef>
#include <string_view>

#include <strata/core/component.hpp>
#include <strata/core/system.hpp>
#include <strata/core/text.hpp>

namespace strata {

namespace detail {

template <class... Caps>
constexpr void write_caps(text_writer& w, caps<Caps...>) {
  bool first = true;
  ((w << (first ? "" : ", ") << Caps::name, first = false), ...);
}

template <class... Cs, class... Caps>
constexpr void write_needs(text_writer& w, caps<Caps...>) {
  bool first = true;
  (([&] {
     w << (first ? "" : ", ") << Caps::name << " (from "
       << detail::nth<detail::provider_index<Caps, Cs...>, Cs...>::name << ')';
     first = false;
   }()),
   ...);
}

template <class T>
constexpr void write_value(text_writer& w, T const& v) {
  if constexpr (requires { v.describe_to(w); })
    v.describe_to(w);
  else
    w << v;
}

}  // namespace detail

template <class... Cs>
constexpr void describe_to(text_writer& w, system_description<Cs...> const& d) {
  w << "system of " << sizeof...(Cs) << " components, in initialisation order:\n";
  std::size_t position = 0;
  for_each_in_init_order(d, [&](auto index) {
    constexpr std::size_t i = decltype(index)::value;
    using C = detail::nth<i, Cs...>;
    w << "  " << ++position << ". " << C::name << '\n';
    if constexpr (!std::is_same_v<typename C::provides, caps<>>) {
      w << "       provides: ";
      detail::write_caps(w, typename C::provides{});
      w << '\n';
    }
    if constexpr (!std::is_same_v<typename C::needs, caps<>>) {
      w << "       needs:    ";
      detail::write_needs<Cs...>(w, typename C::needs{});
      w << '\n';
    }
    bool first = true;
    visit_config(d.template at<i>(), [&](std::string_view key, auto const& value) {
      w << (first ? "       config:   " : ", ") << key << " = ";
      detail::write_value(w, value);
      first = false;
    });
    if (!first) w << '\n';
  });
}

// Fixed-capacity text, as describe() returns it.
template <std::size_t Capacity>
struct text {
  char data[Capacity]{};
  std::size_t size = 0;
  bool truncated = false;
  constexpr std::string_view view() const { return {data, size}; }
};

// The description as text; usable in constant expressions:
//   constexpr auto t = strata::describe(description);
//   static_assert(t.view().find("app<hello>") != std::string_view::npos);
template <std::size_t Capacity = 4096, class... Cs>
constexpr text<Capacity> describe(system_description<Cs...> const& d) {
  text<Capacity> t;
  text_writer w{t.data, Capacity};
  describe_to(w, d);
  t.truncated = w.truncated();
  t.size = t.truncated ? Capacity : w.size();
  return t;
}

}  // namespace strata
