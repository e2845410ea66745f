// fmt, configured the same way for every target so the image and the hosted
// build print the same bytes. Header-only; no locale, no floating point (an
// image has no use for them and they cost ~50 KB), and no exceptions: format
// strings are checked at compile time, so fmt's run-time failure paths are
// unreachable and trap (the image's IDT then prints where).
#pragma once

#ifndef FMT_HEADER_ONLY
#define FMT_HEADER_ONLY
#endif
#define FMT_STATIC_THOUSANDS_SEPARATOR ','
#define FMT_USE_FLOAT 0
#define FMT_USE_DOUBLE 0
#define FMT_USE_LONG_DOUBLE 0
#define FMT_THROW(x) __builtin_trap()
#define FMT_ASSERT(condition, message) ((condition) ? (void)0 : __builtin_trap())

#include <fmt/compile.h>
#include <fmt/format.h>
