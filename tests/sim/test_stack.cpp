// The network stack end to end on the simulated network: ARP and ping from a
// host that speaks raw frames, and UDP echo between two strata stacks; each
// also under loss, duplication, reordering, corruption, delay and jitter.
#include <doctest/doctest.h>

#include <array>
#include <bitset>
#include <cstring>

#include <strata/net/sim/network.hpp>
#include <strata/net/sim/nic.hpp>
#include <strata/net/sim/platform.hpp>
#include <strata/net/sim/scheduler.hpp>
#include <strata/app.hpp>
#include <strata/clock.hpp>
#include <strata/core/runtime.hpp>
#include <strata/net/udp/service.hpp>
#include <strata/timers.hpp>

namespace {

using namespace strata;
using namespace strata::net;
using namespace strata::literals;
using namespace strata::net::literals;

constexpr mac_address client_mac = "02:00:00:00:00:01"_mac;
constexpr mac_address server_mac = "02:00:00:00:00:02"_mac;
constexpr ipv4_address client_ip{{10, 0, 0, 1}};
constexpr ipv4_address server_ip{{10, 0, 0, 2}};

sim::network<2> wire;

// --- the server: strata's stack with a UDP echo service ---------------------
struct echo {
  void on_datagram(auto& udp, datagram const& d) { udp.send_to(d.from, d.payload); }
};
constexpr auto server = strata::system(monotonic_clock{}, sim::nic{.port = wire.port(1), .mac = server_mac},
                                       net::ipv4{.address = "10.0.0.2/24"}, udp_service<echo, 7>{});
using server_t = runtime_system<sim::platform, std::remove_cvref_t<decltype(server)>>;

// --- a pinger made of raw frames: ARP for the server, then 20 echo requests ---
struct pinger {
  static constexpr int count = 20;
  using needs = caps<cap::NetDevice, cap::Timer>;
  mac_address server{};
  timer_id tick{};
  std::bitset<count> answered{};
  int sent = 0, bad_replies = 0;

  static void send(auto& nic, std::span<std::byte const> frame) { (void)nic.transmit(frame); }
  void ask_arp(auto& sys) {
    std::array<std::byte, 60> f{};
    (void)ethernet_repr{.destination = mac_address::broadcast(), .source = client_mac, .type = ethertype::arp}.emit(f);
    (void)arp_repr{.operation = arp_operation::request,
                   .sender_hardware = client_mac,
                   .sender_protocol = client_ip,
                   .target_protocol = server_ip}
        .emit(std::span{f}.subspan(14));
    send(sys.template get<cap::NetDevice>(), f);
  }
  void ping(auto& sys, std::uint16_t seq) {
    std::array<std::byte, 14 + 20 + 8 + 32> f{};
    std::array<std::byte, 32> data{};
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = std::byte(seq + i);
    (void)ethernet_repr{.destination = server, .source = client_mac, .type = ethertype::ipv4}.emit(f);
    (void)ipv4_repr{.source = client_ip,
                    .destination = server_ip,
                    .protocol = ip_protocol::icmp,
                    .identification = seq,
                    .payload_len = 40}
        .emit(std::span{f}.subspan(14));
    (void)icmp_repr::echo_request(0x5151, seq, data).emit(std::span{f}.subspan(34));
    send(sys.template get<cap::NetDevice>(), f);
  }
  void start(auto& sys) {
    ask_arp(sys);
    tick = sys.timers.every(20_ms);
  }
  void on_timer(auto& sys, timer_id) {
    if (server.is_zero()) return ask_arp(sys);  // lost: ask again
    for (int seq = 0; seq < count; ++seq)  // (re)send every unanswered one
      if (!answered[static_cast<std::size_t>(seq)]) {
        ping(sys, static_cast<std::uint16_t>(seq));
        ++sent;
      }
  }
  void poll(auto& sys, time_ns) {
    std::array<std::byte, 1514> rx{};
    while (std::size_t n = sys.template get<cap::NetDevice>().receive(rx)) {
      auto const eth = ethernet_view::parse(std::span<std::byte const>{rx.data(), n});
      if (!eth) continue;
      if (eth->ethertype() == ethertype::arp) {
        auto const v = arp_view::parse(eth->payload());
        if (v && v->operation() == arp_operation::reply && v->sender_protocol() == server_ip)
          server = v->sender_hardware();
        continue;
      }
      auto const ip = ipv4_view::parse(eth->payload());
      if (!ip || ip->protocol() != ip_protocol::icmp) continue;
      auto const icmp = icmp_view::parse(ip->payload());  // corrupted replies fail their checksums here
      if (!icmp) continue;
      auto const m = icmp_repr::parse(*icmp);
      if (!m || m->type != icmp_type::echo_reply || m->identifier != 0x5151 || m->sequence >= count) continue;
      bool intact = m->data.size() == 32;
      for (std::size_t i = 0; intact && i < 32; ++i) intact = m->data[i] == std::byte(m->sequence + i);
      if (!intact) ++bad_replies;
      answered[m->sequence] = true;
    }
    if (answered.all()) sys.exit(0);
  }
  static time_ns next_deadline() { return never; }
};
constexpr auto raw_client =
    strata::system(monotonic_clock{}, timers<2>{}, sim::nic{.port = wire.port(0), .mac = client_mac}, app<pinger>{});
using raw_client_t = runtime_system<sim::platform, std::remove_cvref_t<decltype(raw_client)>>;

// --- a UDP client on strata's stack: 50 numbered datagrams, resent until echoed ---
struct udp_client {
  static constexpr int count = 50;
  std::bitset<count> echoed{};
  int corrupted_echoes = 0;
  timer_id tick{};

