// How the driver reaches a virtio 1.0 device: over PCI (q35, pc: the
// "modern" interface of virtio-pci, found by its vendor capabilities) or
// over MMIO (microvm: the transports QEMU lists on the kernel command line).
// Both sit behind one small class, so the device driver (net.hpp) is written
// once; the transport is picked at run time because the same image boots on
// either machine.
//
// Interrupts: MSI-X on PCI, the IOAPIC line on MMIO. Either only ends the
// CPU's halt; the driver learns what happened from the rings (docs/virtio.md).
#pragma once

#include <cstdint>
#include <string_view>

#include <strata/target/virtio/queue.hpp>
#include <strata/target/x86_64/hw.hpp>

namespace strata::target::virtio {

// Device status bits (virtio 1.0, 2.1).
inline constexpr std::uint8_t status_acknowledge = 1, status_driver = 2, status_driver_ok = 4,
                              status_features_ok = 8, status_failed = 128;

// Why a device could not be used; the driver prints it.
enum class transport_error : std::uint8_t {
  none,
  not_found,
  legacy_only,       // MMIO version 1 (QEMU's default without force-legacy=false)
  bar_above_4g,      // a PCI BAR the boot page tables do not map
  no_common_config,  // a PCI device without the modern capabilities
  queue_too_small,
  queue_unavailable,
  features_refused,
  no_interrupt,
};

constexpr std::string_view describe(transport_error e) {
  switch (e) {
    case transport_error::none: return "no error";
    case transport_error::not_found: return "no virtio device of this kind was found";
    case transport_error::legacy_only:
      return "the virtio-mmio transport is legacy (version 1); run QEMU with -global virtio-mmio.force-legacy=false";
    case transport_error::bar_above_4g: return "a PCI BAR of the device lies above 4 GiB, which the image does not map";
    case transport_error::no_common_config:
      return "the PCI device has no virtio 1.0 interface; use virtio-net-pci,disable-legacy=on (or transitional)";
    case transport_error::queue_too_small: return "the device's queues are smaller than the description's buffer counts";
    case transport_error::queue_unavailable: return "the device lacks a queue the driver needs";
    case transport_error::features_refused: return "the device refused the negotiated features";
    case transport_error::no_interrupt: return "the device's interrupt could not be routed";
  }
  return "?";
}

class transport {
 public:
  enum class kind : std::uint8_t { none, pci, mmio };

  // Finds the first device with this virtio device ID (1: network), MMIO
  // transports first (cheap: listed on the command line), then PCI bus 0.
  transport_error find(std::uint32_t device_id) noexcept {
    transport_error e = find_mmio(device_id);
    if (e == transport_error::not_found) e = find_pci(device_id);
    return e;
  }

  kind which() const noexcept { return kind_; }
  std::uint64_t base() const noexcept { return kind_ == kind::mmio ? mmio_ : common_; }

  void reset() noexcept {
    set_status(0);
    while (status() != 0) asm volatile("pause");  // 4.1.4.3.2: reset completes when it reads back 0
  }
  std::uint8_t status() const noexcept {
    return kind_ == kind::pci ? x86_64::mmio_read<std::uint8_t>(common_ + 0x14)
                              : static_cast<std::uint8_t>(x86_64::mmio_read<std::uint32_t>(mmio_ + 0x70));
  }
  void set_status(std::uint8_t s) noexcept {
    if (kind_ == kind::pci) x86_64::mmio_write<std::uint8_t>(common_ + 0x14, s);
    else x86_64::mmio_write<std::uint32_t>(mmio_ + 0x70, s);
  }
  void add_status(std::uint8_t s) noexcept { set_status(static_cast<std::uint8_t>(status() | s)); }

  std::uint64_t device_features() noexcept {
    std::uint64_t f = 0;
    for (std::uint32_t half = 0; half < 2; ++half) {
      write_reg(kind_ == kind::pci ? 0x00 : 0x14, half);
      f |= std::uint64_t{read_reg(kind_ == kind::pci ? 0x04 : 0x10)} << (32 * half);
    }
    return f;
  }
  // Writes the driver's features and sets FEATURES_OK; false if the device
  // did not keep it (3.1.1 step 6).
  bool accept_features(std::uint64_t f) noexcept {
    for (std::uint32_t half = 0; half < 2; ++half) {
      write_reg(kind_ == kind::pci ? 0x08 : 0x24, half);
      write_reg(kind_ == kind::pci ? 0x0c : 0x20, static_cast<std::uint32_t>(f >> (32 * half)));
    }
    add_status(status_features_ok);
    return (status() & status_features_ok) != 0;
  }

