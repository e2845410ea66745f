// The x86_64 target's hardware access for drivers: port I/O, MMIO, PCI
// configuration space, and the few services of the platform a device
// driver needs (the boot command line, routing an interrupt line, whether
// there is ACPI, the CPU's local APIC ID). Header-only drivers (virtio) use these; nothing here is
// compiled into an image that has no driver (--gc-sections drops the
// out-of-line services when nothing calls them).
#pragma once

#include <cstdint>
#include <string_view>

namespace strata::target::x86_64 {

inline void outb(std::uint16_t port, std::uint8_t v) noexcept {
  asm volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}
inline void outw(std::uint16_t port, std::uint16_t v) noexcept {
  asm volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}
inline void outl(std::uint16_t port, std::uint32_t v) noexcept {
  asm volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}
inline std::uint8_t inb(std::uint16_t port) noexcept {
  std::uint8_t v;
  asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
  return v;
}
inline std::uint32_t inl(std::uint16_t port) noexcept {
  std::uint32_t v;
  asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
  return v;
}

// Device registers at physical addresses, identity mapped and uncached by
// the boot page tables (everything below 4 GiB that is not RAM).
template <class T>
inline T mmio_read(std::uint64_t addr) noexcept {
  return *reinterpret_cast<T const volatile*>(addr);
}
template <class T>
inline void mmio_write(std::uint64_t addr, T v) noexcept {
  *reinterpret_cast<T volatile*>(addr) = v;
}

// Orders the compiler's memory accesses (x86 keeps stores in order and loads
// in order); full_fence also orders a store before a later load, which the
// virtio notification check needs.
inline void compiler_fence() noexcept { asm volatile("" ::: "memory"); }
inline void full_fence() noexcept { asm volatile("mfence" ::: "memory"); }

// PCI configuration space through configuration mechanism #1 (ports
// 0xcf8/0xcfc), which pc, q35 and microvm's PCIe option all answer.
struct pci_address {
  std::uint8_t bus = 0, device = 0, function = 0;
};
inline std::uint32_t pci_read32(pci_address a, std::uint8_t offset) noexcept {
  outl(0xcf8, 0x8000'0000u | (std::uint32_t{a.bus} << 16) | (std::uint32_t{a.device} << 11) |
                  (std::uint32_t{a.function} << 8) | (offset & 0xfcu));
  return inl(0xcfc);
}
inline void pci_write32(pci_address a, std::uint8_t offset, std::uint32_t v) noexcept {
  outl(0xcf8, 0x8000'0000u | (std::uint32_t{a.bus} << 16) | (std::uint32_t{a.device} << 11) |
                  (std::uint32_t{a.function} << 8) | (offset & 0xfcu));
  outl(0xcfc, v);
}
inline std::uint16_t pci_read16(pci_address a, std::uint8_t offset) noexcept {
  return static_cast<std::uint16_t>(pci_read32(a, offset) >> ((offset & 2u) * 8));
}
inline std::uint8_t pci_read8(pci_address a, std::uint8_t offset) noexcept {
  return static_cast<std::uint8_t>(pci_read32(a, offset) >> ((offset & 3u) * 8));
}

// Interrupt vectors for devices (the IDT sends 0x20-0xef to a stub that only
// acknowledges the local APIC: a device interrupt just ends the halt in
// yield_until, and the driver's poll does the work).
inline constexpr std::uint8_t vector_net = 0x30;

// The command line the loader passed (PVH start info), empty if none.
// microvm lists its virtio-mmio devices there ("virtio_mmio.device=...").
std::string_view boot_command_line() noexcept;

// Routes global system interrupt `gsi` to `vector` on this CPU, edge
// triggered, active high, through the IOAPIC that serves it (ACPI MADT;
// 0xfec00000 with GSIs 0-23 without one). False if no IOAPIC serves it.
bool route_gsi(std::uint32_t gsi, std::uint8_t vector) noexcept;

// Whether the firmware left ACPI tables (an RSDP).
bool has_acpi() noexcept;

// This CPU's local APIC ID, the destination of MSI-X messages.
std::uint32_t local_apic_id() noexcept;

}  // namespace strata::target::x86_64
