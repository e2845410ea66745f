// Entry points into the network layers for the analysers that explore paths:
// the Clang static analyzer (clang-tidy's clang-analyzer-*) and GCC's
// -fanalyzer. Each function takes what the network or an application can
// hand a layer as parameters whose values the analysers cannot know, so they
// explore the layer's paths for any input, as a fuzz target does at run time.
// The fuzz targets (tests/fuzz) are such entry points for the wire formats,
// the IPv4 receive path and the DHCP client; these add the TCP engine, the
// simulated network and the pcap recorder. The layers' own tests (tests/net, tests/sim) feed
// literal packets and fixed seeds, and lint does not explore their paths
// (docs/lint.md, "Paths").
//
// Lint compiles it in one unit with the fuzz targets (tests/lint/CMakeLists.txt);
// no build does, and nothing calls it. [[gnu::used]] keeps each function in
// GCC's output, which is what its analyzer reads. The parameters are the
// inputs in the order they arrive: swapping two is no mistake here.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include <strata/net/pcap.hpp>
#include <strata/net/sim/network.hpp>
#include <strata/net/sim/platform.hpp>
#include <strata/net/tcp/table.hpp>
#include <strata/net/tcp/wire.hpp>

namespace {

using namespace strata;
using namespace strata::net;

using bytes = std::span<std::byte const>;
using table = tcp_table<2, 2048, 2048, 1>;

constexpr bool port_80(std::uint16_t port) { return port == 80; }

// A segment as the IPv4 layer hands it over: parsed, its checksum verified.
void deliver(table& t, ipv4_address source, ipv4_address destination, bytes segment, time_ns now) {
  auto const v = tcp_view::parse(segment, source, destination);
  if (!v) return;
  auto const r = tcp_repr::parse(*v);
  if (r) t.on_segment(source, destination, *r, now);
}

// What the table sends by `now`, emitted as the IPv4 layer would.
void send_due(table& t, time_ns now) {
  std::array<std::byte, 1500> out{};
  while (auto const o = t.poll(now)) (void)o->segment.emit(out, o->source, o->destination);
}

// An application on a connection: reads what arrived, writes `data`, and
// half-closes or closes.
void use(table& t, std::size_t i, bytes data, bool close) {
  auto& c = t.at(i);
  std::array<std::byte, 512> in{};
  while (c.read(in) != 0) {
  }
  (void)c.write(data);
  if (close)
    c.close();
  else
    c.shutdown_write();
}

// NOLINTBEGIN(bugprone-easily-swappable-parameters): inputs in the order they arrive (above)

// A listening table: three segments from any peer, each followed by what is
// due, the application on whatever connection it accepts, and the timers.
[[gnu::used]] void tcp_passive_open(ipv4_address peer, bytes first, bytes second, bytes third, bytes data,
                                    bool close, time_ns now, time_ns later) {
  table t{{.secret = {.k0 = 1, .k1 = 2}, .listening = &port_80}};
  ipv4_address const us{{10, 0, 0, 2}};
  deliver(t, peer, us, first, now);
  send_due(t, now);
  deliver(t, peer, us, second, now);
  send_due(t, now);
  if (auto const i = t.accept()) use(t, *i, data, close);
  deliver(t, peer, us, third, later);
  send_due(t, later);
  send_due(t, t.next_deadline());
}

// A table that connects out: the peer's answers, the application, the timers.
[[gnu::used]] void tcp_active_open(std::uint16_t port, bytes first, bytes second, bytes data, bool close,
                                   time_ns now, time_ns later) {
  table t{{.secret = {.k0 = 3, .k1 = 4}}};
  ipv4_address const us{{10, 0, 0, 1}};
  ipv4_address const peer{{10, 0, 0, 2}};
  auto const i = t.connect({.address = us, .port = 0}, {.address = peer, .port = port}, now);
  send_due(t, now);
  deliver(t, peer, us, first, now);
  if (i) use(t, *i, data, close);
  send_due(t, now);
  deliver(t, peer, us, second, later);
  send_due(t, later);
  send_due(t, t.next_deadline());
}

// The switch under any fault plan and seed: a frame of any size and content
// from either port, then what each port receives by `later`.
[[gnu::used]] void sim_switch(sim::fault_plan plan, std::uint64_t seed, std::size_t from, bytes frame,
                              time_ns later) {
  static sim::network<2, 4> network;
  network.reset(plan, seed);
  (void)network.attach(0, mac_address{{0x02, 0, 0, 0, 0, 1}});
  (void)network.attach(1, mac_address{{0x02, 0, 0, 0, 0, 2}});
  sim::platform::time = 0;
  (void)network.send(from, frame);
  (void)network.send(from, frame);
  sim::platform::time = later;
  std::array<std::byte, sim::max_frame> out{};
  for (std::size_t port = 0; port < 2; ++port)
    while (network.receive(port, out) != 0) {
    }
  (void)network.next_delivery_after(later);
}

// A NIC that receives `frame` once, and sends anything.
struct one_frame_device {
  bytes frame;
  bool given = false;
  std::size_t receive(std::span<std::byte> rx) {
    if (given) return 0;
    given = true;
    std::size_t const n = std::min(frame.size(), rx.size());
    std::copy_n(frame.begin(), n, rx.begin());
    return n;
  }
  static bool transmit(bytes) { return true; }
  static mac_address mac() { return {}; }
};
struct panicking_system {
  [[noreturn]] static void panic(std::string_view) { std::abort(); }
};

// The recorder on any file name (or none), with a frame in and one out.
[[gnu::used]] void pcap_record(std::string_view path, bytes in, bytes out) {
  pcap_device<one_frame_device, sim::platform> recorder{one_frame_device{.frame = in}, path};
  panicking_system sys;
  recorder.init(sys);
  std::array<std::byte, 1514> rx{};
  while (recorder.receive(rx) != 0) {
  }
  (void)recorder.transmit(out);
}

// NOLINTEND(bugprone-easily-swappable-parameters)

}  // namespace
