// The hosted target runs as a Linux process: there is no virtual machine.
#pragma once

namespace strata::target {
using vm = void;
}  // namespace strata::target
