// Everything a unikernel's one .cpp file needs.
#pragma once

#include <strata/app.hpp>
#include <strata/clock.hpp>
#include <strata/console.hpp>
#include <strata/core/describe.hpp>
#include <strata/core/runtime.hpp>
#include <strata/core/system.hpp>
#include <strata/format.hpp>
#include <strata/main.hpp>
#include <strata/timers.hpp>

// The platform of the target this build is for. strata_add_unikernel() puts
// the right one on the include path; there is one per directory in targets/.
#if __has_include(<strata/target/platform.hpp>)
#include <strata/target/platform.hpp>
#else
#error "strata: no target selected: build with strata_add_unikernel() in CMake, or add targets/<target>/include to the include path"
#endif

// A target whose boot code calls strata_main itself has no process entry.
#ifndef STRATA_TARGET_ENTRY
#define STRATA_TARGET_ENTRY
#endif
