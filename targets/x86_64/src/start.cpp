// C++ side of the boot (entered from boot.cpp in 64-bit mode, on the main
// stack, .bss already zeroed, SSE/AVX on): GDT + TSS with IST stacks, IDT,
// memory map, final page tables with per-section permissions, clock
// calibration (platform.cpp), static constructors, strata_main(), exit.
// Also the exception reporter, the frame-pointer backtrace and the ACPI
// look-up (FADT, \_S5) that exit's power-off and the PM-timer fallback use.
#include <strata/target/platform.hpp>

#include "arch.hpp"

extern "C" int strata_main(int argc, char const* const* argv);

// Linker-script symbols (linker.ld).
extern "C" char __image_start[], __text_start[], __text_end[], __rodata_start[], __rodata_end[],
    __data_start[], __data_end[], __image_end[], __stack_guard[], __stack_bottom[], __stack_top[],
    __init_array_start[], __init_array_end[];
extern "C" char strata_x86_64_isr_stubs[], strata_x86_64_irq_eoi[], strata_x86_64_irq_ignore[];
extern "C" std::uint64_t strata_x86_64_gdt[5];

namespace strata::target::x86_64 {
namespace {

using u8 = std::uint8_t;
using u16 = std::uint16_t;
using u32 = std::uint32_t;
using u64 = std::uint64_t;

inline u64 addr(char const* p) noexcept { return reinterpret_cast<u64>(p); }

[[noreturn]] void boot_fail(char const* msg) noexcept {
  put("strata: boot failed: ");
  put(msg);
  put("\n");
  platform::exit(strata::exit_panic);
}

// ---------------------------------------------------------------------------
// GDT, TSS, IDT

struct [[gnu::packed]] tss64 {
  u32 reserved0;
  u64 rsp[3];
  u64 reserved1;
  u64 ist[7];
  u64 reserved2;
  u16 reserved3;
  u16 iomap_base;
};
static_assert(sizeof(tss64) == 104);

struct idt_gate {
  u16 offset_lo;
  u16 selector;
  u8 ist;
  u8 type_attr;
  u16 offset_mid;
  u32 offset_hi;
  u32 zero;
};
static_assert(sizeof(idt_gate) == 16);

struct [[gnu::packed]] table_ptr {
  u16 limit;
  u64 base;
};

// IST stacks: 1 = #DF, 2 = NMI and #MC, 3 = #PF (so a stack-guard hit can be
// reported). Each fault reporter runs once (a nested fault exits at once).
constexpr std::size_t ist_df_size = 4096, ist_nmi_size = 4096, ist_pf_size = 8192;
[[gnu::section(".bss.noinit")]] alignas(16) u8 ist_df[ist_df_size];
[[gnu::section(".bss.noinit")]] alignas(16) u8 ist_nmi[ist_nmi_size];
[[gnu::section(".bss.noinit")]] alignas(16) u8 ist_pf[ist_pf_size];
alignas(16) tss64 tss;
[[gnu::section(".bss.noinit")]] alignas(4096) idt_gate idt[256];  // every entry written

void setup_cpu_tables() noexcept {
  tss.ist[0] = addr(reinterpret_cast<char*>(ist_df)) + ist_df_size;
  tss.ist[1] = addr(reinterpret_cast<char*>(ist_nmi)) + ist_nmi_size;
  tss.ist[2] = addr(reinterpret_cast<char*>(ist_pf)) + ist_pf_size;
  tss.iomap_base = sizeof(tss64);  // no I/O bitmap
  u64 const base = reinterpret_cast<u64>(&tss);
  u64 const limit = sizeof(tss64) - 1;
  strata_x86_64_gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (u64{0x89} << 40) |
                         (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
  strata_x86_64_gdt[4] = base >> 32;
  asm volatile("ltr %w0" : : "r"(0x18) : "memory");

  for (unsigned v = 0; v < 256; ++v) {
    u64 const h = v < 32                  ? addr(strata_x86_64_isr_stubs) + 16 * v
                  : v < vector_pic_base ? addr(strata_x86_64_irq_eoi)
                                        : addr(strata_x86_64_irq_ignore);
    idt_gate& g = idt[v];
    g.offset_lo = static_cast<u16>(h);
    g.selector = 0x08;
    g.ist = v == 8 ? 1 : (v == 2 || v == 18) ? 2 : v == 14 ? 3 : 0;
    g.type_attr = 0x8e;  // present, DPL 0, 64-bit interrupt gate
    g.offset_mid = static_cast<u16>(h >> 16);
    g.offset_hi = static_cast<u32>(h >> 32);
    g.zero = 0;
  }
  table_ptr const p{sizeof(idt) - 1, reinterpret_cast<u64>(&idt[0])};
  asm volatile("lidt %0" : : "m"(p) : "memory");
}

// ---------------------------------------------------------------------------
// Memory map (hvm_start_info, PVH ABI)

struct hvm_start_info {
  u32 magic;  // 0x336ec578
  u32 version;
  u32 flags;
  u32 nr_modules;
  u64 modlist_paddr;
  u64 cmdline_paddr;
  u64 rsdp_paddr;
  u64 memmap_paddr;  // version >= 1
  u32 memmap_entries;
  u32 reserved;
};
struct hvm_memmap_entry {
  u64 addr;
  u64 size;
  u32 type;  // 1 RAM, 2 reserved, 3 ACPI, 4 NVS, ...
  u32 reserved;
};

struct range {
  u64 base, end;
};
constexpr std::size_t max_ram_ranges = 32;
range ram[max_ram_ranges];
std::size_t ram_count = 0;
u64 rsdp_paddr = 0;
u64 cmdline_paddr = 0;

void read_start_info(u64 paddr) noexcept {
  auto const* si = reinterpret_cast<hvm_start_info const*>(paddr);
  if (paddr != 0 && si->magic == 0x336ec578) {
    rsdp_paddr = si->rsdp_paddr;
    cmdline_paddr = si->cmdline_paddr;
    if (si->version >= 1 && si->memmap_paddr != 0) {
      auto const* e = reinterpret_cast<hvm_memmap_entry const*>(si->memmap_paddr);
      for (u32 i = 0; i < si->memmap_entries && ram_count < max_ram_ranges; ++i) {
        if ((e[i].type == 1 || e[i].type == 3 || e[i].type == 4) && e[i].size != 0)
          ram[ram_count++] = {e[i].addr, e[i].addr + e[i].size};
      }
    }
  }
  if (ram_count == 0) ram[ram_count++] = {0, u64{3} << 30};  // no map: assume RAM below 3 GiB
}

bool overlaps_ram(u64 base, u64 end) noexcept {
  for (std::size_t i = 0; i < ram_count; ++i)
    if (ram[i].base < end && base < ram[i].end) return true;
  return false;
}
bool covered_by_ram(u64 base, u64 end) noexcept {
  for (std::size_t i = 0; i < ram_count; ++i)
    if (ram[i].base <= base && end <= ram[i].end) return true;
  return false;
}

// ---------------------------------------------------------------------------
// Final page tables

constexpr u64 pte_p = 1, pte_w = 2, pte_pwt = 8, pte_pcd = 0x10, pte_ps = 0x80,
              pte_nx = u64{1} << 63;
constexpr u64 pte_uc = pte_pcd | pte_pwt;
constexpr u64 page_4k = 4096, page_2m = u64{1} << 21, page_1g = u64{1} << 30;
constexpr u64 null_guard_end = 0x10000;  // [0, 64 KiB) stays unmapped: catches null + offset

// Pool for the final tables (PML4, PDPT, PDs, PTs). With 1 GiB pages available
// (-cpu max has them) a small VM needs 4 or 5 pages; 12 covers images up to a
// few MiB and machines without 1 GiB pages (4 GiB + RAM above it in 2 MiB pages).
constexpr std::size_t pt_pool_pages = 12;
[[gnu::section(".bss.noinit")]] alignas(4096) u64 pt_pool[pt_pool_pages][512];
std::size_t pt_used = 0;

u64* alloc_table() noexcept {
  if (pt_used == pt_pool_pages) boot_fail("page-table pool exhausted (src/start.cpp pt_pool_pages)");
  u64* t = pt_pool[pt_used++];
  for (unsigned i = 0; i < 512; ++i) t[i] = 0;
  return t;
}
u64 table_entry(u64 const* t) noexcept { return reinterpret_cast<u64>(t) | pte_p | pte_w; }
u64* table_of(u64 e) noexcept { return reinterpret_cast<u64*>(e & 0x000ffffffffff000); }

bool needs_4k(u64 base, u64 end) noexcept {
  return base < null_guard_end || (base < addr(__image_end) && addr(__image_start) < end);
}

// Sets t[first..last) to (base + i * size) | flags, i counted from first.
void fill(u64* t, unsigned first, unsigned last, u64 base, u64 size, u64 flags) noexcept {
  for (unsigned i = first; i < last; ++i) t[i] = (base + i * size) | flags;
}

// Index range [lo, hi) of the entries of t (entry size `size`, t covering
// [base, base + 512 * size)) that overlap [a, b).
void clip(u64 base, u64 size, u64 a, u64 b, unsigned& lo, unsigned& hi) noexcept {
  u64 const end = base + 512 * size;
  a = a < base ? base : a;
  b = b > end ? end : b;
  if (a >= b) {
    lo = hi = 0;
    return;
  }
  lo = static_cast<unsigned>((a - base) / size);
  hi = static_cast<unsigned>((b - base + size - 1) / size);
}

// 4 KiB page table for [a, a + 2 MiB): RAM write-back, the rest uncached,
// image sections with their own permissions, null area and stack guard absent.
u64* make_pt(u64 a) noexcept {
  u64* pt = alloc_table();
  constexpr u64 rw = pte_p | pte_w | pte_nx;
  fill(pt, 0, 512, a, page_4k, rw | pte_uc);
  unsigned lo, hi;
  for (std::size_t r = 0; r < ram_count; ++r) {
    clip(a, page_4k, ram[r].base, ram[r].end, lo, hi);
    fill(pt, lo, hi, a, page_4k, rw);
  }
  clip(a, page_4k, addr(__text_start), addr(__text_end), lo, hi);
  fill(pt, lo, hi, a, page_4k, pte_p);  // R+X
  clip(a, page_4k, addr(__rodata_start), addr(__rodata_end), lo, hi);
  fill(pt, lo, hi, a, page_4k, pte_p | pte_nx);
  clip(a, page_4k, 0, null_guard_end, lo, hi);
  for (unsigned i = lo; i < hi; ++i) pt[i] = 0;
  clip(a, page_4k, addr(__stack_guard), addr(__stack_bottom), lo, hi);
  for (unsigned i = lo; i < hi; ++i) pt[i] = 0;
  return pt;
}

bool has_1g_pages = false;

// Maps [a, a + 1 GiB) into pdpt: one 1 GiB page when the whole GiB has one
// memory type and needs no 4 KiB pages, else a PD of 2 MiB pages (write-back
// where they overlap RAM, uncached elsewhere; only_ram: RAM only).
void map_1g_region(u64* pdpt, u64 a, bool only_ram) noexcept {
  u64 const end = a + page_1g;
  constexpr u64 rw = pte_p | pte_w | pte_nx | pte_ps;
  bool const ram_all = covered_by_ram(a, end), ram_any = overlaps_ram(a, end);
  if (only_ram && !ram_any) return;
  if (has_1g_pages && !needs_4k(a, end) && (ram_all || !ram_any)) {
    pdpt[(a >> 30) & 511] = a | rw | (ram_all ? 0 : pte_uc);
    return;
  }
  u64* pd = alloc_table();
  pdpt[(a >> 30) & 511] = table_entry(pd);
  if (!only_ram) fill(pd, 0, 512, a, page_2m, rw | pte_uc);
  unsigned lo, hi;
  for (std::size_t r = 0; r < ram_count; ++r) {
    clip(a, page_2m, ram[r].base, ram[r].end, lo, hi);
    fill(pd, lo, hi, a, page_2m, rw);
  }
  for (u64 r = a; r < end; r += page_2m)
    if (r < null_guard_end || (r < addr(__image_end) && addr(__image_start) < r + page_2m))
      pd[(r - a) / page_2m] = table_entry(make_pt(r));
}

void build_page_tables() noexcept {
  has_1g_pages = (cpuid(0x80000001).d >> 26) & 1;
  u64* pml4 = alloc_table();
  u64* pdpt = alloc_table();
  pml4[0] = table_entry(pdpt);
  // [0, 4 GiB): everything (RAM write-back, the rest uncached: MMIO, PCI holes,
  // ECAM, IOAPIC 0xfec00000, LAPIC 0xfee00000, virtio-mmio 0xfeb00000, ...).
  for (u64 g = 0; g < 4; ++g) map_1g_region(pdpt, g * page_1g, false);
  // RAM above 4 GiB (first 512 GiB), write-back.
  for (std::size_t i = 0; i < ram_count; ++i) {
    u64 const lo = ram[i].base & ~(page_1g - 1);
    u64 const hi = ram[i].end < (u64{512} << 30) ? ram[i].end : (u64{512} << 30);
    for (u64 g = lo < (u64{4} << 30) ? (u64{4} << 30) : lo; g < hi; g += page_1g)
      if (pdpt[(g >> 30) & 511] == 0) map_1g_region(pdpt, g, true);
  }
  asm volatile("mov %0, %%cr3" : : "r"(reinterpret_cast<u64>(pml4)) : "memory");
}

// ---------------------------------------------------------------------------
// ACPI: FADT (PM1 control blocks, PM timer, HW-reduced sleep register) and the
// \_S5 sleep type from the DSDT.

template <class T>
T rd(u64 a) noexcept {
  T v;
  __builtin_memcpy(&v, reinterpret_cast<void const*>(a), sizeof(T));
  return v;
}

bool readable(u64 a, u64 len) noexcept {
  if (len == 0 || a + len < a) return false;
  for (u64 p = a & ~(page_4k - 1); p < a + len; p += page_4k)
    if (!is_mapped(p)) return false;
  return true;
}

bool checksum_ok(u64 a, u64 len) noexcept {
  u8 sum = 0;
  for (u64 i = 0; i < len; ++i) sum = static_cast<u8>(sum + rd<u8>(a + i));
  return sum == 0;
}

u64 find_rsdp() noexcept {
  auto is_rsdp = [](u64 a) { return rd<u64>(a) == 0x2052545020445352ull && checksum_ok(a, 20); };  // "RSD PTR "
  if (rsdp_paddr != 0 && readable(rsdp_paddr, 36) && is_rsdp(rsdp_paddr)) return rsdp_paddr;
  for (u64 a = 0xe0000; a < 0x100000; a += 16)
    if (is_rsdp(a)) return a;
  return 0;
}

// Table with that signature, or 0.
u64 find_table(u64 rsdp, u32 sig) noexcept {
  bool const x = rd<u8>(rsdp + 15) >= 2 && rd<u64>(rsdp + 24) != 0;
  u64 const root = x ? rd<u64>(rsdp + 24) : rd<u32>(rsdp + 16);
  if (!readable(root, 36)) return 0;
  u32 const len = rd<u32>(root + 4);
  if (len < 36 || !readable(root, len)) return 0;
  u32 const step = x ? 8 : 4;
  for (u32 off = 36; off + step <= len; off += step) {
    u64 const t = x ? rd<u64>(root + off) : rd<u32>(root + off);
    if (readable(t, 36) && rd<u32>(t) == sig && readable(t, rd<u32>(t + 4))) return t;
  }
  return 0;
}

// Finds "Name(_S5, Package(){ n, ... })" in AML and returns n through typ.
bool find_s5(u64 dsdt, u8& typ) noexcept {
  if (dsdt == 0 || !readable(dsdt, 36)) return false;
  u32 const len = rd<u32>(dsdt + 4);
  if (len < 36 || !readable(dsdt, len)) return false;
  u64 const end = dsdt + len;
  for (u64 p = dsdt + 36; p + 8 < end; ++p) {
    if (rd<u32>(p) != 0x5f35535f) continue;  // "_S5_"
    if (rd<u8>(p - 1) != 0x08 && !(rd<u8>(p - 1) == '\\' && rd<u8>(p - 2) == 0x08)) continue;
    u64 q = p + 4;
    if (rd<u8>(q++) != 0x12) continue;        // PackageOp
    q += 1u + (rd<u8>(q) >> 6u);              // PkgLength
    q += 1;                                   // NumElements
    u8 const op = rd<u8>(q);
    if (op == 0x0a) typ = rd<u8>(q + 1);      // BytePrefix
    else if (op == 0x00 || op == 0x01) typ = op;  // ZeroOp, OneOp
    else continue;
    return true;
  }
  return false;
}

}  // namespace

// Runs once, on first need (exit's power-off, or the PM-timer fallback when
// there is no PIT): it is not on the boot path.
void acpi_init() noexcept {
  static bool done = false;
  if (done) return;
  done = true;
  u64 const rsdp = find_rsdp();
  if (rsdp == 0) return;
  u64 const fadt = find_table(rsdp, 0x50434146);  // "FACP"
  if (fadt == 0) return;
  u32 const len = rd<u32>(fadt + 4);
  u32 const flags = len >= 116 ? rd<u32>(fadt + 112) : 0;
  bool const hw_reduced = (flags >> 20) & 1;
  acpi.pm1a_cnt = static_cast<u16>(rd<u32>(fadt + 64));
  acpi.pm1b_cnt = static_cast<u16>(rd<u32>(fadt + 68));
  if (len >= 92 && rd<u8>(fadt + 91) == 4) {
    acpi.pm_timer = static_cast<u16>(rd<u32>(fadt + 76));
    acpi.pm_timer_32bit = (flags >> 8) & 1;
  }
  if (len >= 256 && rd<u64>(fadt + 248) != 0) {  // SLEEP_CONTROL_REG (GAS)
    acpi.sleep_ctl_space = rd<u8>(fadt + 244);
    acpi.sleep_ctl_addr = rd<u64>(fadt + 248);
  }
  u64 dsdt = len >= 148 ? rd<u64>(fadt + 140) : 0;
  if (dsdt == 0) dsdt = rd<u32>(fadt + 40);
  acpi.found_s5 = find_s5(dsdt, acpi.slp_typ_s5);
  if (!acpi.found_s5) acpi.slp_typ_s5 = hw_reduced ? 5 : 0;
}

std::string_view boot_command_line() noexcept {
  if (cmdline_paddr == 0 || !readable(cmdline_paddr, 1)) return {};
  auto const* s = reinterpret_cast<char const*>(cmdline_paddr);
  std::size_t n = 0;
  while (n < 4096 && readable(cmdline_paddr + n, 1) && s[n] != 0) ++n;
  return {s, n};
}

bool has_acpi() noexcept { return find_rsdp() != 0; }

// The MADT's IOAPIC entries (type 1: id, reserved, address, GSI base); the
// pc/q35/microvm IOAPIC at 0xfec00000 serving GSIs 0-23 when there is none.
bool route_gsi(u32 gsi, u8 vector) noexcept {
  u64 base = 0;
  u32 first = 0;
  u64 const rsdp = find_rsdp();
  u64 const madt = rsdp != 0 ? find_table(rsdp, 0x43495041) : 0;  // "APIC"
  if (madt != 0) {
    u64 const end = madt + rd<u32>(madt + 4);
    for (u64 e = madt + 44; e + 2 <= end && rd<u8>(e + 1) >= 2; e += rd<u8>(e + 1)) {
      if (rd<u8>(e) != 1 || e + 12 > end) continue;
      u64 const a = rd<u32>(e + 4);
      u32 const gsi_base = rd<u32>(e + 8);
      if (gsi < gsi_base || !is_mapped(a)) continue;
      mmio_write<u32>(a, 1);  // IOAPICVER: how many pins this one has
      u32 const pins = ((mmio_read<u32>(a + 0x10) >> 16) & 0xff) + 1;
      if (gsi < gsi_base + pins) {
        base = a;
        first = gsi_base;
        break;
      }
    }
  } else if (gsi < 24) {
    base = 0xfec00000;
  }
  if (base == 0) return false;
  u32 const pin = gsi - first;
  // Edge triggered, active high, fixed delivery to this CPU: an interrupt
  // only ends the halt; level triggering would repeat it until the driver
  // acknowledges the device, which it does later, in its poll.
  mmio_write<u32>(base, 0x10 + 2 * pin + 1);
  mmio_write<u32>(base + 0x10, local_apic_id() << 24);
  mmio_write<u32>(base, 0x10 + 2 * pin);
  mmio_write<u32>(base + 0x10, vector);
  return true;
}

namespace {

void run_constructors() noexcept {
  using ctor = void (*)();
  for (u64 p = addr(__init_array_start); p < addr(__init_array_end); p += sizeof(ctor))
    (*reinterpret_cast<ctor const*>(p))();
}

// ---------------------------------------------------------------------------
// Exceptions

struct trap_frame {
  u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
  u64 vector, error, rip, cs, rflags, rsp, ss;
};

constexpr char const* exception_names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range exceeded", "#UD invalid opcode", "#NM device not available",
    "#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
    "#NP segment not present", "#SS stack-segment fault", "#GP general protection",
    "#PF page fault", "reserved", "#MF x87 floating-point", "#AC alignment check",
    "#MC machine check", "#XM SIMD floating-point", "#VE virtualization",
    "#CP control protection", "reserved", "reserved", "reserved", "reserved", "reserved",
    "reserved", "#HV hypervisor injection", "#VC VMM communication", "#SX security",
    "reserved"};

void reg(char const* name, u64 v) noexcept {
  put(name);
  put_hex(v);
}

}  // namespace

acpi_power acpi;

bool is_mapped(u64 a) noexcept {
  if (static_cast<u64>(static_cast<std::int64_t>(a << 16) >> 16) != a) return false;  // canonical
  u64 const* t = table_of(read_cr3());
  for (int level = 3; level >= 0; --level) {
    u64 const e = t[(a >> (12 + 9 * level)) & 511];
    if (!(e & pte_p)) return false;
    if (level == 0 || (level <= 2 && (e & pte_ps))) return true;
    t = table_of(e);
  }
  return true;
}

bool in_stack_guard(u64 a) noexcept {
  return a >= addr(__stack_guard) && a < addr(__stack_bottom);
}

// Walks the RBP chain (the image is built with -fno-omit-frame-pointer).
// Frames are printed as return address - 1, i.e. inside the call instruction,
// so addr2line names the calling line directly.
// A run of identical frames (recursion) prints its first 3 frames, one
// "  ... N more frames like #k" line, then resumes at the first different one;
// at most 64 frame lines are printed.
void backtrace_from(u64 rbp, unsigned index) noexcept {
  u64 prev = 0;
  unsigned run = 0, printed = 0, run_start = 0;
  auto flush_run = [&] {
    if (run > 3) {
      put("  ... ");
      put_dec(run - 3);
      put(" more frames like #");
      put_dec(run_start);
      put("\n");
    }
  };
  for (unsigned n = 0; n < 100000 && rbp != 0; ++n) {
    if ((rbp & 7) != 0 || !is_mapped(rbp) || !is_mapped(rbp + 8)) break;
    u64 const next = reinterpret_cast<u64 const*>(rbp)[0];
    u64 const ret = reinterpret_cast<u64 const*>(rbp)[1];
    if (ret <= addr(__text_start) || ret > addr(__text_end)) {
      put("  (frame chain leaves the code at ");
      put_hex(ret);
      put(")\n");
      break;
    }
    if (ret == prev) {
      ++run;
    } else {
      flush_run();
      run = 1;
      run_start = index;
      prev = ret;
    }
    if (run <= 3) {
      if (++printed > 64) {
        put("  ... (backtrace truncated)\n");
        return;
      }
      put("  #");
      put_dec(index);
      put(" ");
      put_hex(ret - 1);
      put("\n");
    }
    ++index;
    if (next <= rbp) break;  // callers' frames are higher up the stack
    rbp = next;
  }
  flush_run();
}

// A fault in a function that set up no frame (a leaf: g++ 12 omits its frame
// pointer even with -mno-omit-leaf-frame-pointer), or in a prologue before
// 'mov %rsp, %rbp', leaves its return address at [RSP], not in the RBP chain.
// It is taken when it points just after a direct call whose target lies at or
// below RIP (the call entered the faulting function), and is not already the
// chain's first return address. Returns 0 otherwise.
u64 leaf_return_address(u64 rip, u64 rsp, u64 rbp) noexcept {
  if ((rsp & 7) != 0 || !is_mapped(rsp)) return 0;
  u64 const ret = *reinterpret_cast<u64 const*>(rsp);
  if (ret < addr(__text_start) + 5 || ret > addr(__text_end)) return 0;
  auto const* call = reinterpret_cast<unsigned char const*>(ret - 5);
  if (call[0] != 0xe8) return 0;
  std::int32_t rel;
  __builtin_memcpy(&rel, call + 1, 4);
  u64 const target = ret + static_cast<u64>(static_cast<std::int64_t>(rel));
  if (target > rip || rip - target > 0x10000) return 0;
  if ((rbp & 7) == 0 && is_mapped(rbp + 8) && reinterpret_cast<u64 const*>(rbp)[1] == ret) return 0;
  return ret;
}

}  // namespace strata::target::x86_64

