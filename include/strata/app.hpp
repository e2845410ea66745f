// app<T>: the application. T's value in the description is the app's initial
// state; its hooks get the whole system:
//   void start(auto& sys);                       once, after every component's init
//   void poll(auto& sys, strata::time_ns now);   each turn of the event loop
//   strata::time_ns next_deadline() const;       when poll next needs to run
//   void on_timer(auto& sys, strata::timer_id);  a timer expired
// T may declare 'using needs = strata::caps<...>' for what it uses, and
// 'constexpr void visit_config(auto&& field) const' to show its settings.
#pragma once

#include <string_view>

#include <strata/core/capability.hpp>
#include <strata/core/text.hpp>

namespace strata {

namespace detail {
inline constexpr std::string_view app_name = "app";
template <class T>
struct app_needs {
  using type = caps<>;
};
template <class T>
  requires requires { typename T::needs; }
struct app_needs<T> {
  using type = typename T::needs;
};
}  // namespace detail

template <class T>
struct app {
  T value{};

  static constexpr std::string_view name = template_name_v<detail::app_name, T>;
  using provides = caps<>;
  using needs = typename detail::app_needs<T>::type;
  using is_app = void;

  constexpr void visit_config(auto&& field) const {
    if constexpr (requires { value.visit_config(field); }) value.visit_config(field);
  }
  template <class P>
  static constexpr T runtime(app const& a) {
    return a.value;
  }
};

}  // namespace strata
