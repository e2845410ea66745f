// TCP through whole stacks on the simulated network: a client app opens a
// connection (tcp layer's connect) to an echo service, streams a payload,
// half-closes, and must read back exactly what it sent, then see the
// server's FIN; clean, and under loss, reordering and duplication.
#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <optional>
#include <span>

#include <strata/app.hpp>
#include <strata/clock.hpp>
#include <strata/core/runtime.hpp>
#include <strata/net/sim/network.hpp>
#include <strata/net/sim/nic.hpp>
#include <strata/net/sim/platform.hpp>
#include <strata/net/sim/scheduler.hpp>
#include <strata/net/tcp/layer.hpp>

namespace {

using namespace strata;
using namespace strata::net;
using namespace strata::literals;
using namespace strata::net::literals;

sim::network<2> wire;

// The byte at offset i of the stream: varied, so a misplaced segment shows.
constexpr std::byte pattern(std::size_t i) { return std::byte(static_cast<unsigned>((i * 7 + i / 251) & 0xff)); }

struct echo {
  void on_readable(auto& stream) {
    std::array<std::byte, 1460> buffer{};
    while (stream.readable() != 0 && stream.writable() != 0) {
      std::size_t const room = stream.writable() < buffer.size() ? stream.writable() : buffer.size();
      std::size_t const n = stream.read(std::span{buffer}.first(room));
      stream.write(std::span{buffer}.first(n));
    }
    if (stream.peer_closed() && stream.readable() == 0) stream.close();
  }
};

struct streamer {
  using needs = caps<cap::TcpLayer>;
  static inline std::size_t total = 0;  // set by each test before it runs
  std::optional<std::size_t> conn;
  std::size_t sent = 0, received = 0, mismatches = 0;
  bool shut = false, done = false;

  void start(auto& sys) { conn = sys.template get<cap::TcpLayer>().connect(sys, {{{10, 0, 0, 2}}, 7}); }
  void poll(auto& sys, time_ns now) {
    next = now + 1'000'000;
    if (!conn || done) return;
    auto stream = sys.template get<cap::TcpLayer>().stream(sys, *conn);
    std::array<std::byte, 4096> buffer{};
    while (sent < total && stream.writable() != 0) {
      std::size_t n = std::min({buffer.size(), total - sent, stream.writable()});
      for (std::size_t k = 0; k < n; ++k) buffer[k] = pattern(sent + k);
      n = stream.write(std::span{buffer}.first(n));
      sent += n;
    }
    if (sent == total && !shut) {
      stream.shutdown_write();
      shut = true;
    }
    while (std::size_t const n = stream.read(buffer)) {
      for (std::size_t k = 0; k < n; ++k) mismatches += buffer[k] != pattern(received + k) ? 1 : 0;
      received += n;
    }
    if (stream.peer_closed() && stream.readable() == 0) {
      stream.close();
      done = true;
      sys.exit(0);
    }
  }
  // Writes and reads happen here: a turn every millisecond while the
  // transfer lasts (a deadline is an instant, not a delay).
  time_ns next = 0;
  time_ns next_deadline() const { return done ? never : next; }
};

constexpr auto server = strata::system(monotonic_clock{}, sim::nic{.port = wire.port(0), .mac = "02:00:00:00:00:02"_mac},
                                       net::ipv4{.address = "10.0.0.2/24"}, net::tcp<4, 65536, 65536>{},
                                       tcp_service<echo, 7>{});
constexpr auto client = strata::system(monotonic_clock{}, sim::nic{.port = wire.port(1), .mac = "02:00:00:00:00:01"_mac},
                                       net::ipv4{.address = "10.0.0.1/24"}, net::tcp<4, 65536, 65536>{},
                                       app<streamer>{});
using server_t = runtime_system<sim::platform, std::remove_cvref_t<decltype(server)>>;
using client_t = runtime_system<sim::platform, std::remove_cvref_t<decltype(client)>>;

// NOLINTNEXTLINE(bugprone-easily-swappable-parameters): a seed and a time limit do not mix up
void transfer(std::size_t bytes, sim::fault_plan const& faults, std::uint64_t seed, time_ns limit) {
  sim::platform::reset();
  wire.reset(faults, seed);
  streamer::total = bytes;
  server_t srv{server};
  client_t cli{client};
  sim::run_until(wire, limit, srv, cli);
  auto const& s = cli.component<app<streamer>>();
  CHECK(s.sent == bytes);
  CHECK(s.received == bytes);
  CHECK(s.mismatches == 0);
  CHECK(s.done);  // the server's FIN came after all the data
  CHECK(cli.exit_code() == 0);
}

TEST_CASE("TCP on the sim network: 10 MB echoed byte-exact each way, clean close") {
  transfer(10'000'000, {.delay = 100_us}, 1, 600_s);
}

TEST_CASE("TCP on the sim network: 10 MB each way under 5% loss, reordering and duplication") {
  transfer(10'000'000,
           {.loss = sim::percent(5), .duplicate = sim::percent(5), .reorder = sim::percent(5), .delay = 100_us,
            .jitter = 200_us},
           7, 3600_s);
}

}  // namespace