using namespace strata::target::x86_64;

extern "C" [[noreturn]] void strata_x86_64_exception(trap_frame* f) noexcept {
  static bool reporting = false;
  if (reporting) {
    put("\nEXCEPTION: vector ");
    put_dec(f->vector);
    put(" while reporting an exception\n");
    strata::target::platform::exit(strata::exit_panic);
  }
  reporting = true;
  u64 const cr2 = read_cr2();
  put("\nEXCEPTION: ");
  put(exception_names[f->vector & 31]);
  put(" (vector ");
  put_dec(f->vector);
  put(")");
  reg(" error code ", f->error);
  put("\n");
  reg("  RIP ", f->rip);
  reg(" RSP ", f->rsp);
  reg(" RFLAGS ", f->rflags);
  reg(" CS ", f->cs);
  reg(" SS ", f->ss);
  put("\n");
  if (f->vector == 14) {
    reg("  CR2 ", cr2);
    put((f->error & 16) ? " (instruction fetch" : (f->error & 2) ? " (write" : " (read");
    put((f->error & 1) ? ", protection violation" : ", not present");
    if (in_stack_guard(cr2)) put(", STACK OVERFLOW: stack guard page");
    else if (cr2 < null_guard_end) put(", null pointer");
    put(")\n");
  }
  reg("  RAX ", f->rax);
  reg(" RBX ", f->rbx);
  reg(" RCX ", f->rcx);
  reg(" RDX ", f->rdx);
  put("\n");
  reg("  RSI ", f->rsi);
  reg(" RDI ", f->rdi);
  reg(" RBP ", f->rbp);
  reg(" R8  ", f->r8);
  put("\n");
  reg("  R9  ", f->r9);
  reg(" R10 ", f->r10);
  reg(" R11 ", f->r11);
  reg(" R12 ", f->r12);
  put("\n");
  reg("  R13 ", f->r13);
  reg(" R14 ", f->r14);
  reg(" R15 ", f->r15);
  put("\n");
  put("backtrace:\n  #0 ");
  put_hex(f->rip);
  put("\n");
  unsigned next = 1;
  if (u64 const leaf_ret = leaf_return_address(f->rip, f->rsp, f->rbp)) {
    put("  #1 ");
    put_hex(leaf_ret - 1);
    put("\n");
    next = 2;
  }
  backtrace_from(f->rbp, next);
  strata::target::platform::exit(strata::exit_panic);
}

