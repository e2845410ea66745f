// Raw Ethernet frames for the simulation tests: the network and the NIC are
// tested below IP, so these tests need nothing from the IPv4/UDP layers.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <strata/net/bytes.hpp>
#include <strata/net/ethernet/address.hpp>

namespace strata::sim_test {

using net::mac_address;
using bytes = std::vector<std::byte>;

// IEEE 802 "local experimental" EtherType: no stack will mistake it for its own.
inline constexpr std::uint16_t test_ethertype = 0x88b5;

// destination, source, EtherType, then a 32-bit sequence number and a
// payload derived from it, padded to `size` bytes (60: Ethernet's minimum).
inline bytes make_frame(mac_address to, mac_address from, std::uint32_t seq, std::size_t size = 60) {
  bytes f(size);
  to.store(f, 0);
  from.store(f, 6);
  net::store_be16(f, 12, test_ethertype);
  net::store_be32(f, 14, seq);
  for (std::size_t i = 18; i < size; ++i) f[i] = std::byte(static_cast<std::uint8_t>(std::size_t{seq} * 31 + i));
  return f;
}

inline std::uint32_t seq_of(std::span<std::byte const> frame) { return net::load_be32(frame, 14); }

// Bits that differ between two frames of the same length.
inline std::size_t bit_distance(std::span<std::byte const> a, std::span<std::byte const> b) {
  std::size_t d = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
    d += static_cast<std::size_t>(std::popcount(std::to_integer<std::uint8_t>(a[i] ^ b[i])));
  return d;
}

}  // namespace strata::sim_test
