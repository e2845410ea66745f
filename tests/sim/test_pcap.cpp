// The pcap wrapper: a UDP echo run recorded on the server's NIC, read back
// with our own parsers and, where it is installed, by tcpdump.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <strata/app.hpp>
#include <strata/clock.hpp>
#include <strata/core/runtime.hpp>
#include <strata/net/pcap.hpp>
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

sim::network<2> lan;
constexpr std::string_view capture_file = "strata_sim_capture.pcap";

struct echo {
  void on_datagram(auto& udp, datagram const& d) { udp.send_to(d.from, d.payload); }
};
struct asker {
  int answers = 0;
  timer_id tick{};
  void start(auto& sys) { tick = sys.timers.every(10_ms); }
  void on_timer(auto& sys, timer_id) {
    std::array<std::byte, 20> payload{};
    net::socket<4000>(sys).send_to({ipv4_address{{10, 0, 0, 2}}, 7}, payload);
  }
  void on_datagram(auto& udp, datagram const&) {
    if (++answers == 5) udp.system().exit(0);
  }
};

constexpr auto server = strata::system(
    monotonic_clock{},
    net::pcap<sim::nic>{.nic = sim::nic{.port = lan.port(1), .mac = "02:00:00:00:00:02"_mac}, .path = capture_file},
    net::ipv4{.address = "10.0.0.2/24"}, udp_service<echo, 7>{});
constexpr auto client = strata::system(monotonic_clock{}, timers<2>{},
                                       sim::nic{.port = lan.port(0), .mac = "02:00:00:00:00:01"_mac},
                                       net::ipv4{.address = "10.0.0.1/24"}, udp_service<asker, 4000>{});

std::uint32_t le32(std::vector<unsigned char> const& b, std::size_t at) {
  return std::uint32_t(b[at]) | std::uint32_t(b[at + 1]) << 8 | std::uint32_t(b[at + 2]) << 16 |
         std::uint32_t(b[at + 3]) << 24;
}

TEST_CASE("a pcap wrapper records every frame its NIC receives and sends") {
  sim::platform::reset();
  lan.reset({.delay = 1_ms}, 1);
  std::uint64_t recorded = 0;
  {
    runtime_system<sim::platform, std::remove_cvref_t<decltype(server)>> srv{server};
    runtime_system<sim::platform, std::remove_cvref_t<decltype(client)>> cli{client};
    sim::run_until(lan, 5_s, cli, srv);
    REQUIRE(cli.stopped());
    recorded = srv.get<cap::NetDevice>().frames();
    auto const& c = srv.get<cap::IpLayer>().counters();
    CHECK(recorded == c.ethernet.received + c.ethernet.sent);
  }  // the file closes with the system

  std::ifstream in{std::string{capture_file}, std::ios::binary};
  std::vector<unsigned char> const bytes{std::istreambuf_iterator<char>{in}, {}};
  REQUIRE(bytes.size() > 24);
  CHECK(le32(bytes, 0) == 0xa1b2c3d4);  // classic pcap, microseconds
  CHECK(le32(bytes, 20) == 1);          // Ethernet
  std::size_t at = 24;
  std::size_t records = 0;
  std::size_t udp_frames = 0;
  std::uint64_t last_time = 0;
  while (at + 16 <= bytes.size()) {
    std::uint64_t const t = std::uint64_t(le32(bytes, at)) * 1'000'000 + le32(bytes, at + 4);
    CHECK(t >= last_time);  // timestamps follow the virtual clock
    last_time = t;
    std::uint32_t const len = le32(bytes, at + 8);
    REQUIRE(at + 16 + len <= bytes.size());
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the file's bytes as std::byte; both may alias
    std::span<std::byte const> frame{reinterpret_cast<std::byte const*>(bytes.data() + at + 16), len};
    auto const eth = ethernet_view::parse(frame);
    REQUIRE(eth);
    if (eth->ethertype() == ethertype::ipv4) {
      auto const ip = ipv4_view::parse(eth->payload());
      REQUIRE(ip);
      if (ip->protocol() == ip_protocol::udp) ++udp_frames;
    }
    at += 16 + len;
    ++records;
  }
  CHECK(at == bytes.size());
  CHECK(records == recorded);
  CHECK(udp_frames >= 10);  // five questions and five answers at least

  // tcpdump, where it is installed, reads the file and sees the same frames.
  if (std::FILE* probe = std::fopen("/usr/bin/tcpdump", "rb")) {
    (void)std::fclose(probe);
    std::string const command = "tcpdump -nn -r " + std::string{capture_file} + " 2>/dev/null";
    // NOLINTNEXTLINE(cert-env33-c): the test's own command line, tcpdump on the file it wrote
    std::FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::size_t lines = 0;  // one a frame
    for (int c = std::fgetc(pipe); c != EOF; c = std::fgetc(pipe))
      if (c == '\n') ++lines;
    (void)pclose(pipe);
    CHECK(lines == records);
  }
}

}  // namespace
