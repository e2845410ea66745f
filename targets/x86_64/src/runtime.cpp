// Runtime shims for the freestanding x86_64 image: the few C and C++ runtime
// symbols that compiled code (and header-only fmt 9 with FMT_HEADER_ONLY,
// FMT_STATIC_THOUSANDS_SEPARATOR, FMT_USE_{FLOAT,DOUBLE,LONG_DOUBLE}=0 and
// FMT_THROW/FMT_ASSERT mapped to the panic) references. Nothing else from a C
// or C++ library is linked (-nostdlib; -lgcc only for helpers such as
// __udivti3). Everything that cannot be honoured panics (exit code 70).
//
//   memcpy memmove memset memcmp memchr strlen   the compiler emits calls to these
//   operator new / new[] / delete / delete[]     bump arena of 16 KiB (below); new
//                                                never returns null: panics when full
//   std::__throw_bad_alloc, __throw_bad_array_new_length, __throw_length_error,
//   __throw_logic_error                          libstdc++ containers (fmt's buffers,
//                                                std::string from fmt::format)
//   __cxa_pure_virtual, __stack_chk_fail, abort  panic
//   __stack_chk_guard                            set by boot.cpp (RDRAND or TSC) before
//                                                any C++ runs (-mstack-protector-guard=global)
//   __cxa_atexit, __dso_handle                   static destructors never run: no-ops
#include <cstddef>
#include <cstdint>
#include <new>

#include <strata/target/platform.hpp>

namespace {

[[noreturn]] void die(char const* msg) noexcept {
  std::size_t n = 0;
  while (msg[n] != 0) ++n;
  strata::target::platform::panic(msg, n);
}

// The heap: a bump allocator over a fixed arena. delete gives memory back
// only when it frees the most recent allocation (stack-like use, as fmt's
// growing buffers do); otherwise it is a no-op. Sized for fmt::format of
// short strings, not for general use: use fixed-capacity containers instead.
constexpr std::size_t heap_size = 16 * 1024;
[[gnu::section(".bss.noinit")]] alignas(16) unsigned char heap[heap_size];
std::size_t heap_top = 0;   // first free byte
std::size_t heap_last = 0;  // start of the most recent allocation

void* heap_alloc(std::size_t n) noexcept {
  std::size_t const size = (n + 15) & ~std::size_t{15};
  if (size < n || size > heap_size - heap_top) die("out of memory: the 16 KiB heap arena is full");
  heap_last = heap_top;
  heap_top += size;
  return heap + heap_last;
}

void heap_free(void* p) noexcept {
  if (p != nullptr && p == heap + heap_last && heap_last < heap_top) {
    heap_top = heap_last;
    heap_last = heap_top;  // only one level of undo is known
  }
}

}  // namespace

