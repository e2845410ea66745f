// The running system: one object holding every component's runtime, built
// from a description on a platform, and the event loop that drives them.
//
// The loop is the only scheduler: init and start run once in dependency
// order, then each turn polls every component that has poll(sys, now) and
// sleeps (platform yield_until) until the earliest next_deadline(). No
// threads, no callbacks registered at run time: which hooks exist is decided
// by the types, at compile time.
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include <strata/core/component.hpp>
#include <strata/core/system.hpp>
#include <strata/core/text.hpp>
#include <strata/platform.hpp>

namespace strata {

// Stands in for a capability the system lacks: any use of it, such as
// sys.console.print(...) without a console, fails to compile naming it.
template <class Cap>
struct missing_capability {};

template <Platform P, class Description>
class runtime_system;

namespace detail {

template <class C, class R, class Cap>
constexpr bool check_model() {
  if constexpr (!Cap::template modeled_by<R>) {
    (void)error::does_not_model<C, Cap>{};
    return false;
  }
  return true;
}
template <class C, class R, class... Caps>
constexpr bool check_models(caps<Caps...>) {
  return (check_model<C, R, Caps>() && ... && true);
}

template <class R, class Sys>
concept has_start = requires(R& r, Sys& s) { r.start(s); };
template <class R, class Sys>
concept has_poll = requires(R& r, Sys& s, time_ns now) { r.poll(s, now); };
template <class R, class Sys>
concept has_on_timer = requires(R& r, Sys& s, timer_id id) { r.on_timer(s, id); };
template <class R>
concept has_deadline = requires(R const& r) {
  { r.next_deadline() } -> std::convertible_to<time_ns>;
};

// Apps have a hook the loop can call; deadlines have a clock to wait on.
template <class C, class R, class Sys, bool HasClock>
constexpr bool check_hooks() {
  if constexpr (requires { typename C::is_app; } && !has_start<R, Sys> && !has_poll<R, Sys> &&
                !has_on_timer<R, Sys>) {
    (void)error::app_without_hooks<C>{};
    return false;
  } else if constexpr (has_deadline<R> && !HasClock) {
    (void)error::deadline_without_clock<C>{};
    return false;
  }
  return true;
}

}  // namespace detail

namespace detail {

// The components' runtimes, one member each, built in place: every runtime
// is initialised straight from the prvalue its component's runtime() returns
// (guaranteed copy elision), so a runtime holding large buffers is never
// built as a temporary on the stack and copied, as a tuple's constructor
// taking values would do.
template <std::size_t I, class R>
struct part {
  template <class Make>
  constexpr explicit part(Make make) : value(make()) {}
  R value;
};
template <class Indices, class... Rs>
struct part_list;
template <std::size_t... I, class... Rs>
struct part_list<std::index_sequence<I...>, Rs...> : part<I, Rs>... {
  template <class... Makes>
  constexpr explicit part_list(Makes... makes) : part<I, Rs>(makes)... {}
};
template <std::size_t I, class R>
constexpr R& part_at(part<I, R>& p) {
  return p.value;
}
template <std::size_t I, class R>
constexpr R const& part_at(part<I, R> const& p) {
  return p.value;
}

}  // namespace detail

template <Platform P, class... Cs>
class runtime_system<P, system_description<Cs...>> {
  using description = system_description<Cs...>;
  static constexpr std::size_t n = sizeof...(Cs);

  template <class Cap>
  using provider_t = std::conditional_t<description::template has<Cap>,
                                        runtime_t<detail::nth<description::template provider_of<Cap> % (n != 0 ? n : 1),
                                                              Cs..., missing_capability<Cap>>,
                                                  P>,
                                        missing_capability<Cap>>;

 public:
  using platform = P;

  explicit constexpr runtime_system(description const& d)
      : parts{make_parts(d, std::index_sequence_for<Cs...>{})},
        console{provider<cap::Console>()},
        clock{provider<cap::Clock>()},
        timers{provider<cap::Timer>()} {
    static_assert(check_models(), "strata: see the error above");
  }
  runtime_system(runtime_system const&) = delete;
  runtime_system& operator=(runtime_system const&) = delete;

  // Each component's runtime, in description order.
  detail::part_list<std::index_sequence_for<Cs...>, runtime_t<Cs, P>...> parts;
  // The providers of the common capabilities, by name.
  provider_t<cap::Console>& console;
  provider_t<cap::Clock>& clock;
  provider_t<cap::Timer>& timers;

  // The runtime of the component that provides Cap.
  template <class Cap>
  constexpr auto& get() {
    static_assert(description::template has<Cap>, "strata: get<Cap>() asks for a capability no component of the system "
                  "provides; add a component that provides it to strata::system(...)");
    return detail::part_at<description::template provider_of<Cap>>(parts);
  }
  // The runtime of component C.
  template <class C>
  constexpr auto& component() {
    constexpr bool same[] = {std::is_same_v<C, Cs>..., false};
    constexpr std::size_t i = [&] {
      std::size_t k = 0;
      while (k < n && !same[k]) ++k;
      return k;
    }();
    static_assert(i < n, "strata: component<C>() asks for a component that is not in the "
                  "description; add it to strata::system(...) or use one that is there");
    return detail::part_at<i>(parts);
  }

  // Ends the system with an exit code. On a real platform this does not
  // return; test platforms return and the loop stops at the end of the turn.
  void exit(int code) {
    stopped_ = true;
    exit_code_ = code;
    P::exit(code);
  }
  bool stopped() const { return stopped_; }