  // Gives queue `index` of `size` entries to the device, its interrupts
  // through MSI-X vector 0 on PCI.
  transport_error setup_queue(std::uint16_t index, std::uint16_t size, queue_addresses q) noexcept {
    if (kind_ == kind::pci) {
      x86_64::mmio_write<std::uint16_t>(common_ + 0x16, index);
      std::uint16_t const max = x86_64::mmio_read<std::uint16_t>(common_ + 0x18);
      if (max == 0) return transport_error::queue_unavailable;
      if (max < size) return transport_error::queue_too_small;
      x86_64::mmio_write<std::uint16_t>(common_ + 0x18, size);
      x86_64::mmio_write<std::uint16_t>(common_ + 0x1a, 0);  // MSI-X table entry 0
      if (x86_64::mmio_read<std::uint16_t>(common_ + 0x1a) != 0) return transport_error::no_interrupt;
      write64(common_ + 0x20, q.desc);
      write64(common_ + 0x28, q.avail);
      write64(common_ + 0x30, q.used);
      std::uint16_t const off = x86_64::mmio_read<std::uint16_t>(common_ + 0x1e);
      if (index < max_queues) notify_[index] = notify_base_ + std::uint64_t{off} * notify_multiplier_;
      x86_64::mmio_write<std::uint16_t>(common_ + 0x1c, 1);
    } else {
      x86_64::mmio_write<std::uint32_t>(mmio_ + 0x30, index);
      std::uint32_t const max = x86_64::mmio_read<std::uint32_t>(mmio_ + 0x34);
      if (max == 0) return transport_error::queue_unavailable;
      if (max < size) return transport_error::queue_too_small;
      x86_64::mmio_write<std::uint32_t>(mmio_ + 0x38, size);
      write64(mmio_ + 0x80, q.desc);
      write64(mmio_ + 0x90, q.avail);
      write64(mmio_ + 0xa0, q.used);
      x86_64::mmio_write<std::uint32_t>(mmio_ + 0x44, 1);
    }
    return transport_error::none;
  }

  void notify(std::uint16_t index) noexcept {
    if (kind_ == kind::pci) {
      if (index < max_queues) x86_64::mmio_write<std::uint16_t>(notify_[index], index);
    } else {
      x86_64::mmio_write<std::uint32_t>(mmio_ + 0x50, index);
    }
  }

  // Acknowledges the MMIO interrupt status (MSI-X needs nothing).
  void acknowledge_interrupt() noexcept {
    if (kind_ != kind::mmio) return;
    std::uint32_t const s = x86_64::mmio_read<std::uint32_t>(mmio_ + 0x60);
    if (s != 0) x86_64::mmio_write<std::uint32_t>(mmio_ + 0x64, s);
  }

