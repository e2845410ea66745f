// A NIC that moves nothing, for compile-fail tests that need a network.
#pragma once

#include <strata/net/device.hpp>

struct fake_nic {
  static constexpr std::string_view name = "fake_nic";
  using provides = strata::caps<strata::cap::NetDevice>;
  using needs = strata::caps<>;
  struct state {
    static constexpr std::size_t mtu = 1500;
    std::size_t receive(std::span<std::byte>) { return 0; }
    bool transmit(std::span<std::byte const>) { return true; }
    strata::net::mac_address mac() const { return {}; }
  };
  template <class P>
  static constexpr state runtime(fake_nic const&) {
    return {};
  }
};
static_assert(strata::NetDevice<fake_nic::state>);
