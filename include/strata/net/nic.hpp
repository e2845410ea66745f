// strata::net::nic<>: the NIC of the target being built (a TAP interface on
// the hosted target, virtio-net in the image), so the description does not
// name its target. A test replaces it with one type, e.g. strata::net::sim::nic.
#pragma once

#include <strata/target/nic.hpp>

namespace strata::net {
template <class Device = target::nic>
using nic = Device;
}  // namespace strata::net
