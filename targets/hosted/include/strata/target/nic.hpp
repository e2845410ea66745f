// The hosted target's NIC: a Linux TAP interface (/dev/net/tun), named on
// the command line with --tap IFNAME. Frames are whole Ethernet frames
// (IFF_TAP | IFF_NO_PI); the descriptor is non-blocking and watched by the
// platform, so an idle system sleeps until a frame arrives or a deadline.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <span>
#include <string_view>

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <strata/core/options.hpp>
#include <strata/net/device.hpp>
#include <strata/target/platform.hpp>

namespace strata::target {

class tap_device {
 public:
  static constexpr std::size_t mtu = 1500;

  explicit constexpr tap_device(net::mac_address mac) : mac_{mac} {}

  // A missing or unusable interface is a usage error (exit 2), not a crash.
  template <class Sys>
  void init(Sys& sys) {
    std::string_view const name = option_value("--tap");
    if (name.empty()) return usage(sys, "this system needs a network interface: run it with --tap IFNAME", "");
    if (name.size() >= IFNAMSIZ) return usage(sys, "--tap: the interface name is too long", "");
    fd_ = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd_ < 0) return usage(sys, "--tap: cannot open /dev/net/tun: ", std::strerror(errno));
    ifreq req{};
    req.ifr_flags = IFF_TAP | IFF_NO_PI;
    std::memcpy(req.ifr_name, name.data(), name.size());
    if (::ioctl(fd_, TUNSETIFF, &req) < 0) return usage(sys, "--tap: cannot attach to the interface: ", std::strerror(errno));
    platform::watch(fd_);
  }

  // receive and transmit are not const, though they change no member: they
  // take frames from and give frames to the interface, this object's state.
  // NOLINTNEXTLINE(readability-make-member-function-const): I/O on the device
  std::size_t receive(std::span<std::byte> rx) {
    auto const n = ::read(fd_, rx.data(), rx.size());
    return n > 0 ? static_cast<std::size_t>(n) : 0;  // EAGAIN: nothing waiting
  }
  // NOLINTNEXTLINE(readability-make-member-function-const): I/O on the device
  bool transmit(std::span<std::byte const> tx) { return ::write(fd_, tx.data(), tx.size()) == static_cast<ssize_t>(tx.size()); }
  net::mac_address mac() const { return mac_; }

 private:
  template <class Sys>
  static void usage(Sys& sys, std::string_view what, std::string_view why) {
    (void)std::fprintf(stderr, "strata: %.*s%.*s\n", static_cast<int>(what.size()), what.data(),
                       static_cast<int>(why.size()), why.data());
    sys.exit(2);
  }
  net::mac_address mac_;
  int fd_ = -1;
};
static_assert(NetDevice<tap_device>);

// The component: strata::net::nic<> on the hosted target.
struct nic {
  // Locally administered, so it cannot clash with a vendor's address.
  net::mac_address mac{{0x02, 0x53, 0x54, 0x00, 0x00, 0x02}};

  static constexpr std::string_view name = "tap_nic";
  using provides = caps<cap::NetDevice>;
  using needs = caps<>;
  static constexpr command_option options[] = {
      {.flag = "--tap", .value_name = "IFNAME", .help = "the TAP interface to attach to"}};
  constexpr void visit_config(auto&& field) const { field("mac", mac); }
  template <class P>
  static constexpr tap_device runtime(nic const& n) {
    return tap_device{n.mac};
  }
};

}  // namespace strata::target
