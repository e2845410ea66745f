// strata::net::sim::nic: the component that gives a system a NetDevice
// plugged into a port of a simulated network.
//
//   static strata::net::sim::network<2> net;          // static: the description holds its address
//   constexpr auto a = strata::system(strata::monotonic_clock{},
//       strata::net::sim::nic{.port = net.port(0), .mac = "02:00:00:00:00:01"_mac}, ...);
//
// The configuration is a port_ref (the network as its size-free `fabric`
// interface, plus a port index) and the MAC, all constant: a description
// stays constexpr, describe() shows "port = 0, mac = ..." at compile time,
// and two descriptions naming two ports of one network make two hosts on
// one switch.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string_view>
#include <type_traits>

#include <strata/core/capability.hpp>
#include <strata/core/manifest.hpp>
#include <strata/net/device.hpp>
#include <strata/net/ethernet/address.hpp>
#include <strata/net/sim/network.hpp>
#include <strata/net/sim/platform.hpp>

namespace strata::net::sim {

// The NIC's runtime: a port of the network, seen through NetDevice.
class nic_device {
 public:
  static constexpr std::size_t mtu = 1500;

  constexpr nic_device(port_ref port, mac_address const& mac) : port_{port}, mac_{mac} {}

  // Plugs the NIC into its port. The scheduler does this for every host
  // before booting any, so a frame sent from one host's start() reaches a
  // host booted after it; init() does it for a system booted by hand.
  // A port that does not exist or is taken is a broken test: panic.
  template <class Sys>
  void attach(Sys& sys) {
    if (attached_) return;
    if (port_.network == nullptr)
      sys.panic("sim::nic: not connected to a network; set .port = net.port(i) in its description");
    if (!port_.network->attach(port_.index, mac_))
      sys.panic("sim::nic: cannot attach: the port index is out of range or another NIC holds the port "
                "(a static network reused by several tests needs net.reset())");
    attached_ = true;
  }
  template <class Sys>
  void init(Sys& sys) {
    attach(sys);
  }

  // Not const, though the state they change is the network's: to the
  // caller, receiving and sending change the device. A NIC with no network
  // (used before init) has nothing to receive and sends nowhere.
  // NOLINTNEXTLINE(readability-make-member-function-const): see above
  std::size_t receive(std::span<std::byte> frame) {
    return port_.network != nullptr ? port_.network->receive(port_.index, frame) : 0;
  }
  // NOLINTNEXTLINE(readability-make-member-function-const): see above
  bool transmit(std::span<std::byte const> frame) {
    return port_.network != nullptr && port_.network->send(port_.index, frame);
  }
  mac_address mac() const { return mac_; }
  port_ref port() const { return port_; }

 private:
  port_ref port_;
  mac_address mac_;
  bool attached_ = false;
};

static_assert(strata::NetDevice<nic_device>);

struct nic {
  port_ref port{};
  mac_address mac{};

  static constexpr std::string_view name = "sim::nic";
  using provides = caps<cap::NetDevice>;
  using needs = caps<>;
  // Nothing of the virtual machine: the wire is in the same process. Empty
  // rather than absent, to say so in the type.
  static constexpr std::array<device, 0> devices{};

  constexpr void visit_config(auto&& field) const {
    field("port", port.index);
    field("mac", mac);
  }

  template <class P>
  static constexpr nic_device runtime(nic const& c) {
    // The network reads sim::platform's clock to time deliveries; a host on
    // another clock would receive frames at the wrong times.
    static_assert(std::is_same_v<P, platform>,
                  "strata: sim::nic runs only on strata::net::sim::platform, the clock the network times "
                  "deliveries with; build the system as runtime_system<strata::net::sim::platform, ...>");
    return {c.port, c.mac};
  }
};

}  // namespace strata::net::sim
