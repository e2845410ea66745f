// Private to the x86_64 target: CPU helpers and the state shared between
// start.cpp (boot, paging, traps, ACPI) and platform.cpp (console, clock, exit).
#pragma once

#include <cstddef>
#include <cstdint>

#include <strata/target/x86_64/hw.hpp>

namespace strata::target::x86_64 {

inline std::uint64_t rdmsr(std::uint32_t msr) noexcept {
  std::uint32_t lo, hi;
  asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
  return (static_cast<std::uint64_t>(hi) << 32) | lo;
}
inline void wrmsr(std::uint32_t msr, std::uint64_t v) noexcept {
  asm volatile("wrmsr" : : "c"(msr), "a"(static_cast<std::uint32_t>(v)),
               "d"(static_cast<std::uint32_t>(v >> 32))
               : "memory");
}
struct cpuid_regs {
  std::uint32_t a, b, c, d;
};
inline cpuid_regs cpuid(std::uint32_t leaf, std::uint32_t sub = 0) noexcept {
  cpuid_regs r;
  asm volatile("cpuid" : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d) : "a"(leaf), "c"(sub));
  return r;
}
inline std::uint64_t read_cr2() noexcept {
  std::uint64_t v;
  asm volatile("mov %%cr2, %0" : "=r"(v));
  return v;
}
inline std::uint64_t read_cr3() noexcept {
  std::uint64_t v;
  asm volatile("mov %%cr3, %0" : "=r"(v));
  return v;
}

// Interrupt vectors (see docs/boot.md; devices' vectors are in hw.hpp).
inline constexpr std::uint8_t vector_timer = 0x20;     // LAPIC timer
inline constexpr std::uint8_t vector_pic_base = 0xf0;  // 8259 PICs, remapped and masked
inline constexpr std::uint8_t vector_spurious = 0xff;  // LAPIC spurious

// What boot learned from ACPI, used by exit() for the soft-off.
struct acpi_power {
  std::uint16_t pm1a_cnt = 0;      // I/O port, 0 if none
  std::uint16_t pm1b_cnt = 0;
  std::uint16_t pm_timer = 0;      // ACPI PM timer I/O port, 0 if none
  bool pm_timer_32bit = false;
  std::uint8_t sleep_ctl_space = 0;  // HW-reduced sleep control register (GAS): 0 memory, 1 I/O
  std::uint64_t sleep_ctl_addr = 0;  // 0 if none
  std::uint8_t slp_typ_s5 = 0;       // SLP_TYPa for \_S5
  bool found_s5 = false;
};
extern acpi_power acpi;

// Local APIC MMIO base (identity mapped). The IRQ stubs read the EOI address.
extern "C" std::uint64_t strata_x86_64_lapic_eoi;
extern std::uint64_t lapic_base;

// Console and trap reporting helpers (platform.cpp).
void serial_init() noexcept;
void put(char const* s) noexcept;
void put_hex(std::uint64_t v) noexcept;  // 0x + 16 hex digits
void put_dec(std::uint64_t v) noexcept;
void backtrace_from(std::uint64_t rbp, unsigned first_index) noexcept;
bool is_mapped(std::uint64_t addr) noexcept;  // page-table walk, present?
bool in_stack_guard(std::uint64_t addr) noexcept;

// Boot steps.
void clock_init() noexcept;  // platform.cpp: calibration + LAPIC timer
void acpi_init() noexcept;   // start.cpp: fills `acpi`; idempotent, run on first need

}  // namespace strata::target::x86_64
