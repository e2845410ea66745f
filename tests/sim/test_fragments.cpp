// Fragments end to end on the simulated network: 4000-byte UDP echoes
// between two strata stacks and 3000-byte pings from a host that speaks raw
// frames (it fragments its requests and reassembles the replies with
// net/ipv4/reassembly.hpp) to a strata stack; each clean, with exact
// counters, and under loss, duplication, reordering, corruption, delay and
// jitter, the clients resending until every answer came back intact.
#include <doctest/doctest.h>

#include <array>
#include <bitset>

#include <strata/app.hpp>
#include <strata/clock.hpp>
#include <strata/core/runtime.hpp>
#include <strata/net/ipv4/reassembly.hpp>
#include <strata/net/sim/network.hpp>
#include <strata/net/sim/nic.hpp>
#include <strata/net/sim/platform.hpp>
#include <strata/net/sim/scheduler.hpp>
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

// --- the server: strata's stack, default ipv4 (2 reassembly slots of 4096), UDP echo ---
struct echo {
  void on_datagram(auto& udp, datagram const& d) { udp.send_to(d.from, d.payload); }
};
constexpr auto server = strata::system(monotonic_clock{}, sim::nic{.port = wire.port(1), .mac = server_mac},
                                       net::ipv4{.address = "10.0.0.2/24"}, udp_service<echo, 7>{});
using server_t = runtime_system<sim::platform, std::remove_cvref_t<decltype(server)>>;

constexpr std::byte fill(std::size_t i, std::size_t k) { return std::byte((i * 31 + k * 7 + k / 253) & 0xff); }

// --- a UDP client on strata's stack: 5 datagrams of 4000 bytes, resent until echoed ---
struct big_udp_client {
  static constexpr int count = 5;
  static constexpr std::size_t size = 4000;
  std::bitset<count> echoed{};
  int corrupted_echoes = 0;
  int sends = 0;
  timer_id tick{};

  void send_missing(auto& sys) {
    auto udp = net::socket<5000>(sys);
    std::array<std::byte, size> payload{};
    for (std::size_t i = 0; i < count; ++i) {
      if (echoed[i]) continue;
      payload[0] = std::byte(i);
      for (std::size_t k = 1; k < size; ++k) payload[k] = fill(i, k);
      ++sends;
      udp.send_to({server_ip, 7}, payload);
    }
  }
  void start(auto& sys) {
    send_missing(sys);
    tick = sys.timers.every(100_ms);
  }
  void on_timer(auto& sys, timer_id) { send_missing(sys); }
  void on_datagram(auto& udp, datagram const& d) {
    if (d.from != endpoint{.address = server_ip, .port = 7} || d.payload.size() != size) return;
    auto const i = std::to_integer<std::size_t>(d.payload[0]);
    bool intact = i < count;
    for (std::size_t k = 1; intact && k < size; ++k) intact = d.payload[k] == fill(i, k);
    if (!intact) {
      ++corrupted_echoes;
      return;
    }
    echoed[i] = true;
    if (echoed.all()) udp.system().exit(0);
  }
};
constexpr auto udp_client =
    strata::system(monotonic_clock{}, timers<2>{}, sim::nic{.port = wire.port(0), .mac = client_mac},
                   net::ipv4{.address = "10.0.0.1/24"}, udp_service<big_udp_client, 5000>{});
using udp_client_t = runtime_system<sim::platform, std::remove_cvref_t<decltype(udp_client)>>;

// --- a pinger made of raw frames: 5 pings of 3000 data bytes, in 3 fragments each ---
struct big_pinger {
  static constexpr int count = 5;
  static constexpr std::size_t data_len = 3000;
  static constexpr std::size_t message_len = 8 + data_len;  // 3008: 1480 + 1480 + 48
  using needs = caps<cap::NetDevice, cap::Timer>;
  mac_address server{};
  timer_id tick{};
  std::bitset<count> answered{};
  int sent = 0, bad_replies = 0;
  std::uint16_t next_id = 1;
  reassembler<2, 4096> replies{};

