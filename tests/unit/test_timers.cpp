// Timers and the event loop, on virtual time.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <strata/strata.hpp>

#include "unit/test_platform.hpp"

namespace {

using namespace strata;
using namespace strata::literals;
using platform = test::virtual_platform;

struct recorder {
  std::vector<std::pair<char, time_ns>>* log = nullptr;
  timer_id periodic{}, once{}, cancelled{};
  using needs = caps<cap::Clock, cap::Timer>;

  void start(auto& sys) {
    periodic = sys.timers.every(100_ms);
    once = sys.timers.after(250_ms);
    cancelled = sys.timers.after(50_ms);
    sys.timers.cancel(cancelled);
  }
  void on_timer(auto& sys, timer_id id) {
    char const what = id == periodic ? 'p' : id == once ? 'o' : 'x';
    log->emplace_back(what, sys.clock.now());
    if (log->size() == 6) sys.exit(3);
  }
};

TEST_CASE("periodic and one-shot timers fire at their deadlines, cancelled ones never") {
  platform::reset();
  platform::time = 1_s;  // the clock does not start at zero
  std::vector<std::pair<char, time_ns>> log;
  static constexpr auto d = strata::system(monotonic_clock{}, timers<4>{}, app<recorder>{});
  runtime_system<platform, std::remove_cvref_t<decltype(d)>> sys{d};
  sys.component<app<recorder>>().log = &log;  // the app's runtime is the recorder itself
  CHECK(sys.run() == 3);
  std::vector<std::pair<char, time_ns>> const expected{{'p', 1_s + 100_ms}, {'p', 1_s + 200_ms}, {'o', 1_s + 250_ms},
                                                       {'p', 1_s + 300_ms}, {'p', 1_s + 400_ms}, {'p', 1_s + 500_ms}};
  CHECK(log == expected);
  CHECK(platform::exit_code == 3);
  // The loop woke once per expiry: the cancelled timer left no deadline.
  CHECK(platform::yields == 6);
}

TEST_CASE("a late loop skips missed periods instead of firing a burst") {
  timer_table<2> t;
  struct fake_sys {
    int fired = 0;
    void timer_fired(timer_id) { ++fired; }
  } sys;
  auto const id = t.every(10_ms);
  REQUIRE(id.valid());
  t.poll(sys, 5_ms);
  CHECK(sys.fired == 0);
  t.poll(sys, 55_ms);  // deadlines 10..50 passed: fires once, skips 4
  CHECK(sys.fired == 1);
  CHECK(t.missed() == 4);
  CHECK(t.next_deadline() == 60_ms);
}

TEST_CASE("a full timer table returns an invalid id, and cancel frees a slot") {
  timer_table<2> t;
  auto const a = t.after(1_ms);
  auto const b = t.every(2_ms);
  auto const c = t.after(3_ms);
  CHECK(a.valid());
  CHECK(b.valid());
  CHECK_FALSE(c.valid());
  CHECK(t.in_use() == 2);
  t.cancel(a);
  CHECK_FALSE(t.active(a));
  CHECK(t.after(4_ms).valid());
  t.cancel(timer_id{});  // cancelling an invalid id is harmless
  CHECK(t.in_use() == 2);
}

struct poller {
  static constexpr time_ns step = 30_ms;
  int polls = 0;
  time_ns wake = step;
  time_ns next_deadline() const { return wake; }
  void poll(auto& sys, time_ns now) {
    ++polls;
    if (now >= 90_ms) sys.exit(0);
    if (now >= wake) wake += step;
  }
};

TEST_CASE("the loop sleeps until the earliest deadline and stops on exit") {
  platform::reset();
  static constexpr auto d = strata::system(monotonic_clock{}, app<poller>{});
  runtime_system<platform, std::remove_cvref_t<decltype(d)>> sys{d};
  CHECK(sys.run() == 0);
  CHECK(platform::time == 90_ms);
  CHECK(sys.component<app<poller>>().polls == 4);  // at 0, 30, 60, 90 ms
}

}  // namespace
