// The checksum kernel compiled for every SIMD target Highway knows on this
// architecture (hwy/foreach_target.h re-includes this file once per target),
// each run on this CPU if it can, against the scalar reference. The rest of
// the tests use the static target the compiler flags select; this file is how
// the AVX2 kernel the image uses is tested on a host built for baseline x86-64.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "test_checksum_targets.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h

#include <hwy/highway.h>

#include <strata/net/detail/checksum-inl.hpp>

HWY_BEFORE_NAMESPACE();
namespace strata::net::test::HWY_NAMESPACE {
namespace {
// A plain function per target, for HWY_EXPORT's table (which finds it
// through the unnamed namespace).
std::uint16_t native_word_sum(std::uint8_t const* data, std::size_t size) {
  return strata::net::detail::HWY_NAMESPACE::native_word_sum(data, size);
}
}  // namespace
}  // namespace strata::net::test::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <hwy/targets.h>

#include <strata/net/checksum.hpp>

#include "test_support.hpp"

namespace strata::net::test {
HWY_EXPORT(native_word_sum);

namespace {

TEST_CASE("every Highway target this CPU runs agrees with the scalar reference") {
  auto rng = reproducible_rng(5);
  std::vector<std::byte> buffer(70000 + 64);
  for (auto& b : buffer) b = std::byte(rng());
  std::vector<std::byte> ones(70000 + 64, std::byte{0xff});
  // Every alignment for every length up to a few vectors (where the loop,
  // tail and odd-byte paths meet); a few alignments for long data.
  std::vector<std::size_t> lengths;
  for (std::size_t n = 0; n <= 300; ++n) lengths.push_back(n);
  for (std::size_t n : {1499U, 1500U, 65535U, 65536U, 70000U}) lengths.push_back(n);
  for (int i = 0; i < 10; ++i) lengths.push_back(rng() % 70001);

  int targets_run = 0;
  std::string names;
  for (std::int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    CAPTURE(hwy::TargetName(target));
    ++targets_run;
    names += std::string{" "} + hwy::TargetName(target);
    for (std::size_t length : lengths) {
      for (std::size_t align = 0; align < 64; align += length <= 300 ? 1 : 7) {
        for (auto const* base : {&buffer, &ones}) {
          std::span<std::byte const> const data{base->data() + align, length};
          // The kernel sums native-endian words: swap to compare (x86 is little-endian).
          std::uint16_t const native = HWY_DYNAMIC_DISPATCH(native_word_sum)(
              // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): byte types may alias
              reinterpret_cast<std::uint8_t const*>(data.data()), data.size());
          std::uint16_t const big_endian = detail::byte_swap16(native);
          CAPTURE(length);
          CAPTURE(align);
          REQUIRE(big_endian == ones_complement_sum_reference(data));
        }
      }
    }
  }
  hwy::SetSupportedTargetsForTest(0);
  MESSAGE("Highway targets checked:" << names);
  CHECK(targets_run >= 2);
}

}  // namespace
}  // namespace strata::net::test
#endif  // HWY_ONCE
