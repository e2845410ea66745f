// timers<N>: the system's Timer, a table of N one-shot or periodic timers.
//
// Nothing is registered at run time: when a timer expires, the event loop
// calls on_timer(sys, id) on every component that has that hook (the set is
// known at compile time), and each compares the id with the ones it started.
// Deadlines are relative to the loop's current time, read once per turn.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <strata/core/capability.hpp>
#include <strata/core/text.hpp>

namespace strata {

template <std::size_t Capacity>
class timer_table {
 public:
  // Starts a timer that fires once, `delay` from now; an invalid id when all
  // Capacity timers are in use (raise the capacity in the description).
  [[nodiscard]] constexpr timer_id after(time_ns delay) { return arm(delay, 0); }
  // Starts a timer that fires every `period` (> 0), the first time one period from now.
  [[nodiscard]] constexpr timer_id every(time_ns period) { return arm(period, period == 0 ? 1 : period); }
  constexpr void cancel(timer_id id) {
    if (id.valid() && id.slot < Capacity) slots_[id.slot].deadline = never;
  }
  constexpr bool active(timer_id id) const { return id.valid() && id.slot < Capacity && slots_[id.slot].deadline != never; }

  // Periods a periodic timer could not keep because the loop was late; they
  // are skipped, not fired in a burst.
  constexpr std::uint64_t missed() const { return missed_; }
  constexpr std::size_t in_use() const {
    std::size_t n = 0;
    for (auto const& s : slots_) n += s.deadline != never;
    return n;
  }

  template <class Sys>
  constexpr void init(Sys& sys) {
    now_ = sys.clock.now();
  }
  constexpr time_ns next_deadline() const {
    time_ns d = never;
    for (auto const& s : slots_) d = s.deadline < d ? s.deadline : d;
    return d;
  }
  template <class Sys>
  constexpr void poll(Sys& sys, time_ns now) {
    now_ = now;
    for (std::uint32_t i = 0; i < Capacity; ++i) {
      auto& s = slots_[i];
      if (s.deadline > now) continue;
      if (s.period == 0) {
        s.deadline = never;
      } else {
        s.deadline += s.period;
        if (s.deadline <= now) {
          auto const late = (now - s.deadline) / s.period + 1;
          missed_ += late;
          s.deadline += late * s.period;
        }
      }
      sys.timer_fired(timer_id{i});
    }
  }

 private:
  struct slot {
    time_ns deadline = never;
    time_ns period = 0;
  };
  constexpr timer_id arm(time_ns delay, time_ns period) {
    for (std::uint32_t i = 0; i < Capacity; ++i)
      if (slots_[i].deadline == never) {
        slots_[i] = {now_ + delay, period};
        return timer_id{i};
      }
    return {};
  }
  std::array<slot, Capacity> slots_{};
  time_ns now_ = 0;
  std::uint64_t missed_ = 0;
};

namespace detail {
inline constexpr std::string_view timers_name = "timers";
}

template <std::size_t Capacity = 8>
struct timers {
  static_assert(Capacity > 0, "strata: timers<0> holds no timer; give it a capacity of at least 1");
  static constexpr std::string_view name = numbered_name_v<detail::timers_name, Capacity>;
  using provides = caps<cap::Timer>;
  using needs = caps<cap::Clock>;
  static constexpr std::size_t capacity() { return Capacity; }
  constexpr void visit_config(auto&& field) const { field("capacity", Capacity); }
  template <class P>
  static constexpr timer_table<Capacity> runtime(timers const&) {
    return {};
  }
};

static_assert(Timer<timer_table<1>>);

}  // namespace strata
