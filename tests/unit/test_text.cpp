// Compile-time text and console formatting.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>

#include <strata/console.hpp>
#include <strata/core/text.hpp>

#include "unit/test_platform.hpp"

namespace {

using namespace strata;
using namespace strata::literals;

struct hello {};
constexpr std::string_view app_name = "app";
static_assert(type_name<hello> == "{anonymous}::hello" || type_name<hello> == "(anonymous namespace)::hello");
static_assert(type_name<int> == "int");
static_assert(numbered_name_v<app_name, 0> == "app<0>");
static_assert(numbered_name_v<app_name, 18446744073709551615ULL> == "app<18446744073709551615>");
static_assert(template_name_v<app_name, int> == "app<int>");

TEST_CASE("text_writer renders integers at their limits, bools, text, and counts without a buffer") {
  constexpr auto t = render_text<[](text_writer& w) {
    w << std::numeric_limits<std::int64_t>::min() << ' ' << std::numeric_limits<std::uint64_t>::max() << ' '
      << std::int8_t{-128} << ' ' << 0 << ' ' << true << ' ' << "text";
  }>();
  CHECK(t.view() == "-9223372036854775808 18446744073709551615 -128 0 true text");
  text_writer counter;
  counter << "12345" << 678;
  CHECK(counter.size() == 8);
  CHECK_FALSE(counter.truncated());
}

TEST_CASE("console print formats with compile-time format strings, across buffer flushes") {
  using platform = test::virtual_platform;
  platform::reset();
  platform_console<platform> console;
  console.print("{} + {} = {:>4}|{:#x}|{:08b}\n"_fmt, 2, 2, 4, 255, 5);
  CHECK(platform::console == "2 + 2 =    4|0xff|00000101\n");
  platform::reset();
  std::string const long_text(1000, 'z');
  console.print("[{}]"_fmt, std::string_view{long_text});
  CHECK(platform::console == "[" + long_text + "]");
}

}  // namespace
