// strata::target::platform for x86_64 under QEMU (PVH boot; microvm, q35, pc).
//
// Console: 16550 UART COM1 (I/O 0x3f8). Clock: TSC, scaled to nanoseconds with a
// factor calibrated at boot (1 ms) against the PIT (8254 channel 2, or channel 0
// where port 0x61 is absent), falling back to the ACPI PM timer, CPUID leaves
// 0x15/0x16/0x40000010, then QEMU's 1 GHz LAPIC timer. Sleep: local APIC timer
// (TSC-deadline mode when CPUID offers it, else one-shot) and `sti; hlt`.
// Exit: isa-debug-exit (port 0xf4), else ACPI soft-off, else `cli; hlt` forever.
// See docs/boot.md for the whole boot path.
#pragma once

#include <cstddef>
#include <cstdint>

#include <strata/platform.hpp>

namespace strata::target {

namespace detail {

// ns = ((tsc - tsc_base) * mult) >> 32. Written once at boot, before any
// constructor or strata_main runs; read by the inline now_ns().
struct clock_data {
  std::uint64_t tsc_base;  // TSC at the first instruction of the PVH entry
  std::uint64_t mult;      // nanoseconds per TSC tick, 32.32 fixed point
};
inline constinit clock_data clock{};

[[gnu::always_inline]] inline std::uint64_t rdtsc() noexcept {
  std::uint32_t lo, hi;
  asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return (static_cast<std::uint64_t>(hi) << 32) | lo;
}

}  // namespace detail

struct platform {
  static constexpr char const* name = "x86_64-qemu";

  // Writes len bytes to COM1, blocking while the transmitter is full. Raw bytes:
  // no "\n" -> "\r\n" translation.
  static void console_write(char const* data, std::size_t len) noexcept;

  // Monotonic nanoseconds since the PVH entry (0 until the clock is calibrated,
  // which happens before static constructors run).
  static std::uint64_t now_ns() noexcept {
    __extension__ using u128 = unsigned __int128;
    std::uint64_t const ticks = detail::rdtsc() - detail::clock.tsc_base;
    return static_cast<std::uint64_t>((static_cast<u128>(ticks) * detail::clock.mult) >> 32);
  }

  // Halts the CPU until deadline_ns (now_ns() time base) or any interrupt,
  // whichever is first; may return early. UINT64_MAX: no timer, wait for any
  // interrupt. Returns at once if the deadline has passed. Interrupts are
  // enabled only inside the halt.
  static void yield_until(std::uint64_t deadline_ns) noexcept;

  // isa-debug-exit (QEMU then exits with status (code << 1) | 1), else ACPI
  // soft-off (QEMU exits 0), else cli; hlt forever.
  [[noreturn]] static void exit(int code) noexcept;

  // Prints "PANIC: <msg>" and a backtrace ("  #<n> 0x<16 hex>" lines) on the
  // console, then exit(strata::exit_panic).
  [[noreturn]] static void panic(char const* msg, std::size_t len) noexcept;
};

static_assert(strata::Platform<platform>);

// Target-specific extras (not part of the Platform concept), for diagnostics.
namespace x86_64 {

struct clock_info {
  char const* source;         // "pit", "acpi-pm", "cpuid", "lapic-1ghz" or "assumed"
  std::uint64_t tsc_hz;       // calibrated TSC frequency
  std::uint64_t lapic_hz;     // calibrated LAPIC timer frequency (0 in TSC-deadline mode)
  bool tsc_deadline;          // LAPIC timer in TSC-deadline mode
  std::uint64_t calibration_ns;  // time spent calibrating at boot
};
clock_info get_clock_info() noexcept;

}  // namespace x86_64

}  // namespace strata::target
