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
alignas(16) unsigned char heap[heap_size];
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

void* memcpy(void* dst, void const* src, std::size_t n) noexcept {
  void* d = dst;
  asm volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
  return dst;
}

void* memmove(void* dst, void const* src, std::size_t n) noexcept {
  auto const d = reinterpret_cast<std::uintptr_t>(dst);
  auto const s = reinterpret_cast<std::uintptr_t>(src);
  if (d - s >= n) return memcpy(dst, src, n);  // no harmful overlap
  // Overlap with dst above src: copy backwards.
  void* dl = static_cast<unsigned char*>(dst) + n - 1;
  void const* sl = static_cast<unsigned char const*>(src) + n - 1;
  asm volatile("std; rep movsb; cld" : "+D"(dl), "+S"(sl), "+c"(n) : : "memory");
  return dst;
}

void* memset(void* dst, int c, std::size_t n) noexcept {
  void* d = dst;
  asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
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
