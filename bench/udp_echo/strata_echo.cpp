// UDP echo through Strata's stack, frame by frame: a system of a clock, an
// in-memory NIC, the IPv4 host (10.0.0.2/24) and a udp_service echo on port
// 7, as samples/udp_echo.cpp has them. Each frame of the run (echo_bench.hpp)
// goes into the NIC, one sys.poll() lets the stack receive it and answer,
// and the NIC records what the stack transmits. Built and run under
// callgrind by bench/udp_echo/run.sh.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string_view>
#include <type_traits>

#include <strata/clock.hpp>
#include <strata/core/runtime.hpp>
#include <strata/net/udp/service.hpp>

#include "echo_bench.hpp"

namespace {

using namespace strata;
using namespace strata::net;

// Virtual time, fixed: nothing in a pure echo depends on it (ARP entries
// live 60 s), and a clock read would only add a system call to the count.
struct bench_platform {
  static constexpr char const* name = "bench";
  static inline std::uint64_t time = 1'000'000'000;
  static void console_write(char const*, std::size_t) noexcept {}
  static std::uint64_t now_ns() noexcept { return time; }
  static void yield_until(std::uint64_t) noexcept {}
  static void exit(int) noexcept {}
  [[noreturn]] static void panic(char const*, std::size_t) noexcept { std::abort(); }
};

// A NIC made of memory, like the fuzz target's and the simulator's: receive()
// copies the one frame handed to it (as a driver's DMA would have filled the
// buffer), transmit() copies the frame into the recorder (a transmit ring).
struct memory_nic {
  static inline std::span<std::byte const> incoming{};
  static constexpr std::string_view name = "memory_nic";
  using provides = caps<cap::NetDevice>;
  using needs = caps<>;
  struct state {
    static constexpr std::size_t mtu = 1500;
    static std::size_t receive(std::span<std::byte> rx) {
      if (incoming.empty()) return 0;
      std::size_t const n = incoming.size() < rx.size() ? incoming.size() : rx.size();
      std::memcpy(rx.data(), incoming.data(), n);
      incoming = {};
      return n;
    }
    static bool transmit(std::span<std::byte const> tx) {
      auto const slot = echo_bench::transmitted.slot();
      std::size_t const n = tx.size() < slot.size() ? tx.size() : slot.size();
      std::memcpy(slot.data(), tx.data(), n);
      echo_bench::transmitted.commit(tx.size());
      return true;
    }
    static mac_address mac() {
      mac_address m{};
      for (std::size_t i = 0; i < 6; ++i) m.octets[i] = echo_bench::server_mac[i];
      return m;
    }
  };
  template <class P>
  static constexpr state runtime(memory_nic const&) {
    return {};
  }
};

// The service of samples/udp_echo.cpp.
struct echo {
  void on_datagram(auto& udp, datagram const& d) { udp.send_to(d.from, d.payload); }
};

constexpr auto description = strata::system(monotonic_clock{}, memory_nic{},
                                            net::ipv4{.address = "10.0.0.2/24", .gateway = "10.0.0.1"},
                                            udp_service<echo, 7>{});
using system_t = runtime_system<bench_platform, std::remove_cvref_t<decltype(description)>>;

system_t sys{description};  // static, as a unikernel's system object is

struct strata_stack {
  static void deliver(std::span<std::byte const> frame) {
    memory_nic::incoming = frame;
    sys.poll(bench_platform::time);
  }
};

}  // namespace

int main(int argc, char** argv) {
  auto const options = echo_bench::parse_options(argc, argv);
  echo_bench::transmitted.reset(4);
  sys.boot();  // sends the gratuitous ARP, which the recorder drops with the next reset
  strata_stack stack;
  return echo_bench::run(stack, "strata", options);
}