  // Routes the device's interrupt to `vector` on this CPU.
  transport_error route_interrupt(std::uint8_t vector) noexcept {
    if (kind_ == kind::mmio) return x86_64::route_gsi(gsi_, vector) ? transport_error::none : transport_error::no_interrupt;
    if (msix_cap_ == 0) return transport_error::no_interrupt;
    std::uint32_t const table = x86_64::pci_read32(pci_, static_cast<std::uint8_t>(msix_cap_ + 4));
    std::uint64_t const bar = bar_address(static_cast<std::uint8_t>(table & 7));
    if (bar == 0 || bar >= (std::uint64_t{1} << 32)) return transport_error::no_interrupt;
    std::uint64_t const entry = bar + (table & ~std::uint32_t{7});
    x86_64::mmio_write<std::uint32_t>(entry + 0, 0xfee0'0000u | (x86_64::local_apic_id() << 12));
    x86_64::mmio_write<std::uint32_t>(entry + 4, 0);
    x86_64::mmio_write<std::uint32_t>(entry + 8, vector);  // fixed delivery, edge
    x86_64::mmio_write<std::uint32_t>(entry + 12, 0);      // unmasked
    std::uint32_t const control = x86_64::pci_read32(pci_, msix_cap_);
    x86_64::pci_write32(pci_, msix_cap_, (control | (1u << 31)) & ~(1u << 30));  // enable, no function mask
    x86_64::mmio_write<std::uint16_t>(common_ + 0x10, 0xffff);  // no configuration-change interrupts
    return transport_error::none;
  }

  std::uint8_t config8(std::uint32_t offset) const noexcept {
    return x86_64::mmio_read<std::uint8_t>((kind_ == kind::pci ? device_cfg_ : mmio_ + 0x100) + offset);
  }
  std::uint16_t config16(std::uint32_t offset) const noexcept {
    return x86_64::mmio_read<std::uint16_t>((kind_ == kind::pci ? device_cfg_ : mmio_ + 0x100) + offset);
  }

 private:
  static constexpr std::uint16_t max_queues = 2;

  std::uint32_t read_reg(std::uint32_t off) const noexcept {
    return x86_64::mmio_read<std::uint32_t>((kind_ == kind::pci ? common_ : mmio_) + off);
  }
  void write_reg(std::uint32_t off, std::uint32_t v) noexcept {
    x86_64::mmio_write<std::uint32_t>((kind_ == kind::pci ? common_ : mmio_) + off, v);
  }
  static void write64(std::uint64_t reg, std::uint64_t v) noexcept {
    x86_64::mmio_write<std::uint32_t>(reg, static_cast<std::uint32_t>(v));
    x86_64::mmio_write<std::uint32_t>(reg + 4, static_cast<std::uint32_t>(v >> 32));
  }

  // Devices listed on the command line as "virtio_mmio.device=<size>@<base>:<gsi>"
  // (Linux's convention; QEMU adds them for a Linux kernel but not for a PVH
  // image), else microvm's transports found where QEMU puts them.
  transport_error find_mmio(std::uint32_t device_id) noexcept {
    std::string_view line = x86_64::boot_command_line();
    constexpr std::string_view key = "virtio_mmio.device=";
    transport_error result = transport_error::not_found;
    for (auto at = line.find(key); at != std::string_view::npos; at = line.find(key)) {
      line.remove_prefix(at + key.size());
      std::uint64_t size = 0, base = 0, gsi = 0;
      if (!number(line, size) || !skip(line, '@') || !number(line, base) || !skip(line, ':') || !number(line, gsi))
        continue;
      if (size < 0x200 || base == 0 || base >= (std::uint64_t{1} << 32)) continue;
      if (transport_error const e = use_mmio(base, static_cast<std::uint32_t>(gsi), device_id); e != transport_error::not_found)
        return e;
    }
    return result == transport_error::not_found ? scan_microvm(device_id) : result;
  }

  // QEMU's microvm (hw/i386/microvm.c): transports every 0x200 bytes from
  // 0xfeb00000, each with its own interrupt line: 24 of them on GSIs 24-47
  // when the machine has a second IOAPIC, else 8 on GSIs 16-23 (with ACPI)
  // or 5-12 (without). The count of transports that answer tells which.
  transport_error scan_microvm(std::uint32_t device_id) noexcept {
    constexpr std::uint64_t first = 0xfeb0'0000, stride = 0x200;
    std::uint32_t count = 0;
    while (count < 32 && x86_64::mmio_read<std::uint32_t>(first + count * stride) == 0x74726976) ++count;
    std::uint32_t const gsi_base = count == 24 ? 24 : x86_64::has_acpi() ? 16 : 5;
    for (std::uint32_t i = 0; i < count; ++i)
      if (transport_error const e = use_mmio(first + i * stride, gsi_base + i, device_id); e != transport_error::not_found)
        return e;
    return transport_error::not_found;
  }

  transport_error use_mmio(std::uint64_t base, std::uint32_t gsi, std::uint32_t device_id) noexcept {
    if (x86_64::mmio_read<std::uint32_t>(base) != 0x74726976) return transport_error::not_found;  // "virt"
    if (x86_64::mmio_read<std::uint32_t>(base + 8) != device_id) return transport_error::not_found;
    if (x86_64::mmio_read<std::uint32_t>(base + 4) != 2) return transport_error::legacy_only;
    kind_ = kind::mmio;
    mmio_ = base;
    gsi_ = gsi;
    return transport_error::none;
  }

  // Parses a decimal or 0x-prefixed hexadecimal number, with an optional
  // K/M suffix (Linux's memparse), off the front of s.
  static bool number(std::string_view& s, std::uint64_t& v) noexcept {
    unsigned radix = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
      radix = 16;
      s.remove_prefix(2);
    }
    std::size_t n = 0;
    v = 0;
    for (; n < s.size(); ++n) {
      char const c = s[n];
      unsigned d = 0;
      if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
      else if (radix == 16 && c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
      else if (radix == 16 && c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
      else break;
      v = v * radix + d;
    }
    s.remove_prefix(n);
    if (!s.empty() && (s[0] == 'K' || s[0] == 'k')) v <<= 10, s.remove_prefix(1);
    else if (!s.empty() && (s[0] == 'M' || s[0] == 'm')) v <<= 20, s.remove_prefix(1);
    return n != 0;
  }
  static bool skip(std::string_view& s, char c) noexcept {
    if (s.empty() || s[0] != c) return false;
    s.remove_prefix(1);
    return true;
  }

  std::uint64_t bar_address(std::uint8_t bar) const noexcept {
    if (bar > 5) return 0;
    std::uint32_t const lo = x86_64::pci_read32(pci_, static_cast<std::uint8_t>(0x10 + 4 * bar));
    if (lo & 1) return 0;  // an I/O BAR: the modern interface is in memory
    std::uint64_t a = lo & ~std::uint32_t{0xf};
    if (((lo >> 1) & 3) == 2 && bar < 5)
      a |= std::uint64_t{x86_64::pci_read32(pci_, static_cast<std::uint8_t>(0x10 + 4 * (bar + 1)))} << 32;
    return a;
  }

  // Vendor 0x1af4: device 0x1040 + ID (modern), or 0x1000-0x103f
  // (transitional) with the ID as subsystem; then the capabilities.
  transport_error find_pci(std::uint32_t device_id) noexcept {
    for (std::uint8_t dev = 0; dev < 32; ++dev) {
      for (std::uint8_t fn = 0; fn < 8; ++fn) {
        x86_64::pci_address const a{0, dev, fn};
        std::uint32_t const id = x86_64::pci_read32(a, 0);
        if ((id & 0xffff) == 0xffff) {
          if (fn == 0) break;
          continue;
        }
        std::uint32_t const vendor = id & 0xffff, device = id >> 16;
        bool const modern = device == 0x1040 + device_id;
        bool const transitional =
            device >= 0x1000 && device <= 0x103f && (x86_64::pci_read32(a, 0x2c) >> 16) == device_id;
        if (vendor == 0x1af4 && (modern || transitional)) return use_pci(a);
        if (fn == 0 && (x86_64::pci_read8(a, 0x0e) & 0x80) == 0) break;  // single-function device
      }
    }
    return transport_error::not_found;
  }

  transport_error use_pci(x86_64::pci_address a) noexcept {
    pci_ = a;
    std::uint32_t const command = x86_64::pci_read32(a, 0x04) & 0xffff;
    // Memory space, bus mastering (the device reads and writes the rings),
    // INTx off (MSI-X instead).
    x86_64::pci_write32(a, 0x04, command | 0x2 | 0x4 | 0x400);
    if ((x86_64::pci_read16(a, 0x06) & 0x10) == 0) return transport_error::no_common_config;
    bool above = false;
    for (std::uint8_t cap = x86_64::pci_read8(a, 0x34) & 0xfc; cap != 0;
         cap = x86_64::pci_read8(a, static_cast<std::uint8_t>(cap + 1)) & 0xfc) {
      std::uint8_t const id = x86_64::pci_read8(a, cap);
      if (id == 0x11 && msix_cap_ == 0) msix_cap_ = cap;
      if (id != 0x09) continue;
      std::uint8_t const type = x86_64::pci_read8(a, static_cast<std::uint8_t>(cap + 3));
      std::uint64_t const bar = bar_address(x86_64::pci_read8(a, static_cast<std::uint8_t>(cap + 4)));
      if (bar >= (std::uint64_t{1} << 32)) above = true;
      if (bar == 0 || bar >= (std::uint64_t{1} << 32)) continue;
      std::uint64_t const at = bar + x86_64::pci_read32(a, static_cast<std::uint8_t>(cap + 8));
      if (type == 1 && common_ == 0) common_ = at;
      if (type == 2 && notify_base_ == 0) {
        notify_base_ = at;
        notify_multiplier_ = x86_64::pci_read32(a, static_cast<std::uint8_t>(cap + 16));
      }
      if (type == 4 && device_cfg_ == 0) device_cfg_ = at;
    }
    if (common_ == 0 || notify_base_ == 0 || device_cfg_ == 0)
      return above ? transport_error::bar_above_4g : transport_error::no_common_config;
    kind_ = kind::pci;
    return transport_error::none;
  }

  kind kind_ = kind::none;
  // MMIO
  std::uint64_t mmio_ = 0;
  std::uint32_t gsi_ = 0;
  // PCI
  x86_64::pci_address pci_{};
  std::uint8_t msix_cap_ = 0;
  std::uint64_t common_ = 0, notify_base_ = 0, device_cfg_ = 0;
  std::uint32_t notify_multiplier_ = 0;
  std::uint64_t notify_[max_queues]{};
};

}  // namespace strata::target::virtio
