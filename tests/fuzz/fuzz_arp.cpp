// libFuzzer target: an ARP packet (the Ethernet payload).
// The property is in roundtrip.hpp; a violation traps, which libFuzzer reports
// as a crash and saves the input.
#include <cstddef>
#include <cstdint>
#include <span>

#include "roundtrip.hpp"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  using namespace strata::net;
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): libFuzzer's bytes as std::byte; both may alias
  std::span<std::byte const> const in{reinterpret_cast<std::byte const*>(data), size};
  bool const ok = roundtrip::arp(in);
  if (!ok) __builtin_trap();
  return 0;
}