  void send_missing(auto& sys) {
    auto udp = net::socket<5000>(sys);
    for (int i = 0; i < count; ++i) {
      if (echoed[static_cast<std::size_t>(i)]) continue;
      std::array<std::byte, 100> payload{};
      payload[0] = std::byte(i);
      for (std::size_t k = 1; k < payload.size(); ++k) payload[k] = std::byte(static_cast<std::size_t>(i) * 7 + k);
      udp.send_to({.address = server_ip, .port = 7}, payload);
    }
  }
  void start(auto& sys) {
    send_missing(sys);
    tick = sys.timers.every(50_ms);
  }
  void on_timer(auto& sys, timer_id) { send_missing(sys); }
  void on_datagram(auto& udp, datagram const& d) {
    if (d.from != endpoint{.address = server_ip, .port = 7} || d.payload.size() != 100) return;
    int const i = std::to_integer<int>(d.payload[0]);
    bool intact = i < count;
    for (std::size_t k = 1; intact && k < 100; ++k)
      intact = d.payload[k] == std::byte(static_cast<std::size_t>(i) * 7 + k);
    if (!intact) {
      ++corrupted_echoes;
      return;
    }
    echoed[static_cast<std::size_t>(i)] = true;
    if (echoed.all()) udp.system().exit(0);
  }
};
constexpr auto stack_client =
    strata::system(monotonic_clock{}, timers<2>{}, sim::nic{.port = wire.port(0), .mac = client_mac},
                   net::ipv4{.address = "10.0.0.1/24"}, udp_service<udp_client, 5000>{});
using stack_client_t = runtime_system<sim::platform, std::remove_cvref_t<decltype(stack_client)>>;

constexpr sim::fault_plan all_faults{.loss = sim::percent(5), .duplicate = sim::percent(5), .reorder = sim::percent(5),
                                   .corrupt = sim::percent(3), .delay = 1_ms, .jitter = 2_ms};

TEST_CASE("ARP and ping from raw frames: every echo request is answered with its data") {
  sim::platform::reset();
  wire.reset({.delay = 100_us}, 1);
  raw_client_t client{raw_client};
  server_t srv{server};
  sim::run_until(wire, 5_s, client, srv);
  auto const& p = client.component<app<pinger>>();
  REQUIRE(client.stopped());
  CHECK(p.server == server_mac);
  CHECK(p.sent == pinger::count);  // nothing needed resending
  CHECK(p.bad_replies == 0);
  auto const& c = srv.get<cap::IpLayer>().counters();
  CHECK(c.icmp.sent == pinger::count);
  CHECK(c.arp.received >= 1);
}

TEST_CASE("ARP and ping under loss, duplication, reordering, corruption and jitter") {
  for (std::uint64_t seed : {7U, 8U, 9U}) {
    CAPTURE(seed);
    sim::platform::reset();
    wire.reset(all_faults, seed);
    raw_client_t client{raw_client};
    server_t srv{server};
    sim::run_until(wire, 30_s, client, srv);
    REQUIRE(client.stopped());
    CHECK(client.component<app<pinger>>().bad_replies == 0);  // corruption is caught by checksums
  }
}

TEST_CASE("UDP echo between two stacks: 50 datagrams, byte-exact") {
  sim::platform::reset();
  wire.reset({.delay = 100_us}, 1);
  stack_client_t client{stack_client};
  server_t srv{server};
  sim::run_until(wire, 5_s, client, srv);
  REQUIRE(client.stopped());
  CHECK(client.exit_code() == 0);
  auto const& s = srv.get<cap::IpLayer>().counters();
  CHECK(s.udp.received >= udp_client::count);
  CHECK(s.udp.sent == s.udp.received);
  CHECK(s.ipv4.drops() == 0);
}

TEST_CASE("UDP echo under faults: resends until every datagram is echoed intact, and corruption is counted") {
  std::uint64_t corrupted_seen = 0;
  std::uint64_t corrupted_sent = 0;
  for (std::uint64_t seed : {1U, 2U, 3U, 4U}) {
    CAPTURE(seed);
    sim::platform::reset();
    wire.reset(all_faults, seed);
    stack_client_t client{stack_client};
    server_t srv{server};
    sim::run_until(wire, 60_s, client, srv);
    REQUIRE(client.stopped());
    CHECK(client.component<udp_service<udp_client, 5000>>().handler.corrupted_echoes == 0);
    auto const& s = srv.get<cap::IpLayer>().counters();
    auto const& c = client.get<cap::IpLayer>().counters();
    corrupted_seen += s.ethernet.drops() + s.ipv4.drops() + s.udp.drops() + c.ethernet.drops() + c.ipv4.drops() +
                      c.udp.drops() + s.arp.drops() + c.arp.drops();
    corrupted_sent += wire.counters().corrupted;
  }
  CHECK(corrupted_sent > 0);
  CHECK(corrupted_seen > 0);  // the stacks saw and dropped damaged frames
}

TEST_CASE("the same seed replays the same run") {
  auto run = [](std::uint64_t seed) {
    sim::platform::reset();
    wire.reset(all_faults, seed);
    stack_client_t client{stack_client};
    server_t srv{server};
    time_ns const end = sim::run_until(wire, 60_s, client, srv);
    auto const& c = srv.get<cap::IpLayer>().counters();
    return std::array<std::uint64_t, 4>{end, c.udp.received, c.ethernet.received, wire.counters().lost};
  };
  CHECK(run(11) == run(11));
}

}  // namespace
