// libFuzzer target for the whole receive path: each input becomes a frame
// on the NIC of one long-lived system (IPv4 host and a UDP echo service) on
// virtual time. The first byte chooses fix-ups that let the fuzzer past the
// outer checks (our MAC, an ethertype, our IP address, valid IPv4 and ICMP
// checksums), so it also explores what lies behind them; one of them gives
// the packet a fixed source and identification, so fragments from different
// inputs meet in one datagram of the host's reassembler (the default ipv4
// has 2 slots; 7 ms per input lets the 30 s timeout and its ICMP error run
// too). Properties: no crash or sanitizer report, and every frame the stack
// sends parses.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include <strata/app.hpp>
#include <strata/clock.hpp>
#include <strata/core/runtime.hpp>
#include <strata/net/checksum.hpp>
#include <strata/net/udp/service.hpp>

namespace {

using namespace strata;
using namespace strata::net;

constexpr mac_address our_mac{{0x02, 0, 0, 0, 0, 0x02}};
constexpr ipv4_address our_ip{{10, 0, 0, 2}};

struct fuzz_platform {
  static constexpr char const* name = "fuzz";
  static inline std::uint64_t time = 0;
  static void console_write(char const*, std::size_t) noexcept {}
  static std::uint64_t now_ns() noexcept { return time; }
  static void yield_until(std::uint64_t) noexcept {}
  static void exit(int) noexcept {}
  [[noreturn]] static void panic(char const*, std::size_t) noexcept { std::abort(); }
};

struct fuzz_nic {
  static inline std::vector<std::byte> incoming;
  static inline bool pending = false;
  static constexpr std::string_view name = "fuzz_nic";
  using provides = caps<cap::NetDevice>;
  using needs = caps<>;
  struct state {
    static constexpr std::size_t mtu = 1500;
    static std::size_t receive(std::span<std::byte> rx) {
      if (!pending) return 0;
      pending = false;
      std::size_t const n = std::min(incoming.size(), rx.size());
      std::copy_n(incoming.begin(), n, rx.begin());
      return n;
    }
    static bool transmit(std::span<std::byte const> tx) {
      // What the stack sends must be a well-formed frame from us.
      auto const eth = ethernet_view::parse(tx);
      if (!eth || eth->source() != our_mac || tx.size() < 60) std::abort();
      if (eth->ethertype() == ethertype::ipv4 && !ipv4_view::parse(eth->payload())) std::abort();
      if (eth->ethertype() == ethertype::arp && !arp_view::parse(eth->payload())) std::abort();
      return true;
    }
    static mac_address mac() { return our_mac; }
  };
  template <class P>
  static constexpr state runtime(fuzz_nic const&) {
    return {};
  }
};

struct echo {
  void on_datagram(auto& udp, datagram const& d) { udp.send_to(d.from, d.payload); }
};

constexpr auto description = strata::system(monotonic_clock{}, fuzz_nic{},
                                            net::ipv4{.address = "10.0.0.2/24", .gateway = "10.0.0.1"},
                                            udp_service<echo, 7>{});
using system_t = runtime_system<fuzz_platform, std::remove_cvref_t<decltype(description)>>;
// The host reassembles (net::ipv4's default 2 slots): fragments reach the reassembler.
static_assert(std::remove_cvref_t<decltype(std::declval<system_t&>().get<cap::IpLayer>())>::reassembles);

void put16(std::vector<std::byte>& f, std::size_t at, std::uint16_t v) {
  f[at] = std::byte(v >> 8);
  f[at + 1] = std::byte(v & 0xff);
}

// Applies the fix-ups the mode byte asks for.
void shape(std::vector<std::byte>& f, std::uint8_t mode) {
  auto const on = [mode](unsigned bit) { return (mode & bit) != 0; };
  if (f.size() >= 14) {
    if (on(1)) our_mac.store(f, 0);
    if (on(2)) put16(f, 12, on(4) ? 0x0806 : 0x0800);
  }
  if (f.size() >= 34 && on(2) && !on(4)) {
    if (on(8)) our_ip.store(f, 30);
    if (on(64)) {  // one datagram's fragments, whatever else the input says
      put16(f, 18, 0x4242);
      ipv4_address{{10, 0, 0, 1}}.store(f, 26);
    }
    std::size_t const ihl = (std::to_integer<std::size_t>(f[14]) & 0x0f) * 4;
    if (on(16) && ihl >= 20 && 14 + ihl <= f.size()) {
      put16(f, 24, 0);
      put16(f, 24, internet_checksum(std::span<std::byte const>{f}.subspan(14, ihl)));
      std::size_t const total = std::min<std::size_t>((std::to_integer<std::size_t>(f[16]) << 8) |
                                                          std::to_integer<std::size_t>(f[17]),
                                                      f.size() - 14);
      if (on(32) && f[23] == std::byte{1} && total >= ihl + 4) {  // ICMP: fix its checksum too
        auto icmp = std::span<std::byte>{f}.subspan(14 + ihl, total - ihl);
        icmp[2] = icmp[3] = std::byte{0};
        std::uint16_t const c = internet_checksum(icmp);
        icmp[2] = std::byte(c >> 8);
        icmp[3] = std::byte(c & 0xff);
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  static system_t* sys = [] {
    static system_t s{description};
    s.boot();
    return &s;
  }();
  if (size < 1) return 0;
  std::uint8_t const mode = data[0];
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): libFuzzer's bytes as std::byte; both may alias
  std::span<std::byte const> const in{reinterpret_cast<std::byte const*>(data), size};
  fuzz_nic::incoming.assign(in.begin() + 1, in.end());
  shape(fuzz_nic::incoming, mode);
  fuzz_nic::pending = true;
  fuzz_platform::time += 7'000'000;  // time passes between frames: ARP retries and expiry run too
  sys->poll(fuzz_platform::time);
  return 0;
}