  void ask_arp(auto& sys) {
    std::array<std::byte, 60> f{};
    (void)ethernet_repr{.destination = mac_address::broadcast(), .source = client_mac, .type = ethertype::arp}.emit(f);
    (void)arp_repr{.operation = arp_operation::request,
                   .sender_hardware = client_mac,
                   .sender_protocol = client_ip,
                   .target_protocol = server_ip}
        .emit(std::span{f}.subspan(14));
    (void)sys.template get<cap::NetDevice>().transmit(f);
  }
  // One echo request as three fragments, a fresh IP identification each time.
  void ping(auto& sys, std::uint16_t seq) {
    std::array<std::byte, data_len> data{};
    for (std::size_t k = 0; k < data_len; ++k) data[k] = fill(seq, k);
    std::array<std::byte, message_len> message{};
    (void)icmp_repr::echo_request(0x5252, seq, data).emit(message);
    std::uint16_t const id = next_id++;
    for (std::size_t at = 0; at < message_len; at += 1480) {
      std::size_t const len = std::min<std::size_t>(1480, message_len - at);
      std::array<std::byte, 1514> f{};
      (void)ethernet_repr{.destination = server, .source = client_mac, .type = ethertype::ipv4}.emit(f);
      (void)ipv4_repr{.source = client_ip,
                      .destination = server_ip,
                      .protocol = ip_protocol::icmp,
                      .identification = id,
                      .more_fragments = at + len < message_len,
                      .fragment_offset = static_cast<std::uint16_t>(at),
                      .payload_len = len}
          .emit(std::span{f}.subspan(14));
      std::copy_n(message.begin() + static_cast<std::ptrdiff_t>(at), len, f.begin() + 34);
      (void)sys.template get<cap::NetDevice>().transmit(std::span{f}.first(34 + len));
    }
  }
  void start(auto& sys) {
    ask_arp(sys);
    tick = sys.timers.every(20_ms);
  }
  void on_timer(auto& sys, timer_id) {
    if (server.is_zero()) return ask_arp(sys);
    for (int seq = 0; seq < count; ++seq)
      if (!answered[static_cast<std::size_t>(seq)]) {
        ping(sys, static_cast<std::uint16_t>(seq));
        ++sent;
      }
  }
  void on_reply(std::span<std::byte const> icmp_bytes) {
    auto const icmp = icmp_view::parse(icmp_bytes);  // corrupted data fails the checksum over all 3008 bytes
    if (!icmp) return;
    auto const m = icmp_repr::parse(*icmp);
    if (!m || m->type != icmp_type::echo_reply || m->identifier != 0x5252 || m->sequence >= count) return;
    bool intact = m->data.size() == data_len;
    for (std::size_t k = 0; intact && k < data_len; ++k) intact = m->data[k] == fill(m->sequence, k);
    if (!intact) ++bad_replies;
    answered[m->sequence] = true;
  }
  void poll(auto& sys, time_ns now) {
    replies.expire(now);
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
      if (!ip || ip->protocol() != ip_protocol::icmp || ip->source() != server_ip) continue;
      if (!ip->is_fragment()) {
        on_reply(ip->payload());
        continue;
      }
      if (replies.receive(*ip, now).status == reassembly_status::complete) on_reply(replies.completed().payload);
    }
    if (answered.all()) sys.exit(0);
  }
  time_ns next_deadline() const { return replies.next_deadline(); }
};
constexpr auto raw_pinger =
    strata::system(monotonic_clock{}, timers<2>{}, sim::nic{.port = wire.port(0), .mac = client_mac}, app<big_pinger>{});
using raw_pinger_t = runtime_system<sim::platform, std::remove_cvref_t<decltype(raw_pinger)>>;

constexpr sim::fault_plan all_faults{.loss = sim::percent(5), .duplicate = sim::percent(5), .reorder = sim::percent(5),
                                     .corrupt = sim::percent(3), .delay = 1_ms, .jitter = 2_ms};

TEST_CASE("4000-byte UDP echo between two stacks: reassembled, echoed in fragments, byte-exact") {
  sim::platform::reset();
  wire.reset({.delay = 100_us}, 1);
  udp_client_t client{udp_client};
  server_t srv{server};
  sim::run_until(wire, 5_s, client, srv);
  REQUIRE(client.stopped());
  CHECK(client.exit_code() == 0);
  auto const& app = client.component<udp_service<big_udp_client, 5000>>().handler;
  CHECK(app.corrupted_echoes == 0);
  // At start ARP is unresolved: datagram 0's three fragments wait, the
  // other four find no room for all of theirs and are dropped whole; the
  // timer resends them 100 ms later.
  CHECK(app.sends == 5 + 4);
  auto const& c = client.get<cap::IpLayer>().counters();
  CHECK(c.ipv4.count(drop_reason::queue_full) == 4);
  CHECK(c.fragmented == 5);
  CHECK(c.ipv4.sent == 15);
  CHECK(c.reassembled == 5);
  auto const& s = srv.get<cap::IpLayer>().counters();
  CHECK(s.ipv4.received == 15);
  CHECK(s.reassembled == 5);
  CHECK(s.udp.received == 5);
  CHECK(s.udp.sent == 5);
  CHECK(s.fragmented == 5);
  CHECK(s.ipv4.sent == 15);
  CHECK(s.ipv4.drops() == 0);
  CHECK(s.udp.drops() == 0);
  CHECK(srv.get<cap::IpLayer>().reassembling() == 0);
}

