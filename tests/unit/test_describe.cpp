// describe(): the text, at compile time and at run time.
#include <doctest/doctest.h>

#include <string>

#include <strata/strata.hpp>

namespace {

using namespace strata;
using namespace strata::literals;

struct ticker {
  int ticks = 3;
  time_ns period = 250_ms;
  using needs = caps<cap::Console, cap::Timer>;
  constexpr void visit_config(auto&& field) const {
    field("ticks", ticks);
    field("period_ms", period / 1_ms);
    field("name", std::string_view{"tick-tock"});
    field("verbose", false);
  }
  void on_timer(auto&, timer_id) {}
};

constexpr auto description =
    strata::system(app<ticker>{{.ticks = 9}}, timers<3>{}, serial_console{}, monotonic_clock{});

constexpr std::string_view expected =
    "system of 4 components, in initialisation order:\n"
    "  1. serial_console\n"
    "       provides: Console\n"
    "  2. monotonic_clock\n"
    "       provides: Clock\n"
    "  3. timers<3>\n"
    "       provides: Timer\n"
    "       needs:    Clock (from monotonic_clock)\n"
    "       config:   capacity = 3\n"
    "  4. app<{anonymous}::ticker>\n"
    "       needs:    Console (from serial_console), Timer (from timers<3>)\n"
    "       config:   ticks = 9, period_ms = 250, name = tick-tock, verbose = false\n";

std::string normalise(std::string_view s) {
  // clang spells the anonymous namespace "(anonymous namespace)".
  std::string out{s};
  for (std::string_view from : {"(anonymous namespace)", "{anonymous}"}) {
    for (auto at = out.find(from); at != std::string::npos; at = out.find(from)) out.replace(at, from.size(), "ANON");
  }
  return out;
}

TEST_CASE("describe lists components in init order with needs, providers and configuration") {
  auto const t = describe(description);
  CHECK_FALSE(t.truncated);
  CHECK(normalise(t.view()) == normalise(expected));
}

TEST_CASE("describe is a constant expression") {
  constexpr auto t = describe(description);
  static_assert(t.view().starts_with("system of 4 components"));
  static_assert(t.view().find("capacity = 3") != std::string_view::npos);
  constexpr auto exact = render_text<[](text_writer& w) { describe_to(w, description); }>();
  static_assert(exact.view() == t.view());
  CHECK(exact.view().size() == t.size);
}

TEST_CASE("describe reports truncation instead of overflowing") {
  auto const t = describe<16>(description);
  CHECK(t.truncated);
  CHECK(t.view() == "system of 4 comp");
}

}  // namespace
