// Throughput of the Internet checksum: the Highway implementation
// (strata::net::ones_complement_sum, static dispatch) against the scalar
// reference and against memcpy of the same buffer, for sizes 64 B .. 64 KiB,
// and 20 B, an IPv4 header.
// Each figure is the best of several trials of about 64 MiB each; buffers are
// L1/L2-resident, which is where a packet's checksum is computed.
// Build and run with bench/checksum/run.sh.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <span>
#include <vector>

#include <hwy/highway.h>

#include <strata/net/checksum.hpp>

namespace {

// Makes the compiler assume the buffers changed, so a call cannot be hoisted
// out of the loop or merged with the previous iteration's.
inline void clobber(void const* p) { asm volatile("" : : "r"(p) : "memory"); }

template <class F>
double best_gbps(std::size_t size, F&& f) {
  std::size_t const iterations = std::max<std::size_t>(1, (std::size_t{64} << 20) / size);
  double best = 0;
  for (int trial = 0; trial < 7; ++trial) {
    auto const start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < iterations; ++i) f();
    std::chrono::duration<double, std::nano> const elapsed = std::chrono::steady_clock::now() - start;
    best = std::max(best, double(size) * double(iterations) / elapsed.count());  // bytes per ns = GB/s
  }
  return best;
}

}  // namespace

int main() {
  std::vector<std::byte> source(65536 + 64), destination(65536 + 64);
  std::mt19937 rng{1};
  for (auto& b : source) b = std::byte(rng());
  std::uint32_t volatile sink = 0;

  std::printf("Highway static target: %s\n", hwy::TargetName(HWY_STATIC_TARGET));
  std::printf("%8s %12s %12s %12s %12s %12s\n", "bytes", "highway", "scalar", "memcpy", "hwy/scalar",
              "hwy/memcpy");
  for (std::size_t size : {20U, 64U, 128U, 256U, 512U, 1024U, 1500U, 2048U, 4096U, 8192U, 16384U, 32768U, 65536U}) {
    std::span<std::byte const> const data{source.data(), size};
    if (strata::net::ones_complement_sum(data) != strata::net::ones_complement_sum_reference(data)) {
      std::printf("mismatch at %zu bytes\n", size);
      return 1;
    }
    double const hwy = best_gbps(size, [&] {
      clobber(data.data());
      sink = sink + strata::net::ones_complement_sum(data);
    });
    double const scalar = best_gbps(size, [&] {
      clobber(data.data());
      sink = sink + strata::net::ones_complement_sum_reference(data);
    });
    double const copy = best_gbps(size, [&] {
      clobber(source.data());
      std::memcpy(destination.data(), source.data(), size);
      clobber(destination.data());
    });
    std::printf("%8zu %9.2f GB/s %7.2f GB/s %7.2f GB/s %11.2fx %11.2fx\n", size, hwy, scalar, copy, hwy / scalar,
                hwy / copy);
  }
  return 0;
}
