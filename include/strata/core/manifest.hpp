// The devices a system needs from its virtual machine: its manifest, as in
// Solo5. Components declare theirs ('static constexpr strata::device
// devices[] = {...};'); the target turns the manifest into the arguments of
// the VM that runs the image, so the command line is derived from the type.
#pragma once

#include <cstdint>
#include <string_view>

#include <strata/core/system.hpp>

namespace strata {

enum class device : std::uint8_t {
  serial_port,  // the console: a 16550 UART on COM1
  network,      // one Ethernet NIC (virtio-net in QEMU)
};

constexpr std::string_view device_name(device d) {
  switch (d) {
    case device::serial_port: return "serial_port";
    case device::network: return "network";
  }
  return "?";
}

inline constexpr std::size_t device_kinds = 2;

// The union of the devices of all components, in enum order.
struct manifest {
  bool needs[device_kinds]{};
  constexpr bool has(device d) const { return needs[static_cast<std::size_t>(d)]; }
  template <class F>
  constexpr void for_each(F&& f) const {
    for (std::size_t i = 0; i < device_kinds; ++i)
      if (needs[i]) f(static_cast<device>(i));
  }
};

template <class C>
constexpr void add_devices(manifest& m) {
  if constexpr (requires { C::devices; })
    for (device d : C::devices) m.needs[static_cast<std::size_t>(d)] = true;
}

template <class... Cs>
constexpr manifest manifest_of(system_description<Cs...> const&) {
  manifest m;
  (add_devices<Cs>(m), ...);
  return m;
}

}  // namespace strata