extern "C" {

std::uintptr_t __stack_chk_guard;

// mem* copy and fill 32 bytes a turn with 64-bit moves, then the tail byte
// by byte. Not `rep movsb`/`rep stosb`: under QEMU TCG those cost ~3 ns a
// byte against ~0.4 ns for this loop (measured, 64 KiB copies). The bodies
// are asm so the compiler cannot turn them back into calls to themselves.
void* memcpy(void* dst, void const* src, std::size_t n) noexcept {
  auto* d = static_cast<unsigned char*>(dst);
  auto const* s = static_cast<unsigned char const*>(src);
  for (; n >= 32; n -= 32, d += 32, s += 32) {
    std::uint64_t a, b, c, e;
    asm volatile(
        "movq (%[s]), %[a]\n\tmovq 8(%[s]), %[b]\n\tmovq 16(%[s]), %[c]\n\tmovq 24(%[s]), %[e]\n\t"
        "movq %[a], (%[d])\n\tmovq %[b], 8(%[d])\n\tmovq %[c], 16(%[d])\n\tmovq %[e], 24(%[d])"
        : [a] "=&r"(a), [b] "=&r"(b), [c] "=&r"(c), [e] "=&r"(e)
        : [s] "r"(s), [d] "r"(d)
        : "memory");
  }
  for (; n != 0; --n) asm volatile("movb (%1), %%al\n\tmovb %%al, (%0)" : : "r"(d++), "r"(s++) : "rax", "memory");
  return dst;
}

// Forward when dst is below src (each 32-byte block is loaded before it is
// stored, so an overlap behind is safe) or the ranges are disjoint; else backwards.
void* memmove(void* dst, void const* src, std::size_t n) noexcept {
  auto const du = reinterpret_cast<std::uintptr_t>(dst);
  auto const su = reinterpret_cast<std::uintptr_t>(src);
  if (du - su >= n) return memcpy(dst, src, n);
  auto* d = static_cast<unsigned char*>(dst) + n;
  auto const* s = static_cast<unsigned char const*>(src) + n;
  for (; n >= 32; n -= 32) {
    d -= 32;
    s -= 32;
    std::uint64_t a, b, c, e;
    asm volatile(
        "movq (%[s]), %[a]\n\tmovq 8(%[s]), %[b]\n\tmovq 16(%[s]), %[c]\n\tmovq 24(%[s]), %[e]\n\t"
        "movq %[a], (%[d])\n\tmovq %[b], 8(%[d])\n\tmovq %[c], 16(%[d])\n\tmovq %[e], 24(%[d])"
        : [a] "=&r"(a), [b] "=&r"(b), [c] "=&r"(c), [e] "=&r"(e)
        : [s] "r"(s), [d] "r"(d)
        : "memory");
  }
  for (; n != 0; --n) asm volatile("movb (%1), %%al\n\tmovb %%al, (%0)" : : "r"(--d), "r"(--s) : "rax", "memory");
  return dst;
}

void* memset(void* dst, int c, std::size_t n) noexcept {
  auto* d = static_cast<unsigned char*>(dst);
  std::uint64_t const v = 0x0101010101010101ull * static_cast<unsigned char>(c);
  for (; n >= 32; n -= 32, d += 32)
    asm volatile("movq %1, (%0)\n\tmovq %1, 8(%0)\n\tmovq %1, 16(%0)\n\tmovq %1, 24(%0)" : : "r"(d), "r"(v) : "memory");
  for (; n != 0; --n) asm volatile("movb %b1, (%0)" : : "r"(d++), "r"(v) : "memory");
  return dst;
}

int memcmp(void const* a, void const* b, std::size_t n) noexcept {
  auto const* x = static_cast<unsigned char const*>(a);
  auto const* y = static_cast<unsigned char const*>(b);
  for (std::size_t i = 0; i < n; ++i)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

void* memchr(void const* s, int c, std::size_t n) noexcept {
  auto const* p = static_cast<unsigned char const*>(s);
  for (std::size_t i = 0; i < n; ++i)
    if (p[i] == static_cast<unsigned char>(c)) return const_cast<unsigned char*>(p + i);
  return nullptr;
}

std::size_t strlen(char const* s) noexcept {
  std::size_t n = 0;
  while (s[n] != 0) ++n;
  return n;
}

[[noreturn]] void abort() noexcept { die("abort()"); }
[[noreturn]] void __stack_chk_fail() noexcept { die("stack smashing detected (stack protector)"); }
[[noreturn]] void __cxa_pure_virtual() noexcept { die("pure virtual function called"); }

int __cxa_atexit(void (*)(void*), void*, void*) noexcept { return 0; }
void* __dso_handle = &__dso_handle;

}  // extern "C"

namespace std {
[[noreturn]] void __throw_bad_alloc() { die("std::bad_alloc"); }
[[noreturn]] void __throw_bad_array_new_length() { die("std::bad_array_new_length"); }
[[noreturn]] void __throw_length_error(char const* what) { die(what); }
[[noreturn]] void __throw_logic_error(char const* what) { die(what); }
}  // namespace std

void* operator new(std::size_t n) { return heap_alloc(n); }
void* operator new[](std::size_t n) { return heap_alloc(n); }
void operator delete(void* p) noexcept { heap_free(p); }
void operator delete[](void* p) noexcept { heap_free(p); }
void operator delete(void* p, std::size_t) noexcept { heap_free(p); }
void operator delete[](void* p, std::size_t) noexcept { heap_free(p); }
