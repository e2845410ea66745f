// Whole strata systems on one simulated network: the sim::nic component,
// the scheduler, and raw Ethernet frames between hosts, with and without
// faults.
#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <strata/app.hpp>
#include <strata/clock.hpp>
#include <strata/console.hpp>
#include <strata/core/describe.hpp>
#include <strata/core/manifest.hpp>
#include <strata/core/runtime.hpp>
#include <strata/core/system.hpp>
#include <strata/net/sim/network.hpp>
#include <strata/net/sim/nic.hpp>
#include <strata/net/sim/platform.hpp>
#include <strata/net/sim/scheduler.hpp>
#include <strata/timers.hpp>

#include "frames.hpp"

namespace {

using namespace strata;
using namespace strata::literals;
using namespace strata::net::literals;
using namespace strata::sim_test;
namespace sim = strata::net::sim;
using platform = sim::platform;

template <auto const& Description>
using host = runtime_system<platform, std::remove_cvref_t<decltype(Description)>>;

constexpr auto mac_a = "02:00:00:00:00:0a"_mac;
constexpr auto mac_b = "02:00:00:00:00:0b"_mac;

// Sends a raw frame to `to` every `period`, numbered from 0; exits after
// `count` frames (never, if 0).
struct sender {
  mac_address to{};
  time_ns period = 10_ms;
  std::uint32_t count = 0;
  using needs = caps<cap::Timer, cap::NetDevice>;

  void start(auto& sys) { timer = sys.timers.every(period); }
  void on_timer(auto& sys, timer_id id) {
    if (id != timer) return;
    auto& nic = sys.template get<cap::NetDevice>();
    auto const frame = make_frame(to, nic.mac(), sent);
    if (nic.transmit(frame)) ++sent;
    if (count != 0 && sent == count) sys.exit(0);
  }

  timer_id timer{};
  std::uint32_t sent = 0;
};

struct arrival {
  time_ns at;
  bytes frame;
  friend bool operator==(arrival const&, arrival const&) = default;
};

// Reads every frame its NIC has, records it, and exits after `expect`.
struct counter {
  std::uint32_t expect = 0;
  using needs = caps<cap::Clock, cap::Console, cap::NetDevice>;

  void poll(auto& sys, time_ns now) {
    auto& nic = sys.template get<cap::NetDevice>();
    std::array<std::byte, sim::max_frame> buf{};
    while (auto const n = nic.receive(buf)) {
      if (log != nullptr) log->push_back({now, bytes(buf.begin(), buf.begin() + n)});
      if (++received == expect) {
        sys.console.write("counter: done\n");
        sys.exit(0);
        return;
      }
    }
  }

