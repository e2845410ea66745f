// How QEMU runs an image of this target: the arguments every image needs, and
// those each device of a system's manifest adds. The audit renders the
// command line from these and STRATA_MAIN embeds it in the image, where
// ./strata run reads it: the command line is derived from the description.
#pragma once

#include <string_view>

#include <strata/core/manifest.hpp>

namespace strata::target {

struct vm {
  static constexpr std::string_view program = "qemu-system-x86_64";
  // microvm is the default machine (./strata run --machine q35 swaps it);
  // isa-debug-exit carries the exit code; -no-reboot turns a triple fault
  // into an exit instead of a reboot loop.
  static constexpr std::string_view base[] = {"-M",       "microvm", "-cpu",    "max",
                                              "-nodefaults", "-no-reboot", "-display", "none",
                                              "-device",  "isa-debug-exit,iobase=0xf4,iosize=0x04"};
  template <class F>
  static constexpr void device_arguments(device d, F&& arg) {
    switch (d) {
      case device::serial_port:
        arg("-serial");
        arg("stdio");
        break;
    }
  }
};

}  // namespace strata::target