  // Stops everything with a message and a backtrace (exit code strata::exit_panic).
  [[noreturn]] void panic(std::string_view message) { P::panic(message.data(), message.size()); }

  // Runs init and start, then the event loop until exit(). A system with no
  // event source (nothing to poll, no deadline) ends when start returns, as a
  // program ends when main returns.
  int run() {
    boot();
    if constexpr (has_event_sources()) {
      while (!stopped_) turn();
    }
    return exit_code_;
  }

  // init, then start, for every component in dependency order. Public so a
  // scheduler driving several systems (the simulated network) can boot them.
  void boot() {
    static_assert(check_hooks(), "strata: see the error above");
    in_order([&](auto& r) {
      if constexpr (requires { r.init(*this); }) r.init(*this);
    });
    in_order([&](auto& r) {
      if constexpr (detail::has_start<std::remove_cvref_t<decltype(r)>, runtime_system>)
        if (!stopped_) r.start(*this);
    });
  }

  // Calls f(runtime) for every component's runtime, in dependency order:
  // layers find the components they serve this way (a UDP port's service).
  template <class F>
  constexpr void for_each_part(F&& f) {
    in_order(f);
  }
  int exit_code() const { return exit_code_; }

  // Whether pred(std::type_identity<R>{}) holds for some component's runtime
  // type R: a layer asks which layers above it exist (UDP services, ...).
  template <class Pred>
  static constexpr bool any_runtime(Pred pred) {
    return (pred(std::type_identity<runtime_t<Cs, P>>{}) || ... || false);
  }

  // One turn of the loop: poll everything, then sleep until the earliest
  // deadline. Public so tests can step a system.
  void turn() {
    poll(now());
    if (!stopped_) P::yield_until(next_deadline());
  }
  void poll(time_ns now) {
    in_order([&](auto& r) {
      if constexpr (detail::has_poll<std::remove_cvref_t<decltype(r)>, runtime_system>)
        if (!stopped_) r.poll(*this, now);
    });
  }
  time_ns next_deadline() const {
    time_ns d = never;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ([&](auto const& r) {
        if constexpr (detail::has_deadline<std::remove_cvref_t<decltype(r)>>) {
          time_ns const t = r.next_deadline();
          d = t < d ? t : d;
        }
      }(detail::part_at<I>(parts)), ...);
    }(std::index_sequence_for<Cs...>{});
    return d;
  }
  time_ns now() const {
    if constexpr (description::template has<cap::Clock>)
      return clock.now();
    else
      return 0;
  }

  // The run-time state of every component that can describe it (a
  // describe_to(text_writer&) const on its runtime: the network's counters,
  // the DHCP lease, the NIC's), one "name: state" line each, in
  // initialisation order. What describe() says of the description, this
  // says of the running system; an app prints it or serves it.
  void describe_state_to(text_writer& w) const {
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (describe_part<description::init_order[K]>(w), ...);
    }(std::make_index_sequence<n>{});
  }

  // The same state as numbers, for tools (http::system_stats serves it as
  // JSON): visit(component name, runtime) for each runtime with a
  // visit_counters(visit) const, in initialisation order. A runtime calls
  // visit(name, number) for a counter and visit(name, part) for a group.
  template <class Visit>
  void visit_counters(Visit&& visit) const {
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (visit_part<description::init_order[K]>(visit), ...);
    }(std::make_index_sequence<n>{});
  }

  // Called by the Timer provider: hands the expiry to every on_timer hook.
  void timer_fired(timer_id id) {
    in_order([&](auto& r) {
      if constexpr (detail::has_on_timer<std::remove_cvref_t<decltype(r)>, runtime_system>) r.on_timer(*this, id);
    });
  }

 private:
  template <std::size_t... I>
  static constexpr auto make_parts(description const& d, std::index_sequence<I...>) {
    return decltype(parts){[&d] { return Cs::template runtime<P>(d.template at<I>()); }...};
  }

  template <class Cap>
  constexpr provider_t<Cap>& provider() {
    if constexpr (description::template has<Cap>)
      return detail::part_at<description::template provider_of<Cap>>(parts);
    else
      return absent<Cap>;
  }
  template <class Cap>
  static inline missing_capability<Cap> absent{};

  template <std::size_t I>
  void describe_part(text_writer& w) const {
    auto const& r = detail::part_at<I>(parts);
    if constexpr (requires { r.describe_to(w); }) {
      w << detail::nth<I, Cs...>::name << ": ";
      r.describe_to(w);
      w << '\n';
    }
  }

  template <std::size_t I, class Visit>
  void visit_part(Visit& visit) const {
    auto const& r = detail::part_at<I>(parts);
    if constexpr (requires { r.visit_counters(visit); }) visit(detail::nth<I, Cs...>::name, r);
  }

  template <class F>
  constexpr void in_order(F&& f) {
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (f(detail::part_at<description::init_order[K]>(parts)), ...);
    }(std::make_index_sequence<n>{});
  }

  static constexpr bool check_models() {
    return (detail::check_models<Cs, runtime_t<Cs, P>>(typename Cs::provides{}) && ... && true);
  }
  static constexpr bool check_hooks() {
    constexpr bool has_clock = description::template has<cap::Clock>;
    return (detail::check_hooks<Cs, runtime_t<Cs, P>, runtime_system, has_clock>() && ... && true);
  }
  static constexpr bool has_event_sources() {
    return ((detail::has_poll<runtime_t<Cs, P>, runtime_system> || detail::has_deadline<runtime_t<Cs, P>>) || ... ||
            false);
  }

  bool stopped_ = false;
  int exit_code_ = 0;
};

}  // namespace strata
