// How QEMU runs an image of this target: the arguments every image needs, and
// those each device of a system's manifest adds. The audit renders the
// command line from these and STRATA_MAIN embeds it in the image, where
// ./strata run reads it: the command line is derived from the description.
#pragma once

#include <cstdint>
#include <string_view>

#include <strata/core/manifest.hpp>
#include <strata/core/surface.hpp>
#include <strata/core/text.hpp>

namespace strata::target {

struct vm {
  static constexpr std::string_view program = "qemu-system-x86_64";
  // microvm is the default machine (./strata run --machine q35 swaps it);
  // isa-debug-exit carries the exit code; -no-reboot turns a triple fault
  // into an exit instead of a reboot loop.
  static constexpr std::string_view base[] = {"-M",       "microvm", "-cpu",    "max",
                                              "-nodefaults", "-no-reboot", "-display", "none",
                                              "-device",  "isa-debug-exit,iobase=0xf4,iosize=0x04"};

  // The network: QEMU's user networking, one forward per listening port,
  // from a host port QEMU picks free (port 0; ./strata run asks QEMU which
  // and prints it). {net-device} is virtio-net-device (MMIO) on microvm and
  // virtio-net-pci,disable-legacy=on on q35, filled in by inspect.sh;
  // force-legacy=false gives microvm's MMIO transports the virtio 1.0 layout.
  template <class F, class Ports>
  static constexpr void device_arguments(device d, F&& arg, Ports&& for_each_port) {
    switch (d) {
      case device::serial_port:
        arg("-serial");
        arg("stdio");
        break;
      case device::network: {
        char netdev[512]{};
        text_writer w{netdev, sizeof netdev};
        w << "user,id=net0";
        for_each_port([&](protocol p, std::uint16_t port) {
          w << ",hostfwd=" << protocol_name(p) << ":127.0.0.1:0-:" << port;
        });
        arg("-netdev");
        arg(std::string_view{netdev, w.size()});
        arg("-device");
        arg("{net-device},netdev=net0");
        arg("-global");
        arg("virtio-mmio.force-legacy=false");
        break;
      }
    }
  }
};

}  // namespace strata::target
