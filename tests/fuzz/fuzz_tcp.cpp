// libFuzzer target: 8 bytes of pseudo-header addresses (source, destination), then the
// segment; checksum verified and skipped. The property is in roundtrip_tcp.hpp; a
// violation traps, which libFuzzer reports as a crash and saves the input.
#include <cstddef>
#include <cstdint>
#include <span>

#include "roundtrip_tcp.hpp"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  using namespace strata::net;
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): libFuzzer's bytes as std::byte; both may alias
  std::span<std::byte const> const in{reinterpret_cast<std::byte const*>(data), size};
  bool const ok = roundtrip::tcp(in, checksum_policy::verify) && roundtrip::tcp(in, checksum_policy::skip);
  if (!ok) __builtin_trap();
  return 0;
}