TEST_CASE("3000-byte pings from raw frames: reassembled by the stack, answered in fragments, data intact") {
  sim::platform::reset();
  wire.reset({.delay = 100_us}, 1);
  raw_pinger_t client{raw_pinger};
  server_t srv{server};
  sim::run_until(wire, 5_s, client, srv);
  REQUIRE(client.stopped());
  auto const& p = client.component<app<big_pinger>>();
  CHECK(p.sent == big_pinger::count);  // every one answered the first time
  CHECK(p.bad_replies == 0);
  auto const& s = srv.get<cap::IpLayer>().counters();
  CHECK(s.ipv4.received == 3 * std::uint64_t{big_pinger::count});
  CHECK(s.reassembled == big_pinger::count);
  CHECK(s.icmp.received == big_pinger::count);
  CHECK(s.icmp.sent == big_pinger::count);
  CHECK(s.fragmented == big_pinger::count);
  CHECK(s.ipv4.sent == 3 * std::uint64_t{big_pinger::count});
  CHECK(s.ipv4.drops() == 0);
}

TEST_CASE("4000-byte UDP echo under faults: resent until every datagram comes back intact") {
  std::uint64_t duplicates = 0;
  std::uint64_t lost_datagrams = 0;
  std::uint64_t damaged = 0;
  for (std::uint64_t seed : {1U, 2U, 3U, 4U}) {
    CAPTURE(seed);
    sim::platform::reset();
    wire.reset(all_faults, seed);
    udp_client_t client{udp_client};
    server_t srv{server};
    sim::run_until(wire, 120_s, client, srv);
    REQUIRE(client.stopped());
    CHECK(client.component<udp_service<big_udp_client, 5000>>().handler.corrupted_echoes == 0);
    for (auto const* c : {&srv.get<cap::IpLayer>().counters(), &client.get<cap::IpLayer>().counters()}) {
      duplicates += c->ipv4.count(drop_reason::fragment_duplicate);
      lost_datagrams += c->ipv4.count(drop_reason::reassembly_evicted) + c->ipv4.count(drop_reason::reassembly_timeout);
      // Flipped data bits pass IPv4 (its checksum covers the header) and are caught by UDP's over the whole datagram.
      damaged += c->udp.count(parse_error::bad_checksum) + c->ipv4.count(drop_reason::fragment_overlap);
    }
  }
  CHECK(duplicates > 0);
  CHECK(lost_datagrams > 0);
  CHECK(damaged > 0);
}

TEST_CASE("3000-byte pings under faults: resent until every one is answered intact") {
  std::uint64_t reassembled = 0;
  for (std::uint64_t seed : {7U, 8U, 9U}) {
    CAPTURE(seed);
    sim::platform::reset();
    wire.reset(all_faults, seed);
    raw_pinger_t client{raw_pinger};
    server_t srv{server};
    sim::run_until(wire, 60_s, client, srv);
    REQUIRE(client.stopped());
    auto const& p = client.component<app<big_pinger>>();
    CHECK(p.bad_replies == 0);  // corruption is caught by the checksums
    CHECK(p.sent > big_pinger::count);  // something had to be resent
    reassembled += srv.get<cap::IpLayer>().counters().reassembled;
  }
  CHECK(reassembled >= 3 * std::uint64_t{big_pinger::count});
}

TEST_CASE("the same seed replays the same fragmented run") {
  auto run = [](std::uint64_t seed) {
    sim::platform::reset();
    wire.reset(all_faults, seed);
    udp_client_t client{udp_client};
    server_t srv{server};
    time_ns const end = sim::run_until(wire, 120_s, client, srv);
    auto const& c = srv.get<cap::IpLayer>().counters();
    return std::array<std::uint64_t, 5>{end, c.ipv4.received, c.reassembled,
                                        c.ipv4.count(drop_reason::fragment_duplicate), wire.counters().lost};
  };
  CHECK(run(5) == run(5));
}

}  // namespace
