// DHCP on the simulated network: a strata host with strata::net::dhcp gets
// its address from a small DHCP server written here (a UDP service on port
// 67 of a statically addressed strata host), answers UDP there, renews at
// T1 and keeps its address; and the same under loss, duplication,
// reordering, corruption and jitter.
#include <doctest/doctest.h>

#include <array>
#include <string_view>

#include <strata/clock.hpp>
#include <strata/core/runtime.hpp>
#include <strata/net/dhcp/service.hpp>
#include <strata/net/sim/network.hpp>
#include <strata/net/sim/nic.hpp>
#include <strata/net/sim/platform.hpp>
#include <strata/net/sim/scheduler.hpp>
#include <strata/net/udp/service.hpp>

namespace {

using namespace strata;
using namespace strata::net;
using namespace strata::literals;
using namespace strata::net::literals;

constexpr ipv4_address offered{{10, 0, 0, 50}};
constexpr ipv4_address server_ip{{10, 0, 0, 1}};
constexpr std::uint32_t lease_seconds = 60;

sim::network<2> wire;

// Offers 10.0.0.50/24 to whoever asks, acknowledges requests for it.
struct dhcp_server {
  int offers = 0, acks = 0;
  void on_datagram(auto& udp, datagram const& d) {
    auto const view = dhcp_view::parse(d.payload);
    if (!view) return;
    auto const m = dhcp_repr::parse(*view);
    if (!m || m->op != dhcp_op::request) return;
    dhcp_message_type type{};
    if (m->message_type == dhcp_message_type::discover) {
      type = dhcp_message_type::offer;
      ++offers;
    } else if (m->message_type == dhcp_message_type::request) {
      type = dhcp_message_type::ack;
      ++acks;
    } else {
      return;
    }
    dhcp_repr const reply{.op = dhcp_op::reply,
                          .message_type = type,
                          .xid = m->xid,
                          .broadcast = m->broadcast,
                          .yiaddr = offered,
                          .chaddr = m->chaddr,
                          .server_identifier = server_ip,
                          .subnet_mask = ipv4_address{{255, 255, 255, 0}},
                          .router = server_ip,
                          .lease_time = lease_seconds};
    std::array<std::byte, 576> out{};
    auto const n = reply.emit(out);
    if (!n) return;
    // Broadcast when asked to (the client has no address yet), else to the client.
    ipv4_address const to = m->broadcast || m->ciaddr.is_unspecified() ? ipv4_address::broadcast() : m->ciaddr;
    udp.send_to({to, dhcp_client_port}, std::span{out}.first(*n));
  }
};

// What the client serves once it has an address.
struct echo {
  void on_datagram(auto& udp, datagram const& d) { udp.send_to(d.from, d.payload); }
};

// Asks 10.0.0.50:7 every 100 ms until an echo comes back.
struct prober {
  int echoes = 0;
  time_ns next = 0;
  void on_datagram(auto&, datagram const& d) {
    if (d.from == endpoint{.address = offered, .port = 7} && d.payload.size() == 5) ++echoes;
  }
  void poll(auto& sys, time_ns now) {
    if (echoes > 0 || now < next) return;
    next = now + 100'000'000;
    constexpr std::array<std::byte, 5> probe{std::byte{'p'}, std::byte{'r'}, std::byte{'o'}, std::byte{'b'},
                                             std::byte{'e'}};
    (void)net::socket<5000>(sys).send_to({offered, 7}, probe);
  }
  time_ns next_deadline() const { return echoes > 0 ? never : next; }
};

constexpr auto server = strata::system(monotonic_clock{}, sim::nic{.port = wire.port(0), .mac = "02:00:00:00:00:01"_mac},
                                       net::ipv4{.address = "10.0.0.1/24"}, udp_service<dhcp_server, 67>{},
                                       udp_service<prober, 5000>{});
constexpr auto client = strata::system(monotonic_clock{}, sim::nic{.port = wire.port(1), .mac = "02:00:00:00:00:02"_mac},
                                       net::ipv4{}, net::dhcp{.seed = 7}, udp_service<echo, 7>{});
using server_t = runtime_system<sim::platform, std::remove_cvref_t<decltype(server)>>;
using client_t = runtime_system<sim::platform, std::remove_cvref_t<decltype(client)>>;

TEST_CASE("DHCP: the client is configured with the offered lease and serves on it") {
  sim::platform::reset();
  wire.reset({.delay = 100_us}, 1);
  server_t srv{server};
  client_t cli{client};
  sim::run_until(wire, 2_s, srv, cli);
  auto const& ip = cli.get<cap::IpLayer>();
  CHECK(ip.configured());
  CHECK(ip.interface() == ipv4_interface{offered, 24});
  CHECK(ip.gateway() == server_ip);
  auto const& c = cli.component<net::dhcp>().client();
  CHECK(c.state() == dhcp_state::bound);
  CHECK(c.counters().sent == 2);  // one DISCOVER, one REQUEST: nothing was lost
  auto const& s = srv.component<udp_service<dhcp_server, 67>>().handler;
  CHECK(s.offers == 1);
  CHECK(s.acks == 1);
  CHECK(srv.component<udp_service<prober, 5000>>().handler.echoes >= 1);  // it answers on its new address

  // The run-time describe shows the lease and the counters.
  char text[2048]{};
  text_writer w{text, sizeof text};
  cli.describe_state_to(w);
  std::string_view const state{text, w.size()};
  CAPTURE(state);
  CHECK(state.find("ipv4: 10.0.0.50/24 gateway 10.0.0.1\n    ethernet: received ") != std::string_view::npos);
  CHECK(state.find("\n    udp: received ") != std::string_view::npos);
  CHECK(state.find("dhcp: dhcp bound 10.0.0.50/24 router 10.0.0.1") != std::string_view::npos);
}

TEST_CASE("DHCP: renewal at T1 keeps the address, by unicast to the server") {
  sim::platform::reset();
  wire.reset({.delay = 100_us}, 1);
  server_t srv{server};
  client_t cli{client};
  sim::run_until(wire, 200_s, srv, cli);  // T1 = 30 s: several renewals
  auto const& c = cli.component<net::dhcp>().client();
  CHECK(c.state() == dhcp_state::bound);
  CHECK(cli.get<cap::IpLayer>().interface() == ipv4_interface{offered, 24});
  auto const& s = srv.component<udp_service<dhcp_server, 67>>().handler;
  CHECK(s.offers == 1);
  CHECK(s.acks >= 6);  // the first ACK, then one per T1 (30 s) over 200 s
  CHECK(c.counters().sent == static_cast<std::uint64_t>(1 + s.acks));
}

TEST_CASE("DHCP under loss, duplication, reordering, corruption and jitter: bound within the retries") {
  sim::fault_plan const faults{.loss = sim::percent(10), .duplicate = sim::percent(5), .reorder = sim::percent(5),
                               .corrupt = sim::percent(5), .delay = 100_us, .jitter = 2_ms};
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    CAPTURE(seed);
    sim::platform::reset();
    wire.reset(faults, seed);
    server_t srv{server};
    client_t cli{client};
    sim::run_until(wire, 180_s, srv, cli);
    CHECK(cli.get<cap::IpLayer>().interface() == ipv4_interface{offered, 24});
    CHECK(cli.component<net::dhcp>().client().bound());

  }
}

}  // namespace
