// The x86_64 target's NIC. The virtio-net driver is not written yet (it is
// the next issue); a system that needs a NIC builds for the hosted target or
// the simulated network meanwhile, and an image build says so.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include <strata/core/errors.hpp>
#include <strata/net/device.hpp>

namespace strata::target {

struct nic {
  net::mac_address mac{{0x02, 0x53, 0x54, 0x00, 0x00, 0x02}};

  static constexpr std::string_view name = "virtio_nic";
  using provides = caps<cap::NetDevice>;
  using needs = caps<>;
  template <class P>
  static constexpr int runtime(nic const&) {
    static_assert(strata::detail::always_false<P>,
                  "strata: the x86_64 target has no NIC driver yet (virtio-net comes next); build this system "
                  "for the hosted target (strata_add_unikernel(... TARGETS hosted), ./strata run --hosted) or "
                  "run it on the simulated network");
    return 0;
  }
};

}  // namespace strata::target