  std::vector<arrival>* log = nullptr;
  std::uint32_t received = 0;
};

// The network the descriptions below plug into: static, so a constexpr
// description can hold its address.
sim::network<2> wire;

constexpr auto sending = strata::system(monotonic_clock{}, timers<2>{}, sim::nic{.port = wire.port(0), .mac = mac_a},
                                        app<sender>{{.to = mac_b, .count = 60}});
constexpr auto counting = strata::system(serial_console{}, monotonic_clock{},
                                         sim::nic{.port = wire.port(1), .mac = mac_b}, app<counter>{{.expect = 50}});

TEST_CASE("sim::nic is a NetDevice component whose configuration describe() shows at compile time") {
  static_assert(std::is_same_v<sim::nic::provides, caps<cap::NetDevice>>);
  static_assert(std::is_same_v<sim::nic::needs, caps<>>);
  static_assert(sim::nic::name == "sim::nic");
  static_assert(NetDevice<sim::nic_device>);
  static_assert(sim::nic_device::mtu == 1500);
  constexpr auto text = strata::describe(counting);
  constexpr std::string_view shown = "sim::nic\n       provides: NetDevice\n       config:   port = 1, mac = 02:00:00:00:00:0b";
  static_assert(text.view().find(shown) != std::string_view::npos);
  // No VM device: the wire is in the process (sending has no console either).
  std::size_t devices = 0;
  manifest_of(sending).for_each([&](device) { ++devices; });
  CHECK(devices == 0);
  CHECK(manifest_of(counting).has(device::serial_port));
}

TEST_CASE("two hosts exchange raw frames through the scheduler: every frame, in order, on time") {
  platform::reset();
  wire.reset();
  host<sending> a{sending};
  host<counting> b{counting};
  std::vector<arrival> log;
  b.component<app<counter>>().log = &log;

  auto const end = sim::run_until(wire, 10_s, a, b);
  // b stops at its 50th frame (sent at 500 ms), a after its 60th (600 ms).
  CHECK(end == 600_ms);
  CHECK(a.stopped());
  CHECK(b.stopped());
  CHECK(b.exit_code() == 0);
  REQUIRE(log.size() == 50);
  for (std::uint32_t i = 0; i < log.size(); ++i) {
    CHECK(seq_of(log[i].frame) == i);
    CHECK(log[i].at == (i + 1) * 10_ms);  // no delay: received the instant it was sent
    CHECK(log[i].frame == make_frame(mac_b, mac_a, i));
  }
  CHECK(platform::log == "counter: done\n");
  CHECK(wire.counters().sent == 60);
  CHECK(wire.counters().delivered == 50);
  CHECK(wire.pending(1) == 10);  // what arrived after b stopped waits, unread
}

// The faulty runs: 200 frames expected by a host that exits, from one that
// never does, through every fault.
constexpr auto sending_forever = strata::system(monotonic_clock{}, timers<2>{},
                                                sim::nic{.port = wire.port(0), .mac = mac_a},
                                                app<sender>{{.to = mac_b, .period = 1_ms}});
constexpr auto counting_200 = strata::system(serial_console{}, monotonic_clock{},
                                             sim::nic{.port = wire.port(1), .mac = mac_b},
                                             app<counter>{{.expect = 200}});

std::pair<std::vector<arrival>, time_ns> faulty_run(std::uint64_t seed) {
  platform::reset();
  wire.reset({.loss = sim::percent(10), .duplicate = sim::percent(5), .reorder = sim::percent(10),
              .corrupt = sim::percent(5), .delay = 2_ms, .jitter = 3_ms},
             seed);
  host<sending_forever> a{sending_forever};
  host<counting_200> b{counting_200};
  std::vector<arrival> log;
  b.component<app<counter>>().log = &log;
  auto const end = sim::run_until(wire, 10_s, a, b);
  CHECK_FALSE(a.stopped());
  CHECK(b.stopped());
  CHECK(end == 10_s);  // a kept sending until the end; the frames piling up at b did not stall time
  CHECK(a.component<app<sender>>().sent == 10'000);
  return {log, b.component<app<counter>>().received == 200 ? log.back().at : never};
}

TEST_CASE("two hosts under every fault: losses, copies and flips arrive as the counters say") {
  auto const [log, done] = faulty_run(42);
  REQUIRE(log.size() == 200);
  auto const& c = wire.counters();
  CHECK(c.lost > 0);
  CHECK(c.duplicated > 0);
  CHECK(c.corrupted > 0);
  // Lost frames shift the 200th arrival past frame 200: ~10% loss, +5% copies.
  CHECK(done > 200_ms);
  CHECK(done < 260_ms);
  std::size_t intact = 0;
  for (auto const& a : log) {
    // Each arrival is some frame sent (perhaps with one bit flipped), at
    // least `delay` after it left.
    // A flip may have hit the sequence number: try each one-bit neighbour.
    auto const seen = seq_of(a.frame);
    std::size_t d = bit_distance(make_frame(mac_b, mac_a, seen), a.frame);
    std::uint32_t s = seen;
    for (int k = 0; k < 32 && d != 0; ++k)
      if (bit_distance(make_frame(mac_b, mac_a, seen ^ (1U << k)), a.frame) < d) {
        s = seen ^ (1U << k);
        d = bit_distance(make_frame(mac_b, mac_a, s), a.frame);
      }
    CHECK(d <= 1);
    CHECK(s < 10'000);
    if (d == 0) ++intact;
    CHECK(a.at >= (s + 1) * 1_ms + 2_ms);  // sent at (s + 1) ms, never sooner than the delay
  }
  CHECK(intact > 150);
}

TEST_CASE("a faulty two-host run is reproduced exactly by its seed") {
  auto const first = faulty_run(42);
  auto const again = faulty_run(42);
  auto const other = faulty_run(43);
  CHECK(first.first == again.first);
  CHECK(first.second == again.second);
  CHECK(first.first != other.first);
}

// A frame sent from start(): the scheduler plugs in every NIC before it
// boots any host, so the host booted second still hears the first.
struct greeter {
  using needs = caps<cap::NetDevice>;
  void start(auto& sys) {
    auto& nic = sys.template get<cap::NetDevice>();
    (void)nic.transmit(make_frame(mac_address::broadcast(), nic.mac(), 0xfeed));
    sys.exit(0);
  }
};
sim::network<2> lan;
constexpr auto greeting = strata::system(sim::nic{.port = lan.port(0), .mac = mac_a}, app<greeter>{});
constexpr auto listening = strata::system(serial_console{}, monotonic_clock{},
                                          sim::nic{.port = lan.port(1), .mac = mac_b}, app<counter>{{.expect = 1}});

TEST_CASE("a frame sent from the first host's start() reaches a host booted after it") {
  platform::reset();
  lan.reset();
  host<greeting> a{greeting};
  host<listening> b{listening};
  std::vector<arrival> log;
  b.component<app<counter>>().log = &log;
  CHECK(sim::run_until(lan, 1_s, a, b) == 0);
  REQUIRE(log.size() == 1);
  CHECK(seq_of(log[0].frame) == 0xfeed);
  CHECK(b.stopped());
}

// Two hosts that answer every frame at once, on a network with no delay:
// an endless exchange at one instant. The scheduler must still move time.
struct echoer {
  bool serve = false;  // the first to speak
  using needs = caps<cap::NetDevice>;
  void start(auto& sys) {
    if (!serve) return;
    auto& nic = sys.template get<cap::NetDevice>();
    (void)nic.transmit(make_frame(mac_address::broadcast(), nic.mac(), 0));
  }
  void poll(auto& sys, time_ns) {
    auto& nic = sys.template get<cap::NetDevice>();
    std::array<std::byte, sim::max_frame> buf{};
    while (nic.receive(buf) != 0) {
      (void)nic.transmit(make_frame(mac_address::broadcast(), nic.mac(), seq_of(buf) + 1));
      ++echoed;
    }
  }
  std::uint32_t echoed = 0;
};
constexpr auto ping = strata::system(sim::nic{.port = lan.port(0), .mac = mac_a}, app<echoer>{{.serve = true}});
constexpr auto pong = strata::system(sim::nic{.port = lan.port(1), .mac = mac_b}, app<echoer>{});

TEST_CASE("a zero-delay exchange that never ends does not stop time") {
  platform::reset();
  lan.reset();
  host<ping> a{ping};
  host<pong> b{pong};
  CHECK(sim::run_until(lan, 50_us, a, b) == 50_us);
  auto const exchanged = a.component<app<echoer>>().echoed + b.component<app<echoer>>().echoed;
  // At most same_instant_limit rounds per microsecond, one echo per host per round.
  CHECK(exchanged > 50);
  CHECK(exchanged <= std::size_t{2} * (50 + 1) * sim::same_instant_limit);
}

TEST_CASE("resume_until continues a run, and changing the fault plan in between takes effect") {
  platform::reset();
  wire.reset();
  host<sending_forever> a{sending_forever};
  host<counting_200> b{counting_200};
  auto& got = b.component<app<counter>>().received;
  CHECK(sim::run_until(wire, 50_ms, a, b) == 50_ms);
  CHECK(got == 50);
  wire.set_faults({.loss = sim::one_million});  // cut the cable
  CHECK(sim::resume_until(wire, 100_ms, a, b) == 100_ms);
  CHECK(got == 50);
  CHECK(wire.counters().lost == 50);
  wire.set_faults({});  // and mend it
  CHECK(sim::resume_until(wire, 150_ms, a, b) == 150_ms);
  CHECK(got == 100);
  CHECK_FALSE(b.stopped());
}

TEST_CASE("with nothing left to happen, the clock jumps to the end") {
  platform::reset();
  lan.reset();
  host<greeting> a{greeting};
  host<pong> b{pong};  // answers the greeting once; then no host has a deadline and nothing is in flight
  CHECK(sim::run_until(lan, 3_s, a, b) == 3_s);
  CHECK(b.component<app<echoer>>().echoed == 1);
  CHECK(lan.counters().sent == 2);
}

}  // namespace
