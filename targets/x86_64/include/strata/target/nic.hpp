// The x86_64 target's NIC: virtio-net over PCI (q35) or MMIO (microvm),
// found at boot (target/virtio/). strata::net::nic<> names it, so a
// description does not name its target.
//
//   strata::net::nic<>{}                        32 receive and 16 transmit buffers
//   strata::target::virtio_nic<128, 64>{}       a larger pool (powers of two)
#pragma once

#include <cstdint>
#include <string_view>

#include <strata/core/manifest.hpp>
#include <strata/net/device.hpp>
#include <strata/target/virtio/net.hpp>

namespace strata::target {

template <std::uint16_t RxBuffers = 32, std::uint16_t TxBuffers = 16>
struct virtio_nic {
  // Used only if the device offers no MAC address (QEMU always does).
  net::mac_address mac{{0x02, 0x53, 0x54, 0x00, 0x00, 0x02}};

  static constexpr std::string_view name = "virtio_nic";
  using provides = caps<cap::NetDevice>;
  using needs = caps<>;
  static constexpr device devices[] = {device::network};
  constexpr void visit_config(auto&& field) const {
    field("rx_buffers", RxBuffers);
    field("tx_buffers", TxBuffers);
  }
  template <class P>
  static constexpr virtio::virtio_net<RxBuffers, TxBuffers> runtime(virtio_nic const& n) {
    return virtio::virtio_net<RxBuffers, TxBuffers>{n.mac};
  }
};
static_assert(NetDevice<virtio::virtio_net<32, 16>>);

using nic = virtio_nic<>;

}  // namespace strata::target
