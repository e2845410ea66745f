// The hosted target: the platform boundary implemented with Linux calls, so a
// description runs as an ordinary process (for tests, debugging, and later a
// TAP device as its network).
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string_view>

#include <execinfo.h>
#include <poll.h>
#include <unistd.h>

#include <strata/platform.hpp>

namespace strata::target {

struct platform {
  static constexpr char const* name = "hosted-linux";
  static constexpr bool has_arguments = true;  // --describe, --audit, ...

  static void console_write(char const* data, std::size_t len) noexcept { write_all(1, data, len); }

  // CLOCK_MONOTONIC, counted from the first reading so it starts near zero
  // as the image's clock does.
  static std::uint64_t now_ns() noexcept { return monotonic() - epoch(); }

  // Sleeps until the deadline or until a watched descriptor (a device's)
  // is readable, whichever comes first: Solo5's yield with a ready set.
  static void yield_until(std::uint64_t deadline_ns) noexcept {
    bool const forever = deadline_ns == ~std::uint64_t{0};
    if (watched_count() == 0) {
      if (forever) {
        ::pause();  // nothing to wait for but a signal
        return;
      }
      auto const t = epoch() + deadline_ns;
      timespec const ts{.tv_sec = static_cast<std::time_t>(t / 1'000'000'000),
                        .tv_nsec = static_cast<long>(t % 1'000'000'000)};
      // Interrupted by a signal: returning early is allowed (the loop asks again).
      (void)::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
      return;
    }
    pollfd fds[max_watched];
    for (std::size_t i = 0; i < watched_count(); ++i) fds[i] = {.fd = watched()[i], .events = POLLIN, .revents = 0};
    timespec wait{};
    if (!forever) {
      std::uint64_t const now = now_ns();
      std::uint64_t const left = deadline_ns > now ? deadline_ns - now : 0;
      wait = {.tv_sec = static_cast<std::time_t>(left / 1'000'000'000),
              .tv_nsec = static_cast<long>(left % 1'000'000'000)};
    }
    ::ppoll(fds, watched_count(), forever ? nullptr : &wait, nullptr);
  }

  // Devices register the descriptors whose readiness ends a yield.
  static bool watch(int fd) noexcept {
    if (watched_count() == max_watched) return false;
    watched()[watched_count()++] = fd;
    return true;
  }

  [[noreturn]] static void exit(int code) noexcept { ::_exit(code); }

  [[noreturn]] static void panic(char const* msg, std::size_t len) noexcept {
    write_all(2, "PANIC: ");
    write_all(2, msg, len);
    write_all(2, "\nbacktrace:\n");
    void* frames[32];
    ::backtrace_symbols_fd(frames, ::backtrace(frames, 32), 2);
    ::_exit(exit_panic);
  }

 private:
  static constexpr std::size_t max_watched = 8;
  static int* watched() noexcept {
    static int fds[max_watched];
    return fds;
  }
  static std::size_t& watched_count() noexcept {
    static std::size_t n = 0;
    return n;
  }
  static void write_all(int fd, std::string_view text) noexcept { write_all(fd, text.data(), text.size()); }
  static void write_all(int fd, char const* data, std::size_t len) noexcept {
    while (len > 0) {
      auto const n = ::write(fd, data, len);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // the console is gone; nothing better to do
      data += n;
      len -= static_cast<std::size_t>(n);
    }
  }
  static std::uint64_t monotonic() noexcept {
    timespec ts{};
    (void)::clock_gettime(CLOCK_MONOTONIC, &ts);  // cannot fail for CLOCK_MONOTONIC
    return std::uint64_t(ts.tv_sec) * 1'000'000'000 + std::uint64_t(ts.tv_nsec);
  }
  static std::uint64_t epoch() noexcept {
    static std::uint64_t const first = monotonic();
    return first;
  }
};

static_assert(Platform<platform>);

}  // namespace strata::target

extern "C" int strata_main(int argc, char const* const* argv);

// The process entry: the hosted target has one, the image's is its boot code.
#define STRATA_TARGET_ENTRY \
  int main(int argc, char** argv) { return strata_main(argc, argv); }