// Define STRATA_X86_64_BOOT_TRACE=1 to print, before strata_main, the time of
// each boot step (TSC ticks since the PVH entry; converted to us).
#if defined(STRATA_X86_64_BOOT_TRACE) && STRATA_X86_64_BOOT_TRACE
extern "C" std::uint64_t strata_x86_64_boot_tsc;
namespace {
struct boot_step {
  char const* name;
  std::uint64_t tsc;
};
boot_step boot_steps[8];
unsigned boot_step_count = 0;
void print_boot_steps() noexcept {
  for (unsigned i = 0; i < boot_step_count; ++i) {
    put("boot: ");
    put(boot_steps[i].name);
    put(" at us ");
    put_dec(((boot_steps[i].tsc - strata_x86_64_boot_tsc) * strata::target::detail::clock.mult >> 32) / 1000);
    put("\n");
  }
}
}  // namespace
#define STRATA_BOOT_STEP(n) (boot_steps[boot_step_count++] = {n, strata::target::detail::rdtsc()})
#else
#define STRATA_BOOT_STEP(n) ((void)0)
#define print_boot_steps() ((void)0)
#endif

extern "C" [[noreturn]] void strata_x86_64_boot(std::uint32_t start_info) noexcept {
  serial_init();
  STRATA_BOOT_STEP("serial");
  setup_cpu_tables();
  STRATA_BOOT_STEP("gdt/idt");
  read_start_info(start_info);
  STRATA_BOOT_STEP("start_info");
  build_page_tables();
  STRATA_BOOT_STEP("page tables");
  clock_init();
  STRATA_BOOT_STEP("clock");
  run_constructors();
  STRATA_BOOT_STEP("constructors");
  print_boot_steps();
  int const rc = strata_main(0, nullptr);
  strata::target::platform::exit(rc);
}
