// Everything a unikernel's one .cpp file needs.
#pragma once

#include <strata/app.hpp>
#include <strata/audit.hpp>
#include <strata/clock.hpp>
#include <strata/console.hpp>
#include <strata/core/describe.hpp>
#include <strata/core/runtime.hpp>
#include <strata/core/system.hpp>
#include <strata/format.hpp>
#include <strata/main.hpp>
#include <strata/policy.hpp>
#include <strata/timers.hpp>

// The platform of the target this build is for. strata_add_unikernel() puts
// the right one on the include path; there is one per directory in targets/.
#if __has_include(<strata/target/platform.hpp>)
#include <strata/target/platform.hpp>
#include <strata/target/vm.hpp>
#else
#error "strata: no target selected: build with strata_add_unikernel() in CMake, or add targets/<target>/include to the include path"
#endif

// Policies are checked against the run-time state of the target being built.
namespace strata {
template <auto const& D, class... Policies>
inline constexpr bool complies = complies_on<target::platform, D, Policies...>;
}  // namespace strata

// A target whose boot code calls strata_main itself has no process entry.
#ifndef STRATA_TARGET_ENTRY
#define STRATA_TARGET_ENTRY
#endif
