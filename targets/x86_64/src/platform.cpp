// strata::target::platform for x86_64: COM1 console, TSC clock calibration,
// local APIC timer sleep, exit/power-off, panic.
#include <strata/target/platform.hpp>

#include "arch.hpp"

extern "C" std::uint64_t strata_x86_64_boot_tsc;  // boot.cpp

namespace strata::target {

using namespace x86_64;
using u8 = std::uint8_t;
using u16 = std::uint16_t;
using u32 = std::uint32_t;
using u64 = std::uint64_t;
__extension__ using u128 = unsigned __int128;

namespace x86_64 {

extern "C" {
u64 strata_x86_64_lapic_eoi = 0;  // read by the IRQ stubs in boot.cpp
}
u64 lapic_base = 0;

namespace {

// ---------------------------------------------------------------------------
// 16550 UART, COM1

constexpr u16 com1 = 0x3f8;
unsigned tx_burst = 1;  // bytes the transmitter takes once THR reports empty
unsigned tx_room = 0;

// Local APIC and clock state.
constexpr u64 lapic_svr = 0xf0, lapic_eoi_reg = 0xb0, lapic_tpr = 0x80, lapic_lvt_timer = 0x320,
              lapic_lvt_lint0 = 0x350, lapic_lvt_lint1 = 0x360, lapic_lvt_error = 0x370, lapic_init_count = 0x380, lapic_cur_count = 0x390,
              lapic_divide = 0x3e0;
constexpr u32 msr_apic_base = 0x1b, msr_tsc_deadline = 0x6e0;

bool have_lapic = false;
bool tsc_deadline = false;
u64 lapic_ticks_per_ns_q32 = 0;  // one-shot mode
u64 tsc_per_ns_q32 = 0;
u64 tsc_hz = 0;
u64 lapic_hz = 0;
u64 calibration_ns = 0;
char const* clock_source = "none";

u32 lapic_read(u64 reg) noexcept { return mmio_read<u32>(lapic_base + reg); }
void lapic_write(u64 reg, u32 v) noexcept { mmio_write<u32>(lapic_base + reg, v); }

// A (TSC, reference counter) pair, the TSC taken at the middle of the read;
// best of three, keeping the tightest bracket.
struct sample {
  u64 tsc;
  u32 ref;
};
template <class Read>
sample take(Read read) noexcept {
  sample best{0, 0};
  u64 best_width = ~u64{0};
  for (int i = 0; i < 3; ++i) {
    u64 const t0 = detail::rdtsc();
    u32 const v = read();
    u64 const t1 = detail::rdtsc();
    if (t1 - t0 < best_width) {
      best_width = t1 - t0;
      best = {t0 + (t1 - t0) / 2, v};
    }
  }
  return best;
}

// Calibration window in microseconds (boot time vs accuracy; see docs/boot.md).
#ifndef STRATA_X86_64_CALIBRATION_US
#define STRATA_X86_64_CALIBRATION_US 1000
#endif

// Calibrates the TSC against a counter of known frequency. elapsed(a, b) gives
// reference ticks from reading a to reading b.
template <class Read, class Elapsed>
u64 calibrate(u64 ref_hz, Read read, Elapsed elapsed) noexcept {
  u64 const window = ref_hz * STRATA_X86_64_CALIBRATION_US / 1'000'000;
  sample const s0 = take(read);
  for (unsigned i = 0; i < 200000; ++i) {
    sample const s1 = take(read);
    u64 const e = elapsed(s0.ref, s1.ref);
    if (e >= window) {
      u64 const hz = static_cast<u64>(static_cast<u128>(s1.tsc - s0.tsc) * ref_hz / e);
      return hz >= 50'000'000 && hz <= 20'000'000'000 ? hz : 0;
    }
  }
  return 0;
}

// 8254 PIT. Channel 2 (gated through port 0x61) when the machine has the
// port-0x61 latch (pc, q35); channel 0 otherwise (microvm has no port 0x61).
// Channel 0's interrupt is masked at the 8259 and the IOAPIC.
u64 calibrate_pit() noexcept {
  u8 const p61 = inb(0x61);
  bool const ch2 = p61 != 0xff;
  u16 const data = ch2 ? 0x42 : 0x40;
  u8 const sel = ch2 ? 0x80 : 0x00;
  if (ch2) outb(0x61, static_cast<u8>((p61 & ~0x02) | 0x01));  // gate on, speaker off
  outb(0x43, static_cast<u8>(sel | 0x34));                      // lo/hi, mode 2, binary
  outb(data, 0);
  outb(data, 0);                                                // reload 65536
  outb(0x43, static_cast<u8>(0xe0 | (ch2 ? 0x08 : 0x02)));      // read-back: status only
  u8 const status = inb(data);
  if ((status & 0x3f) != 0x34) return 0;                        // no PIT
  auto read = [=]() noexcept -> u32 {
    outb(0x43, sel);  // latch
    u8 const lo = inb(data);
    u8 const hi = inb(data);
    return static_cast<u32>(lo | (hi << 8));
  };
  auto elapsed = [](u32 a, u32 b) noexcept -> u64 { return static_cast<u16>(a - b); };  // counts down
  u64 const hz = calibrate(1'193'182, read, elapsed);
  outb(0x43, static_cast<u8>(sel | 0x30));  // back to mode 0: no more periodic ticks
  outb(data, 0xff);
  outb(data, 0xff);
  if (ch2) outb(0x61, p61);
  return hz;
}

u64 calibrate_pm_timer() noexcept {
  acpi_init();
  if (acpi.pm_timer == 0) return 0;
  u16 const port = acpi.pm_timer;
  u32 const mask = acpi.pm_timer_32bit ? 0xffffffffu : 0xffffffu;
  auto read = [=]() noexcept -> u32 { return inl(port) & mask; };
  auto elapsed = [=](u32 a, u32 b) noexcept -> u64 { return (b - a) & mask; };
  return calibrate(3'579'545, read, elapsed);
}

u64 tsc_from_cpuid() noexcept {
  u32 const max = cpuid(0).a;
  if (max >= 0x15) {
    cpuid_regs const r = cpuid(0x15);
    if (r.a != 0 && r.b != 0 && r.c != 0) return u64{r.c} * r.b / r.a;
  }
  if (max >= 0x16) {
    cpuid_regs const r = cpuid(0x16);
    if ((r.a & 0xffff) != 0) return u64{r.a & 0xffff} * 1'000'000;
  }
  if ((cpuid(1).c >> 31) & 1) {  // hypervisor timing leaf (TSC kHz), when offered
    if (cpuid(0x40000000).a >= 0x40000010) {
      u32 const khz = cpuid(0x40000010).a;
      if (khz != 0) return u64{khz} * 1000;
    }
  }
  return 0;
}

// Last resort under a hypervisor: QEMU's local APIC timer counts at a fixed
// 1 GHz (1 ns bus cycle, TCG and KVM alike), a true reference there.
u64 calibrate_lapic_1ghz() noexcept {
  if (!have_lapic || !((cpuid(1).c >> 31) & 1)) return 0;
  lapic_write(lapic_init_count, 0xffffffffu);
  auto read = []() noexcept -> u32 { return lapic_read(lapic_cur_count); };
  auto elapsed = [](u32 a, u32 b) noexcept -> u64 { return a - b; };  // counts down
  return calibrate(1'000'000'000, read, elapsed);
}

// Masks everything on the 8259 pair after moving its vectors to 0xf0-0xff, so
// a stray or spurious PIC interrupt cannot look like a CPU exception.
void pic_disable() noexcept {
  outb(0x20, 0x11);
  outb(0xa0, 0x11);
  outb(0x21, vector_pic_base);
  outb(0xa1, vector_pic_base + 8);
  outb(0x21, 4);
  outb(0xa1, 2);
  outb(0x21, 1);
  outb(0xa1, 1);
  outb(0x21, 0xff);
  outb(0xa1, 0xff);
}

}  // namespace

void serial_init() noexcept {
  outb(com1 + 1, 0x00);  // no UART interrupts
  outb(com1 + 3, 0x80);  // DLAB
  outb(com1 + 0, 0x01);  // 115200 baud
  outb(com1 + 1, 0x00);
  outb(com1 + 3, 0x03);  // 8N1
  outb(com1 + 2, 0xc7);  // FIFO on, cleared
  outb(com1 + 4, 0x03);  // DTR, RTS
  tx_burst = (inb(com1 + 2) & 0xc0) == 0xc0 ? 16 : 1;  // 16550A FIFO present?
}

void put(char const* s) noexcept {
  std::size_t n = 0;
  while (s[n] != 0) ++n;
  platform::console_write(s, n);
}

void put_hex(u64 v) noexcept {
  char b[18];
  b[0] = '0';
  b[1] = 'x';
  for (int i = 0; i < 16; ++i) b[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
  platform::console_write(b, sizeof b);
}

void put_dec(u64 v) noexcept {
  char b[20];
  int i = 20;
  do {
    b[--i] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  platform::console_write(b + i, static_cast<std::size_t>(20 - i));
}

void clock_init() noexcept {
  detail::clock.tsc_base = strata_x86_64_boot_tsc;
  pic_disable();

  cpuid_regs const l1 = cpuid(1);
  have_lapic = (l1.d >> 9) & 1;
  if (have_lapic) {
    u64 const base_msr = rdmsr(msr_apic_base);
    lapic_base = base_msr & 0x000ffffffffff000;
    wrmsr(msr_apic_base, base_msr | (1u << 11));  // xAPIC global enable
    lapic_write(lapic_tpr, 0);
    lapic_write(lapic_svr, 0x100 | vector_spurious);  // software enable
    lapic_write(lapic_lvt_error, 1u << 16);           // masked
    lapic_write(lapic_lvt_lint0, 1u << 16);           // masked: no 8259 virtual wire
    lapic_write(lapic_lvt_lint1, 4u << 8);            // NMI (QEMU's monitor `nmi` arrives here)
    lapic_write(lapic_lvt_timer, 1u << 16);           // masked while calibrating
    lapic_write(lapic_divide, 0xb);                   // divide by 1
    tsc_deadline = (l1.c >> 24) & 1;
  }

  // Free-running LAPIC count across the calibration window (one-shot mode).
  u64 lapic_t0 = 0;
  if (have_lapic && !tsc_deadline) {
    lapic_write(lapic_init_count, 0xffffffffu);
    lapic_t0 = detail::rdtsc();
  }

  u64 const t_start = detail::rdtsc();
  bool lapic_is_reference = false;
  if ((tsc_hz = calibrate_pit()) != 0) clock_source = "pit";
  else if ((tsc_hz = calibrate_pm_timer()) != 0) clock_source = "acpi-pm";
  else if ((tsc_hz = tsc_from_cpuid()) != 0) clock_source = "cpuid";
  else if ((tsc_hz = calibrate_lapic_1ghz()) != 0) {
    clock_source = "lapic-1ghz";
    lapic_is_reference = true;
  } else {
    tsc_hz = 1'000'000'000;  // nothing to measure against: a guess
    clock_source = "assumed";
  }
  u64 const t_end = detail::rdtsc();

  detail::clock.mult = static_cast<u64>((static_cast<u128>(1'000'000'000) << 32) / tsc_hz);
  tsc_per_ns_q32 = static_cast<u64>((static_cast<u128>(tsc_hz) << 32) / 1'000'000'000);
  calibration_ns = static_cast<u64>(static_cast<u128>(t_end - t_start) * 1'000'000'000 / tsc_hz);

  if (have_lapic && !tsc_deadline && lapic_is_reference) {
    lapic_write(lapic_init_count, 0);
    lapic_hz = 1'000'000'000;
    lapic_ticks_per_ns_q32 = u64{1} << 32;
  } else if (have_lapic && !tsc_deadline) {
    u64 const t0 = detail::rdtsc();
    u32 const cur = lapic_read(lapic_cur_count);
    u64 const t1 = detail::rdtsc();
    u64 const dt = t0 + (t1 - t0) / 2 - lapic_t0;
    u64 const ticks = 0xffffffffu - cur;
    lapic_write(lapic_init_count, 0);
    if (dt != 0 && ticks != 0) {
      lapic_hz = static_cast<u64>(static_cast<u128>(ticks) * tsc_hz / dt);
      lapic_ticks_per_ns_q32 = static_cast<u64>((static_cast<u128>(lapic_hz) << 32) / 1'000'000'000);
    }
    if (lapic_ticks_per_ns_q32 == 0) have_lapic = false;  // timer does not count
  }
  if (have_lapic) {
    strata_x86_64_lapic_eoi = lapic_base + lapic_eoi_reg;
    lapic_write(lapic_lvt_timer, vector_timer | (tsc_deadline ? (2u << 17) : 0u));  // unmasked
    // SDM: an MFENCE orders the xAPIC write that selects TSC-deadline mode
    // before the first IA32_TSC_DEADLINE write.
    asm volatile("mfence" ::: "memory");
  }
}

}  // namespace x86_64

void platform::console_write(char const* data, std::size_t len) noexcept {
  for (std::size_t i = 0; i < len; ++i) {
    if (tx_room == 0) {
      while ((inb(com1 + 5) & 0x20) == 0) asm volatile("pause");  // LSR.THRE
      tx_room = tx_burst;
    }
    outb(com1, static_cast<u8>(data[i]));
    --tx_room;
  }
}

void platform::yield_until(std::uint64_t deadline_ns) noexcept {
  if (!have_lapic) {  // no timer interrupt to wake from hlt: poll
    while (now_ns() < deadline_ns) asm volatile("pause");
    return;
  }
  if (deadline_ns != ~u64{0}) {
    u64 const now = now_ns();
    if (deadline_ns <= now) return;
    if (tsc_deadline) {
      u128 const t = static_cast<u128>(deadline_ns) * tsc_per_ns_q32 >> 32;
      u128 const tsc = t + detail::clock.tsc_base;
      wrmsr(msr_tsc_deadline, tsc > ~u64{0} ? ~u64{0} : static_cast<u64>(tsc));
    } else {
      u128 const ticks = static_cast<u128>(deadline_ns - now) * lapic_ticks_per_ns_q32 >> 32;
      lapic_write(lapic_init_count, ticks == 0 ? 1u : ticks > 0xffffffffu ? 0xffffffffu : static_cast<u32>(ticks));
    }
  }
  // STI's one-instruction shadow: an interrupt already pending is taken after
  // HLT begins, so it cannot be lost between the check above and the halt.
  asm volatile("sti; hlt; cli" ::: "memory");
  if (deadline_ns != ~u64{0}) {
    if (tsc_deadline) wrmsr(msr_tsc_deadline, 0);
    else lapic_write(lapic_init_count, 0);
  }
}

void platform::exit(int code) noexcept {
  // isa-debug-exit: QEMU exits at once with status (code << 1) | 1.
  outb(0xf4, static_cast<u8>(code));
  acpi_init();
  // ACPI soft-off (S5): HW-reduced sleep control register (microvm), then PM1 control (pc, q35).
  if (acpi.sleep_ctl_addr != 0) {
    u8 const v = static_cast<u8>(((acpi.slp_typ_s5 & 7u) << 2) | (1u << 5));  // SLP_TYP, SLP_EN
    if (acpi.sleep_ctl_space == 1) outb(static_cast<u16>(acpi.sleep_ctl_addr), v);
    else if (acpi.sleep_ctl_space == 0 && is_mapped(acpi.sleep_ctl_addr)) mmio_write<u8>(acpi.sleep_ctl_addr, v);
  }
  u16 const pm1 = static_cast<u16>(((acpi.slp_typ_s5 & 7u) << 10) | (1u << 13));  // SLP_TYPa, SLP_EN
  if (acpi.pm1a_cnt != 0) outw(acpi.pm1a_cnt, pm1);
  if (acpi.pm1b_cnt != 0) outw(acpi.pm1b_cnt, pm1);
  for (;;) asm volatile("cli; hlt");
}

void platform::panic(char const* msg, std::size_t len) noexcept {
  static bool panicking = false;
  if (panicking) {
    put("\nPANIC (while panicking): ");
    console_write(msg, len);
    put("\n");
    exit(strata::exit_panic);
  }
  panicking = true;
  put("\nPANIC: ");
  console_write(msg, len);
  put("\nbacktrace:\n");
  backtrace_from(reinterpret_cast<u64>(__builtin_frame_address(0)), 0);
  exit(strata::exit_panic);
}

std::uint32_t x86_64::local_apic_id() noexcept {
  return have_lapic ? lapic_read(0x20) >> 24 : cpuid(1).b >> 24;
}

x86_64::clock_info x86_64::get_clock_info() noexcept {
  return {clock_source, tsc_hz, tsc_deadline ? 0 : lapic_hz, tsc_deadline, calibration_ns};
}

}  // namespace strata::target
