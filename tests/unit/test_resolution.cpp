// Resolution: who provides what, and the initialisation order.
#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

#include <strata/strata.hpp>

#include "unit/test_platform.hpp"

namespace {

using namespace strata;

// A chain and a diamond: storage <- net <- web, storage <- log <- web.
struct cap_storage_tag;
template <class Provides, class Needs>
struct part {
  static constexpr std::string_view name = "part";
  using provides = Provides;
  using needs = Needs;
  template <class P>
  static constexpr int runtime(part const&) {
    return 0;
  }
};
using storage = part<caps<cap::Clock>, caps<>>;
using net = part<caps<cap::Timer>, caps<cap::Clock>>;
using log = part<caps<cap::Console>, caps<cap::Clock>>;
using web = part<caps<>, caps<cap::Timer, cap::Console>>;

constexpr auto diamond = strata::system(web{}, log{}, net{}, storage{});
// storage (3) first; then net (2) and log (1) in any order that respects needs,
// chosen stably by position; web (0) last.
static_assert(decltype(diamond)::init_order[0] == 3);
static_assert(decltype(diamond)::init_order[3] == 0);
static_assert(decltype(diamond)::provider_of<cap::Timer> == 2);
static_assert(decltype(diamond)::has<cap::Console> && !decltype(strata::system(storage{}))::has<cap::Console>);

TEST_CASE("providers come before the components that need them") {
  std::array<std::size_t, 4> position{};
  for (std::size_t k = 0; k < 4; ++k) position[decltype(diamond)::init_order[k]] = k;
  CHECK(position[3] < position[2]);  // storage before net
  CHECK(position[3] < position[1]);  // storage before log
  CHECK(position[2] < position[0]);  // net before web
  CHECK(position[1] < position[0]);  // log before web
}

TEST_CASE("order is stable: independent components keep their written order") {
  constexpr auto d = strata::system(serial_console{}, timers<2>{}, monotonic_clock{});
  // console (0) needs nothing: first. timers (1) waits for the clock (2).
  CHECK(d.init_order == std::array<std::size_t, 3>{0, 2, 1});
}

struct settings {
  int answer = 42;
  void start(auto&) {}
};

TEST_CASE("configuration values are readable at compile time") {
  constexpr auto d = strata::system(serial_console{}, app<settings>{{.answer = 7}});
  static_assert(d.get<app<settings>>().value.answer == 7);
  static_assert(std::is_same_v<decltype(d.get<serial_console>()), serial_console const&>);
  CHECK(d.at<1>().value.answer == 7);
}

// Hooks run in dependency order: init for all, then start for all.
std::string trace;
template <class Provides, class Needs, char Id>
struct hooked {
  static constexpr std::string_view name = "hooked";
  using provides = Provides;
  using needs = Needs;
  struct state {
    void init(auto&) { trace += std::string("i") + Id; }
    void start(auto&) { trace += std::string("s") + Id; }
    time_ns now() const { return 0; }
    void write(std::string_view) {}
  };
  template <class P>
  static constexpr state runtime(hooked const&) {
    return {};
  }
};

TEST_CASE("init runs for every component before any start, each in dependency order") {
  trace.clear();
  test::virtual_platform::reset();
  constexpr auto d = strata::system(hooked<caps<>, caps<cap::Clock, cap::Console>, 'a'>{},
                                    hooked<caps<cap::Console>, caps<cap::Clock>, 'b'>{},
                                    hooked<caps<cap::Clock>, caps<>, 'c'>{});
  runtime_system<test::virtual_platform, std::remove_cvref_t<decltype(d)>> sys{d};
  CHECK(sys.run() == 0);  // no event sources: ends when start returns
  CHECK(trace == "icibiascsbsa");
}

}  // namespace
