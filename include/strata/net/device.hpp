// The NetDevice capability: a device that moves whole Ethernet frames.
// Polled like everything else: receive() returns 0 when no frame waits, and
// transmit() returns false when the device has no room (the caller drops
// and counts, or retries later). Backends: the simulated network
// (strata/net/sim), TAP on the hosted target, virtio-net in the image.
#pragma once

#include <concepts>
#include <cstddef>
#include <span>

#include <strata/core/capability.hpp>
#include <strata/net/ethernet/address.hpp>

namespace strata {

template <class D>
concept NetDevice = requires(D& d, std::span<std::byte> rx, std::span<std::byte const> tx) {
  { d.receive(rx) } -> std::same_as<std::size_t>;  // copies one frame into rx, returns its length; 0: none
  { d.transmit(tx) } -> std::same_as<bool>;        // sends one frame; false: no room, not sent
  { d.mac() } -> std::same_as<net::mac_address>;
  { D::mtu } -> std::convertible_to<std::size_t>;  // largest IP packet a frame carries (1500 on Ethernet)
};

}  // namespace strata

STRATA_CAPABILITY(NetDevice, true, "a NIC such as strata::net::nic<>{}",
                  "receive(std::span<std::byte>) -> std::size_t, transmit(std::span<std::byte const>) -> bool, "
                  "mac() -> strata::net::mac_address and a static mtu")
